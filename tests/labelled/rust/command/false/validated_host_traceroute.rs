use actix_web::{get, web, HttpResponse};
use std::process::Command;

fn is_hostname(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && !s.starts_with('-')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[get("/netcheck/{host}")]
async fn trace(host: web::Path<String>) -> HttpResponse {
    let host = host.into_inner();
    if !is_hostname(&host) {
        return HttpResponse::BadRequest().body("invalid host");
    }
    let output = Command::new("traceroute")
        .args(["-n", "-w", "2", "-m", "15"])
        .arg(&host)
        .output();
    match output {
        Ok(out) => HttpResponse::Ok().content_type("text/plain").body(out.stdout),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
