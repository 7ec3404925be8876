//! Spreadsheet routes: the workbook of a template, a batch written into a workbook, and
//! `POST /v1/batch` bodies that are XLSX, ODS or CSV (by `Content-Type`), with `?dry_run=true`.
//!
//! Reading an upload (a spreadsheet, or a JSON batch of hundreds of documents) is CPU work on
//! untrusted bytes: it runs on a blocking thread, inside `catch_unwind` (a parser panic costs the
//! request, never the server), after the body limit.

use std::panic::{AssertUnwindSafe, catch_unwind};

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::documents::ascii_json;
use super::request::json_body;
use super::{ApiError, AppState};
use crate::batch::PreparedBatch;
use crate::file_names::content_disposition;
use crate::spreadsheet::{self, Format, ImportOptions, Imported};
use crate::{Engine, Error, input};

/// Query parameters of `POST /v1/batch`.
#[derive(Debug, Default, Deserialize)]
pub struct BatchQuery {
    /// Check everything, render nothing, answer the problems as JSON.
    #[serde(default)]
    pub dry_run: bool,
    /// Template of a CSV upload (a workbook names its own).
    pub template: Option<String>,
    /// Use the Unicode conversion of text detected as TCVN3 or VNI.
    #[serde(default)]
    pub convert_legacy: bool,
}

/// What a batch request turned out to be.
pub enum BatchSource {
    /// A JSON batch request, parsed and checked against the served request schema.
    Json(serde_json::Value),
    /// A spreadsheet read into a batch request.
    Sheet(Box<Imported>),
    /// The answer is already known (a dry run).
    Answered(Response),
}

impl BatchSource {
    /// Validates the batch (a 422 locates problems in the spreadsheet, when there is one).
    pub fn prepare<'e>(self, engine: &'e Engine, max_items: usize) -> crate::Result<PreparedBatch<'e>> {
        match self {
            BatchSource::Json(request) => engine.prepare_batch_request(request, max_items),
            BatchSource::Sheet(imported) => spreadsheet::prepare(engine, &imported, max_items),
            BatchSource::Answered(_) => {
                Err(Error::Internal("an answered batch has nothing to prepare".into()))
            }
        }
    }

    /// Warnings found while reading the spreadsheet, for the `X-Vanban-Import-Warnings` header.
    pub fn warnings_header(&self) -> Option<HeaderValue> {
        match self {
            BatchSource::Sheet(imported) if !imported.warnings.is_empty() => {
                HeaderValue::from_str(&ascii_json(&serde_json::json!(imported.warnings))).ok()
            }
            _ => None,
        }
    }
}

/// The spreadsheet format of a request, if its `Content-Type` names one.
fn sheet_format(headers: &HeaderMap) -> Option<Format> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    Format::from_media_type(&content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
}

/// Reads a `POST /v1/batch` body: JSON as before, or a spreadsheet; a dry run is answered here.
pub(super) async fn batch_source(
    state: &AppState,
    headers: &HeaderMap,
    query: &BatchQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<BatchSource, ApiError> {
    let dry_run = query.dry_run;
    let Some(format) = sheet_format(headers) else {
        let body = json_body(headers, body)?;
        let schemas = state.request_schemas.clone();
        // Parsing and checking a large batch takes tens of milliseconds: not on the runtime's
        // threads, which meanwhile answer every other request.
        return blocking(state, move |engine, max_items| {
            let batch = checked_request(&body, &schemas.batch)?;
            if !dry_run {
                return Ok(BatchSource::Json(batch));
            }
            let report = spreadsheet::dry_run(engine, &batch, None, max_items)?;
            Ok(BatchSource::Answered(Json(report).into_response()))
        })
        .await;
    };
    // Same body checks as JSON (size, no Content-Encoding), whatever the type.
    let body = json_body(&json_headers(headers), body)?;
    let options = ImportOptions {
        template: query.template.clone(),
        convert_legacy: query.convert_legacy,
        limits: spreadsheet::Limits::default(),
    };
    blocking(state, move |engine, max_items| {
        let imported = spreadsheet::import(engine.catalog(), &body, format, &options)?;
        if dry_run {
            let report = spreadsheet::dry_run(engine, &imported.batch, Some(&imported), max_items)?;
            return Ok(BatchSource::Answered(Json(report).into_response()));
        }
        Ok(BatchSource::Sheet(Box::new(imported)))
    })
    .await
}

/// The JSON request, if it is what `schema` (a [`super::batch_request`] schema) describes:
/// otherwise a 422 listing every place it is not, before anything is read or rendered.
fn checked_request(
    body: &[u8],
    schema: &super::batch_request::RequestSchema,
) -> crate::Result<serde_json::Value> {
    let mut request = input::parse(body)?;
    input::drop_nulls(&mut request);
    let problems = input::normalize_and_check(&mut request.clone(), |v| schema.check(v));
    if problems.is_empty() { Ok(request) } else { Err(Error::Invalid(problems)) }
}

/// The request's headers with the type replaced by JSON, for the shared body checks.
fn json_headers(headers: &HeaderMap) -> HeaderMap {
    let mut headers = headers.clone();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers
}

/// Runs library work on a blocking thread; a panic becomes a 500, never a lost worker.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&Engine, usize) -> crate::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let engine = state.engine.clone();
    let max_items = state.max_batch_items;
    tokio::task::spawn_blocking(move || {
        catch_unwind(AssertUnwindSafe(|| work(&engine, max_items)))
            .unwrap_or_else(|_| Err(Error::Internal("reading the request panicked".into())))
    })
    .await
    .map_err(|_| ApiError::Library(Error::Internal("request task lost".into())))?
    .map_err(ApiError::Library)
}

/// `GET /v1/templates/{id}/workbook`: the blank workbook of a template.
pub(super) async fn template_workbook(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    state.engine.catalog().get(&id)?;
    let bytes = blocking(&state, move |engine, _| {
        spreadsheet::template_workbook(engine.catalog(), engine.catalog().get(&id)?)
    })
    .await?;
    Ok(xlsx_response(bytes, "mau-hang-loat.xlsx", "Mẫu hàng loạt.xlsx"))
}

/// `POST /v1/workbook`: a JSON batch request written into its template's workbook.
pub(super) async fn batch_workbook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = json_body(&headers, body)?;
    let schemas = state.request_schemas.clone();
    let bytes = blocking(&state, move |engine, _| {
        spreadsheet::export(engine.catalog(), &checked_request(&body, &schemas.workbook)?)
    })
    .await?;
    Ok(xlsx_response(bytes, "hang-loat.xlsx", "Hàng loạt.xlsx"))
}

fn xlsx_response(bytes: Vec<u8>, ascii_name: &str, display_name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(spreadsheet::XLSX_MEDIA_TYPE));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(ascii_name, display_name)) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
