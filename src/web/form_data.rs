//! A submitted form (`application/x-www-form-urlencoded`) back into the JSON document.
//!
//! Every input is named by the JSON Pointer of its value, so the conversion is mechanical: the
//! template's [`Shape`] says whether a token is a list index and what type a value has.
//! Empty inputs are left out (so `required` reports them) or become `null` where the schema
//! allows it; list gaps close up; hidden inputs carry their value as JSON text.

use std::collections::BTreeMap;

use serde_json::{Number, Value};

use super::layout::{Layout, Widget};
use super::shape::{Kind, Shape};

/// Radio value of an attendance line for "absent with a reason given" (`present: false,
/// excused: true`).
pub const EXCUSED: &str = "excused";

/// A value being assembled: objects by key, lists by submitted index (compacted at the end).
enum Node {
    Leaf(Value),
    Object(BTreeMap<String, Node>),
    List(BTreeMap<usize, Node>),
}

impl Node {
    fn into_value(self) -> Value {
        match self {
            Node::Leaf(value) => value,
            Node::Object(fields) => {
                Value::Object(fields.into_iter().map(|(k, v)| (k, v.into_value())).collect())
            }
            Node::List(items) => Value::Array(items.into_values().map(Node::into_value).collect()),
        }
    }
}

/// The decoded fields of a form body, in order (later values of a name win).
pub fn parse_pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded_pairs(body)
}

fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = match part.iter().position(|b| *b == b'=') {
                Some(at) => (&part[..at], &part[at + 1..]),
                None => (part, &part[..0]),
            };
            (decode(name), decode(value))
        })
        .collect()
}

/// `+` is a space, then percent-decoding; invalid UTF-8 becomes U+FFFD.
fn decode(raw: &[u8]) -> String {
    let spaced: Vec<u8> = raw.iter().map(|b| if *b == b'+' { b' ' } else { *b }).collect();
    percent_encoding::percent_decode(&spaced).decode_utf8_lossy().into_owned()
}

/// The JSON document a form submits. Names that are not pointers (`_action`) are ignored, as
/// are pointers the template does not have.
pub fn to_json(shape: &Shape, layout: &Layout, pairs: &[(String, String)]) -> Value {
    let mut last: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in pairs {
        if name.starts_with('/') {
            last.insert(name, value);
        }
    }
    let mut root = Node::Object(BTreeMap::new());
    for (name, raw) in last {
        let tokens: Vec<String> =
            name[1..].split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
        for (tokens, value) in values_of(shape, layout, name, &tokens, raw) {
            insert(&mut root, shape, &tokens, value);
        }
    }
    root.into_value()
}

/// What one input contributes: usually one value at its own pointer.
fn values_of(
    shape: &Shape,
    layout: &Layout,
    name: &str,
    tokens: &[String],
    raw: &str,
) -> Vec<(Vec<String>, Value)> {
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let Some(field) = shape.at(&refs) else { return Vec::new() };
    if layout.is_hidden(name) {
        return serde_json::from_str(raw).map(|v| vec![(tokens.to_vec(), v)]).unwrap_or_default();
    }
    // An attendance line's radio: present, excused (absent with a reason), or absent.
    let is_attendance = tokens.len() == 3
        && tokens[2] == "present"
        && layout.widget(&format!("/{}", tokens[0])) == Some(Widget::Attendance);
    if is_attendance && raw == EXCUSED {
        let mut excused = tokens.to_vec();
        excused[2] = "excused".into();
        return vec![(tokens.to_vec(), Value::Bool(false)), (excused, Value::Bool(true))];
    }
    let text = raw.replace("\r\n", "\n");
    if text.trim().is_empty() {
        return if field.nullable { vec![(tokens.to_vec(), Value::Null)] } else { Vec::new() };
    }
    vec![(tokens.to_vec(), typed(&field.kind, &text))]
}

