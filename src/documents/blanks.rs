//! Lenient builds: a live preview of a half-filled document and the blank forms cells fill by
//! hand (DOCUMENTS.md §6 "Blank form mode").
//!
//! Rather than teaching every document module and template about missing values, the request is
//! completed before it is built: each value the schema requires but the request lacks (or gives
//! wrongly) becomes a placeholder that the document code handles like any value: a marker
//! character for text, sentinel dates, times and years. After the view is built, the markers and
//! sentinels are replaced by the dotted lines of the paper forms (`……`, `ngày …… tháng …… năm
//! 20……`, `…… giờ …… phút`). The templates never see a placeholder, and need no change.

use serde_json::{Map, Value, json};

use crate::error::{Issue, pointer_token};
use crate::input::{Schema, pointer_tokens};

/// Stands for a missing short text (a name, a place, a member id): printed as a dotted line.
pub const BLANK: char = '\u{E000}';
/// Stands for a missing long text (a speech, a conclusion): printed as a few dotted lines.
pub const BLANK_TEXT: char = '\u{E001}';
/// A missing date. Chosen so its pieces are unmistakable once formatted.
const BLANK_DATE: &str = "2199-11-29";
/// A missing year.
const BLANK_YEAR: i64 = 2199;
/// A missing month.
const BLANK_MONTH: i64 = 11;
/// A missing time of day.
const BLANK_TIME: &str = "23:59";
/// Rows given to a list the form leaves to be written by hand (members, speakers…).
const BLANK_ROWS: usize = 3;

/// Dotted line for a short value: room for a name by hand.
const DOTS: &str = "……………………";
/// A long value: about four lines of dots that wrap like words (joined by zero-width spaces).
const DOT_LINES: usize = 120;

/// How much a lenient build fills in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// Only what the schema requires (a preview shows what is given).
    Required,
    /// Also the document's optional lists, so the paper form has room for them.
    Form,
}

/// Completes `value` so that it passes `schema`: removes the values at the pointers of
/// `issues` (schema problems), then puts a placeholder wherever a required value is missing.
/// Returns the pointers that now hold placeholders and whether the member list is made up.
pub fn complete(schema: &Schema, value: &mut Value, issues: &[Issue], fill: Fill) -> Completed {
    // A value the document code asked for that is not there (e.g. the `month` of a monthly
    // period) is filled like a required one.
    let needed: Vec<String> =
        issues.iter().filter(|i| value.pointer(&i.pointer).is_none()).map(|i| i.pointer.clone()).collect();
    let mut pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
    // Deepest and last first, so removing an array item does not shift the others still to go.
    pointers.sort_by(|a, b| b.cmp(a));
    pointers.dedup();
    for pointer in pointers {
        remove(value, pointer);
    }
    if !value.is_object() {
        *value = json!({});
    }
    let had_members = value.get("members").is_some();
    let mut filler = Filler { schema, fill, filled: Vec::new(), needed };
    if let Some(root) = schema.at("") {
        filler.complete(root, value, String::new(), 0);
    }
    Completed { filled: filler.filled, blank_roster: !had_members && value.get("members").is_some() }
}

/// What [`complete`] did.
pub struct Completed {
    /// Pointers of the placeholders.
    pub filled: Vec<String>,
    /// The member list is all placeholders: counts derived from it are printed as blanks.
    pub blank_roster: bool,
}

impl Completed {
    /// Whether a problem found while building is about a placeholder (noise to the user).
    pub fn concerns_placeholder(&self, issue: &Issue) -> bool {
        issue.message.contains([BLANK, BLANK_TEXT])
            || self.filled.iter().any(|filled| {
                issue.pointer == *filled
                    || issue.pointer.strip_prefix(filled.as_str()).is_some_and(|rest| rest.starts_with('/'))
            })
    }
}

