use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use sqlx::SqlitePool;

#[derive(Deserialize)]
struct NoteSearch {
    q: String,
}

#[get("/notes/search")]
async fn search_notes(pool: web::Data<SqlitePool>, params: web::Query<NoteSearch>) -> HttpResponse {
    let escaped = params.q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let titles = sqlx::query_scalar::<_, String>(
        "SELECT title FROM notes WHERE body LIKE ?1 ESCAPE '\\' ORDER BY updated_at DESC LIMIT 50",
    )
    .bind(pattern)
    .fetch_all(pool.get_ref())
    .await;
    match titles {
        Ok(titles) => HttpResponse::Ok().json(titles),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