/// The typed value of a non-empty input; text the type cannot read stays text, so the schema
/// check reports it at its pointer.
fn typed(kind: &Kind, text: &str) -> Value {
    let trimmed = text.trim();
    let as_text = || Value::String(text.to_string());
    match kind {
        Kind::Integer => {
            // Vietnamese groups thousands with dots or spaces: 45.600.000.
            let digits: String = trimmed.chars().filter(|c| !matches!(c, '.' | ' ' | '\u{a0}')).collect();
            digits.parse::<i64>().map(Value::from).unwrap_or_else(|_| as_text())
        }
        Kind::Number => {
            let decimal = trimmed.replace(',', ".");
            if let Ok(whole) = decimal.parse::<i64>() {
                Value::from(whole)
            } else {
                decimal
                    .parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or_else(as_text)
            }
        }
        Kind::Boolean => match trimmed {
            "true" | "on" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => as_text(),
        },
        Kind::Date => iso_date(trimmed).map(Value::String).unwrap_or_else(as_text),
        Kind::Time => Value::String(trimmed.to_string()),
        Kind::Choice(values) => {
            values.iter().find(|v| choice_text(v) == trimmed).cloned().unwrap_or_else(as_text)
        }
        Kind::Constant(value) => value.clone(),
        Kind::Text { .. } | Kind::Object(_) | Kind::List(_) => as_text(),
    }
}

/// The text a choice value is submitted as.
pub fn choice_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `22/11/2026` (also with `-` or `.`) → `2026-11-22`; `None` if it is not a real date.
pub fn iso_date(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(['/', '-', '.']).map(str::trim).collect();
    let [day, month, year] = parts.as_slice() else { return None };
    let (day, month, year): (u32, u32, u32) = (day.parse().ok()?, month.parse().ok()?, year.parse().ok()?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    ((1000..=9999).contains(&year) && (1..=days).contains(&day))
        .then(|| format!("{year:04}-{month:02}-{day:02}"))
}

/// `2026-11-22` → `22/11/2026`; anything else unchanged.
pub fn vietnamese_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [year, month, day] if year.len() == 4 => format!("{day}/{month}/{year}"),
        _ => iso.to_string(),
    }
}

fn insert(node: &mut Node, shape: &Shape, tokens: &[String], value: Value) {
    let Some((first, rest)) = tokens.split_first() else {
        *node = Node::Leaf(value);
        return;
    };
    match &shape.kind {
        Kind::List(item) => {
            let Ok(index) = first.parse::<usize>() else { return };
            if !matches!(node, Node::List(_)) {
                *node = Node::List(BTreeMap::new());
            }
            if let Node::List(items) = node {
                let child = items.entry(index).or_insert_with(|| empty_for(item));
                insert(child, item, rest, value);
            }
        }
        Kind::Object(fields) => {
            let Some((_, field)) = fields.iter().find(|(name, _)| name == first) else { return };
            if !matches!(node, Node::Object(_)) {
                *node = Node::Object(BTreeMap::new());
            }
            if let Node::Object(children) = node {
                let child = children.entry(first.clone()).or_insert_with(|| empty_for(field));
                insert(child, field, rest, value);
            }
        }
        _ => {}
    }
}

fn empty_for(shape: &Shape) -> Node {
    match shape.kind {
        Kind::List(_) => Node::List(BTreeMap::new()),
        Kind::Object(_) => Node::Object(BTreeMap::new()),
        _ => Node::Leaf(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_day_first() {
        assert_eq!(iso_date("22/11/2026").as_deref(), Some("2026-11-22"));
        assert_eq!(iso_date("5-1-2027").as_deref(), Some("2027-01-05"));
        assert_eq!(iso_date("29/02/2026"), None);
        assert_eq!(iso_date("2026-11-22"), None);
        assert_eq!(vietnamese_date("2026-11-22"), "22/11/2026");
    }

    #[test]
    fn form_bodies_decode_plus_and_percent() {
        let pairs = parse_pairs(b"%2Fmeeting%2Flocation=Nh%C3%A0+v%C4%83n+h%C3%B3a&_action=check");
        assert_eq!(pairs[0], ("/meeting/location".to_string(), "Nhà văn hóa".to_string()));
    }
}
