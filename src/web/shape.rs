//! The shape of a template's data, read from its JSON Schema: what the form shows and how the
//! submitted text turns back into JSON.
//!
//! The schema is read from the template folder's source files with an order-preserving parser,
//! because a form follows the order in which the schema lists properties (the crate's
//! `serde_json` sorts object keys). References, `allOf` and nullable `oneOf` are resolved once.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::catalog::{COMMON_SCHEMA_PATH, Catalog};
use crate::error::{Error, Result};

/// JSON with object keys kept in file order.
#[derive(Debug, Clone)]
enum Ordered {
    Null,
    Plain(Value),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    fn get(&self, key: &str) -> Option<&Ordered> {
        match self {
            Ordered::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Ordered::Plain(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Ordered::Plain(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Ordered::Null => Value::Null,
            Ordered::Plain(v) => v.clone(),
            Ordered::Array(items) => Value::Array(items.iter().map(Ordered::to_value).collect()),
            Ordered::Object(entries) => {
                Value::Object(entries.iter().map(|(k, v)| (k.clone(), v.to_value())).collect())
            }
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct OrderedVisitor;
        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E: de::Error>(self) -> std::result::Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> std::result::Result<Ordered, E> {
                Ok(Ordered::Plain(Value::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Ordered, E> {
                Ok(Ordered::Plain(Value::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Ordered, E> {
                Ok(Ordered::Plain(Value::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Ordered, E> {
                Ok(Ordered::Plain(Value::from(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Ordered, E> {
                Ok(Ordered::Plain(Value::String(v.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Ordered, A::Error> {
                let mut entries = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Ordered>()? {
                    entries.push((key, value));
                }
                Ok(Ordered::Object(entries))
            }
        }
        deserializer.deserialize_any(OrderedVisitor)
    }
}

/// What kind of value a field holds.
#[derive(Debug, Clone)]
pub enum Kind {
    /// A string; `multiline` for long free text.
    Text { multiline: bool, max_length: Option<u64> },
    /// An ISO date, typed as `ngày/tháng/năm`.
    Date,
    /// A 24-hour time `HH:MM`.
    Time,
    /// A whole number.
    Integer,
    /// A number that may have a decimal part.
    Number,
    /// Yes or no.
    Boolean,
    /// One of a fixed list of values.
    Choice(Vec<Value>),
    /// Always this value.
    Constant(Value),
    /// Named fields, in schema order.
    Object(Vec<(String, Shape)>),
    /// A list of items of one shape.
    List(Box<Shape>),
}

/// A field of the data: its kind and what the schema says about it.
#[derive(Debug, Clone)]
pub struct Shape {
    /// Kind of value.
    pub kind: Kind,
    /// The schema's `title` (Vietnamese), if any.
    pub title: Option<String>,
    /// The schema's `description`.
    pub description: Option<String>,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// Whether the parent object requires it.
    pub required: bool,
}

const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
const TIME_PATTERN: &str = "^([01]?[0-9]|2[0-3]):[0-5][0-9]$";
/// Strings longer than this are typed in a multi-line box.
const MULTILINE_FROM: u64 = 1000;

impl Shape {
    /// The shape of template `id`'s data, from its schema file and the shared definitions.
    pub fn of_template(catalog: &Catalog, id: &str) -> Result<Shape> {
        let read = |path: &str| -> Result<Option<Ordered>> {
            catalog
                .files()
                .iter()
                .find(|f| f.path == path)
                .map(|f| serde_json::from_slice::<Ordered>(&f.data))
                .transpose()
                .map_err(|e| Error::Setup(format!("{path}: {e}")))
        };
        let schema = read(&format!("/{id}/schema.json"))?
            .ok_or_else(|| Error::Setup(format!("template `{id}` has no schema.json")))?;
        let common = read(COMMON_SCHEMA_PATH)?;
        let resolver = Resolver { schema: &schema, common: common.as_ref() };
        resolver.shape(&schema, 0)
    }

    /// The shape at `tokens` below this one (array indices and `*` step into list items).
    pub fn at<'a>(&'a self, tokens: &[&str]) -> Option<&'a Shape> {
        let Some((first, rest)) = tokens.split_first() else { return Some(self) };
        match &self.kind {
            Kind::Object(fields) => fields.iter().find(|(name, _)| name == first)?.1.at(rest),
            Kind::List(item) => item.at(rest),
            _ => None,
        }
    }
}

struct Resolver<'a> {
    schema: &'a Ordered,
    common: Option<&'a Ordered>,
}

impl Resolver<'_> {
    fn definition(&self, reference: &str) -> Result<&Ordered> {
        let name = reference
            .strip_prefix("#/$defs/")
            .ok_or_else(|| Error::Setup(format!("schema reference `{reference}` is not under #/$defs/")))?;
        self.schema
            .get("$defs")
            .and_then(|d| d.get(name))
            .or_else(|| self.common.and_then(|c| c.get("$defs")).and_then(|d| d.get(name)))
            .ok_or_else(|| Error::Setup(format!("schema reference `{reference}` not found")))
    }

    /// Flattens `$ref`, `allOf` and `oneOf: [null, X]` into one list of keyword sets, outermost
    /// last (so its `title` and `description` win), and whether null is allowed.
    fn flatten<'s>(&'s self, node: &'s Ordered, depth: usize, out: &mut Vec<&'s Ordered>) -> Result<bool> {
        if depth > 32 {
            return Err(Error::Setup("schema references nest too deeply".into()));
        }
        let mut nullable = false;
        if let Some(reference) = node.get("$ref").and_then(Ordered::as_str) {
            nullable |= self.flatten(self.definition(reference)?, depth + 1, out)?;
        }
        if let Some(Ordered::Array(parts)) = node.get("allOf") {
            for part in parts {
                nullable |= self.flatten(part, depth + 1, out)?;
            }
        }
        if let Some(Ordered::Array(alternatives)) = node.get("oneOf") {
            for alternative in alternatives {
                if alternative.get("type").and_then(Ordered::as_str) == Some("null") {
                    nullable = true;
                } else {
                    nullable |= self.flatten(alternative, depth + 1, out)?;
                }
            }
        }
        out.push(node);
        Ok(nullable)
    }

    fn shape(&self, node: &Ordered, depth: usize) -> Result<Shape> {
        let mut parts = Vec::new();
        let nullable = self.flatten(node, depth, &mut parts)?;
        let keyword = |key: &str| parts.iter().rev().find_map(|p| p.get(key));
        let text = |key: &str| keyword(key).and_then(Ordered::as_str).map(str::to_string);
        let kind = if let Some(constant) = keyword("const") {
            Kind::Constant(constant.to_value())
        } else if let Some(Ordered::Array(values)) = keyword("enum") {
            Kind::Choice(values.iter().map(Ordered::to_value).collect())
        } else {
            match keyword("type").and_then(Ordered::as_str) {
                Some("object") => {
                    let required: Vec<String> = match keyword("required") {
                        Some(Ordered::Array(names)) => {
                            names.iter().filter_map(Ordered::as_str).map(str::to_string).collect()
                        }
                        _ => Vec::new(),
                    };
                    let mut fields = Vec::new();
                    for part in &parts {
                        if let Some(Ordered::Object(properties)) = part.get("properties") {
                            for (name, property) in properties {
                                let mut field = self.shape(property, depth + 1)?;
                                field.required = required.contains(name);
                                fields.push((name.clone(), field));
                            }
                        }
                    }
                    Kind::Object(fields)
                }
                Some("array") => {
                    let items = keyword("items").ok_or_else(|| Error::Setup("array without items".into()))?;
                    Kind::List(Box::new(self.shape(items, depth + 1)?))
                }
                Some("integer") => Kind::Integer,
                Some("number") => Kind::Number,
                Some("boolean") => Kind::Boolean,
                Some("string") => match keyword("pattern").and_then(Ordered::as_str) {
                    Some(DATE_PATTERN) => Kind::Date,
                    Some(TIME_PATTERN) => Kind::Time,
                    _ => {
                        let max_length = keyword("maxLength").and_then(Ordered::as_f64).map(|n| n as u64);
                        Kind::Text { multiline: max_length.is_none_or(|n| n >= MULTILINE_FROM), max_length }
                    }
                },
                other => return Err(Error::Setup(format!("schema type {other:?} has no form field"))),
            }
        };
        Ok(Shape { kind, title: text("title"), description: text("description"), nullable, required: false })
    }
}
