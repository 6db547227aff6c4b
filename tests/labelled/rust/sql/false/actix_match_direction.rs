use actix_web::{get, web, HttpResponse};
use deadpool_postgres::Pool;
use serde::Deserialize;

#[derive(Deserialize)]
struct Ranking {
    dir: Option<String>,
    region: String,
}

#[get("/leaderboard")]
async fn leaderboard(pool: web::Data<Pool>, q: web::Query<Ranking>) -> HttpResponse {
    let direction = match q.dir.as_deref() {
        Some("asc") => "ASC",
        _ => "DESC",
    };
    let client = pool.get().await.expect("pool");
    let sql = format!("SELECT player, score FROM scores WHERE region = $1 ORDER BY score {direction} LIMIT 10");
    match client.query(&sql, &[&q.region]).await {
        Ok(rows) => HttpResponse::Ok().json(
            rows.iter()
                .map(|r| (r.get::<_, String>(0), r.get::<_, i32>(1)))
                .collect::<Vec<_>>(),
        ),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
