//! `GET /openapi.json`: an OpenAPI 3.1 description generated from the route table the router is
//! built from ([`super::ROUTES`]) and from the loaded templates, whose JSON Schemas (2020-12, the
//! dialect of OpenAPI 3.1) are embedded as components, one per template.
//!
//! The document is self-contained: each template's `$defs` become components of their own
//! (shared under their own name when every template defines them alike, `Template_x_name`
//! otherwise), and every `#/$defs/…` reference is rewritten to point at them, so every `$ref`
//! resolves inside the document for API tools and client generators.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::ROUTES;
use crate::catalog::{Catalog, Template};

/// The whole API description.
pub fn document(catalog: &Catalog) -> Value {
    let template_ids: Vec<&str> = catalog.templates().map(|t| t.id.as_str()).collect();
    // Every definition, by name, with the templates that define it in each form.
    let mut definitions: BTreeMap<String, Vec<(String, Value)>> = BTreeMap::new();
    for template in catalog.templates() {
        let defs = template.schema.source().get("$defs").and_then(Value::as_object);
        for (name, definition) in defs.into_iter().flatten() {
            definitions.entry(name.clone()).or_default().push((template.id.clone(), definition.clone()));
        }
    }
    let shared =
        |name: &str| definitions.get(name).is_some_and(|forms| forms.windows(2).all(|w| w[0].1 == w[1].1));
    let def_component = |template: &str, name: &str| {
        if shared(name) { format!("Def_{name}") } else { format!("{}_{name}", component_name(template)) }
    };

    let mut schemas = Map::new();
    for (name, forms) in &definitions {
        for (template, definition) in forms {
            let mut definition = definition.clone();
            rewrite_refs(&mut definition, &|def| def_component(template, def));
            schemas.insert(def_component(template, name), definition);
        }
    }
    for template in catalog.templates() {
        let mut schema = template.schema.source().clone();
        if let Some(object) = schema.as_object_mut() {
            object.remove("$schema");
            object.remove("$defs");
            object.insert("title".into(), json!(template.meta.title));
        }
        rewrite_refs(&mut schema, &|def| def_component(&template.id, def));
        schemas.insert(component_name(&template.id), schema);
    }
    schemas.insert("Error".into(), error_schema());
    schemas.insert("Preview".into(), preview_schema());
    schemas.insert("BatchRequest".into(), batch_schema(&template_ids));

    // A route over `{template}` is described once per template, so each path has the exact
    // schema and a working example of its own body.
    let mut paths = Map::new();
    for route in &ROUTES {
        let method = route.method.as_str().to_ascii_lowercase();
        if route.path.contains("{template}") {
            for template in catalog.templates() {
                let path = route.path.replace("{template}", &template.id);
                let entry = paths.entry(path).or_insert_with(|| json!({}));
                entry[&method] = template_operation(route.path, route.summary, template);
            }
        } else {
            let entry = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
            entry[&method] = operation(route.path, route.summary, catalog);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "vanban",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "JSON to the official documents of a Vietnamese Communist Party cell (chi bộ), as print-and-sign-ready PDFs. Send `Accept-Language: vi` for Vietnamese problem messages.",
        },
        "paths": paths,
        "components": { "schemas": schemas },
    })
}

/// Points every `#/$defs/name` reference at the component `component(name)`.
fn rewrite_refs(node: &mut Value, component: &dyn Fn(&str) -> String) {
    match node {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(name) = target.strip_prefix("#/$defs/")
            {
                *target = format!("#/components/schemas/{}", component(name));
            }
            map.values_mut().for_each(|v| rewrite_refs(v, component));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rewrite_refs(v, component)),
        _ => {}
    }
}

/// `minutes` → `Template_minutes`.
fn component_name(template: &str) -> String {
    format!("Template_{}", template.replace('-', "_"))
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": reference("Error") } } })
}

