use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::http::StatusCode;
use rusqlite::Connection;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Login {
    username: String,
    password_hash: String,
}

pub async fn login(
    State(db): State<Arc<Mutex<Connection>>>,
    Form(form): Form<Login>,
) -> StatusCode {
    let conn = db.lock().unwrap();
    let sql = "SELECT id FROM accounts WHERE username = '".to_owned()
        + &form.username
        + "' AND password_hash = '"
        + &form.password_hash
        + "'";
    match conn.query_row(&sql, [], |row| row.get::<_, i64>(0)) {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::UNAUTHORIZED,
    }
}
