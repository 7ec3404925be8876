//! The request a PDF carries: with `embed_data`, a document attaches the normalised request it was
//! made from (one associated file, relationship `Source`, `application/json`, named
//! `vanban-<template>.json`), so last month's PDF can start this month's document without the
//! server keeping any data. This module writes that attachment's JSON and reads it back.
//!
//! The attachment is an envelope naming what made it:
//!
//! ```json
//! {"vanban": {"template": "minutes", "version": "0.1.0"}, "data": { …the request… }}
//! ```
//!
//! Reading a PDF that anyone may upload is bounded: the file's size ([`MAX_PDF_BYTES`]), the
//! decompressed size of every object or cross-reference stream lopdf inflates while loading and
//! of the attachment itself ([`MAX_STREAM_BYTES`]), the number of objects ([`MAX_OBJECTS`]) and
//! the number of attachments looked at ([`MAX_ATTACHMENTS`]). Only streams inside the file are
//! read: a file specification pointing elsewhere (a path, a URL) is never followed. A panic in
//! the PDF parser is caught and reported as an unreadable PDF.

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// vanban's version, recorded in every attachment.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Largest PDF accepted for extraction: 32 MiB (a signed minutes file is a few hundred KiB).
pub const MAX_PDF_BYTES: usize = 32 * 1024 * 1024;

/// Most bytes any one stream may inflate to, while loading or as the attachment: 8 MiB (a
/// request is at most a few hundred KiB of JSON).
pub const MAX_STREAM_BYTES: usize = 8 * 1024 * 1024;

/// Most objects in a PDF read for extraction (a vanban document has a few hundred).
pub const MAX_OBJECTS: usize = 100_000;

/// Most attached files (name-tree entries, associated files, tree nodes) looked at.
pub const MAX_ATTACHMENTS: usize = 1_000;

/// What a PDF made with `embed_data` gives back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extracted {
    /// Template id, e.g. `minutes`.
    pub template: String,
    /// The vanban version that made the PDF.
    pub version: String,
    /// The request, normalised: rendering it with `template` gives the same PDF again.
    pub data: Value,
}

/// The attachment's JSON.
#[derive(Serialize, Deserialize)]
struct Envelope<T> {
    vanban: Maker,
    data: T,
}

/// Who made the PDF.
#[derive(Serialize, Deserialize)]
struct Maker {
    template: String,
    version: String,
}

/// The JSON attached to a document of `template` made from `request` (already normalised).
pub fn envelope(template: &str, request: &Value) -> Result<Vec<u8>> {
    let envelope =
        Envelope { vanban: Maker { template: template.to_string(), version: VERSION.into() }, data: request };
    serde_json::to_vec_pretty(&envelope).map_err(|e| Error::Internal(format!("embedded request: {e}")))
}

/// The name of the attachment of a `template` document, e.g. `vanban-minutes.json`.
pub fn attachment_name(template: &str) -> String {
    format!("vanban-{template}.json")
}

/// Reads back the request a PDF made with `embed_data` carries.
pub fn extract(pdf: &[u8]) -> Result<Extracted> {
    if pdf.len() > MAX_PDF_BYTES {
        return Err(Error::TooLarge(format!(
            "the PDF is larger than {} MiB, the most read for extraction",
            MAX_PDF_BYTES / (1024 * 1024)
        )));
    }
    // A PDF starts with `%PDF-`; readers tolerate junk before it, within the first kilobyte.
    if !pdf[..pdf.len().min(1024)].windows(5).any(|w| w == b"%PDF-") {
        return Err(unreadable("not_a_pdf", "the file is not a PDF (no %PDF- header)"));
    }
    let options = LoadOptions { max_decompressed_size: Some(MAX_STREAM_BYTES), ..LoadOptions::default() };
    let document = catch_unwind(AssertUnwindSafe(|| Document::load_mem_with_options(pdf, options)))
        .map_err(|_| unreadable("unreadable_pdf", "the PDF is damaged and cannot be read"))?
        .map_err(|e| unreadable("unreadable_pdf", format!("the PDF is damaged and cannot be read ({e})")))?;
    if document.objects.len() > MAX_OBJECTS {
        return Err(unreadable("unreadable_pdf", format!("the PDF has more than {MAX_OBJECTS} objects")));
    }
    let bytes = catch_unwind(AssertUnwindSafe(|| attached_request(&document)))
        .map_err(|_| unreadable("unreadable_embedded_data", "the attached data cannot be read"))??;
    parse_envelope(&bytes)
}

/// The error for a PDF that gives no data back.
fn unreadable(code: &'static str, message: impl Into<String>) -> Error {
    Error::Extract { code, message: message.into() }
}

fn no_data() -> Error {
    unreadable(
        "no_embedded_data",
        "the PDF carries no vanban data: it was made without \"embed_data\": true, or by another program",
    )
}

