use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Deserialize)]
struct NewUser {
    email: String,
    name: String,
}

#[derive(Serialize)]
struct User {
    id: i64,
    email: String,
    name: String,
}

#[post("/users")]
async fn create_user(pool: web::Data<PgPool>, body: web::Json<NewUser>) -> HttpResponse {
    let created = sqlx::query_as!(
        User,
        "INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id, email, name",
        body.email,
        body.name
    )
    .fetch_one(pool.get_ref())
    .await;
    match created {
        Ok(user) => HttpResponse::Created().json(user),
        Err(_) => HttpResponse::Conflict().finish(),
    }
}
