use axum::extract::Path;
use axum::http::StatusCode;
use tokio::process::Command;

pub async fn port_owner(Path(raw): Path<String>) -> Result<String, StatusCode> {
    let port: u16 = raw.parse().map_err(|_| StatusCode::BAD_REQUEST)?;
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ss -ltnpH 'sport = :{port}' | awk '{{print $6}}'"))
        .output()
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    let owner = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if owner.is_empty() {
        Err(StatusCode::NOT_FOUND)
    } else {
        Ok(owner)
    }
}
