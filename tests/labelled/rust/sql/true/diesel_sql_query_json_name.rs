use actix_web::{post, web, HttpResponse};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, Pool};
use diesel::sql_types::{BigInt, Text};
use serde::Deserialize;

type DbPool = Pool<ConnectionManager<PgConnection>>;

#[derive(QueryableByName, serde::Serialize)]
struct Member {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    display_name: String,
}

#[derive(Deserialize)]
struct MemberLookup {
    team: String,
}

#[post("/members/lookup")]
async fn lookup(pool: web::Data<DbPool>, body: web::Json<MemberLookup>) -> HttpResponse {
    let mut conn = pool.get().expect("db connection");
    let members = diesel::sql_query(format!(
        "SELECT id, display_name FROM members WHERE team = '{}'",
        body.team
    ))
    .load::<Member>(&mut conn);
    match members {
        Ok(members) => HttpResponse::Ok().json(members),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
