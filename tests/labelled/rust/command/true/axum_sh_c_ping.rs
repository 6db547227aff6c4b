use std::process::Command;

use axum::extract::Query;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Ping {
    host: String,
}

pub async fn ping(Query(p): Query<Ping>) -> Result<String, StatusCode> {
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ping -c 3 -W 2 {}", p.host))
        .output()
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
