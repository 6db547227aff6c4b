use std::process::Command;

use actix_web::{get, web, HttpResponse};

#[get("/repos/{branch}/history")]
async fn history(branch: web::Path<String>) -> HttpResponse {
    let branch = branch.into_inner();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("cd /srv/repo && git log --oneline {branch} | head -n 20"))
        .output();
    match out {
        Ok(out) if out.status.success() => {
            HttpResponse::Ok().body(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        _ => HttpResponse::NotFound().finish(),
    }
}
