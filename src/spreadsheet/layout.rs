//! Where each field of a template goes in a workbook, derived from its JSON Schema.
//!
//! Objects are flattened into one column per scalar field (`/vote/for`); a list of scalars is one
//! cell with one entry per line; a list of objects (`/members`) gets its own sheet with one row per
//! entry, keyed by the item's number (`STT`); anything the grid cannot express (a list of lists, a
//! union of shapes) is one cell holding JSON. The mapping never depends on header text: each
//! column's JSON Pointer is written in the hidden second row.
//!
//! Columns follow the document's own order, as the secretaries' form shows it: the steps of the
//! template's `form.json` (issuer, number, dates, subject…), then the fields it hides (settings
//! an integrator chooses), each group in the order the schema lists its properties. The crate's
//! `serde_json` sorts object keys, so that order is read once more from the schema files' text
//! ([`KeyOrder`]).

use std::collections::HashMap;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::catalog::{COMMON_SCHEMA_PATH, Catalog, Template};
use crate::error::pointer_token;

/// What a cell holds, and so how it is written and read back.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// Yes or no (`Có` / `Không`).
    Boolean,
    /// An ISO date `YYYY-MM-DD`, shown as a spreadsheet date.
    Date,
    /// One of a fixed list of strings (a drop-down).
    Choice(Vec<String>),
    /// A list of scalars, one per line.
    Lines(Box<Kind>),
    /// Anything else, as JSON text.
    Json,
}

/// One column: the field it fills and its header.
#[derive(Debug, Clone)]
pub struct Column {
    /// JSON Pointer relative to the item (or to the list entry, in a list sheet).
    pub pointer: String,
    /// Header shown in row 1.
    pub header: String,
    /// What the cells hold.
    pub kind: Kind,
}

/// A list of objects inside an item, on its own sheet.
#[derive(Debug, Clone)]
pub struct ListSheet {
    /// JSON Pointer of the list relative to the item, e.g. `/members`.
    pub pointer: String,
    /// Sheet name (at most 31 characters, unique in the workbook).
    pub sheet: String,
    /// Columns of one entry, pointers relative to the entry.
    pub columns: Vec<Column>,
}

/// The columns of a template's items sheet and its list sheets.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Columns of the items sheet (and rows of the `Chung` sheet).
    pub columns: Vec<Column>,
    /// One sheet per list of objects.
    pub lists: Vec<ListSheet>,
}

/// Names of sheets the layout itself uses; list sheets never take them.
pub const RESERVED_SHEETS: [&str; 4] = ["Hướng dẫn", "Chung", "Chi bộ", "Danh mục"];

impl Layout {
    /// The layout of a template, its columns in the form's order, else the schema files'.
    pub fn of_template(catalog: &Catalog, template: &Template) -> Layout {
        let file = |name: &str| {
            let path = format!("/{}/{name}", template.id);
            catalog.files().iter().find(|f| f.path == path).map(|f| f.data.as_slice())
        };
        let common = catalog.files().iter().find(|f| f.path == COMMON_SCHEMA_PATH).map(|f| f.data.as_slice());
        let order = KeyOrder::read(file("schema.json").into_iter().chain(common));
        let mut layout = Layout::from_schema(template.schema.source(), &order);
        let form: Vec<String> = file("form.json").map(form_order).unwrap_or_default();
        let rank =
            |pointer: &str| form.iter().position(|pattern| places(pattern, pointer)).unwrap_or(form.len());
        // Stable: within a step, the schema's order stays.
        layout.columns.sort_by_key(|column| rank(&column.pointer));
        layout.lists.sort_by_key(|list| rank(&list.pointer));
        layout
    }

