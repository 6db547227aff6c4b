use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use tokio::process::Command;

pub struct AppState {
    pub backup_lock: tokio::sync::Mutex<()>,
}

pub async fn snapshot(State(state): State<Arc<AppState>>) -> Result<String, StatusCode> {
    let _guard = state.backup_lock.lock().await;
    let stamp = Utc::now().format("%Y%m%dT%H%M%S").to_string();
    let target = format!("/backups/app-{stamp}.sql.gz");
    let status = Command::new("bash")
        .args(["-c", &format!("set -o pipefail; pg_dump appdb | gzip > {target}")])
        .status()
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    if status.success() {
        Ok(target)
    } else {
        Err(StatusCode::INTERNAL_SERVER_ERROR)
    }
}
