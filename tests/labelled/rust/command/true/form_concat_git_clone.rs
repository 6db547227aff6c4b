use axum::http::StatusCode;
use axum::Form;
use serde::Deserialize;
use tokio::process::Command;

#[derive(Deserialize)]
pub struct NewSite {
    name: String,
    repo_url: String,
}

pub async fn create_site(Form(site): Form<NewSite>) -> StatusCode {
    let dir = "/srv/sites/".to_string() + &site.name;
    let script = "git clone --depth 1 ".to_string() + &site.repo_url + " " + &dir + " && npm ci --prefix " + &dir;
    let child = Command::new("sh").arg("-c").arg(script).spawn();
    match child {
        Ok(_) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