    /// Derives the layout from a schema (with its `$defs` merged in); properties in `order`.
    pub fn from_schema(schema: &Value, order: &KeyOrder) -> Layout {
        let defs = schema.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
        let walker = Walker { defs: &defs, order };
        let mut layout = Layout { columns: Vec::new(), lists: Vec::new() };
        let mut used_sheets: Vec<String> = RESERVED_SHEETS.iter().map(|s| s.to_string()).collect();
        walker.object(schema, "", &[], &mut |pointer, titles, node, kind| match kind {
            Placed::Column(kind) => {
                layout.columns.push(Column { pointer, header: titles.join(" – "), kind })
            }
            Placed::List => {
                let mut columns = Vec::new();
                walker.object(node, "", &[], &mut |pointer, titles, _, kind| {
                    let kind = match kind {
                        Placed::Column(kind) => kind,
                        // A list inside a list entry stays one cell of JSON.
                        Placed::List => Kind::Json,
                    };
                    columns.push(Column { pointer, header: titles.join(" – "), kind });
                });
                let sheet = unique_sheet_name(&titles.join(" – "), &mut used_sheets);
                layout.lists.push(ListSheet { pointer, sheet, columns });
            }
        });
        layout
    }

    /// The column filling `pointer` (relative to the item), if any.
    pub fn column(&self, pointer: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.pointer == pointer)
    }

    /// The list sheet of the list at `pointer`, if any.
    pub fn list(&self, pointer: &str) -> Option<&ListSheet> {
        self.lists.iter().find(|l| l.pointer == pointer)
    }
}

/// The field patterns of a `form.json`, in order: each step's fields, then the hidden ones.
fn form_order(text: &[u8]) -> Vec<String> {
    let Ok(form) = serde_json::from_slice::<Value>(text) else { return Vec::new() };
    let steps = form.get("steps").and_then(Value::as_array).into_iter().flatten();
    let step_fields =
        steps.flat_map(|step| step.get("fields").and_then(Value::as_array).into_iter().flatten());
    let hidden = form.get("hidden").and_then(Value::as_array).into_iter().flatten();
    step_fields.chain(hidden).filter_map(Value::as_str).map(str::to_string).collect()
}

/// Whether the form field `pattern` (`*` for any list index) places the value at `pointer`: the
/// pattern names it or one of its parents.
fn places(pattern: &str, pointer: &str) -> bool {
    let mut tokens = pointer.split('/');
    pattern.split('/').all(|p| tokens.next().is_some_and(|t| p == "*" || p == t))
}

enum Placed {
    Column(Kind),
    List,
}

/// The order in which JSON texts list the keys of each of their objects, looked up by an
/// object's set of keys (a schema's `properties` objects have distinct sets in practice; an
/// unknown set keeps the sorted order).
#[derive(Debug, Default)]
pub struct KeyOrder(HashMap<Vec<String>, Vec<String>>);

impl KeyOrder {
    /// Records every object of these JSON texts (a text that is not JSON adds nothing).
    pub fn read<'a>(texts: impl IntoIterator<Item = &'a [u8]>) -> KeyOrder {
        let mut order = KeyOrder::default();
        for text in texts {
            let mut deserializer = serde_json::Deserializer::from_slice(text);
            // A broken file fails to load as a template long before this; nothing to report.
            let _ = Recorder(&mut order.0).deserialize(&mut deserializer);
        }
        order
    }

    /// The entries of `map` in recorded order.
    fn entries<'m>(&self, map: &'m Map<String, Value>) -> Vec<(&'m String, &'m Value)> {
        let mut entries: Vec<_> = map.iter().collect();
        let keys: Vec<String> = map.keys().cloned().collect();
        if let Some(listed) = self.0.get(&keys) {
            entries.sort_by_key(|(key, _)| listed.iter().position(|k| k == *key));
        }
        entries
    }
}

/// Walks a JSON text, recording each object's keys in text order under its sorted keys.
struct Recorder<'r>(&'r mut HashMap<Vec<String>, Vec<String>>);

impl<'de> DeserializeSeed<'de> for Recorder<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Recorder<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Recorder(&mut *self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut keys = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            map.next_value_seed(Recorder(&mut *self.0))?;
            keys.push(key);
        }
        let mut sorted = keys.clone();
        sorted.sort();
        self.0.insert(sorted, keys);
        Ok(())
    }
}

