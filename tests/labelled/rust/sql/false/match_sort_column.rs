use axum::extract::{Query, State};
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

pub async fn list_products(State(pool): State<PgPool>, Query(params): Query<ListParams>) -> Json<Vec<Product>> {
    let column = match params.sort.as_deref() {
        Some("price") => "price_cents",
        Some("name") => "name",
        Some("newest") => "created_at DESC",
        _ => "id",
    };
    let sql = format!("SELECT id, name, price_cents FROM products ORDER BY {column}");
    let products = sqlx::query_as::<_, Product>(&sql)
        .fetch_all(&pool)
        .await
        .unwrap_or_default();
    Json(products)
}
