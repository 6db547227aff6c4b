use tokio_postgres::{Client, Error};

pub struct JobStats {
    pub queued: i64,
    pub failed: i64,
}

async fn count_jobs(client: &Client, queue: &str, state: &str) -> Result<i64, Error> {
    let row = client
        .query_one(
            &format!("SELECT count(*) FROM jobs WHERE queue = '{}' AND state = '{}'", queue, state),
            &[],
        )
        .await?;
    Ok(row.get(0))
}

pub async fn stats(client: &Client, queue: &str) -> Result<JobStats, Error> {
    Ok(JobStats {
        queued: count_jobs(client, queue, "queued").await?,
        failed: count_jobs(client, queue, "failed").await?,
    })
}
