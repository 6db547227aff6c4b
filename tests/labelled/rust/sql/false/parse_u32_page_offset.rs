use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use sqlx::PgPool;

pub async fn audit_log(
    State(pool): State<PgPool>,
    Query(params): Query<HashMap<String, String>>,
) -> Json<Vec<String>> {
    let page = params
        .get("page")
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(1)
        .max(1);
    let offset = (page - 1) * 25;
    let sql = format!("SELECT action FROM audit_log ORDER BY at DESC LIMIT 25 OFFSET {offset}");
    let actions = sqlx::query_scalar::<_, String>(&sql)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    Json(actions)
}
