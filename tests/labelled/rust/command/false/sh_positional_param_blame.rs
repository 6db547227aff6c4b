use axum::extract::Query;
use axum::http::StatusCode;
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
pub struct Blame {
    path: String,
}

pub async fn blame_summary(Query(q): Query<Blame>) -> Result<String, StatusCode> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"git blame --line-porcelain -- "$1" | grep '^author ' | sort | uniq -c | sort -rn"#)
        .arg("sh")
        .arg(&q.path)
        .current_dir("/srv/repo")
        .output()
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
