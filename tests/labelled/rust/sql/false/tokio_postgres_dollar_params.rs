use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use tokio_postgres::Client;

#[derive(Deserialize)]
pub struct Tasks {
    status: String,
    owner: String,
}

pub async fn tasks(State(db): State<Arc<Client>>, Query(q): Query<Tasks>) -> Json<Vec<String>> {
    let rows = db
        .query(
            "SELECT title FROM tasks WHERE status = $1 AND owner = $2 ORDER BY due_at",
            &[&q.status, &q.owner],
        )
        .await
        .unwrap_or_default();
    Json(rows.iter().map(|r| r.get("title")).collect())
}
