//! The HTTP API (axum): a thin layer over [`Engine`] that maps requests to library calls and
//! library errors to status codes and one JSON error shape:
//! `{"error": {"code", "message", "details": [{"pointer", "message", …}]}}`.
//!
//! Typesetting is CPU-bound and synchronous, so it runs off the async workers behind
//! [`admission`] (one slot per core, a bounded queue, then 503) on the long-lived
//! [`render_threads`]: single documents one at a time, a batch on all of them at once while it
//! holds every slot. The async workers stay free to
//! accept, answer health checks and refuse work quickly. Every request gets an id
//! (`X-Request-Id`), one log line without document content, and counts in [`metrics`].

pub mod admission;
mod batch_request;
pub mod metrics;
pub mod openapi;
pub mod render_threads;
pub mod spreadsheets;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde_json::json;
use tokio_stream::wrappers::ReceiverStream;
use tracing::Instrument;

use crate::batch::{self, BatchControl};
use crate::extract::Extracted;
use crate::file_names;
use crate::messages::{self, Language};
use crate::{Engine, Error, Issue, Rendered};
use admission::Admission;
use metrics::Metrics;
use render_threads::RenderThreads;

/// Default largest request body: 10 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 10 * 1024 * 1024;
/// Default requests waiting for a render slot before the server answers 503.
pub const DEFAULT_QUEUE: usize = 64;
/// Default longest time a single render may take, queueing included, before a 504.
pub const DEFAULT_RENDER_TIMEOUT: Duration = Duration::from_secs(30);

/// Server limits.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// Largest accepted request body, in bytes (larger → 413).
    pub max_body_bytes: usize,
    /// Renders allowed at once.
    pub workers: usize,
    /// Requests allowed to wait for a render slot (more → 503).
    pub queue: usize,
    /// Longest time a single render may take, waiting included (longer → 504).
    pub render_timeout: Duration,
    /// Most items in one batch (more → 413).
    pub max_batch_items: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            workers: default_workers(),
            queue: DEFAULT_QUEUE,
            render_timeout: DEFAULT_RENDER_TIMEOUT,
            max_batch_items: batch::DEFAULT_MAX_ITEMS,
        }
    }
}

/// One render per core: Typst keeps a core busy for the whole compile.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Shared by every request.
#[derive(Clone)]
struct AppState {
    engine: Arc<Engine>,
    admission: Arc<Admission>,
    /// The share of the render slots previews may take (half of them, at least one).
    preview_admission: Arc<Admission>,
    render_threads: Arc<RenderThreads>,
    metrics: Arc<Metrics>,
    draining: Arc<AtomicBool>,
    render_timeout: Duration,
    max_batch_items: usize,
    /// What a batch request and a workbook request must look like ([`batch_request`]).
    request_schemas: Arc<RequestSchemas>,
}

/// The compiled request schemas, checked before a batch or a workbook is read and served in
/// `/openapi.json`.
struct RequestSchemas {
    batch: batch_request::RequestSchema,
    workbook: batch_request::RequestSchema,
}

impl RequestSchemas {
    fn new(catalog: &crate::catalog::Catalog) -> crate::Result<Self> {
        Ok(RequestSchemas {
            batch: batch_request::RequestSchema::new(catalog, true, "batch request")?,
            workbook: batch_request::RequestSchema::new(catalog, false, "workbook request")?,
        })
    }
}

/// A route: what the router serves and what `/openapi.json` documents come from this one list.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path, with `{parameters}`.
    pub path: &'static str,
    /// One-line summary for the API description.
    pub summary: &'static str,
}

/// Every route the service serves.
pub const ROUTES: [Route; 13] = [
    Route { method: Method::POST, path: "/v1/render/{template}", summary: "Render one document to PDF" },
    Route {
        method: Method::POST,
        path: "/v1/preview/{template}",
        summary: "Preview any part of a document: SVG pages and every problem, never a 422",
    },
    Route {
        method: Method::POST,
        path: "/v1/blank/{template}",
        summary: "A blank form to fill by hand: what is given, and dotted lines for the rest (PDF)",
    },
    Route {
        method: Method::POST,
        path: "/v1/batch",
        summary: "Render many documents of one template to a zip (from JSON, XLSX, ODS or CSV)",
    },
    Route {
        method: Method::POST,
        path: "/v1/workbook",
        summary: "Write a JSON batch into its template's workbook (XLSX)",
    },
    Route {
        method: Method::POST,
        path: "/v1/extract",
        summary: "Give back the request a PDF made with embed_data carries",
    },
    Route { method: Method::GET, path: "/v1/templates", summary: "List the templates" },
    Route {
        method: Method::GET,
        path: "/v1/templates/{id}",
        summary: "Describe a template: schema and example",
    },
    Route {
        method: Method::GET,
        path: "/v1/templates/{id}/workbook",
        summary: "The template's blank workbook (XLSX) for batches",
    },
    Route { method: Method::GET, path: "/healthz", summary: "Liveness: the process answers" },
    Route {
        method: Method::GET,
        path: "/readyz",
        summary: "Readiness: templates and fonts loaded, not draining",
    },
    Route { method: Method::GET, path: "/metrics", summary: "Prometheus metrics" },
    Route { method: Method::GET, path: "/openapi.json", summary: "This API, as OpenAPI 3.1" },
];

