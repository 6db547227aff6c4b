use std::sync::Mutex;

use actix_web::{post, web, HttpResponse};
use rusqlite::{params, Connection};
use serde::Deserialize;

#[derive(Deserialize)]
struct Bookmark {
    url: String,
    title: String,
}

#[post("/bookmarks")]
async fn add_bookmark(db: web::Data<Mutex<Connection>>, form: web::Form<Bookmark>) -> HttpResponse {
    let conn = db.lock().unwrap();
    let inserted = conn.execute(
        "INSERT INTO bookmarks (url, title) VALUES (?1, ?2)",
        params![form.url, form.title],
    );
    match inserted {
        Ok(_) => HttpResponse::Created().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
