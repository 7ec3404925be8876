//! The service around the routes: its state, limits and middleware, and serving with a
//! graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

use super::admission::Admission;
use super::errors::{ApiError, ServerFault};
use super::metrics::Metrics;
use super::render_threads::RenderThreads;
use super::{AppState, HttpConfig, RequestSchemas, routes};
use crate::Engine;

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
        let router = routes::router()
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

/// 128 random bits in hex, from the standard library's per-process random keys.
fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || std::collections::hash_map::RandomState::new().build_hasher().finish();
    format!("{:016x}{:016x}", half(), half())
}
