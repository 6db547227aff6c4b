use std::process::Command;

use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
pub struct RunRequest {
    tool: String,
    args: Vec<String>,
}

#[derive(Serialize)]
pub struct RunResult {
    code: Option<i32>,
    stdout: String,
}

pub async fn run_tool(Json(body): Json<RunRequest>) -> Result<Json<RunResult>, StatusCode> {
    let out = Command::new(&body.tool)
        .args(&body.args)
        .current_dir("/srv/workspace")
        .output()
        .map_err(|_| StatusCode::BAD_REQUEST)?;
    Ok(Json(RunResult {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }))
}
