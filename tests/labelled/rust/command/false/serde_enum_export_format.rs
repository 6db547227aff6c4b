use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use tokio::process::Command;

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Pdf,
    Epub,
    Html,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Pdf => "pdf",
            Format::Epub => "epub",
            Format::Html => "html",
        }
    }
}

#[derive(Deserialize)]
pub struct ExportBook {
    format: Format,
}

pub async fn export_book(Json(req): Json<ExportBook>) -> StatusCode {
    let ext = req.format.extension();
    let script = format!("cd /srv/book && pandoc chapters/*.md -o build/book.{ext}");
    match Command::new("sh").arg("-c").arg(&script).status().await {
        Ok(s) if s.success() => StatusCode::CREATED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
