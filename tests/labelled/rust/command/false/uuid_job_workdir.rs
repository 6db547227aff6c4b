use std::process::Command;

use axum::http::StatusCode;
use uuid::Uuid;

pub async fn start_build() -> Result<String, StatusCode> {
    let job = Uuid::new_v4();
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "mkdir -p /tmp/builds/{job} && cp -r /srv/template/. /tmp/builds/{job} && make -C /tmp/builds/{job}"
        ))
        .status()
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    if status.success() {
        Ok(job.to_string())
    } else {
        Err(StatusCode::INTERNAL_SERVER_ERROR)
    }
}
