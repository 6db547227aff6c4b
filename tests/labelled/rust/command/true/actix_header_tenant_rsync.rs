use actix_web::{post, HttpRequest, HttpResponse};
use std::process::Command;

#[post("/sync")]
async fn sync_tenant_assets(req: HttpRequest) -> HttpResponse {
    let tenant = match req.headers().get("x-tenant-id").and_then(|v| v.to_str().ok()) {
        Some(t) if !t.is_empty() => t.to_owned(),
        _ => return HttpResponse::BadRequest().body("missing tenant"),
    };
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "rsync -a --delete /srv/assets/{tenant}/ cdn@edge01:/var/www/{tenant}/"
        ))
        .status();
    match status {
        Ok(s) if s.success() => HttpResponse::Accepted().finish(),
        _ => HttpResponse::BadGateway().finish(),
    }
}
