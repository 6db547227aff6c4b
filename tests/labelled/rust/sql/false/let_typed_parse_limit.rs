use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use sqlx::{PgPool, Row};

#[get("/metrics/latest")]
async fn latest_metrics(
    pool: web::Data<PgPool>,
    q: web::Query<HashMap<String, String>>,
) -> Result<HttpResponse, actix_web::Error> {
    let raw = q.get("n").map(String::as_str).unwrap_or("10");
    let n: u32 = raw.parse().map_err(actix_web::error::ErrorBadRequest)?;
    let sql = format!("SELECT name, value FROM metrics ORDER BY recorded_at DESC LIMIT {}", n.min(500));
    let rows = sqlx::query(&sql)
        .fetch_all(pool.get_ref())
        .await
        .map_err(actix_web::error::ErrorInternalServerError)?;
    let names: Vec<String> = rows.iter().map(|r| r.get("name")).collect();
    Ok(HttpResponse::Ok().json(names))
}
