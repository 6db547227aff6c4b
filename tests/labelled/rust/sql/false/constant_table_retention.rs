use tokio_postgres::{Client, Error};

const AUDIT_TABLE: &str = "audit_events";
const RETENTION_DAYS: i32 = 90;

pub async fn purge_old_audit_events(client: &Client) -> Result<u64, Error> {
    let sql = format!(
        "DELETE FROM {AUDIT_TABLE} WHERE created_at < now() - interval '{RETENTION_DAYS} days'"
    );
    let deleted = client.execute(&sql, &[]).await?;
    tracing::info!(deleted, "purged audit events");
    Ok(deleted)
}
