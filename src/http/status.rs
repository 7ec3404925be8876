//! The service describing itself: readiness, metrics and its OpenAPI document.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{AppState, openapi};

/// `GET /readyz`: 503 while draining.
pub(super) async fn readiness(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "draining" }))).into_response();
    }
    // The engine exists only once every template compiled its schema and the fonts loaded.
    let templates = state.engine.catalog().templates().count();
    Json(json!({ "status": "ready", "templates": templates, "font_family": state.engine.font_family() }))
        .into_response()
}

/// `GET /metrics`.
pub(super) async fn metrics_text(State(state): State<AppState>) -> Response {
    let text = state.metrics.render(state.admission.queued(), state.admission.in_flight());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

/// `GET /openapi.json`.
pub(super) async fn openapi_json(State(state): State<AppState>) -> Json<serde_json::Value> {
    let schemas = &state.request_schemas;
    Json(openapi::document(state.engine.catalog(), schemas.batch.served(), schemas.workbook.served()))
}
