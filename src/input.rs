//! Input hygiene: parse the request body, normalise every string, check it against a JSON Schema
//! and deserialise it into a typed model.
//!
//! Every step reports all the problems it finds, each located by a JSON Pointer, never just the
//! first. Nothing here knows which document is being made; `documents` does the consistency
//! checks that need the meaning of the fields.

use serde::{Deserialize, Deserializer};
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
/// surrounding white space trimmed; and every integral number written as a float (`11.0`) to
/// its integer, as JSON Schema counts it an `integer`. Keys are left alone: they are the API's
/// ASCII field names.
pub fn normalize(value: &mut Value) {
    match value {
        Value::Number(number) if number.is_f64() => {
            let float = number.as_f64().unwrap_or(f64::NAN);
            // Exactly representable integers only (|x| < 2^53), so nothing is rounded.
            if float.fract() == 0.0 && float.abs() < 9_007_199_254_740_992.0 {
                *number = (float as i64).into();
            }
        }
        Value::String(text) if needs_normalizing(text) => *text = text.trim().nfc().collect(),
        Value::Array(items) => items.iter_mut().for_each(normalize),
        Value::Object(map) => map.values_mut().for_each(normalize),
        _ => {}
    }
}

/// Normalises `value` ([`normalize`]) and returns what `check` finds in it. A text is too long
/// if it is too long as sent or as normalised: the served schema's `maxLength` describes the
/// request body, so a client checking against it gets the same answer as the server even when
/// trimming or NFC would shorten its text.
pub fn normalize_and_check(value: &mut Value, check: impl Fn(&Value) -> Vec<Issue>) -> Vec<Issue> {
    let as_sent = normalizing_shortens(value).then(|| value.clone());
    normalize(value);
    let mut issues = check(value);
    if let Some(as_sent) = as_sent {
        for long in check(&as_sent).into_iter().filter(|i| i.keyword == Some("maxLength")) {
            if !issues.iter().any(|i| i.pointer == long.pointer && i.keyword == long.keyword) {
                issues.push(long);
            }
        }
    }
    issues
}

/// Whether [`normalize`] would change some string of `value` (and so perhaps shorten it).
fn normalizing_shortens(value: &Value) -> bool {
    match value {
        Value::String(text) => needs_normalizing(text),
        Value::Array(items) => items.iter().any(normalizing_shortens),
        Value::Object(map) => map.values().any(normalizing_shortens),
        _ => false,
    }
}

/// Whether `text` has white space around it or may not be NFC (the quick check's "maybe" counts).
fn needs_normalizing(text: &str) -> bool {
    text.trim().len() != text.len()
        || !is_nfc_quick(text.chars()).eq(&unicode_normalization::IsNormalized::Yes)
}

/// Removes every object member whose value is `null`: for every optional field `null` means
/// "not given", which is what most JSON clients send for "none". A required field sent as `null`
/// is then reported missing, at its own pointer.
pub fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// A compiled JSON Schema (draft 2020-12) for one template.
pub struct Schema {
    /// The schema as served: every optional property also admits `null`.
    source: Value,
    /// The schema as validated (requests have their `null`s dropped first, so `null` never
    /// reaches it and each problem keeps its precise keyword instead of an `anyOf`).
    strict: Value,
    validator: jsonschema::Validator,
}