struct Walker<'a> {
    defs: &'a Map<String, Value>,
    order: &'a KeyOrder,
}

impl Walker<'_> {
    /// Follows `$ref` and merges `allOf`, remembering whether a `date` definition was crossed.
    fn resolve(&self, node: &Value) -> (Value, bool) {
        let mut merged = Map::new();
        let mut is_date = false;
        self.collect(node, &mut merged, &mut is_date, 0);
        (Value::Object(merged), is_date)
    }

    fn collect(&self, node: &Value, into: &mut Map<String, Value>, is_date: &mut bool, depth: usize) {
        let Some(object) = node.as_object() else { return };
        if depth > 16 {
            return;
        }
        if let Some(name) =
            object.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/$defs/"))
        {
            *is_date |= name == "date";
            if let Some(target) = self.defs.get(name) {
                self.collect(target, into, is_date, depth + 1);
            }
        }
        for part in object.get("allOf").and_then(Value::as_array).into_iter().flatten() {
            self.collect(part, into, is_date, depth + 1);
        }
        for (key, value) in object {
            if key != "$ref" && key != "allOf" {
                into.insert(key.clone(), value.clone());
            }
        }
    }

    /// Walks an object's properties, reporting each place (column or list) with its pointer.
    #[allow(clippy::type_complexity)] // one callback, named by its parameter
    fn object(
        &self,
        node: &Value,
        prefix: &str,
        titles: &[String],
        place: &mut dyn FnMut(String, Vec<String>, &Value, Placed),
    ) {
        let (node, _) = self.resolve(node);
        let Some(properties) = node.get("properties").and_then(Value::as_object) else { return };
        for (key, child) in self.order.entries(properties) {
            let pointer = format!("{prefix}/{}", pointer_token(key));
            let (resolved, is_date) = self.resolve(child);
            let mut titles = titles.to_vec();
            titles.push(header_of(key, &resolved));
            let resolved = non_null_variant(&self.resolve_variants(&resolved)).unwrap_or(resolved);
            if resolved.get("properties").is_some() {
                self.object(&resolved, &pointer, &titles, place);
                continue;
            }
            if type_of(&resolved) == Some("array") {
                let (items, items_date) = self.resolve(resolved.get("items").unwrap_or(&Value::Null));
                if items.get("properties").is_some() {
                    place(pointer, titles, &items, Placed::List);
                } else {
                    let kind = match scalar_kind(&items, items_date) {
                        Kind::Json => Kind::Json,
                        scalar => Kind::Lines(Box::new(scalar)),
                    };
                    place(pointer, titles, &items, Placed::Column(kind));
                }
                continue;
            }
            place(pointer, titles, &resolved, Placed::Column(scalar_kind(&resolved, is_date)));
        }
    }

    /// A `oneOf`/`anyOf` node with each variant resolved; other nodes unchanged.
    fn resolve_variants(&self, node: &Value) -> Value {
        let mut node = node.clone();
        for keyword in ["oneOf", "anyOf"] {
            if let Some(variants) = node.get(keyword).and_then(Value::as_array) {
                let resolved: Vec<Value> = variants.iter().map(|v| self.resolve(v).0).collect();
                node[keyword] = Value::Array(resolved);
            }
        }
        node
    }
}

/// `{"oneOf": [{"type": "null"}, X]}` → X: an empty cell stands for null.
fn non_null_variant(node: &Value) -> Option<Value> {
    let variants = node.get("oneOf").or_else(|| node.get("anyOf"))?.as_array()?;
    let mut others = variants.iter().filter(|v| type_of(v) != Some("null"));
    let only = others.next()?;
    others.next().is_none().then(|| only.clone())
}

fn type_of(node: &Value) -> Option<&str> {
    node.get("type").and_then(Value::as_str)
}

