use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
struct Deploy {
    tag: String,
}

#[post("/deploy")]
async fn deploy(body: web::Json<Deploy>) -> HttpResponse {
    let script = format!("docker pull registry.local/web:{0} && docker service update --image registry.local/web:{0} web", body.tag);
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&script);
    match cmd.status() {
        Ok(status) if status.success() => HttpResponse::Accepted().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}
