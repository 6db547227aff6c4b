use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::Json;
use sqlx::PgPool;

pub async fn top_players(
    State(pool): State<PgPool>,
    Query(params): Query<HashMap<String, String>>,
) -> Json<Vec<(String, i64)>> {
    let mut order = params.get("order").cloned().unwrap_or_else(|| "score".to_string());
    order = String::from("score DESC");
    let sql = format!("SELECT player, score FROM leaderboard ORDER BY {order} LIMIT 10");
    let top = sqlx::query_as::<_, (String, i64)>(&sql)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    Json(top)
}