fn handler(path: &str) -> MethodRouter<AppState> {
    match path {
        "/v1/render/{template}" => post(render),
        "/v1/preview/{template}" => post(preview),
        "/v1/blank/{template}" => post(blank_form),
        "/v1/batch" => post(render_batch),
        "/v1/extract" => post(extract),
        "/v1/templates" => get(list_templates),
        "/v1/templates/{id}" => get(show_template),
        "/v1/templates/{id}/workbook" => get(spreadsheets::template_workbook),
        "/v1/workbook" => post(spreadsheets::batch_workbook),
        "/healthz" => get(|| async { Json(json!({ "status": "ok" })) }),
        "/readyz" => get(readiness),
        "/metrics" => get(metrics_text),
        "/openapi.json" => get(openapi_json),
        other => unreachable!("route {other} has no handler"),
    }
}

/// A running service's switches.
#[derive(Clone)]
pub struct Service {
    router: Router,
    draining: Arc<AtomicBool>,
}

impl Service {
    /// Builds the routes over `engine` and starts the render threads.
    pub fn new(engine: Arc<Engine>, config: &HttpConfig) -> std::io::Result<Self> {
        let draining = Arc::new(AtomicBool::new(false));
        let admission = Admission::new(config.workers, config.queue);
        let request_schemas = RequestSchemas::new(engine.catalog()).map_err(std::io::Error::other)?;
        let state = AppState {
            request_schemas: Arc::new(request_schemas),
            engine,
            render_threads: Arc::new(RenderThreads::start(admission.workers())?),
            preview_admission: Arc::new(Admission::new((admission.workers() / 2).max(1), config.queue)),
            admission: Arc::new(admission),
            metrics: Arc::new(Metrics::default()),
            draining: draining.clone(),
            render_timeout: config.render_timeout,
            max_batch_items: config.max_batch_items,
        };
        let router = ROUTES
            .iter()
            .fold(Router::new(), |router, route| router.route(route.path, handler(route.path)))
            .merge(crate::web::router(state.engine.clone(), state.max_batch_items))
            .fallback(|| async { ApiError::NotFound.into_response() })
            .layer(DefaultBodyLimit::max(config.max_body_bytes))
            .layer(middleware::from_fn_with_state(state.clone(), observe))
            .with_state(state);
        Ok(Service { router, draining })
    }

    /// The routes; tests drive them with `tower::ServiceExt::oneshot`, no socket needed.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Marks the service as draining: `/readyz` answers 503 so load balancers stop sending work.
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}

/// The application's routes (see [`Service`]).
pub fn router(engine: Arc<Engine>, config: &HttpConfig) -> std::io::Result<Router> {
    Service::new(engine, config).map(|service| service.router())
}

/// The tokio runtime the server runs on. Its blocking threads carry batches (each validates,
/// waits for every render slot, then drives its own workers), so a few batches may wait there
/// while another runs.
pub fn runtime(config: &HttpConfig) -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(config.workers.max(1) * 4)
        .build()
}

/// Serves on `listener` until `shutdown` completes, then drains: new connections are refused,
/// in-flight renders and batches may finish for up to `grace`, and the function returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let (signalled, on_signal) = tokio::sync::oneshot::channel::<()>();
    let draining = service.clone();
    let signal = async move {
        shutdown.await;
        draining.start_draining();
        tracing::info!(grace_seconds = grace.as_secs(), "shutting down: finishing in-flight requests");
        let _ = signalled.send(());
    };
    let server = axum::serve(listener, service.router()).with_graceful_shutdown(signal);
    let deadline = async move {
        if on_signal.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!("grace period over: abandoning the requests still running");
            Ok(())
        }
    }
}

