use axum::extract::{Path, State};
use axum::http::StatusCode;
use sqlx::PgPool;

pub async fn archive_project(State(pool): State<PgPool>, Path(id): Path<i64>) -> StatusCode {
    let sql = format!("UPDATE projects SET archived_at = now() WHERE id = {id} AND archived_at IS NULL");
    match sqlx::query(&sql).execute(&pool).await {
        Ok(done) if done.rows_affected() == 0 => StatusCode::NOT_FOUND,
        Ok(_) => StatusCode::NO_CONTENT,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