impl Schema {
    /// Compiles a schema; `origin` names it in the error message.
    pub fn compile(source: Value, origin: &str) -> Result<Self> {
        let mut strict = source;
        // Checked after trimming: emptiness is `minLength`'s to report.
        restrict_text(&mut strict, Text::Printable);
        // `format` is an annotation by default in draft 2020-12; here `"format": "date"` is a
        // promise (a real calendar day), so it is checked.
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&strict)
            .map_err(|e| Error::Setup(format!("{origin}: invalid JSON Schema: {e}")))?;
        let mut served = strict.clone();
        admit_null_for_optional(&mut served);
        restrict_text(&mut served, Text::Visible);
        Ok(Schema { source: served, strict, validator })
    }

    /// The schema document, as served to clients.
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// The schema document requests are checked against (after their `null`s are dropped).
    pub fn validated(&self) -> &Value {
        &self.strict
    }

    /// Every place where `instance` breaks the schema. Messages name the rule, not the value:
    /// the value may be a long text or a member's name, which must not be echoed into logs.
    /// A missing property is reported at its own pointer (`/meeting/chair`), not its parent's.
    pub fn check(&self, instance: &Value) -> Vec<Issue> {
        self.validator.iter_errors(instance).flat_map(|e| self.issues_of(&e)).collect()
    }

    fn issues_of(&self, error: &jsonschema::ValidationError) -> Vec<Issue> {
        use jsonschema::error::ValidationErrorKind as Kind;
        let at = error.instance_path().as_str().to_string();
        let kind = error.kind();
        let keyword: &'static str = match kind.keyword() {
            "required" => "required",
            "additionalProperties" => "additionalProperties",
            "maxLength" => "maxLength",
            "minLength" => "minLength",
            "maxItems" => "maxItems",
            "minItems" => "minItems",
            "maximum" => "maximum",
            "minimum" => "minimum",
            "pattern" => "pattern",
            "enum" => "enum",
            "const" => "const",
            "type" => "type",
            "oneOf" => "oneOf",
            "anyOf" => "anyOf",
            "format" => "format",
            _ => "other",
        };
        let issue = |pointer: String, message: String| {
            let mut issue = Issue::error(pointer.clone(), "schema", message);
            issue.keyword = Some(keyword);
            if let Some(title) = self.title_at(&pointer) {
                issue.params.insert("title", title);
            }
            issue
        };
        let limit = |issue: &mut Issue, limit: String| {
            issue.params.insert("limit", limit);
        };
        let masked = error.masked_with("value").to_string();
        match kind {
            Kind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                vec![issue(format!("{at}/{}", pointer_token(name)), format!("`{name}` is required"))]
            }
            Kind::AdditionalProperties { unexpected } => unexpected
                .iter()
                .map(|name| {
                    issue(
                        format!("{at}/{}", pointer_token(name)),
                        format!("`{name}` is not a field of this document"),
                    )
                })
                .collect(),
            Kind::MaxLength { limit: n }
            | Kind::MinLength { limit: n }
            | Kind::MaxItems { limit: n }
            | Kind::MinItems { limit: n } => {
                let mut one = issue(at, masked);
                limit(&mut one, n.to_string());
                vec![one]
            }
            Kind::Maximum { limit: n } | Kind::Minimum { limit: n } => {
                let mut one = issue(at, masked);
                limit(&mut one, n.to_string());
                vec![one]
            }
            // The printable-text pattern is long and says nothing to a person: named instead.
            Kind::Pattern { pattern } if is_printable_pattern(pattern) => {
                let mut one = issue(
                    at,
                    "contains a character the document cannot print (a control character, or one the font lacks)"
                        .into(),
                );
                one.params.insert("pattern", PRINTABLE_TEXT.into());
                vec![one]
            }
            Kind::Format { format } => {
                let mut one = issue(at, masked);
                one.params.insert("format", format.clone());
                vec![one]
            }
            Kind::Pattern { pattern } => {
                let mut one = issue(at, masked);
                one.params.insert("pattern", pattern.clone());
                vec![one]
            }
            Kind::Type { kind } => {
                let mut one = issue(at, masked);
                let expected = match kind {
                    jsonschema::error::TypeKind::Single(t) => t.to_string(),
                    jsonschema::error::TypeKind::Multiple(set) => {
                        set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ")
                    }
                };
                one.params.insert("type", expected);
                vec![one]
            }
            _ => vec![issue(at, masked)],
        }
    }

    /// The schema that describes the value at `pointer` of a request, if the schema says.
    pub fn at(&self, pointer: &str) -> Option<&Value> {
        pointer_tokens(pointer).try_fold(&self.strict, |node, token| self.child(node, &token))
    }

    /// The Vietnamese `title` of the field at `pointer`, for messages such as "Chưa nhập …".
    pub fn title_at(&self, pointer: &str) -> Option<String> {
        let node = self.at(pointer)?;
        let title = node.get("title").or_else(|| self.resolve(node).get("title"))?;
        title.as_str().map(str::to_string)
    }

    /// Follows local `$ref`s (`#/$defs/…`).
    pub fn resolve<'a>(&'a self, mut node: &'a Value) -> &'a Value {
        for _ in 0..16 {
            match node.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                Some(target) => match self.strict.pointer(target) {
                    Some(next) => node = next,
                    None => break,
                },
                None => break,
            }
        }
        node
    }

    /// The non-`null` alternatives of a `oneOf`/`anyOf` schema, or the schema itself.
    pub fn alternatives<'a>(&'a self, node: &'a Value) -> Vec<&'a Value> {
        let node = self.resolve(node);
        // `allOf` in these schemas narrows one definition (`[{ "$ref": … }, { "minItems": 1 }]`):
        // the first branch carries the shape.
        if let Some(first) = node.get("allOf").and_then(Value::as_array).and_then(|all| all.first()) {
            return self.alternatives(first);
        }
        let branches = node.get("oneOf").or_else(|| node.get("anyOf")).and_then(Value::as_array);
        match branches {
            Some(branches) => branches
                .iter()
                .map(|b| self.resolve(b))
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect(),
            None => vec![node],
        }
    }

    fn child<'a>(&'a self, node: &'a Value, token: &str) -> Option<&'a Value> {
        self.alternatives(node).into_iter().find_map(|node| {
            if let Some(property) = node.get("properties").and_then(|p| p.get(token)) {
                return Some(property);
            }
            let items = node.get("items")?;
            token.parse::<usize>().ok().map(|_| items)
        })
    }
}

