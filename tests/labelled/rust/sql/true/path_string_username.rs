use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use sqlx::PgPool;

#[derive(sqlx::FromRow, Serialize)]
pub struct Profile {
    username: String,
    bio: Option<String>,
    followers: i64,
}

pub async fn profile(
    State(pool): State<PgPool>,
    Path(username): Path<String>,
) -> Result<Json<Profile>, StatusCode> {
    let query = format!(
        "SELECT username, bio, followers FROM profiles WHERE username = '{username}'"
    );
    let profile = sqlx::query_as::<_, Profile>(&query)
        .fetch_optional(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .ok_or(StatusCode::NOT_FOUND)?;
    Ok(Json(profile))
}
