use chrono::{Duration, Utc};
use sqlx::PgPool;

pub async fn purge_expired_carts(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let cutoff = (Utc::now() - Duration::days(30)).date_naive();
    let sql = format!("DELETE FROM carts WHERE checked_out = false AND updated_on < '{cutoff}'");
    let done = sqlx::query(&sql).execute(pool).await?;
    Ok(done.rows_affected())
}
