//! `GET /openapi.json`: an OpenAPI 3.1 description generated from the route table the router is
//! built from ([`super::ROUTES`]) and from the loaded templates, whose JSON Schemas (2020-12, the
//! dialect of OpenAPI 3.1) are embedded as components, one per template.

use serde_json::{Map, Value, json};

use super::ROUTES;
use crate::catalog::Catalog;

/// Base of each embedded template schema's `$id`, so its internal `#/$defs/…` references
/// resolve inside the schema, not against the OpenAPI document.
const SCHEMA_ID_BASE: &str = "https://vanban.invalid/schemas/";

/// The whole API description.
pub fn document(catalog: &Catalog) -> Value {
    let template_ids: Vec<&str> = catalog.templates().map(|t| t.id.as_str()).collect();
    let mut schemas = Map::new();
    for template in catalog.templates() {
        let mut schema = template.schema.source().clone();
        if let Some(object) = schema.as_object_mut() {
            object.remove("$schema");
            object.insert("$id".into(), json!(format!("{SCHEMA_ID_BASE}{}.json", template.id)));
            object.insert("title".into(), json!(template.meta.title));
        }
        schemas.insert(component_name(&template.id), schema);
    }
    schemas.insert("Error".into(), error_schema());
    schemas.insert("BatchRequest".into(), batch_schema(&template_ids));

    let mut paths = Map::new();
    for route in &ROUTES {
        let operation = operation(route.path, route.summary, &template_ids);
        let entry = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
        entry[route.method.as_str().to_ascii_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "vanban",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "JSON to the official documents of a Vietnamese Communist Party cell (chi bộ), as print-and-sign-ready PDFs.",
        },
        "paths": paths,
        "components": { "schemas": schemas },
    })
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
fn client_errors() -> Vec<(&'static str, Value)> {
    vec![
        ("400", error_response("Malformed JSON: `line` and `column` say where")),
        ("413", error_response("Body or batch too large")),
        ("415", error_response("Not uncompressed `application/json`")),
        ("422", error_response("Schema or consistency problems, each with its JSON pointer in `details`")),
        ("503", error_response("Every render slot busy and the queue full; see `Retry-After`")),
    ]
}

fn operation(path: &str, summary: &str, templates: &[&str]) -> Value {
    let json_ok =
        |description: &str| json!({ "description": description, "content": { "application/json": {} } });
    let mut responses = Map::new();
    let mut op = json!({ "summary": summary });
    match path {
        "/v1/render/{template}" => {
            op["parameters"] = json!([{
                "name": "template", "in": "path", "required": true,
                "schema": { "type": "string", "enum": templates },
            }]);
            let bodies: Vec<Value> = templates.iter().map(|t| reference(&component_name(t))).collect();
            op["requestBody"] = json!({
                "required": true,
                "description": "The document, in the schema of the template named in the path.",
                "content": { "application/json": { "schema": { "oneOf": bodies } } },
            });
            responses.insert("200".into(), json!({
                "description": "The PDF. `X-Vanban-Pages`, `X-Vanban-Warnings` and `X-Vanban-Signature-Fields` describe it.",
                "content": { "application/pdf": { "schema": { "type": "string", "contentMediaType": "application/pdf" } } },
            }));
            responses.extend(client_errors().into_iter().map(|(k, v)| (k.to_string(), v)));
            responses.insert("404".into(), error_response("Unknown template"));
            responses.insert("504".into(), error_response("The render took longer than the timeout"));
        }
        "/v1/batch" => {
            let sheet =
                json!({ "schema": { "type": "string", "contentMediaType": "application/octet-stream" } });
            op["requestBody"] = json!({
                "required": true,
                "description": "A batch request, or a ward office's workbook (XLSX, ODS) or items sheet (CSV; name the template with `template`).",
                "content": {
                    "application/json": { "schema": reference("BatchRequest") },
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": sheet,
                    "application/vnd.oasis.opendocument.spreadsheet": sheet,
                    "text/csv": sheet,
                },
            });
            op["parameters"] = json!([
                { "name": "dry_run", "in": "query", "schema": { "type": "boolean", "default": false },
                  "description": "Check everything, render nothing: 200 with every problem, located by JSON pointer and, for spreadsheets, sheet, row and column." },
                { "name": "template", "in": "query", "schema": { "type": "string", "enum": templates },
                  "description": "Template of a CSV upload." },
                { "name": "convert_legacy", "in": "query", "schema": { "type": "boolean", "default": false },
                  "description": "Use the Unicode conversion of text detected as TCVN3 or VNI." },
            ]);
            responses.insert("200".into(), json!({
                "description": "A zip, streamed: one PDF per item, `manifest.json`, and `all.pdf` when asked for.",
                "content": { "application/zip": { "schema": { "type": "string", "contentMediaType": "application/zip" } } },
            }));
            responses.extend(client_errors().into_iter().map(|(k, v)| (k.to_string(), v)));
            responses.insert("404".into(), error_response("Unknown template"));
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
        "/v1/templates/{id}/workbook" | "/v1/workbook" => {
            if path == "/v1/workbook" {
                op["requestBody"] = json!({
                    "required": true,
                    "content": { "application/json": { "schema": reference("BatchRequest") } },
                });
                responses.extend(client_errors().into_iter().map(|(k, v)| (k.to_string(), v)));
            } else {
                op["parameters"] = json!([{
                    "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": templates },
                }]);
            }
            responses.insert("200".into(), json!({
                "description": "The workbook: Hướng dẫn, Chung (defaults), Chi bộ (one item per row, JSON pointers in hidden row 2), a sheet per list of objects.",
                "content": { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                    "schema": { "type": "string", "contentMediaType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" } } },
            }));
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
                "details": { "type": "array", "items": {
                    "type": "object",
                    "properties": {
                        "pointer": { "type": "string", "description": "JSON pointer into the request, e.g. /items/17/vote/for" },
                        "code": { "type": "string" },
                        "message": { "type": "string" },
                        "severity": { "enum": ["error", "warning"] },
                        "location": {
                            "type": "object",
                            "description": "Spreadsheet uploads only: the cell, as the spreadsheet shows it.",
                            "properties": {
                                "sheet": { "type": "string" },
                                "row": { "type": "integer", "minimum": 1 },
                                "column": { "type": "string", "examples": ["K"] },
                            },
                        },
                    },
                } },
            },
        } },
    })
}

fn batch_schema(templates: &[&str]) -> Value {
    json!({
        "type": "object",
        "required": ["template", "items"],
        "additionalProperties": false,
        "properties": {
            "template": { "type": "string", "enum": templates },
            "defaults": { "type": "object", "description": "Deep-merged under every item." },
            "items": { "type": "array", "items": { "type": "object" }, "description": "One document each, in the template's schema once merged." },
            "file_name": { "type": "string", "description": "Handlebars pattern of each PDF's name; helpers slug and pad." },
            "merged_pdf": { "type": "boolean", "default": false },
            "on_error": { "enum": ["fail", "skip"], "default": "fail" },
        },
    })
}
