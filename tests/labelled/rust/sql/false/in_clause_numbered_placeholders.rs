use axum::extract::State;
use axum::Json;
use sqlx::{PgPool, Row};

pub async fn titles_for(State(pool): State<PgPool>, Json(ids): Json<Vec<i64>>) -> Json<Vec<String>> {
    if ids.is_empty() {
        return Json(Vec::new());
    }
    let placeholders = (1..=ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT title FROM books WHERE id IN ({placeholders})");
    let mut query = sqlx::query(&sql);
    for id in &ids {
        query = query.bind(id);
    }
    let rows = query.fetch_all(&pool).await.unwrap_or_default();
    Json(rows.iter().map(|r| r.get::<String, _>("title")).collect())
}
