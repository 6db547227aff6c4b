use std::collections::HashMap;
use std::process::Command;

use axum::extract::Query;
use axum::http::StatusCode;

pub async fn extract_audio(Query(params): Query<HashMap<String, String>>) -> StatusCode {
    let file = match params.get("file") {
        Some(file) => file.clone(),
        None => return StatusCode::BAD_REQUEST,
    };
    let input = format!("/media/{file}");
    let cmd = format!("ffmpeg -y -i {input} -vn -acodec libmp3lame /media/audio/{file}.mp3");
    match Command::new("sh").arg("-c").arg(&cmd).status() {
        Ok(status) if status.success() => StatusCode::ACCEPTED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
