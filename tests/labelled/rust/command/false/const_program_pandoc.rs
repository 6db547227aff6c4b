use std::process::Command;

use axum::extract::Path;
use axum::http::StatusCode;

const PANDOC: &str = "/usr/bin/pandoc";

pub async fn export_docx(Path(doc): Path<String>) -> StatusCode {
    let input = format!("/srv/docs/{doc}.md");
    let output = format!("/srv/exports/{doc}.docx");
    let status = Command::new(PANDOC)
        .arg(&input)
        .arg("-o")
        .arg(&output)
        .status();
    match status {
        Ok(s) if s.success() => StatusCode::CREATED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
