use sqlx::PgPool;

const SCHEMA: &str = "analytics";

pub async fn record_page_view(pool: &PgPool, path: &str, visitor: &str) -> Result<(), sqlx::Error> {
    let sql = String::from("INSERT INTO ") + SCHEMA + ".page_views (path, visitor) VALUES ($1, $2)";
    sqlx::query(&sql)
        .bind(path)
        .bind(visitor)
        .execute(pool)
        .await?;
    Ok(())
}
