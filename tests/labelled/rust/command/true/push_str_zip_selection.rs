use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
pub struct Export {
    files: Vec<String>,
}

pub async fn export_zip(Json(export): Json<Export>) -> StatusCode {
    let mut cmd = String::from("cd /srv/files && zip -q /tmp/export.zip");
    for name in &export.files {
        cmd.push(' ');
        cmd.push_str(name);
    }
    let status = Command::new("sh").arg("-c").arg(cmd).status();
    if matches!(status, Ok(s) if s.success()) {
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}
