use actix_web::{web, HttpRequest, HttpResponse};
use sqlx::{MySqlPool, Row};

pub async fn post_by_slug(req: HttpRequest, pool: web::Data<MySqlPool>) -> HttpResponse {
    let slug = req.match_info().get("slug").unwrap_or_default();
    let sql = format!("SELECT title, body FROM posts WHERE slug = '{}' AND published = 1", slug);
    match sqlx::query(&sql).fetch_optional(pool.get_ref()).await {
        Ok(Some(row)) => HttpResponse::Ok().json(serde_json::json!({
            "title": row.get::<String, _>("title"),
            "body": row.get::<String, _>("body"),
        })),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
