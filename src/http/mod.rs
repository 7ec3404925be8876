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
//!
//! By concern: [`routes`] is the one table of paths (router and OpenAPI), [`service`] the state,
//! middleware and serving, [`request`] the checks every body gets, [`errors`] the error shape;
//! the handlers are in [`documents`] (one document), [`batches`], [`spreadsheets`],
//! [`templates`] and [`status`].

mod admission;
mod batch_request;
mod batches;
mod documents;
mod errors;
mod metrics;
mod openapi;
mod render_threads;
mod request;
mod routes;
mod service;
mod spreadsheets;
mod status;
mod templates;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::{Engine, batch};
use admission::Admission;
use metrics::Metrics;
use render_threads::RenderThreads;

pub(crate) use errors::ApiError;
pub use routes::{Endpoint, ROUTES, Route};
pub use service::{Service, router, runtime, serve};

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