/// Request id, one log line and the request counter around every request.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|id| !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic()))
        .map_or_else(new_request_id, str::to_string);
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", |p| p.as_str()).to_string();
    let method = request.method().clone();
    let span = tracing::info_span!("request", id = %id, %method, %route);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    state.metrics.request(&route, status.as_u16());
    let fault = response.extensions_mut().remove::<ServerFault>();
    span.in_scope(|| {
        if let Some(ServerFault(error)) = fault {
            tracing::error!(%error, "request failed");
        }
        tracing::info!(status = status.as_u16(), ms = started.elapsed().as_millis() as u64, "answered");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Typst's warnings about a template are for the operator, not the client: logged in the
/// request's span.
fn log_template_warnings(warnings: &[crate::Diagnostic]) {
    for warning in warnings {
        tracing::warn!(%warning, "template warning");
    }
}

/// The full error behind a 500, carried from [`ApiError::into_response`] to [`observe`], which
/// logs it in the request's span: the answer stays generic, the log has the cause.
#[derive(Clone)]
struct ServerFault(String);

/// 128 random bits in hex, from the standard library's per-process random keys.
fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!("{:016x}{:016x}", half(), half())
}

/// `POST /v1/render/{template}`: the document as a PDF.
async fn render(
    State(state): State<AppState>,
    Path(template): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    pdf_job(&state, template, &headers, body, Engine::render).await
}

/// `POST /v1/preview/{template}`: SVG pages and every problem of any part of a document; a
/// missing or wrong value is a dotted blank and an issue, never a 422.
async fn preview(
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
    log_template_warnings(&preview.template_warnings);
    messages::localize(&mut preview.issues, language);
    Ok(Json(preview).into_response())
}

/// `POST /v1/blank/{template}`: the form to fill by hand, as a PDF.
async fn blank_form(
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

/// The language of the messages a request asked for (`Accept-Language`; English by default).
fn language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Language::English, Language::from_accept_language)
}

/// `POST /v1/extract`: the request a PDF made with `embed_data` carries, as
/// `{"template", "version", "data"}`. Reading an uploaded PDF is CPU work on untrusted bytes, so it
/// takes a render slot like a render does and is bounded by the same timeout.
async fn extract(
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

/// The body of a JSON request, or the error a client should see.
fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    require_content_type(headers, is_json, "the document as JSON", "application/json")?;
    read_body(body)
}

/// The body, or a 413 past the configured limit.
fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::Library(Error::TooLarge(
            "the request body is larger than the server accepts (VANBAN_MAX_BODY_BYTES)".into(),
        )),
        _ => ApiError::Library(Error::Internal(rejection.body_text())),
    })
}

/// `POST /v1/batch`: validates every item first (a 4xx before any byte of zip, and before
/// queueing for render slots), then takes every render slot and streams the zip while the
/// documents are typeset. If the client goes away, the channel closes, the next write fails and
/// the remaining work stops.
async fn render_batch(
    State(state): State<AppState>,
    query: Result<Query<spreadsheets::BatchQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let language = language(&headers);
    let Query(query) = query.map_err(|rejection| {
        ApiError::Library(Error::Invalid(vec![Issue::error("", "invalid_query", rejection.body_text())]))
            .localized(language)
    })?;
    if let Some(template) = &query.template {
        state.engine.catalog().get(template)?;
    }
    let source = match spreadsheets::batch_source(&state, &headers, &query, body).await? {
        spreadsheets::BatchSource::Answered(response) => return Ok(response),
        source => source,
    };
    let import_warnings = source.warnings_header();
    let (chunks, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    let (admitted, ready) = tokio::sync::oneshot::channel::<Result<(), ApiError>>();
    let (engine, metrics, admission) = (state.engine.clone(), state.metrics.clone(), state.admission.clone());
    let render_threads = state.render_threads.clone();
    let max_items = state.max_batch_items;
    let (span, runtime) = (tracing::Span::current(), tokio::runtime::Handle::current());
    tokio::task::spawn_blocking(move || {
        let _span = span.enter();
        let prepared = match source.prepare(&engine, max_items) {
            Ok(prepared) => prepared,
            Err(error) => {
                let _ = admitted.send(Err(ApiError::Library(error)));
                return;
            }
        };
        let workers = admission.workers();
        let Ok(_permits) = runtime.block_on(admission.admit(workers)) else {
            let _ = admitted.send(Err(ApiError::Busy));
            return;
        };
        if admitted.send(Ok(())).is_err() {
            return;
        }
        let template = prepared.template_id().to_string();
        let on_item = |item: &batch::ManifestItem, took: Option<Duration>| {
            metrics.batch_item(if item.status == batch::ItemStatus::Ok { "ok" } else { "skipped" });
            if let (Some(took), Some(pages)) = (took, item.pages) {
                metrics.rendered(&template, took, pages);
            }
        };
        // Holding every render slot, the batch borrows the idle render threads for its workers.
        let control =
            BatchControl { threads: &*render_threads, on_item: &on_item, ..BatchControl::new(workers) };
        let writer = ChannelWriter { chunks, buffer: Vec::new() };
        match engine.write_batch(prepared, writer, &control) {
            Ok(manifest) => tracing::info!(items = manifest.items.len(), "batch written"),
            // Usually the client going away; the work stopped as it should.
            Err(error) => tracing::info!(%error, "batch stopped early"),
        }
    });
    ready
        .await
        .map_err(|_| ApiError::Library(Error::Internal("batch task ended".into())))?
        .map_err(|e| e.localized(language))?;
    let mut response = Body::from_stream(ReceiverStream::new(receiver)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    headers
        .insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"vanban.zip\""));
    if let Some(warnings) = import_warnings {
        headers.insert("x-vanban-import-warnings", warnings);
    }
    Ok(response)
}

