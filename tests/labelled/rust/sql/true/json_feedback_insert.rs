use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tokio_postgres::Client;

#[derive(Deserialize)]
pub struct Feedback {
    name: String,
    message: String,
    rating: i16,
}

pub async fn submit_feedback(State(db): State<Arc<Client>>, Json(fb): Json<Feedback>) -> StatusCode {
    let sql = format!(
        "INSERT INTO feedback (name, message, rating) VALUES ('{}', '{}', {})",
        fb.name, fb.message, fb.rating
    );
    match db.execute(&sql, &[]).await {
        Ok(_) => StatusCode::CREATED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
