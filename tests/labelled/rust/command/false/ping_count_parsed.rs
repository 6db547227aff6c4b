use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use std::process::Command;

#[get("/health/gateway")]
async fn gateway_health(q: web::Query<HashMap<String, String>>) -> HttpResponse {
    let count = q
        .get("count")
        .and_then(|c| c.parse::<u8>().ok())
        .unwrap_or(3)
        .clamp(1, 10);
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("ping -c {} 10.0.0.1 | tail -n 2", count))
        .output();
    match out {
        Ok(out) => HttpResponse::Ok().body(out.stdout),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
