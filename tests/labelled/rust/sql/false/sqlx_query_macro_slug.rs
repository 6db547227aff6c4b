use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use sqlx::PgPool;

#[derive(Serialize)]
pub struct Article {
    title: String,
    body: String,
}

pub async fn article(
    State(pool): State<PgPool>,
    Path(slug): Path<String>,
) -> Result<Json<Article>, StatusCode> {
    let row = sqlx::query!("SELECT title, body FROM articles WHERE slug = $1", slug)
        .fetch_optional(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(Article { title: row.title, body: row.body }))
}
