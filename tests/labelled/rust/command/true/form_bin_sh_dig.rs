use axum::extract::Form;
use axum::response::Html;
use serde::Deserialize;
use std::process::Command;

#[derive(Deserialize)]
pub struct Lookup {
    domain: String,
    record: String,
}

pub async fn dns_lookup(Form(form): Form<Lookup>) -> Html<String> {
    let out = Command::new("/bin/sh")
        .args(["-c", &format!("dig +short {} {}", form.record, form.domain)])
        .output()
        .expect("failed to run dig");
    Html(format!("<pre>{}</pre>", String::from_utf8_lossy(&out.stdout)))
}