/// The contents of the `vanban-*.json` attachment: among the document's associated files
/// (`/AF`) and its embedded files (`/Names/EmbeddedFiles`), the first so named.
fn attached_request(document: &Document) -> Result<Vec<u8>> {
    let catalog = document.catalog().map_err(|_| unreadable("unreadable_pdf", "the PDF has no catalogue"))?;
    let mut budget = MAX_ATTACHMENTS;
    let mut specs = Vec::new();
    if let Ok(files) = catalog.get(b"AF").and_then(|af| resolve(document, af)).and_then(Object::as_array) {
        specs.extend(files.iter().take(budget));
        budget = budget.saturating_sub(files.len());
    }
    if let Ok(root) = catalog
        .get(b"Names")
        .and_then(|names| resolve(document, names))
        .and_then(Object::as_dict)
        .and_then(|names| names.get(b"EmbeddedFiles"))
    {
        name_tree_values(document, root, &mut budget, &mut specs);
    }
    let spec = specs
        .into_iter()
        .filter_map(|spec| resolve(document, spec).ok()?.as_dict().ok())
        .find(|spec| file_name(spec).is_some_and(|name| is_vanban_name(&name)))
        .ok_or_else(no_data)?;
    // Only the embedded stream (`/EF`) is read, never what `/F` may name outside the file.
    let stream = spec
        .get(b"EF")
        .and_then(|ef| resolve(document, ef))
        .and_then(Object::as_dict)
        .and_then(|ef| ef.get(b"UF").or_else(|_| ef.get(b"F")))
        .and_then(|file| resolve(document, file))
        .and_then(Object::as_stream)
        .map_err(|_| {
            unreadable("unreadable_embedded_data", "the vanban attachment has no embedded contents")
        })?;
    stream.get_plain_content_with_limit(MAX_STREAM_BYTES).map_err(|e| {
        unreadable(
            "unreadable_embedded_data",
            format!("the vanban attachment cannot be read, or inflates past {MAX_STREAM_BYTES} bytes ({e})"),
        )
    })
}

/// The values of a name tree (PDF 32000-1, 7.9.6), in order, visiting each node once and at most
/// `budget` nodes and values in all.
fn name_tree_values<'a>(
    document: &'a Document,
    root: &'a Object,
    budget: &mut usize,
    out: &mut Vec<&'a Object>,
) {
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        if *budget == 0 {
            return;
        }
        *budget -= 1;
        if let Object::Reference(id) = node
            && !seen.insert(*id)
        {
            continue;
        }
        let Ok(node) = resolve(document, node).and_then(Object::as_dict) else { continue };
        if let Ok(names) =
            node.get(b"Names").and_then(|names| resolve(document, names)).and_then(Object::as_array)
        {
            // `[key value key value …]`.
            for value in names.iter().skip(1).step_by(2).take(*budget) {
                out.push(value);
                *budget -= 1;
            }
        }
        if let Ok(kids) =
            node.get(b"Kids").and_then(|kids| resolve(document, kids)).and_then(Object::as_array)
        {
            pending.extend(kids.iter().rev());
        }
    }
}

/// The object, or the one it refers to (chains and cycles bounded by lopdf).
fn resolve<'a>(document: &'a Document, object: &'a Object) -> lopdf::Result<&'a Object> {
    document.dereference(object).map(|(_, object)| object)
}

/// A file specification's name: `/UF` (Unicode), else `/F`.
fn file_name(spec: &Dictionary) -> Option<String> {
    let bytes = spec.get(b"UF").or_else(|_| spec.get(b"F")).ok()?.as_str().ok()?;
    Some(text_string(bytes))
}

/// A PDF text string: UTF-16BE after a byte order mark, else (PDFDocEncoding, which agrees with
/// Latin-1 on the characters of our names) one byte per character.
fn text_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units = utf16.chunks_exact(2).map(|pair| u16::from_be_bytes([pair[0], pair[1]]));
            char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect()
        }
        None => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// `vanban-<template>.json`, possibly under a folder.
fn is_vanban_name(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    base.starts_with("vanban-") && base.ends_with(".json")
}

fn parse_envelope(bytes: &[u8]) -> Result<Extracted> {
    let envelope: Envelope<Value> = serde_json::from_slice(bytes).map_err(|e| {
        unreadable("unreadable_embedded_data", format!("the vanban attachment is not vanban's JSON ({e})"))
    })?;
    if !envelope.data.is_object() {
        return Err(unreadable(
            "unreadable_embedded_data",
            "the vanban attachment's data is not a JSON object",
        ));
    }
    Ok(Extracted {
        template: envelope.vanban.template,
        version: envelope.vanban.version,
        data: envelope.data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_envelope_names_template_and_version_and_reads_back() {
        let request = json!({ "issuer": { "name": "Chi bộ 5" }, "embed_data": true });
        let bytes = envelope("minutes", &request).unwrap();
        let value: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(value["vanban"], json!({ "template": "minutes", "version": VERSION }));
        let back = parse_envelope(&bytes).unwrap();
        assert_eq!((back.template.as_str(), back.data), ("minutes", request));
    }

    #[test]
    fn names_and_text_strings() {
        assert_eq!(attachment_name("dues-report"), "vanban-dues-report.json");
        assert!(is_vanban_name("vanban-minutes.json") && is_vanban_name("lib/vanban-x.json"));
        assert!(!is_vanban_name("minutes.json") && !is_vanban_name("vanban-minutes.json.exe"));
        assert_eq!(text_string(b"\xFE\xFF\x00v\x1E\xA1"), "vạ");
        assert_eq!(text_string(b"vanban"), "vanban");
    }

    #[test]
    fn junk_is_not_a_pdf_and_bad_envelopes_are_refused() {
        let code = |result: Result<Extracted>| match result {
            Err(Error::Extract { code, .. }) => code,
            other => panic!("expected an extraction error, got {other:?}"),
        };
        assert_eq!(code(extract(b"")), "not_a_pdf");
        assert_eq!(code(extract(b"{\"template\": \"minutes\"}")), "not_a_pdf");
        assert_eq!(code(extract(b"%PDF-1.7\n%%EOF")), "unreadable_pdf");
        assert_eq!(code(parse_envelope(b"[1]")), "unreadable_embedded_data");
        assert_eq!(
            code(parse_envelope(br#"{"vanban":{"template":"m","version":"1"},"data":3}"#)),
            "unreadable_embedded_data"
        );
        assert!(matches!(extract(&vec![b' '; MAX_PDF_BYTES + 1]), Err(Error::TooLarge(_))));
    }
}
