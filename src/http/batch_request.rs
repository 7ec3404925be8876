//! The JSON Schema of a batch request (`POST /v1/batch`, `POST /v1/workbook`), per template:
//! one source for what `/openapi.json` documents and what the server checks before anything
//! else, so the two cannot drift apart.
//!
//! An item (and `defaults`) is a part of a document: deep-merged over the defaults it must be a
//! whole document, which no schema can say. So an item is described by its template's schema
//! with `required` dropped wherever a merge can still supply the value (objects reached without
//! crossing an array: arrays are replaced whole by a merge, so their items stay complete). With
//! `"on_error": "skip"` any object is accepted as an item: invalid ones are skipped and listed.
//!
//! The schema is a `oneOf` of one form per template and `on_error` (a schema tool generates
//! from it; six `if`/`then` branches are beyond Schemathesis). The server decides with that
//! schema and, for a request it refuses, lists the problems found by the form the request
//! names (its template and `on_error`), each at its own pointer rather than one `oneOf` miss.

use serde_json::{Map, Value, json};

use crate::catalog::Catalog;
use crate::input::Schema;
use crate::{Issue, Result};

/// A request schema, compiled: what the server checks and `/openapi.json` serves.
pub struct RequestSchema {
    /// All forms: decides.
    any: Schema,
    /// Each form alone, by template and `skip`: locates the problems.
    forms: Vec<(String, bool, Schema)>,
}

impl RequestSchema {
    /// The batch request schema (`items` required) or the workbook one.
    pub fn new(catalog: &Catalog, items_required: bool, origin: &str) -> Result<Self> {
        let forms = forms(catalog, items_required);
        let any = Schema::compile(schema(&forms), origin)?;
        let forms = forms
            .into_iter()
            .map(|form| Ok((form.template, form.skip, Schema::compile(form.schema, origin)?)))
            .collect::<Result<_>>()?;
        Ok(RequestSchema { any, forms })
    }

    /// The schema as served (optional fields may be `null`).
    pub fn served(&self) -> &Value {
        self.any.source()
    }

    /// Every problem of `request` (its `null`s dropped, normalised). A request naming a
    /// template that does not exist passes: the route answers that with a 404.
    pub fn check(&self, request: &Value) -> Vec<Issue> {
        let template = request.get("template").and_then(Value::as_str);
        if template.is_some_and(|t| !self.forms.iter().any(|(id, ..)| id == t)) {
            return Vec::new();
        }
        let problems = self.any.check(request);
        if problems.is_empty() {
            return problems;
        }
        let skip = request.get("on_error").and_then(Value::as_str) == Some("skip");
        let located = self
            .forms
            .iter()
            .find(|(id, form_skip, _)| Some(id.as_str()) == template && *form_skip == skip)
            .map(|(.., form)| form.check(request))
            .unwrap_or_default();
        if located.is_empty() { problems } else { located }
    }
}

/// Definitions of template `t`'s partial schemas are named `{t}.partial` (the document) and
/// `{t}.partial.{name}`; its complete definitions `{t}.{name}`.
pub const PARTIAL: &str = "partial";

/// One form of a request: for a template, with `"on_error": "skip"` or not. The forms are
/// disjoint, so a request matches at most one.
pub struct Form {
    /// Template id.
    pub template: String,
    /// `"on_error": "skip"`: any object is an item.
    pub skip: bool,
    /// The form's schema, self-contained (its template's definitions in `$defs`).
    pub schema: Value,
}