/// The reference tokens of a JSON Pointer, unescaped.
pub fn pointer_tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"))
}

/// Lets every optional property of every object schema be `null` too (requests may send `null`
/// for "not given"); titles and descriptions stay on the property, where form builders read them.
fn admit_null_for_optional(node: &mut Value) {
    match node {
        Value::Object(map) => {
            let required: Vec<String> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    if !required.contains(name) && !admits_null(property) {
                        let mut inner = std::mem::take(property);
                        let mut outer = serde_json::Map::new();
                        if let Some(inner) = inner.as_object_mut() {
                            for key in ["title", "description"] {
                                if let Some(text) = inner.remove(key) {
                                    outer.insert(key.to_string(), text);
                                }
                            }
                        }
                        outer.insert("anyOf".into(), serde_json::json!([{ "type": "null" }, inner]));
                        *property = Value::Object(outer);
                    }
                }
            }
            map.values_mut().for_each(admit_null_for_optional);
        }
        Value::Array(items) => items.iter_mut().for_each(admit_null_for_optional),
        _ => {}
    }
}

/// The characters every style of the bundled document font (Liberation Serif) draws, as
/// inclusive ranges: a text outside them cannot be typeset into a PDF/A (no glyph), so the
/// schemas refuse it at its field (`tests/integration/robustness.rs` renders all of them).
const PRINTABLE: &[(u32, u32)] = &[
    (0x0020, 0x007E),
    (0x00A0, 0x036F),
    (0x0374, 0x0375),
    (0x037A, 0x037E),
    (0x0384, 0x038A),
    (0x038C, 0x038C),
    (0x038E, 0x03A1),
    (0x03A3, 0x03CE),
    (0x03D0, 0x0513),
    (0x051A, 0x051D),
    (0x0591, 0x05C7),
    (0x05D0, 0x05EA),
    (0x05F0, 0x05F4),
    (0x1D00, 0x1DCA),
    (0x1DFE, 0x1E9B),
    (0x1E9E, 0x1E9E),
    (0x1EA0, 0x1EF9),
    (0x1F00, 0x1F15),
    (0x1F18, 0x1F1D),
    (0x1F20, 0x1F45),
    (0x1F48, 0x1F4D),
    (0x1F50, 0x1F57),
    (0x1F59, 0x1F59),
    (0x1F5B, 0x1F5B),
    (0x1F5D, 0x1F5D),
    (0x1F5F, 0x1F7D),
    (0x1F80, 0x1FB4),
    (0x1FB6, 0x1FC4),
    (0x1FC6, 0x1FD3),
    (0x1FD6, 0x1FDB),
    (0x1FDD, 0x1FEF),
    (0x1FF2, 0x1FF4),
    (0x1FF6, 0x1FFE),
    (0x2000, 0x2010),
    (0x2012, 0x2022),
    (0x2026, 0x2026),
    (0x202A, 0x2030),
    (0x2032, 0x2034),
    (0x2039, 0x203A),
    (0x203C, 0x203C),
    (0x203E, 0x203E),
    (0x2044, 0x2044),
    (0x205E, 0x205E),
    (0x206A, 0x206F),
    (0x2074, 0x2079),
    (0x207F, 0x2089),
    (0x2090, 0x2094),
    (0x20A0, 0x20B5),
    (0x20BF, 0x20BF),
    (0x20F0, 0x20F0),
    (0x2105, 0x2105),
    (0x2113, 0x2113),
    (0x2116, 0x2117),
    (0x2122, 0x2122),
    (0x2126, 0x2126),
    (0x212E, 0x212E),
    (0x214D, 0x214E),
    (0x2153, 0x2154),
    (0x215B, 0x215E),
    (0x2184, 0x2184),
    (0x2190, 0x2195),
    (0x21A8, 0x21A8),
    (0x21D4, 0x21D4),
    (0x2202, 0x2202),
    (0x2206, 0x2206),
    (0x220F, 0x220F),
    (0x2211, 0x2212),
    (0x2215, 0x2215),
    (0x2219, 0x221A),
    (0x221E, 0x221F),
    (0x2229, 0x2229),
    (0x222B, 0x222B),
    (0x2248, 0x2248),
    (0x2260, 0x2262),
    (0x2264, 0x2265),
    (0x2302, 0x2302),
    (0x2310, 0x2310),
    (0x2320, 0x2321),
    (0x2500, 0x2500),
    (0x2502, 0x2502),
    (0x250C, 0x250C),
    (0x2510, 0x2510),
    (0x2514, 0x2514),
    (0x2518, 0x2518),
    (0x251C, 0x251C),
    (0x2524, 0x2524),
    (0x252C, 0x252C),
    (0x2534, 0x2534),
    (0x253C, 0x253C),
    (0x2550, 0x256C),
    (0x2580, 0x2580),
    (0x2584, 0x2584),
    (0x2588, 0x2588),
    (0x258C, 0x258C),
    (0x2590, 0x2593),
    (0x25A0, 0x25A1),
    (0x25AA, 0x25AC),
    (0x25B2, 0x25B2),
    (0x25BA, 0x25BA),
    (0x25BC, 0x25BC),
    (0x25C4, 0x25C4),
    (0x25CA, 0x25CC),
    (0x25CF, 0x25D9),
    (0x25E6, 0x25E6),
    (0x263A, 0x263C),
    (0x2640, 0x2640),
    (0x2642, 0x2642),
    (0x2660, 0x2660),
    (0x2663, 0x2663),
    (0x2665, 0x2666),
    (0x2669, 0x266C),
    (0x266F, 0x266F),
    (0x2C60, 0x2C6D),
    (0x2C71, 0x2C77),
    (0x2E17, 0x2E17),
    (0xA717, 0xA721),
    (0xA788, 0xA78C),
    (0xF004, 0xF004),
    (0xFB01, 0xFB02),
    (0xFB1D, 0xFB36),
    (0xFB38, 0xFB3C),
    (0xFB3E, 0xFB3E),
    (0xFB40, 0xFB41),
    (0xFB43, 0xFB44),
    (0xFB46, 0xFB4F),
    (0xFE20, 0xFE23),
    (0xFFFC, 0xFFFC),
];

