use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tokio::process::Command;

#[derive(Deserialize)]
pub struct Transcode {
    input: String,
}

pub async fn transcode(Json(job): Json<Transcode>) -> StatusCode {
    let source = format!("/media/in/{}", job.input);
    let target = format!("/media/out/{}.mp4", job.input);
    let status = Command::new("ffmpeg")
        .args(["-y", "-i", &source, "-c:v", "libx264", "-preset", "fast", &target])
        .status()
        .await;
    match status {
        Ok(s) if s.success() => StatusCode::ACCEPTED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