/// Every form of a batch request; `items` is optional for a workbook, which may be written
/// with defaults only.
pub fn forms(catalog: &Catalog, items_required: bool) -> Vec<Form> {
    let mut forms = Vec::new();
    for template in catalog.templates() {
        let id = template.id.as_str();
        let source = template.schema.validated();
        let mut defs = Map::new();
        let own_defs = source.get("$defs").and_then(Value::as_object).cloned().unwrap_or_default();
        for (name, definition) in &own_defs {
            defs.insert(format!("{id}.{name}"), rename_refs(definition.clone(), id, Merge::Whole));
            defs.insert(format!("{id}.{PARTIAL}.{name}"), rename_refs(definition.clone(), id, Merge::Part));
        }
        let mut document = source.clone();
        if let Some(object) = document.as_object_mut() {
            object.remove("$schema");
            object.remove("$defs");
        }
        defs.insert(format!("{id}.{PARTIAL}"), rename_refs(document, id, Merge::Part));
        let part = json!({ "$ref": format!("#/$defs/{id}.{PARTIAL}") });
        for skip in [false, true] {
            let (on_error, mut defaults, item) = if skip {
                (
                    json!({ "const": "skip", "description": "Render the valid items; list the others in manifest.json." }),
                    json!({ "type": "object" }),
                    json!({ "type": "object" }),
                )
            } else {
                (
                    json!({ "const": "fail", "default": "fail", "description": "Refuse the whole batch if an item is invalid." }),
                    part.clone(),
                    part.clone(),
                )
            };
            defaults["description"] =
                json!("Deep-merged under every item: a part of a document of the template.");
            let mut required = vec!["template"];
            if items_required {
                required.push("items");
            }
            if skip {
                required.push("on_error");
            }
            forms.push(Form {
                template: id.to_string(),
                skip,
                schema: json!({
                    "type": "object",
                    "required": required,
                    "additionalProperties": false,
                    "properties": {
                        "template": { "const": id },
                        "defaults": defaults,
                        "items": {
                            "type": "array",
                            "items": item,
                            "description": "One document each: merged over `defaults`, it must be a whole document of the template.",
                        },
                        "file_name": { "type": "string", "minLength": 1, "description": "Handlebars pattern of each PDF's name; helpers slug and pad." },
                        "merged_pdf": { "type": "boolean", "default": false, "description": "Also add all.pdf: every document, in item order." },
                        "on_error": on_error,
                    },
                    "$defs": defs,
                }),
            });
        }
    }
    forms
}

/// The request schema: one of the [`forms`], their definitions gathered in `$defs`.
pub fn schema(forms: &[Form]) -> Value {
    let mut defs = Map::new();
    let alternatives: Vec<Value> = forms
        .iter()
        .map(|form| {
            let mut schema = form.schema.clone();
            if let Some(Value::Object(own)) = schema.as_object_mut().and_then(|o| o.remove("$defs")) {
                defs.extend(own);
            }
            schema
        })
        .collect();
    json!({ "oneOf": alternatives, "$defs": defs })
}

/// Whether a value can still be completed by a merge (a part) or must be whole.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Merge {
    Part,
    Whole,
}

/// `#/$defs/name` → `#/$defs/{template}.name` (or its partial form), dropping `required` from
/// the objects a merge can complete.
fn rename_refs(mut node: Value, template: &str, merge: Merge) -> Value {
    rename(&mut node, template, merge);
    node
}

fn rename(node: &mut Value, template: &str, merge: Merge) {
    match node {
        Value::Object(map) => {
            if merge == Merge::Part {
                map.remove("required");
            }
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(name) = target.strip_prefix("#/$defs/")
            {
                *target = match merge {
                    Merge::Part => format!("#/$defs/{template}.{PARTIAL}.{name}"),
                    Merge::Whole => format!("#/$defs/{template}.{name}"),
                };
            }
            for (key, child) in map.iter_mut() {
                match key.as_str() {
                    // A merge replaces an array whole: what is inside one must be complete.
                    "items" | "prefixItems" | "contains" => rename(child, template, Merge::Whole),
                    // Maps of schemas by name (a property may be called `items`).
                    "properties" | "patternProperties" => {
                        child.as_object_mut().into_iter().flat_map(|m| m.values_mut()).for_each(|v| {
                            rename(v, template, merge);
                        });
                    }
                    // Values, not schemas.
                    "enum" | "const" | "default" | "examples" => {}
                    _ => rename(child, template, merge),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename(v, template, merge)),
        _ => {}
    }
}
