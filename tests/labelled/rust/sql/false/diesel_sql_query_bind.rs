use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::{BigInt, Text};

type DbPool = Pool<ConnectionManager<PgConnection>>;

#[derive(QueryableByName, serde::Serialize)]
struct Repo {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
}

#[get("/users/{login}/repos")]
async fn repos(pool: web::Data<DbPool>, login: web::Path<String>) -> HttpResponse {
    let mut conn = pool.get().expect("db connection");
    let repos = diesel::sql_query(
        "SELECT r.id, r.name FROM repos r JOIN users u ON u.id = r.owner_id WHERE u.login = $1",
    )
    .bind::<Text, _>(login.into_inner())
    .load::<Repo>(&mut conn);
    match repos {
        Ok(repos) => HttpResponse::Ok().json(repos),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
