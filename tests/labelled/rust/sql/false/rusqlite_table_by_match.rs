use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use rusqlite::Connection;

pub async fn count_by_author(
    State(db): State<Arc<Mutex<Connection>>>,
    Path((kind, author_id)): Path<(String, i64)>,
) -> Result<String, StatusCode> {
    let table = match kind.as_str() {
        "posts" => "posts",
        "comments" => "comments",
        "reactions" => "reactions",
        _ => return Err(StatusCode::NOT_FOUND),
    };
    let sql = format!("SELECT COUNT(*) FROM {table} WHERE author_id = ?1");
    let conn = db.lock().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let count: i64 = conn
        .query_row(&sql, [author_id], |row| row.get(0))
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(count.to_string())
}
