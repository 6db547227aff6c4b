use axum::extract::{Path, State};
use axum::Json;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;

#[derive(sqlx::FromRow, Serialize)]
pub struct Member {
    user_id: Uuid,
    role: String,
}

const PAGE_SIZE: u32 = 50;

pub async fn org_members(
    State(pool): State<PgPool>,
    Path((org_id, page)): Path<(Uuid, u32)>,
) -> Json<Vec<Member>> {
    let offset = page.saturating_sub(1) * PAGE_SIZE;
    let sql = format!(
        "SELECT user_id, role FROM memberships WHERE org_id = '{org_id}' \
         ORDER BY joined_at LIMIT {PAGE_SIZE} OFFSET {offset}"
    );
    Json(sqlx::query_as::<_, Member>(&sql).fetch_all(&pool).await.unwrap_or_default())
}
