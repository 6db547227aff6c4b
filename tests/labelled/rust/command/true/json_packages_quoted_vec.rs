use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
struct WheelRequest {
    packages: Vec<String>,
}

#[post("/wheels")]
async fn build_wheels(body: web::Json<WheelRequest>) -> HttpResponse {
    let quoted: Vec<String> = body
        .packages
        .iter()
        .map(|p| format!("'{}'", p.trim()))
        .collect();
    let script = format!("pip wheel --no-deps -w /srv/wheelhouse {}", quoted.join(" "));
    let argv = vec!["-c".to_string(), script];
    match Command::new("sh").args(&argv).output() {
        Ok(out) if out.status.success() => HttpResponse::Created().finish(),
        Ok(out) => HttpResponse::UnprocessableEntity().body(out.stderr),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
