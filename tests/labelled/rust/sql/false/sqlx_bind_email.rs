use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Deserialize)]
pub struct ByEmail {
    email: String,
}

#[derive(sqlx::FromRow, Serialize)]
pub struct User {
    id: i64,
    email: String,
    name: String,
}

pub async fn user_by_email(
    State(pool): State<PgPool>,
    Query(q): Query<ByEmail>,
) -> Result<Json<User>, StatusCode> {
    sqlx::query_as::<_, User>("SELECT id, email, name FROM users WHERE email = $1")
        .bind(&q.email)
        .fetch_optional(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?
        .map(Json)
        .ok_or(StatusCode::NOT_FOUND)
}
