//! Input hygiene: parse the request body, normalise every string, check it against a JSON Schema
//! and deserialise it into a typed model.
//!
//! Every step reports all the problems it finds, each located by a JSON Pointer, never just the
//! first. Nothing here knows which document is being made; `documents` does the consistency
//! checks that need the meaning of the fields.

use serde::de::DeserializeOwned;
use serde_json::Value;
use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

use crate::error::{Error, Issue, Result, pointer_token};

/// Deepest nesting of arrays and objects accepted in a request (serde_json stops at 128 anyway;
/// no document needs more than a handful of levels).
pub const MAX_DEPTH: usize = 32;

/// Parses a JSON body, turning a syntax error into [`Error::MalformedJson`] with its position.
pub fn parse(body: &[u8]) -> Result<Value> {
    let value: Value = serde_json::from_slice(body).map_err(|e| Error::MalformedJson {
        line: e.line(),
        column: e.column(),
        message: syntax_message(&e),
    })?;
    if depth(&value) > MAX_DEPTH {
        return Err(Error::Invalid(vec![Issue::error(
            "",
            "too_deep",
            format!("JSON nesting is deeper than {MAX_DEPTH} levels"),
        )]));
    }
    Ok(value)
}

/// serde_json appends " at line L column C" to its messages; the position is reported separately.
fn syntax_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_string(),
        None => text,
    }
}

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Normalises every string in the document in place: Unicode NFC (DOCUMENTS.md §5.7), then
/// surrounding white space trimmed. Keys are left alone: they are the API's ASCII field names.
pub fn normalize(value: &mut Value) {
    match value {
        Value::String(text) => {
            let trimmed = text.trim();
            if !is_nfc_quick(trimmed.chars()).eq(&unicode_normalization::IsNormalized::Yes) {
                *text = trimmed.nfc().collect();
            } else if trimmed.len() != text.len() {
                *text = trimmed.to_string();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => map.values_mut().for_each(normalize),
        _ => {}
    }
}

/// A compiled JSON Schema (draft 2020-12) for one template.
pub struct Schema {
    source: Value,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Compiles a schema; `origin` names it in the error message.
    pub fn compile(source: Value, origin: &str) -> Result<Self> {
        let validator = jsonschema::validator_for(&source)
            .map_err(|e| Error::Setup(format!("{origin}: invalid JSON Schema: {e}")))?;
        Ok(Schema { source, validator })
    }

    /// The schema document, as served to clients.
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// Every place where `instance` breaks the schema. Messages name the rule, not the value:
    /// the value may be a long text or a member's name, which must not be echoed into logs.
    pub fn check(&self, instance: &Value) -> Vec<Issue> {
        self.validator
            .iter_errors(instance)
            .map(|e| Issue::error(e.instance_path().as_str(), "schema", e.masked_with("value").to_string()))
            .collect()
    }
}

/// Deserialises a schema-checked document into its typed model. A schema that is looser than the
/// model (possible with a user's own template folder) still yields a located 422, never a panic.
pub fn typed<T: DeserializeOwned>(value: &Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer: String = e.path().iter().map(|segment| format!("/{}", segment_token(segment))).collect();
        Error::Invalid(vec![Issue::error(pointer, "type", e.into_inner().to_string())])
    })
}

fn segment_token(segment: &serde_path_to_error::Segment) -> String {
    use serde_path_to_error::Segment;
    match segment {
        Segment::Seq { index } => index.to_string(),
        Segment::Map { key } => pointer_token(key),
        Segment::Enum { variant } => pointer_token(variant),
        Segment::Unknown => "?".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn malformed_json_reports_line_and_column() {
        let Err(Error::MalformedJson { line, column, message }) = parse(b"{\n  \"a\": 1,\n  oops\n}") else {
            panic!("expected a syntax error");
        };
        assert_eq!((line, column), (3, 3));
        assert!(message.contains("key must be a string"), "{message}");
    }

    #[test]
    fn too_deep_is_rejected() {
        let deep = "[".repeat(40) + &"]".repeat(40);
        assert!(matches!(parse(deep.as_bytes()), Err(Error::Invalid(_))));
    }

    #[test]
    fn strings_become_nfc_and_trimmed() {
        // "Việt" typed with combining marks (NFD): 6 code points instead of 4.
        let mut value = json!({ "name": "  Vie\u{0323}\u{0302}t  ", "list": ["\tĐảng "] });
        normalize(&mut value);
        assert_eq!(value, json!({ "name": "Việt", "list": ["Đảng"] }));
        assert_eq!(value["name"].as_str().map(|s| s.chars().count()), Some(4));
    }

    #[test]
    fn schema_problems_are_all_reported_with_pointers() {
        let schema = Schema::compile(
            json!({
                "type": "object",
                "properties": { "a": { "type": "integer" }, "b": { "type": "string", "maxLength": 2 } },
                "required": ["c"]
            }),
            "test",
        )
        .expect("valid schema");
        let issues = schema.check(&json!({ "a": "x", "b": "xyzzy" }));
        let mut pointers: Vec<_> = issues.iter().map(|i| i.pointer.as_str()).collect();
        pointers.sort();
        assert_eq!(pointers, ["", "/a", "/b"]);
        assert!(issues.iter().all(|i| !i.message.contains("xyzzy")), "values are masked: {issues:?}");
    }
}
