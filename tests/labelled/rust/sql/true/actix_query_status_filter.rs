use actix_web::{get, web, HttpResponse};
use deadpool_postgres::Pool;
use serde::Deserialize;

#[derive(Deserialize)]
struct OrderFilter {
    status: String,
}

#[get("/orders")]
async fn orders_by_status(pool: web::Data<Pool>, filter: web::Query<OrderFilter>) -> HttpResponse {
    let client = match pool.get().await {
        Ok(client) => client,
        Err(_) => return HttpResponse::ServiceUnavailable().finish(),
    };
    let sql = format!(
        "SELECT id, total_cents FROM orders WHERE status = '{}' ORDER BY id DESC",
        filter.status
    );
    match client.query(&sql, &[]).await {
        Ok(rows) => {
            let ids: Vec<i64> = rows.iter().map(|row| row.get(0)).collect();
            HttpResponse::Ok().json(ids)
        }
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
