use actix_web::{post, web, HttpResponse};
use serde::Deserialize;
use sqlx::SqlitePool;

#[derive(Deserialize)]
struct CommentForm {
    author: String,
    body: String,
}

#[post("/posts/{id}/comments")]
async fn add_comment(
    pool: web::Data<SqlitePool>,
    post_id: web::Path<i64>,
    form: web::Form<CommentForm>,
) -> HttpResponse {
    let mut sql = format!("INSERT INTO comments (post_id, author, body) VALUES ({}, ", post_id);
    sql += &format!("'{}', '{}')", form.author, form.body);
    match sqlx::query(&sql).execute(pool.get_ref()).await {
        Ok(_) => HttpResponse::SeeOther()
            .insert_header(("Location", format!("/posts/{}", post_id)))
            .finish(),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
