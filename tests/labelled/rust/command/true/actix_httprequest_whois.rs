use actix_web::{HttpRequest, HttpResponse};
use std::process::Command;

pub async fn whois(req: HttpRequest) -> HttpResponse {
    let domain = req.match_info().query("domain").to_string();
    let result = Command::new("bash")
        .arg("-c")
        .arg(format!("whois {} | grep -iE 'registrar|expir'", domain))
        .output();
    match result {
        Ok(out) => HttpResponse::Ok()
            .content_type("text/plain")
            .body(out.stdout),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
