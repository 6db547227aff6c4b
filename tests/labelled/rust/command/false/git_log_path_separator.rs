use std::process::Command;

use axum::extract::Query;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct FileHistory {
    path: String,
}

pub async fn file_history(Query(q): Query<FileHistory>) -> Result<String, StatusCode> {
    let out = Command::new("git")
        .args(["log", "--format=%h %an %s", "-n", "20", "--"])
        .arg(&q.path)
        .current_dir("/srv/repo")
        .output()
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    if !out.status.success() {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
