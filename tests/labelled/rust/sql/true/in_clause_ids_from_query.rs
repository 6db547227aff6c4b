use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Deserialize)]
pub struct Batch {
    ids: String,
}

#[derive(sqlx::FromRow, Serialize)]
pub struct Invoice {
    id: i64,
    amount_cents: i64,
    paid: bool,
}

pub async fn invoices_batch(State(pool): State<PgPool>, Query(batch): Query<Batch>) -> Json<Vec<Invoice>> {
    let sql = format!(
        "SELECT id, amount_cents, paid FROM invoices WHERE id IN ({})",
        batch.ids
    );
    Json(
        sqlx::query_as::<_, Invoice>(&sql)
            .fetch_all(&pool)
            .await
            .unwrap_or_default(),
    )
}
