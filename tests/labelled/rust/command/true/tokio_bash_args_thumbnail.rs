use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tokio::process::Command;

#[derive(Deserialize)]
pub struct Thumb {
    path: String,
    width: u32,
}

pub async fn thumbnail(Json(body): Json<Thumb>) -> StatusCode {
    let cmd = format!(
        "convert /srv/uploads/{} -resize {}x /srv/thumbs/{}",
        body.path, body.width, body.path
    );
    match Command::new("bash").args(["-c", &cmd]).status().await {
        Ok(status) if status.success() => StatusCode::CREATED,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
