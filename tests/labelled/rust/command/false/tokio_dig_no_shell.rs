use actix_web::{get, web, HttpResponse};
use tokio::process::Command;

#[get("/dns/{domain}")]
async fn resolve(domain: web::Path<String>) -> HttpResponse {
    let output = Command::new("dig")
        .arg("+short")
        .arg(domain.as_str())
        .output()
        .await;
    match output {
        Ok(out) => HttpResponse::Ok().json(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_owned)
                .collect::<Vec<_>>(),
        ),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
