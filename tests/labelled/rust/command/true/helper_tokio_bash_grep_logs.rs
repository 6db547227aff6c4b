use std::io;

use tokio::process::Command;

pub async fn search_logs(service: &str, pattern: &str) -> io::Result<Vec<String>> {
    let script = format!("journalctl -u {service} --since today | grep -i '{pattern}'");
    let output = Command::new("bash").args(["-c", script.as_str()]).output().await?;
    Ok(String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(str::to_owned)
        .collect())
}
