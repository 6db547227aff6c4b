use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use sqlx::PgPool;

pub async fn tenant_users(
    State(pool): State<PgPool>,
    headers: HeaderMap,
) -> Result<Json<Vec<String>>, StatusCode> {
    let tenant = headers
        .get("x-tenant")
        .and_then(|v| v.to_str().ok())
        .ok_or(StatusCode::BAD_REQUEST)?;
    let sql = format!("SELECT email FROM {tenant}.users ORDER BY email");
    let emails = sqlx::query_scalar::<_, String>(&sql)
        .fetch_all(&pool)
        .await
        .map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    Ok(Json(emails))
}
