use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use sqlx::PgPool;

#[derive(Deserialize)]
pub struct ChangeEmail {
    email: String,
}

pub async fn change_email(
    State(pool): State<PgPool>,
    Path(user_id): Path<i64>,
    Json(body): Json<ChangeEmail>,
) -> StatusCode {
    let sql = format!(
        "UPDATE users SET email = '{}', updated_at = now() WHERE id = {}",
        body.email, user_id
    );
    match sqlx::query(&sql).execute(&pool).await {
        Ok(done) if done.rows_affected() == 1 => StatusCode::NO_CONTENT,
        Ok(_) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
