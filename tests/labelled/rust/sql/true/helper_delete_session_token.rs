use sqlx::PgPool;

pub async fn revoke_session(pool: &PgPool, token: &str) -> Result<bool, sqlx::Error> {
    let sql = format!("DELETE FROM sessions WHERE token = '{token}'");
    let result = sqlx::query(&sql).execute(pool).await?;
    Ok(result.rows_affected() > 0)
}

pub async fn revoke_all(pool: &PgPool, tokens: &[String]) -> Result<usize, sqlx::Error> {
    let mut revoked = 0;
    for token in tokens {
        if revoke_session(pool, token).await? {
            revoked += 1;
        }
    }
    Ok(revoked)
}
