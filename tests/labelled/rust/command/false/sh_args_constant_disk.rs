use axum::Json;
use serde_json::{json, Value};
use tokio::process::Command;

pub async fn disk_usage() -> Json<Value> {
    let out = Command::new("sh")
        .args(["-c", "df -h / | tail -n 1 | awk '{print $5}'"])
        .output()
        .await;
    let used = out
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    Json(json!({ "root_used": used }))
}
