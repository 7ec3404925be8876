//! The catalogue of templates: list and describe.

use axum::Json;
use axum::extract::{Path, State};
use serde_json::json;

use super::AppState;
use super::errors::ApiError;

/// `GET /v1/templates`.
pub(super) async fn list_templates(State(state): State<AppState>) -> Json<serde_json::Value> {
    let templates: Vec<_> = state
        .engine
        .catalog()
        .templates()
        .map(|t| {
            json!({
                "id": t.id,
                "title": t.meta.title,
                "description": t.meta.description,
                "model": t.model,
                "href": format!("/v1/templates/{}", t.id),
                "render": format!("/v1/render/{}", t.id),
            })
        })
        .collect();
    Json(json!({ "templates": templates }))
}

/// `GET /v1/templates/{id}`: schema and example.
pub(super) async fn show_template(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let t = state.engine.catalog().get(&id)?;
    Ok(Json(json!({
        "id": t.id,
        "title": t.meta.title,
        "description": t.meta.description,
        "model": t.model,
        "schema": t.schema.source(),
        "example": t.example,
    })))
}
