use std::process::Command;

use axum::extract::Query;
use axum::http::StatusCode;
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Resize {
    file: String,
}

pub async fn resize(Query(q): Query<Resize>) -> StatusCode {
    let input = format!("/srv/uploads/{}", q.file);
    let output = format!("/srv/thumbs/{}", q.file);
    let status = Command::new("convert")
        .arg(&input)
        .arg("-resize")
        .arg("200x200")
        .arg(&output)
        .status();
    match status {
        Ok(s) if s.success() => StatusCode::CREATED,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}