fn scalar_kind(node: &Value, is_date: bool) -> Kind {
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        let strings: Option<Vec<String>> = values.iter().map(|v| v.as_str().map(String::from)).collect();
        return strings.map_or(Kind::Json, Kind::Choice);
    }
    if let Some(value) = node.get("const") {
        return match value {
            Value::String(s) => Kind::Choice(vec![s.clone()]),
            _ => Kind::Json,
        };
    }
    match type_of(node) {
        Some("string") if is_date || node.get("format").and_then(Value::as_str) == Some("date") => Kind::Date,
        Some("string") => Kind::Text,
        Some("integer") => Kind::Integer,
        Some("number") => Kind::Number,
        Some("boolean") => Kind::Boolean,
        _ => Kind::Json,
    }
}

/// The schema's `title`, else the property name made readable (`voters_present` → `Voters present`).
fn header_of(key: &str, node: &Value) -> String {
    if let Some(title) = node.get("title").and_then(Value::as_str) {
        return title.to_string();
    }
    let words = key.replace('_', " ");
    let mut chars = words.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// A sheet name Excel accepts (≤ 31 characters, none of `[]:*?/\`), unique in the workbook.
fn unique_sheet_name(wanted: &str, used: &mut Vec<String>) -> String {
    let clean: String = wanted.chars().filter(|c| !"[]:*?/\\'".contains(*c)).collect();
    let base: String = clean.chars().take(28).collect::<String>().trim().to_string();
    let base = if base.is_empty() { "Danh sách".to_string() } else { base };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
        name = format!("{base} {n}");
        n += 1;
    }
    used.push(name.clone());
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_place_their_subtrees() {
        assert!(places("/issuer", "/issuer/term/label"));
        assert!(places("/issuer", "/issuer"));
        assert!(!places("/issue", "/issue_date"));
        assert!(places("/tasks/*/items", "/tasks/3/items/0"));
        assert!(!places("/vote/for", "/vote"));
        let form = br#"{"steps": [{"id": "a", "title": "A", "fields": ["/b", "/a"]}], "hidden": ["/c"]}"#;
        assert_eq!(form_order(form), ["/b", "/a", "/c"]);
    }

    #[test]
    fn objects_flatten_lists_get_lines_or_sheets() {
        let text = r##"{
            "$defs": { "date": { "type": "string", "pattern": "x" }, "count": { "type": "integer" } },
            "type": "object",
            "properties": {
                "vote": { "type": "object", "properties": { "for": { "$ref": "#/$defs/count" } } },
                "meeting_date": { "$ref": "#/$defs/date" },
                "grounds": { "type": "array", "items": { "type": "string" } },
                "label": { "oneOf": [{ "type": "null" }, { "type": "string" }] },
                "kind": { "enum": ["a", "b"] },
                "members": { "type": "array", "items": { "type": "object", "properties": {
                    "full_name": { "type": "string", "title": "Họ và tên" },
                    "ids": { "type": "array", "items": { "type": "string" } } } } }
            }
        }"##;
        let schema: Value = serde_json::from_str(text).unwrap();
        let layout = Layout::from_schema(&schema, &KeyOrder::read([text.as_bytes()]));
        let kinds: Vec<_> = layout.columns.iter().map(|c| (c.pointer.as_str(), c.kind.clone())).collect();
        assert_eq!(
            kinds,
            // The schema's order, not the alphabetical order of serde_json's map.
            [
                ("/vote/for", Kind::Integer),
                ("/meeting_date", Kind::Date),
                ("/grounds", Kind::Lines(Box::new(Kind::Text))),
                ("/label", Kind::Text),
                ("/kind", Kind::Choice(vec!["a".into(), "b".into()])),
            ]
        );
        assert_eq!(layout.columns[0].header, "Vote – For");
        // Without the text's order, the map's (sorted) order.
        let sorted = Layout::from_schema(&schema, &KeyOrder::default());
        assert_eq!(sorted.columns[0].pointer, "/grounds");
        let members = layout.list("/members").expect("a list sheet");
        assert_eq!(members.sheet, "Members");
        assert_eq!(members.columns[0].header, "Họ và tên");
        assert_eq!(members.columns[1].kind, Kind::Lines(Box::new(Kind::Text)));
    }
}
