use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use tokio_postgres::Client;

#[derive(Deserialize)]
pub struct CitySearch {
    country: String,
    prefix: String,
}

pub async fn cities(State(client): State<Arc<Client>>, Query(p): Query<CitySearch>) -> Json<Vec<String>> {
    let country = p.country.to_uppercase();
    let pattern = format!("{}%", p.prefix);
    let condition = format!("country_code = '{country}' AND name LIKE '{pattern}'");
    let sql = format!("SELECT name FROM cities WHERE {condition} ORDER BY population DESC LIMIT 10");
    let rows = client.query(sql.as_str(), &[]).await.unwrap_or_default();
    Json(rows.iter().map(|row| row.get::<_, String>("name")).collect())
}
