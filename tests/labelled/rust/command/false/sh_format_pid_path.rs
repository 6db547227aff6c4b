use axum::extract::Path;
use axum::http::StatusCode;
use std::process::Command;

pub async fn stop_worker(Path(pid): Path<u32>) -> StatusCode {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -TERM {pid} && sleep 2 && ! kill -0 {pid} 2>/dev/null"))
        .status();
    match status {
        Ok(s) if s.success() => StatusCode::NO_CONTENT,
        _ => StatusCode::CONFLICT,
    }
}
