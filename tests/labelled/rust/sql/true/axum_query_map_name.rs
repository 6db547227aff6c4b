use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use sqlx::PgPool;

#[derive(sqlx::FromRow, serde::Serialize)]
pub struct Customer {
    id: i64,
    name: String,
    city: String,
}

pub async fn find_customers(
    State(pool): State<PgPool>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<Customer>>, StatusCode> {
    let name = params.get("name").cloned().unwrap_or_default();
    let sql = format!("SELECT id, name, city FROM customers WHERE name = '{}'", name);
    let rows = sqlx::query_as::<_, Customer>(&sql)
        .fetch_all(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(rows))
}
