use std::process::Command;

use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Check {
    tool: String,
    path: String,
}

pub async fn run_check(Json(body): Json<Check>) -> Result<String, StatusCode> {
    let program = match body.tool.as_str() {
        "lint" => "eslint",
        "format" => "prettier",
        "types" => "tsc",
        _ => return Err(StatusCode::BAD_REQUEST),
    };
    let out = Command::new(program)
        .arg("--")
        .arg(&body.path)
        .current_dir("/srv/frontend")
        .output()
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
