//! One document per request: render, preview, blank form, and reading back a PDF's data. Each
//! job takes a render slot and runs on a render thread within the render timeout.

use std::time::{Duration, Instant};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use super::errors::ApiError;
use super::request::{is_pdf, json_body, language, read_body, require_content_type};
use crate::extract::Extracted;
use crate::messages;
use crate::{Engine, Error, Rendered, file_names};

/// `POST /v1/render/{template}`: the document as a PDF.
pub(super) async fn render(
    State(state): State<AppState>,
    Path(template): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    pdf_job(&state, template, &headers, body, Engine::render).await
}

/// `POST /v1/preview/{template}`: SVG pages and every problem of any part of a document; a
/// missing or wrong value is a dotted blank and an issue, never a 422.
pub(super) async fn preview(
    State(state): State<AppState>,
    Path(template): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let language = language(&headers);
    state.engine.catalog().get(&template)?;
    let body = json_body(&headers, body)?;
    let engine = state.engine.clone();
    let name = template.clone();
    let (mut preview, took) = typeset_job(&state, Share::Preview, move || engine.preview(&name, &body))
        .await
        .map_err(|e| e.localized(language))?;
    state.metrics.rendered(&template, took, preview.pages.len());
    tracing::debug!(
        pages = preview.pages.len(),
        compile_ms = preview.phases.compile.as_secs_f64() * 1e3,
        draw_ms = preview.phases.export.as_secs_f64() * 1e3,
        "previewed"
    );
    log_template_warnings(&preview.template_warnings);
    messages::localize(&mut preview.issues, language);
    Ok(Json(preview).into_response())
}

/// `POST /v1/blank/{template}`: the form to fill by hand, as a PDF.
pub(super) async fn blank_form(
    State(state): State<AppState>,
    Path(template): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    pdf_job(&state, template, &headers, body, Engine::blank_form).await
}

/// A PDF of `template` made by `make` from the JSON body, with its warnings in the language asked.
async fn pdf_job(
    state: &AppState,
    template: String,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    make: fn(&Engine, &str, &[u8]) -> crate::Result<Rendered>,
) -> Result<Response, ApiError> {
    let language = language(headers);
    // The template is looked up first so that an unknown one is a 404 whatever the body.
    state.engine.catalog().get(&template)?;
    let body = json_body(headers, body)?;
    let engine = state.engine.clone();
    let name = template.clone();
    let (mut rendered, took) = typeset_job(state, Share::Api, move || make(&engine, &name, &body))
        .await
        .map_err(|e| e.localized(language))?;
    state.metrics.rendered(&template, took, rendered.pages);
    tracing::debug!(
        pages = rendered.pages,
        compile_ms = rendered.phases.compile.as_secs_f64() * 1e3,
        export_ms = rendered.phases.export.as_secs_f64() * 1e3,
        "rendered"
    );
    messages::localize(&mut rendered.warnings, language);
    Ok(pdf_response(rendered))
}

/// Whose render slots a job takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Share {
    /// Documents: any free slot.
    Api,
    /// Live previews: a slot too, but never more than their share of them, so people typing
    /// in the web app cannot starve the documents integrators ask for.
    Preview,
}

/// Runs `job` on a render thread once admitted, within the render timeout.
async fn typeset_job<T: Send + 'static>(
    state: &AppState,
    share: Share,
    job: impl FnOnce() -> crate::Result<T> + Send + 'static,
) -> Result<(T, Duration), ApiError> {
    let timeout = state.render_timeout;
    let run = async {
        let preview_permit = match share {
            Share::Preview => Some(state.preview_admission.admit(1).await.map_err(|_| ApiError::Busy)?),
            Share::Api => None,
        };
        let permit = state.admission.admit(1).await.map_err(|_| ApiError::Busy)?;
        let started = Instant::now();
        // Typst cannot be stopped mid-compile: on timeout the job finishes in the background,
        // holding its slot, so a slow document never makes the server take more work at once.
        state
            .render_threads
            .run(move || {
                let _permits = (permit, preview_permit);
                job().map(|done| (done, started.elapsed()))
            })
            .await
            .map_err(|_| ApiError::Library(Error::Internal("render job lost".into())))?
            .map_err(ApiError::Library)
    };
    tokio::time::timeout(timeout, run).await.map_err(|_| ApiError::Timeout(timeout))?
}

/// `POST /v1/extract`: the request a PDF made with `embed_data` carries, as
/// `{"template", "version", "data"}`. Reading an uploaded PDF is CPU work on untrusted bytes, so it
/// takes a render slot like a render does and is bounded by the same timeout.
pub(super) async fn extract(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Extracted>, ApiError> {
    let language = language(&headers);
    require_content_type(&headers, is_pdf, "the PDF", "application/pdf")?;
    let body = read_body(body)?;
    let (extracted, _) = typeset_job(&state, Share::Api, move || crate::extract::extract(&body))
        .await
        .map_err(|e| e.localized(language))?;
    Ok(Json(extracted))
}

/// The PDF with the headers that describe it.
fn pdf_response(rendered: Rendered) -> Response {
    log_template_warnings(&rendered.template_warnings);
    let mut response = rendered.pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(value) =
        HeaderValue::from_str(&file_names::content_disposition(&rendered.file_name, &rendered.display_name))
    {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert("x-vanban-pages", HeaderValue::from(rendered.pages));
    if !rendered.warnings.is_empty()
        && let Ok(value) = HeaderValue::from_str(&ascii_json(&json!(rendered.warnings)))
    {
        headers.insert("x-vanban-warnings", value);
    }
    // Where the empty signature fields are, so signing software can be driven without parsing
    // the PDF: `[{"name":"chu_tri","page":5,"rect":[l,b,r,t]}, …]`.
    if let Ok(value) = HeaderValue::from_str(&ascii_json(&json!(rendered.fields))) {
        headers.insert("x-vanban-signature-fields", value);
    }
    response
}

/// JSON with every non-ASCII character escaped, so it fits in a header value.
pub(super) fn ascii_json(value: &serde_json::Value) -> String {
    let mut out = String::new();
    for c in value.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// Typst's warnings about a template are for the operator, not the client: logged in the
/// request's span.
fn log_template_warnings(warnings: &[crate::Diagnostic]) {
    for warning in warnings {
        tracing::warn!(%warning, "template warning");
    }
}
