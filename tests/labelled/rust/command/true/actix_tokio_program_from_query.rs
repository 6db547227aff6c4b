use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use tokio::process::Command;

#[derive(Deserialize)]
struct Diagnose {
    check: String,
    target: String,
}

#[get("/diagnostics")]
async fn diagnostics(q: web::Query<Diagnose>) -> HttpResponse {
    let output = Command::new(&q.check).arg(&q.target).output().await;
    match output {
        Ok(out) => HttpResponse::Ok().body(out.stdout),
        Err(err) => HttpResponse::BadRequest().body(err.to_string()),
    }
}
