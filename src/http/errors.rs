//! Every way a request can fail, and the one JSON error shape it is answered with:
//! `{"error": {"code", "message", "details": [{"pointer", "message", …}]}}`.

use std::time::Duration;

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::messages::{self, Language};
use crate::{Error, Issue};

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
    pub(super) fn localized(self, language: Language) -> Self {
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

/// The full error behind a 500, carried from [`ApiError::into_response`] to [`observe`], which
/// logs it in the request's span: the answer stays generic, the log has the cause.
#[derive(Clone)]
pub(super) struct ServerFault(pub(super) String);
