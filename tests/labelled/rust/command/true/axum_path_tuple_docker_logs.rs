use axum::extract::Path;
use axum::http::StatusCode;
use tokio::process::Command;

pub async fn container_logs(
    Path((container, since)): Path<(String, String)>,
) -> Result<String, StatusCode> {
    let script = format!("docker logs --since {since} {container} 2>&1 | tail -n 200");
    let output = Command::new("sh")
        .arg("-c")
        .arg(&script)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    if !output.status.success() {
        return Err(StatusCode::NOT_FOUND);
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