/// Unicode `White_Space` characters among [`PRINTABLE`]: what trimming removes.
const WHITE_SPACE: &[(u32, u32)] =
    &[(0x20, 0x20), (0xA0, 0xA0), (0x2000, 0x200A), (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F)];

/// Which texts a pattern admits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    /// Printable characters, line breaks and tabs.
    Printable,
    /// The same, with at least one character that is not white space (a required text, as sent:
    /// requests are trimmed before they are checked).
    Visible,
}

/// The pattern of a free text (see [`PRINTABLE`]). Its first characters identify it, for the
/// Vietnamese message ([`is_printable_pattern`]).
fn text_pattern(text: Text) -> String {
    let class = |ranges: &mut dyn Iterator<Item = (u32, u32)>| -> String {
        ranges
            .map(|(a, b)| if a == b { format!("\\u{a:04X}") } else { format!("\\u{a:04X}-\\u{b:04X}") })
            .collect()
    };
    let any = format!("[\\t\\n\\r{}]*", class(&mut PRINTABLE.iter().copied()));
    match text {
        Text::Printable => format!("^{any}$"),
        Text::Visible => {
            let visible = PRINTABLE.iter().flat_map(|&(a, b)| {
                // Split each range around the white space inside it.
                let mut pieces = Vec::new();
                let mut start = a;
                for &(wa, wb) in WHITE_SPACE.iter().filter(|&&(wa, wb)| wa <= b && wb >= a) {
                    if wa > start {
                        pieces.push((start, wa - 1));
                    }
                    start = wb + 1;
                }
                if start <= b {
                    pieces.push((start, b));
                }
                pieces
            });
            format!("^{any}[{}]{any}$", class(&mut visible.into_iter()))
        }
    }
}

