use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
struct ConvertForm {
    upload: String,
    format: String,
}

fn convert_cmdline(src: &str, format: &str) -> String {
    format!(
        "libreoffice --headless --convert-to {format} --outdir /srv/converted /srv/uploads/{src}"
    )
}

#[post("/convert")]
async fn convert(form: web::Form<ConvertForm>) -> HttpResponse {
    let cmdline = convert_cmdline(&form.upload, &form.format);
    let result = Command::new("sh").arg("-c").arg(cmdline).output();
    match result {
        Ok(out) if out.status.success() => HttpResponse::SeeOther()
            .insert_header(("Location", "/converted"))
            .finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}
