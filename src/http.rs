//! The HTTP API (axum): a thin layer over [`Engine`] that maps requests to library calls and
//! library errors to status codes and one JSON error shape:
//! `{"error": {"code", "message", "details": [{"pointer", "message", …}]}}`.
//!
//! Typesetting is CPU-bound and synchronous, so it runs on tokio's blocking pool behind a
//! semaphore sized to the cores: the async workers stay free to accept and answer requests.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::json;
use std::sync::atomic::AtomicBool;
use tokio::sync::Semaphore;
use tokio_stream::wrappers::ReceiverStream;

use crate::{Engine, Error, Issue, Rendered, batch};

/// Default largest request body: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// Server limits.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest accepted request body, in bytes (larger → 413).
    pub max_body_bytes: usize,
    /// Renders allowed at once; further requests wait for a slot.
    pub workers: usize,
    /// Most items in one batch (more → 413).
    pub max_batch_items: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            workers: default_workers(),
            max_batch_items: batch::DEFAULT_MAX_ITEMS,
        }
    }
}

/// One render per core: Typst keeps a core busy for the whole compile.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

#[derive(Clone)]
struct AppState {
    engine: Arc<Engine>,
    /// One permit per render thread; a batch takes all of them while it typesets.
    render_slots: Arc<Semaphore>,
    workers: usize,
    max_batch_items: usize,
}

/// The application's routes; tests drive it with `tower::ServiceExt::oneshot`, no socket needed.
pub fn router(engine: Arc<Engine>, config: &HttpConfig) -> Router {
    let workers = config.workers.max(1);
    let state = AppState {
        engine,
        render_slots: Arc::new(Semaphore::new(workers)),
        workers,
        max_batch_items: config.max_batch_items,
    };
    Router::new()
        .route("/v1/render/{template}", post(render))
        .route("/v1/batch", post(render_batch))
        .route("/v1/templates", get(list_templates))
        .route("/v1/templates/{id}", get(show_template))
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .fallback(|| async { ApiError::NotFound.into_response() })
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .with_state(state)
}

async fn render(
    State(state): State<AppState>,
    Path(template): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    // The template is looked up first so that an unknown one is a 404 whatever the body.
    state.engine.catalog().get(&template)?;
    let body = json_body(&headers, body)?;
    let permit = state.render_slots.clone().acquire_owned().await.map_err(|_| ApiError::Unavailable)?;
    let engine = state.engine.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        engine.render(&template, &body)
    })
    .await
    .map_err(|e| ApiError::Library(Error::Internal(format!("render task failed: {e}"))))??;
    Ok(pdf_response(rendered))
}

/// The body of a JSON request, or the error a client should see.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    require_json(headers)?;
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::Library(Error::TooLarge(
            "the request body is larger than the server accepts (VANBAN_MAX_BODY_BYTES)".into(),
        )),
        _ => ApiError::Library(Error::Internal(rejection.body_text())),
    })
}

/// `POST /v1/batch`: validates every item first (a 4xx before any byte of zip), then streams
/// the zip while the documents are typeset. If the client goes away, the channel closes, the
/// next write fails and the remaining work stops.
async fn render_batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, body)?;
    let permits = state
        .render_slots
        .clone()
        .acquire_many_owned(state.workers as u32)
        .await
        .map_err(|_| ApiError::Unavailable)?;
    let (chunks, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    let (validated, ready) = tokio::sync::oneshot::channel::<Result<(), Error>>();
    let engine = state.engine.clone();
    let (workers, max_items) = (state.workers, state.max_batch_items);
    tokio::task::spawn_blocking(move || {
        let _permits = permits;
        let prepared = match engine.prepare_batch(&body, max_items) {
            Ok(prepared) => prepared,
            Err(error) => {
                let _ = validated.send(Err(error));
                return;
            }
        };
        if validated.send(Ok(())).is_err() {
            return;
        }
        let writer = ChannelWriter { chunks, buffer: Vec::new() };
        if let Err(error) = engine.write_batch(prepared, writer, workers, &AtomicBool::new(false)) {
            tracing::warn!(%error, "batch stopped");
        }
    });
    ready.await.map_err(|_| ApiError::Library(Error::Internal("batch task ended".into())))??;
    let mut response = Body::from_stream(ReceiverStream::new(receiver)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"vanban.zip\""));
    Ok(response)
}

/// Forwards the zip to the response body in chunks of about 64 KiB.
struct ChannelWriter {
    chunks: tokio::sync::mpsc::Sender<std::io::Result<Bytes>>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    const CHUNK: usize = 64 * 1024;

    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.chunks
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= Self::CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

fn pdf_response(rendered: Rendered) -> Response {
    let mut response = rendered.pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(value) =
        HeaderValue::from_str(&content_disposition(&rendered.file_name, &rendered.display_name))
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

/// RFC 5987 `attr-char`: everything else is percent-encoded in `filename*`.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

/// `attachment; filename="ascii.pdf"; filename*=UTF-8''Bi%C3%AAn…` (RFC 6266, RFC 5987).
pub fn content_disposition(ascii_name: &str, display_name: &str) -> String {
    let fallback: String = ascii_name
        .chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        utf8_percent_encode(display_name, ATTR_CHAR)
    )
}

/// JSON with every non-ASCII character escaped, so it fits in a header value.
fn ascii_json(value: &serde_json::Value) -> String {
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

fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

async fn list_templates(State(state): State<AppState>) -> Json<serde_json::Value> {
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

async fn show_template(
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

/// Every way a request can fail, as the client sees it.
#[derive(Debug)]
pub enum ApiError {
    /// A library error.
    Library(Error),
    /// The body is not declared as JSON.
    UnsupportedMediaType,
    /// No such route.
    NotFound,
    /// The server is shutting down.
    Unavailable,
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError::Library(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, details): (StatusCode, &str, String, Vec<Issue>) = match self {
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the document as JSON with `Content-Type: application/json`".into(),
                vec![],
            ),
            ApiError::NotFound => {
                (StatusCode::NOT_FOUND, "not_found", "no such route; see GET /v1/templates".into(), vec![])
            }
            ApiError::Unavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, "unavailable", "the server is shutting down".into(), vec![])
            }
            ApiError::Library(error) => match error {
                Error::MalformedJson { line, column, ref message } => {
                    let body = json!({ "error": {
                        "code": "malformed_json",
                        "message": error.to_string(),
                        "line": line,
                        "column": column,
                        "details": [{ "pointer": "", "message": message, "line": line, "column": column }],
                    }});
                    return (StatusCode::BAD_REQUEST, Json(body)).into_response();
                }
                Error::Invalid(issues) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_document",
                    format!("the document has {} problem(s); each is listed in details", issues.len()),
                    issues,
                ),
                Error::UnknownTemplate(_) => {
                    (StatusCode::NOT_FOUND, "unknown_template", error.to_string(), vec![])
                }
                Error::TooLarge(message) => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", message, vec![]),
                other => {
                    // Server faults are logged in full but never leaked: messages may quote
                    // template internals.
                    tracing::error!(error = %other, "request failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "internal",
                        "the document could not be produced".into(),
                        vec![],
                    )
                }
            },
        };
        let body = json!({ "error": { "code": code, "message": message, "details": details } });
        (status, Json(body)).into_response()
    }
}
