use axum::extract::Path;
use axum::http::StatusCode;
use tokio::process::Command;

pub async fn render_pdf(Path(doc): Path<String>) -> StatusCode {
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("pandoc /srv/docs/{doc}.md -o /srv/pdf/{doc}.pdf"))
        .status()
        .await;
    match status {
        Ok(s) if s.success() => StatusCode::CREATED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