/// The error statuses every JSON-taking route can answer.
fn client_errors() -> Map<String, Value> {
    [
        ("400", error_response("Malformed JSON: `line` and `column` say where")),
        ("413", error_response("Body or batch too large")),
        ("415", error_response("Not uncompressed `application/json`")),
        ("422", error_response("Schema or consistency problems, each with its JSON pointer in `details`")),
        ("503", error_response("Every render slot busy and the queue full; see `Retry-After`")),
    ]
    .into_iter()
    .map(|(status, response)| (status.to_string(), response))
    .collect()
}

/// One operation on one template: render, preview or blank form.
fn template_operation(route: &str, summary: &str, template: &Template) -> Value {
    let pdf = json!({ "application/pdf": { "schema": { "type": "string", "contentMediaType": "application/pdf" } } });
    let mut responses = Map::new();
    let body_schema;
    match route {
        "/v1/render/{template}" => {
            body_schema = reference(&component_name(&template.id));
            responses.insert("200".into(), json!({
                "description": "The PDF. `X-Vanban-Pages`, `X-Vanban-Warnings` and `X-Vanban-Signature-Fields` describe it.",
                "content": pdf,
            }));
            responses.extend(client_errors());
        }
        "/v1/preview/{template}" => {
            body_schema =
                json!({ "type": "object", "description": "Any part of the document; `{}` is fine." });
            responses.insert("200".into(), json!({
                "description": "The pages as SVG images, missing values as dotted blanks, and every problem: schema problems as errors, consistency problems as warnings.",
                "content": { "application/json": { "schema": reference("Preview") } },
            }));
            responses.extend(client_errors());
            responses.insert(
                "422".into(),
                error_response("The body is not a JSON object (an incomplete document never is a 422)"),
            );
        }
        _ => {
            body_schema = json!({ "type": "object", "description": "What the form shows filled in (header, date, members…); `{}` for a fully blank form." });
            responses.insert("200".into(), json!({
                "description": "The form as a PDF: what was given, and dotted lines for the rest. `X-Vanban-Warnings` lists problems in what was given.",
                "content": pdf,
            }));
            responses.extend(client_errors());
            responses.insert("422".into(), error_response("The body is not a JSON object"));
        }
    }
    responses.insert("504".into(), error_response("The render took longer than the timeout"));
    json!({
        "summary": format!("{summary}: {} ({})", template.id, template.meta.title),
        "operationId": format!("{}_{}", route.trim_start_matches("/v1/").trim_end_matches("/{template}"), template.id.replace('-', "_")),
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": body_schema, "example": template.example } },
        },
        "responses": responses,
    })
}

fn operation(path: &str, summary: &str, catalog: &Catalog) -> Value {
    let templates: Vec<&str> = catalog.templates().map(|t| t.id.as_str()).collect();
    let templates = templates.as_slice();
    let json_ok =
        |description: &str| json!({ "description": description, "content": { "application/json": {} } });
    let mut responses = Map::new();
    let mut op = json!({ "summary": summary });
    match path {
        "/v1/batch" => {
            op["requestBody"] = json!({
                "required": true,
                "content": { "application/json": { "schema": reference("BatchRequest") } },
            });
            responses.insert("200".into(), json!({
                "description": "A zip, streamed: one PDF per item, `manifest.json`, and `all.pdf` when asked for.",
                "content": { "application/zip": { "schema": { "type": "string", "contentMediaType": "application/zip" } } },
            }));
            responses.extend(client_errors());
            responses.insert("404".into(), error_response("Unknown template"));
            let examples: Map<String, Value> = catalog
                .templates()
                .map(|t| (t.id.clone(), json!({ "value": { "template": t.id, "items": [t.example] } })))
                .collect();
            op["requestBody"]["content"]["application/json"]["examples"] = Value::Object(examples);
        }
        "/v1/extract" => {
            op["requestBody"] = json!({
                "required": true,
                "description": "A PDF vanban made with `\"embed_data\": true` (signed or not).",
                "content": { "application/pdf": { "schema": { "type": "string", "contentMediaType": "application/pdf" } } },
            });
            responses.insert("200".into(), json!({
                "description": "The request the PDF carries: render `data` with `template` to make the same PDF again.",
                "content": { "application/json": { "schema": {
                    "type": "object",
                    "required": ["template", "version", "data"],
                    "properties": {
                        "template": { "type": "string", "description": "Template id" },
                        "version": { "type": "string", "description": "vanban version that made the PDF" },
                        "data": { "type": "object", "description": "The normalised request" },
                    },
                } } },
            }));
            responses.insert("413".into(), error_response("PDF too large"));
            responses.insert("415".into(), error_response("Not uncompressed `application/pdf`"));
            responses.insert("422".into(), error_response(
                "`not_a_pdf`, `unreadable_pdf`, `no_embedded_data` (made without embed_data) or `unreadable_embedded_data`",
            ));
            responses.insert(
                "503".into(),
                error_response("Every slot busy and the queue full; see `Retry-After`"),
            );
        }
        "/v1/templates/{id}" => {
            op["parameters"] = json!([{
                "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": templates },
            }]);
            responses.insert(
                "200".into(),
                json_ok("The template: title, description, schema and a complete example"),
            );
            responses.insert("404".into(), error_response("Unknown template"));
        }
        "/readyz" => {
            responses.insert("200".into(), json_ok("Ready"));
            responses.insert("503".into(), json_ok("Draining: shutting down"));
        }
        "/metrics" => {
            responses.insert(
                "200".into(),
                json!({
                    "description": "Prometheus text format",
                    "content": { "text/plain": { "schema": { "type": "string" } } },
                }),
            );
        }
        _ => {
            responses.insert("200".into(), json_ok("OK"));
        }
    }
    op["responses"] = Value::Object(responses);
    op
}

