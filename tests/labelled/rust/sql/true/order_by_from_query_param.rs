use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Deserialize)]
pub struct ListParams {
    sort: Option<String>,
}

#[derive(sqlx::FromRow, Serialize)]
pub struct Product {
    id: i64,
    name: String,
    price_cents: i64,
}

pub async fn list_products(
    State(pool): State<PgPool>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<Product>>, StatusCode> {
    let sort = params.sort.unwrap_or_else(|| "name".to_string());
    let sql = format!("SELECT id, name, price_cents FROM products ORDER BY {sort}");
    sqlx::query_as::<_, Product>(&sql)
        .fetch_all(&pool)
        .await
        .map(Json)
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)
}
