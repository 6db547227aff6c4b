use std::path::Path;

use axum::extract::Query;
use axum::http::StatusCode;
use serde::Deserialize;
use tokio::process::Command;

const PLUGIN_DIR: &str = "/opt/report-plugins";

#[derive(Deserialize)]
pub struct RunPlugin {
    plugin: String,
    input: String,
}

pub async fn run_plugin(Query(req): Query<RunPlugin>) -> Result<String, StatusCode> {
    let exe = Path::new(PLUGIN_DIR).join(&req.plugin);
    let out = Command::new(&exe)
        .arg("--input")
        .arg(&req.input)
        .output()
        .await
        .map_err(|_| StatusCode::NOT_FOUND)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
