use axum::http::{HeaderMap, StatusCode};
use std::process::Command;

pub async fn beacon(headers: HeaderMap) -> StatusCode {
    let agent = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown");
    let line = format!("echo \"$(date -Is) {agent}\" >> /var/log/app/agents.log");
    let _ = Command::new("sh").arg("-c").arg(line).spawn();
    StatusCode::NO_CONTENT
}
