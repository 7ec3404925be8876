//! What every request body and header is checked for before any work: media type, encoding,
//! size, and the language of the answer's messages.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};

use super::errors::ApiError;
use crate::Error;
use crate::messages::Language;

/// The language of the messages a request asked for (`Accept-Language`; English by default).
pub(super) fn language(headers: &HeaderMap) -> Language {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Language::English, Language::from_accept_language)
}

/// The body of a JSON request, or the error a client should see.
pub(super) fn json_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    require_content_type(headers, is_json, "the document as JSON", "application/json")?;
    read_body(body)
}

/// The body, or a 413 past the configured limit.
pub(super) fn read_body(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::Library(Error::TooLarge(
            "the request body is larger than the server accepts (VANBAN_MAX_BODY_BYTES)".into(),
        )),
        _ => ApiError::Library(Error::Internal(rejection.body_text())),
    })
}

/// Accepts an uncompressed body whose media type passes `accepts`; otherwise a 415 asking for
/// `what` as `media_type`.
pub(super) fn require_content_type(
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

pub(super) fn is_json(essence: &str) -> bool {
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

pub(super) fn is_pdf(essence: &str) -> bool {
    essence == "application/pdf"
}