fn issue_schema() -> Value {
    json!({
        "type": "object",
        "required": ["pointer", "code", "message", "severity"],
        "properties": {
            "pointer": { "type": "string", "description": "JSON pointer into the request, e.g. /items/17/vote/for" },
            "code": { "type": "string" },
            "message": { "type": "string", "description": "English, or Vietnamese with `Accept-Language: vi`." },
            "severity": { "enum": ["error", "warning"] },
            "keyword": { "type": "string", "description": "For `schema` problems: the JSON Schema keyword, e.g. required, maxLength." },
            "params": { "type": "object", "additionalProperties": { "type": "string" }, "description": "The keyword's parameters: limit, title (the field's Vietnamese title), type…" },
        },
    })
}

fn preview_schema() -> Value {
    json!({
        "type": "object",
        "required": ["pages", "issues"],
        "properties": {
            "pages": { "type": "array", "items": { "type": "string", "contentMediaType": "image/svg+xml" } },
            "issues": { "type": "array", "items": issue_schema() },
        },
    })
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": { "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": { "type": "string", "examples": ["invalid_document", "malformed_json", "busy"] },
                "message": { "type": "string" },
                "line": { "type": "integer", "description": "Malformed JSON only." },
                "column": { "type": "integer", "description": "Malformed JSON only." },
                "details": { "type": "array", "items": issue_schema() },
            },
        } },
    })
}

/// One alternative per template: its id, and items (and defaults) that are parts of its
/// documents; each item merged over the defaults must be a whole document.
fn batch_schema(templates: &[&str]) -> Value {
    let alternatives: Vec<Value> = templates
        .iter()
        .map(|t| {
            json!({
                "type": "object",
                "required": ["template", "items"],
                "additionalProperties": false,
                "properties": {
                    "template": { "const": t },
                    "defaults": { "type": "object", "description": format!("Deep-merged under every item; a part of a `{t}` document ({}).", format!("#/components/schemas/{}", component_name(t))) },
                    "items": {
                        "type": "array",
                        "items": { "type": "object" },
                        "description": format!("One `{t}` document each: merged over `defaults`, it must match #/components/schemas/{}.", component_name(t)),
                    },
                    "file_name": { "type": "string", "minLength": 1, "description": "Handlebars pattern of each PDF's name; helpers slug and pad." },
                    "merged_pdf": { "type": "boolean", "default": false },
                    "on_error": { "enum": ["fail", "skip"], "default": "fail" },
                },
            })
        })
        .collect();
    json!({ "oneOf": alternatives })
}
