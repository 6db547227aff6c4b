use axum::extract::Path;
use axum::http::StatusCode;
use std::process::Command;
use uuid::Uuid;

pub async fn cancel_job(Path(job_id): Path<Uuid>) -> StatusCode {
    let name = format!("job-{}", job_id.as_hyphenated());
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("docker stop -t 10 {name} && docker rm {name}"))
        .status();
    match status {
        Ok(s) if s.success() => StatusCode::NO_CONTENT,
        Ok(_) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
