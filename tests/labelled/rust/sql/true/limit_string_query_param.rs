use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use sqlx::{PgPool, Row};

#[derive(Deserialize)]
struct Page {
    limit: Option<String>,
}

#[get("/events/recent")]
async fn recent_events(pool: web::Data<PgPool>, page: web::Query<Page>) -> HttpResponse {
    let limit = page.limit.clone().unwrap_or_else(|| "50".into());
    let sql = "SELECT kind, payload FROM events ORDER BY created_at DESC LIMIT ".to_string() + &limit;
    match sqlx::query(&sql).fetch_all(pool.get_ref()).await {
        Ok(rows) => HttpResponse::Ok().json(
            rows.iter()
                .map(|r| r.get::<String, _>("kind"))
                .collect::<Vec<_>>(),
        ),
        Err(_) => HttpResponse::BadRequest().finish(),
    }
}