/// The `pattern` parameter of an issue about an unprintable character.
pub const PRINTABLE_TEXT: &str = "printable_text";

/// Whether `pattern` is the pattern every free text carries.
fn is_printable_pattern(pattern: &str) -> bool {
    pattern.starts_with("^[\\t\\n\\r")
}

/// Gives every free text (a string without a pattern, format or fixed values of its own) the
/// pattern of the characters the document can print.
fn restrict_text(node: &mut Value, text: Text) {
    match node {
        Value::Object(map) => {
            let own_pattern =
                map.get("pattern").and_then(Value::as_str).is_some_and(|p| !is_printable_pattern(p));
            let free_text = map.get("type").and_then(Value::as_str) == Some("string")
                && !own_pattern
                && !["format", "enum", "const"].iter().any(|k| map.contains_key(*k));
            if free_text {
                let non_empty = map.get("minLength").and_then(Value::as_u64).is_some_and(|n| n >= 1);
                let text = if non_empty { text } else { Text::Printable };
                map.insert("pattern".into(), Value::String(text_pattern(text)));
            }
            // Property maps hold schemas by name: recurse into the schemas only.
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                properties.values_mut().for_each(|v| restrict_text(v, text));
            }
            for (key, child) in map.iter_mut() {
                if !matches!(key.as_str(), "properties" | "enum" | "const" | "default" | "examples") {
                    restrict_text(child, text);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| restrict_text(v, text)),
        _ => {}
    }
}

fn admits_null(schema: &Value) -> bool {
    let null_type = |s: &Value| match s.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "null"),
        _ => false,
    };
    null_type(schema)
        || ["oneOf", "anyOf"].iter().any(|k| {
            schema.get(*k).and_then(Value::as_array).is_some_and(|branches| branches.iter().any(null_type))
        })
}

/// Deserialises a schema-checked document into its typed model. A schema that is looser than the
/// model (possible with a user's own template folder) still yields a located 422, never a panic.
/// `value` is a `&Value`, or a `Value` whose strings then move into the model instead of being
/// copied (a batch request's items).
pub fn typed<'de, T: Deserialize<'de>>(value: impl Deserializer<'de>) -> Result<T> {
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
    fn a_text_too_long_as_sent_is_too_long_after_trimming() {
        let schema = Schema::compile(
            json!({ "type": "object", "properties": { "a": { "type": "string", "maxLength": 3 } } }),
            "test",
        )
        .expect("valid schema");
        let check = |value: &Value| schema.check(value);
        for (sent, too_long) in [("\nabc", true), ("abc", false), ("abcd ", true), ("ab\u{0301}c", true)] {
            let mut value = json!({ "a": sent });
            let issues = normalize_and_check(&mut value, check);
            let long: Vec<_> = issues.iter().filter(|i| i.keyword == Some("maxLength")).collect();
            assert_eq!(long.len(), usize::from(too_long), "{sent:?}: {issues:?}");
            assert!(long.iter().all(|i| i.pointer == "/a"));
        }
        // Too long both ways: reported once.
        let mut value = json!({ "a": " abcdef " });
        assert_eq!(normalize_and_check(&mut value, check).len(), 1);
        assert_eq!(value, json!({ "a": "abcdef" }));
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
        assert_eq!(pointers, ["/a", "/b", "/c"]);
        let missing = issues.iter().find(|i| i.pointer == "/c").expect("the missing property");
        assert_eq!(missing.keyword, Some("required"));
        assert!(issues.iter().all(|i| !i.message.contains("xyzzy")), "values are masked: {issues:?}");
    }
}