fn remove(value: &mut Value, pointer: &str) {
    if pointer.is_empty() {
        *value = json!({});
        return;
    }
    let tokens: Vec<String> = pointer_tokens(pointer).collect();
    let Some((last, parents)) = tokens.split_last() else { return };
    let mut node = value;
    for token in parents {
        node = match node {
            Value::Object(map) => match map.get_mut(token) {
                Some(next) => next,
                None => return,
            },
            Value::Array(items) => match token.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    match node {
        Value::Object(map) => {
            map.remove(last);
        }
        Value::Array(items) => {
            if let Some(i) = last.parse::<usize>().ok().filter(|&i| i < items.len()) {
                items.remove(i);
            }
        }
        _ => {}
    }
}

struct Filler<'s> {
    schema: &'s Schema,
    fill: Fill,
    filled: Vec<String>,
    /// Missing values the document code asked for, filled even when the schema does not
    /// require them.
    needed: Vec<String>,
}

impl<'s> Filler<'s> {
    /// Fills what is missing inside `value`, described by `node`.
    fn complete(&mut self, node: &'s Value, value: &mut Value, pointer: String, depth: usize) {
        let node = self.pick(node, value);
        match value {
            Value::Object(map) => {
                let Some(properties) = node.get("properties").and_then(Value::as_object) else { return };
                let required: Vec<&str> = node
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for (name, property) in properties {
                    let here = format!("{pointer}/{}", pointer_token(name));
                    match map.get_mut(name) {
                        Some(child) => self.complete(property, child, here, depth + 1),
                        None if required.contains(&name.as_str()) || self.needed.contains(&here) => {
                            map.insert(name.clone(), self.placeholder(property, &here, depth + 1));
                            self.filled.push(here);
                        }
                        None if self.fill == Fill::Form && depth == 0 && self.is_list(property) => {
                            map.insert(name.clone(), self.placeholder(property, &here, depth + 1));
                            self.filled.push(here);
                        }
                        None => {}
                    }
                }
            }
            Value::Array(items) => {
                let Some(item) = node.get("items") else { return };
                for (i, child) in items.iter_mut().enumerate() {
                    self.complete(item, child, format!("{pointer}/{i}"), depth + 1);
                }
                let min = node.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                while items.len() < min {
                    self.filled.push(format!("{pointer}/{}", items.len()));
                    items.push(self.placeholder(item, &pointer, depth + 1));
                }
            }
            _ => {}
        }
    }

    /// The alternative of `node` that fits `value`'s JSON type (the first non-null one otherwise).
    fn pick(&self, node: &'s Value, value: &Value) -> &'s Value {
        let schema: &'s Schema = self.schema;
        let alternatives = schema.alternatives(node);
        let fits = |alternative: &&Value| match alternative.get("type").and_then(Value::as_str) {
            Some("object") => value.is_object(),
            Some("array") => value.is_array(),
            Some("string") => value.is_string(),
            Some("integer" | "number") => value.is_number(),
            Some("boolean") => value.is_boolean(),
            _ => false,
        };
        alternatives.iter().copied().find(fits).or_else(|| alternatives.first().copied()).unwrap_or(node)
    }

    fn is_list(&self, node: &'s Value) -> bool {
        let node = self.pick(node, &Value::Null);
        node.get("type").and_then(Value::as_str) == Some("array")
            && node
                .get("items")
                .is_some_and(|items| self.pick(items, &Value::Null).get("properties").is_some())
    }

    /// A value that passes `node` and prints as a blank.
    fn placeholder(&mut self, node: &'s Value, pointer: &str, depth: usize) -> Value {
        let node = self.pick(node, &Value::Null);
        if let Some(constant) = node.get("const") {
            return constant.clone();
        }
        if let Some(first) = node.get("enum").and_then(Value::as_array).and_then(|e| e.first()) {
            return first.clone();
        }
        match node.get("type").and_then(Value::as_str) {
            Some("object") => {
                let mut value = Value::Object(Map::new());
                self.complete(node, &mut value, pointer.to_string(), depth);
                value
            }
            Some("array") => {
                let min = node.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let rows = if depth <= 1 { min.max(BLANK_ROWS) } else { min };
                let rows =
                    rows.min(node.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX) as usize);
                let items = match node.get("items") {
                    Some(item) => (0..rows).map(|_| self.placeholder(item, pointer, depth + 1)).collect(),
                    None => Vec::new(),
                };
                Value::Array(items)
            }
            Some("integer" | "number") => {
                let minimum = node.get("minimum").and_then(Value::as_i64).unwrap_or(0);
                let maximum = node.get("maximum").and_then(Value::as_i64).unwrap_or(i64::MAX);
                let blank = if minimum >= 1900 {
                    BLANK_YEAR
                } else if minimum == 1 && maximum == 12 {
                    BLANK_MONTH
                } else {
                    minimum
                };
                json!(blank.clamp(minimum, maximum))
            }
            Some("boolean") => json!(false),
            _ => {
                let pattern = node.get("pattern").and_then(Value::as_str).unwrap_or("");
                if pattern.contains("{4}-") {
                    json!(BLANK_DATE)
                } else if pattern.contains(':') {
                    json!(BLANK_TIME)
                } else if node.get("maxLength").and_then(Value::as_u64).unwrap_or(0) >= 2000 {
                    json!(BLANK_TEXT.to_string())
                } else {
                    json!(BLANK.to_string())
                }
            }
        }
    }
}

/// Turns placeholders in the built view into the dotted lines of a paper form.
pub fn dot(value: &mut Value, blank_roster: bool) {
    match value {
        Value::String(text) => {
            if let Some(dotted) = dotted(text, blank_roster) {
                *text = dotted;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| dot(v, blank_roster)),
        Value::Object(map) => map.values_mut().for_each(|v| dot(v, blank_roster)),
        _ => {}
    }
}

/// The text with its placeholders printed as blanks, or `None` when it has none.
pub fn dotted(text: &str, blank_roster: bool) -> Option<String> {
    let year = BLANK_YEAR.to_string();
    let has_placeholder =
        text.contains([BLANK, BLANK_TEXT]) || text.contains(&year) || text.contains("23 giờ 59");
    if !has_placeholder && (!blank_roster || !text.contains(" đồng chí")) {
        return None;
    }
    let long: String = vec!["…"; DOT_LINES].join("\u{200B}");
    let mut out = text.replace(BLANK_TEXT, &long).replace(BLANK, DOTS);
    for (sentinel, blank) in [
        ("ngày 29 tháng 11 năm 2199", "ngày …… tháng …… năm 20……"),
        ("29/11/2199", "……/……/20……"),
        ("tháng 11 năm 2199", "tháng …… năm 20……"),
        ("THÁNG 11 NĂM 2199", "THÁNG …… NĂM 20……"),
        ("2199", "20……"),
        ("23 giờ 59 phút", "…… giờ …… phút"),
    ] {
        out = out.replace(sentinel, blank);
    }
    if blank_roster {
        out = blank_counts(&out);
    }
    Some(out)
}

/// `Có mặt 3/3 đồng chí (đạt 100%)` → `Có mặt ……/…… đồng chí (đạt ……%)`: numbers counted from
/// a made-up member list mean nothing on a blank form.
fn blank_counts(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut number = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() || (!number.is_empty() && matches!(c, '/' | ',' | '.')) {
            number.push(c);
        } else {
            let counted = c == '%' || rest.starts_with(" đồng chí");
            if counted && number.chars().any(|d| d.is_ascii_digit()) {
                let parts = number.split('/').count();
                out.push_str(&vec!["……"; parts].join("/"));
            } else {
                out.push_str(&number);
            }
            number.clear();
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out.push_str(&number);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_print_as_the_blanks_of_paper_forms() {
        let line = format!("{BLANK}, ngày 29 tháng 11 năm 2199");
        assert_eq!(dotted(&line, false).unwrap(), format!("{DOTS}, ngày …… tháng …… năm 20……"));
        assert_eq!(dotted("Vào lúc 23 giờ 59 phút", false).unwrap(), "Vào lúc …… giờ …… phút");
        assert_eq!(
            dotted("Có mặt 17/19 đồng chí (đạt 89,5%).", true).unwrap(),
            "Có mặt ……/…… đồng chí (đạt ……%)."
        );
        assert_eq!(dotted("Có mặt 17/19 đồng chí.", false), None, "a real roster keeps its numbers");
    }
}
