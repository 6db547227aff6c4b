use std::process::Command;

use actix_web::{post, HttpResponse};

#[post("/admin/backup")]
async fn backup() -> HttpResponse {
    let status = Command::new("sh")
        .arg("-c")
        .arg("pg_dump --format=custom appdb | gzip > /backups/appdb.dump.gz")
        .status();
    match status {
        Ok(s) if s.success() => HttpResponse::Accepted().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}
