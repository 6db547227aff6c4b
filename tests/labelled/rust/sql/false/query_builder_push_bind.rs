use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Postgres, QueryBuilder};

#[derive(Deserialize)]
pub struct Filter {
    name: Option<String>,
    category: Option<String>,
}

#[derive(sqlx::FromRow, Serialize)]
pub struct Item {
    id: i64,
    name: String,
}

pub async fn items(State(pool): State<PgPool>, Query(f): Query<Filter>) -> Json<Vec<Item>> {
    let mut qb: QueryBuilder<Postgres> = QueryBuilder::new("SELECT id, name FROM items WHERE 1 = 1");
    if let Some(name) = f.name {
        qb.push(" AND name ILIKE ").push_bind(format!("%{name}%"));
    }
    if let Some(category) = f.category {
        qb.push(" AND category = ").push_bind(category);
    }
    qb.push(" ORDER BY name LIMIT 100");
    let items = qb.build_query_as::<Item>().fetch_all(&pool).await.unwrap_or_default();
    Json(items)
}
