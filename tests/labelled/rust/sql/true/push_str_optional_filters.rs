use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Deserialize)]
pub struct TicketFilter {
    assignee: Option<String>,
    label: Option<String>,
}

#[derive(sqlx::FromRow, Serialize)]
pub struct Ticket {
    id: i64,
    title: String,
}

pub async fn tickets(State(pool): State<PgPool>, Query(f): Query<TicketFilter>) -> Json<Vec<Ticket>> {
    let mut sql = String::from("SELECT id, title FROM tickets WHERE closed = false");
    if let Some(assignee) = &f.assignee {
        sql.push_str(" AND assignee = '");
        sql.push_str(assignee);
        sql.push('\'');
    }
    if let Some(label) = &f.label {
        sql.push_str(&format!(" AND '{label}' = ANY(labels)"));
    }
    let rows = sqlx::query_as::<_, Ticket>(&sql).fetch_all(&pool).await.unwrap_or_default();
    Json(rows)
}
