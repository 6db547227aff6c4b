use actix_web::{post, web, HttpResponse};
use std::process::Command;

#[post("/ops/restart/{service}")]
async fn restart(service: web::Path<String>) -> HttpResponse {
    let unit = match service.as_str() {
        "web" => "nginx.service",
        "cache" => "redis-server.service",
        "worker" => "app-worker.service",
        _ => return HttpResponse::BadRequest().finish(),
    };
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("sudo systemctl restart {unit} && systemctl is-active {unit}"))
        .status();
    match status {
        Ok(s) if s.success() => HttpResponse::Ok().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}