async fn readiness(State(state): State<AppState>) -> Response {
    if state.draining.load(Ordering::SeqCst) {
        return (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "draining" }))).into_response();
    }
    // The engine exists only once every template compiled its schema and the fonts loaded.
    let templates = state.engine.catalog().templates().count();
    Json(json!({ "status": "ready", "templates": templates, "font_family": state.engine.font_family() }))
        .into_response()
}

async fn metrics_text(State(state): State<AppState>) -> Response {
    let text = state.metrics.render(state.admission.queued(), state.admission.in_flight());
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response()
}

async fn openapi_json(State(state): State<AppState>) -> Json<serde_json::Value> {
    let schemas = &state.request_schemas;
    Json(openapi::document(state.engine.catalog(), schemas.batch.served(), schemas.workbook.served()))
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

/// Accepts an uncompressed body whose media type passes `accepts`; otherwise a 415 asking for
/// `what` as `media_type`.
fn require_content_type(
    headers: &HeaderMap,
    accepts: fn(&str) -> bool,
    what: &'static str,
    media_type: &'static str,
) -> Result<(), ApiError> {
    let refused = ApiError::UnsupportedMediaType { what, media_type };
    // Compressed bodies are not accepted: no decompression means no decompression bomb.
    let encoding = headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("identity");
    if !encoding.trim().eq_ignore_ascii_case("identity") {
        return Err(refused);
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if accepts(&essence) { Ok(()) } else { Err(refused) }
}

fn is_json(essence: &str) -> bool {
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn is_pdf(essence: &str) -> bool {
    essence == "application/pdf"
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
    /// The body is compressed or not of the media type the route takes.
    UnsupportedMediaType {
        /// What the route takes, e.g. `the PDF`.
        what: &'static str,
        /// Its media type, e.g. `application/pdf`.
        media_type: &'static str,
    },
    /// No such route.
    NotFound,
    /// Every render slot is busy and the queue is full.
    Busy,
    /// The render took longer than the configured timeout.
    Timeout(Duration),
}

impl ApiError {
    /// The same error, its problems' messages in `language`.
    fn localized(self, language: Language) -> Self {
        match self {
            ApiError::Library(Error::Invalid(mut issues)) => {
                messages::localize(&mut issues, language);
                ApiError::Library(Error::Invalid(issues))
            }
            other => other,
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError::Library(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, details): (StatusCode, &str, String, Vec<Issue>) = match self {
            ApiError::UnsupportedMediaType { what, media_type } => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("send {what}, uncompressed, with `Content-Type: {media_type}`"),
                vec![],
            ),
            ApiError::NotFound => {
                (StatusCode::NOT_FOUND, "not_found", "no such route; see GET /v1/templates".into(), vec![])
            }
            ApiError::Busy => {
                let body = json!({ "error": {
                    "code": "busy",
                    "message": "every render slot is busy and the queue is full; retry in a second",
                    "details": [],
                }});
                let retry = [(header::RETRY_AFTER, "1")];
                return (StatusCode::SERVICE_UNAVAILABLE, retry, Json(body)).into_response();
            }
            ApiError::Timeout(limit) => (
                StatusCode::GATEWAY_TIMEOUT,
                "timeout",
                format!(
                    "the document took longer than {} s to produce (VANBAN_RENDER_TIMEOUT); it may be too long",
                    limit.as_secs_f64()
                ),
                vec![],
            ),
            ApiError::Library(error) => match error {
                Error::MalformedJson { line, column, ref message } => {
                    let body = json!({ "error": {
                        "code": "malformed_json",
                        "message": error.to_string(),
                        "line": line,
                        "column": column,
                        "details": [{
                            "pointer": "", "code": "malformed_json", "message": message, "severity": "error",
                            "line": line, "column": column,
                        }],
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
                Error::Extract { code, message } => (StatusCode::UNPROCESSABLE_ENTITY, code, message, vec![]),
                other => {
                    // Server faults are never leaked (messages may quote template internals):
                    // the full error rides on the response to `observe`, which logs it.
                    let body = json!({ "error": {
                        "code": "internal",
                        "message": "the document could not be produced",
                        "details": [],
                    }});
                    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response();
                    response.extensions_mut().insert(ServerFault(other.to_string()));
                    return response;
                }
            },
        };
        let body = json!({ "error": { "code": code, "message": message, "details": details } });
        (status, Json(body)).into_response()
    }
}
