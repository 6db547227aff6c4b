use actix_web::{get, web, HttpResponse, Responder};
use sqlx::PgPool;

#[get("/admin/tables/{table}/count")]
async fn table_count(pool: web::Data<PgPool>, table: web::Path<String>) -> impl Responder {
    let table = table.into_inner();
    let sql = format!("SELECT count(*) FROM {}", table);
    match sqlx::query_scalar::<_, i64>(&sql).fetch_one(pool.get_ref()).await {
        Ok(count) => HttpResponse::Ok().json(serde_json::json!({ "table": table, "rows": count })),
        Err(_) => HttpResponse::BadRequest().finish(),
    }
}
