use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use sqlx::{PgPool, Row};

#[derive(Deserialize)]
struct Feed {
    limit: Option<u16>,
}

#[get("/feed")]
async fn feed(pool: web::Data<PgPool>, q: web::Query<Feed>) -> HttpResponse {
    let limit = q.limit.unwrap_or(20).min(100) as i64;
    let sql = format!("SELECT headline FROM stories ORDER BY score DESC LIMIT {}", limit);
    match sqlx::query(&sql).fetch_all(pool.get_ref()).await {
        Ok(rows) => HttpResponse::Ok().json(
            rows.iter().map(|r| r.get::<String, _>(0)).collect::<Vec<_>>(),
        ),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
