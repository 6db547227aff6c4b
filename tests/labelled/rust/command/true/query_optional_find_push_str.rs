use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
struct FileSearch {
    name: Option<String>,
    newer_than: Option<String>,
}

#[get("/shared/search")]
async fn search_shared(q: web::Query<FileSearch>) -> HttpResponse {
    let mut cmd = String::from("find /srv/shared -type f");
    if let Some(name) = &q.name {
        cmd.push_str(&format!(" -iname '*{}*'", name));
    }
    if let Some(days) = &q.newer_than {
        cmd.push_str(" -mtime -");
        cmd.push_str(days);
    }
    cmd.push_str(" | head -n 100");
    match Command::new("sh").arg("-c").arg(&cmd).output() {
        Ok(out) => HttpResponse::Ok().content_type("text/plain").body(out.stdout),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
