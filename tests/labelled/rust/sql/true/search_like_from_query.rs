use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use sqlx::{PgPool, Row};

#[derive(Deserialize)]
pub struct Search {
    q: String,
}

pub async fn search_articles(
    State(pool): State<PgPool>,
    Query(search): Query<Search>,
) -> Json<Vec<String>> {
    let term = search.q.trim();
    let sql = format!(
        "SELECT title FROM articles WHERE title ILIKE '%{term}%' ORDER BY published_at DESC LIMIT 20"
    );
    let rows = sqlx::query(&sql).fetch_all(&pool).await.unwrap_or_default();
    Json(rows.iter().map(|r| r.get::<String, _>("title")).collect())
}
