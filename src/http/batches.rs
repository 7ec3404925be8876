//! `POST /v1/batch`: a zip streamed while its documents are typeset on every render thread.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use tokio_stream::wrappers::ReceiverStream;

use super::errors::ApiError;
use super::request::language;
use super::{AppState, spreadsheets};
use crate::batch::{self, BatchControl};
use crate::{Error, Issue};

/// `POST /v1/batch`: validates every item first (a 4xx before any byte of zip, and before
/// queueing for render slots), then takes every render slot and streams the zip while the
/// documents are typeset. If the client goes away, the channel closes, the next write fails and
/// the remaining work stops.
pub(super) async fn render_batch(
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
