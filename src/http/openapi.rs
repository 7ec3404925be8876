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

use super::batch_request;
use super::routes::{Endpoint, ROUTES, Route};
use crate::catalog::{Catalog, Template};

/// The whole API description; `batch` and `workbook` are the served request schemas of
/// [`super::batch_request`].
pub fn document(catalog: &Catalog, batch: &Value, workbook: &Value) -> Value {
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
    schemas.insert("DryRun".into(), dry_run_schema());
    // The request schemas' own definitions: a template's complete ones are the components
    // above; its partial ones (items and defaults) become `Partial_…` components.
    let batch_component = |def: &str| match def.split_once('.') {
        Some((template, batch_request::PARTIAL)) => format!("Partial_{}", component_name(template)),
        Some((template, rest)) => {
            match rest.strip_prefix(batch_request::PARTIAL).and_then(|r| r.strip_prefix('.')) {
                Some(name) => format!("Partial_{}_{name}", component_name(template)),
                None => def_component(template, rest),
            }
        }
        None => def.to_string(),
    };
    for (name, request) in [("BatchRequest", batch), ("WorkbookRequest", workbook)] {
        let mut request = request.clone();
        let defs = request.as_object_mut().and_then(|o| o.remove("$defs"));
        for (def, mut definition) in
            defs.as_ref().and_then(Value::as_object).into_iter().flatten().map(|(k, v)| (k, v.clone()))
        {
            if def.contains(&format!(".{}", batch_request::PARTIAL)) {
                rewrite_refs(&mut definition, &batch_component);
                schemas.insert(batch_component(def), definition);
            }
        }
        if let Some(object) = request.as_object_mut() {
            object.remove("$schema");
        }
        rewrite_refs(&mut request, &batch_component);
        schemas.insert(name.into(), request);
    }

    // A route over `{template}` is described once per template, so each path has the exact
    // schema and a working example of its own body.
    let mut paths = Map::new();
    for route in &ROUTES {
        let method = route.method.as_str().to_ascii_lowercase();
        if route.endpoint.is_per_template() {
            for template in catalog.templates() {
                let path = route.path.replace("{template}", &template.id);
                let entry = paths.entry(path).or_insert_with(|| json!({}));
                entry[&method] = template_operation(route, template);
            }
        } else {
            let entry = paths.entry(route.path.to_string()).or_insert_with(|| json!({}));
            entry[&method] = operation(route, catalog);
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
fn template_operation(route: &Route, template: &Template) -> Value {
    let pdf = json!({ "application/pdf": { "schema": { "type": "string", "contentMediaType": "application/pdf" } } });
    let mut responses = Map::new();
    let body_schema;
    match route.endpoint {
        Endpoint::Render => {
            body_schema = reference(&component_name(&template.id));
            responses.insert("200".into(), json!({
                "description": "The PDF. `X-Vanban-Pages`, `X-Vanban-Warnings` and `X-Vanban-Signature-Fields` describe it.",
                "content": pdf,
            }));
            responses.extend(client_errors());
        }
        Endpoint::Preview => {
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
        Endpoint::BlankForm => {
            body_schema = json!({ "type": "object", "description": "What the form shows filled in (header, date, members…); `{}` for a fully blank form." });
            responses.insert("200".into(), json!({
                "description": "The form as a PDF: what was given, and dotted lines for the rest. `X-Vanban-Warnings` lists problems in what was given.",
                "content": pdf,
            }));
            responses.extend(client_errors());
            responses.insert("422".into(), error_response("The body is not a JSON object"));
        }
        other => unreachable!("{other:?} is not a route over {{template}}"),
    }
    responses.insert("504".into(), error_response("The render took longer than the timeout"));
    json!({
        "summary": format!("{}: {} ({})", route.summary, template.id, template.meta.title),
        "operationId": format!("{}_{}", route.path.trim_start_matches("/v1/").trim_end_matches("/{template}"), template.id.replace('-', "_")),
        "requestBody": {
            "required": true,
            "content": { "application/json": { "schema": body_schema, "example": template.example } },
        },
        "responses": responses,
    })
}

fn operation(route: &Route, catalog: &Catalog) -> Value {
    let templates: Vec<&str> = catalog.templates().map(|t| t.id.as_str()).collect();
    let templates = templates.as_slice();
    let json_ok =
        |description: &str| json!({ "description": description, "content": { "application/json": {} } });
    let mut responses = Map::new();
    let mut op = json!({ "summary": route.summary });
    match route.endpoint {
        Endpoint::Batch => {
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
                "description": "A zip, streamed: one PDF per item, `manifest.json`, and `all.pdf` when asked for; with `dry_run=true`, the report of every problem instead (JSON).",
                "content": {
                    "application/zip": { "schema": { "type": "string", "contentMediaType": "application/zip" } },
                    "application/json": { "schema": reference("DryRun") },
                },
            }));
            responses.extend(client_errors());
            responses.insert("404".into(), error_response("Unknown template"));
            let examples: Map<String, Value> = catalog
                .templates()
                .map(|t| (t.id.clone(), json!({ "value": { "template": t.id, "items": [t.example] } })))
                .collect();
            op["requestBody"]["content"]["application/json"]["examples"] = Value::Object(examples);
        }
        Endpoint::Extract => {
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
        Endpoint::Template => {
            op["parameters"] = json!([{
                "name": "id", "in": "path", "required": true, "schema": { "type": "string", "enum": templates },
            }]);
            responses.insert(
                "200".into(),
                json_ok("The template: title, description, schema and a complete example"),
            );
            responses.insert("404".into(), error_response("Unknown template"));
        }
        Endpoint::TemplateWorkbook | Endpoint::BatchWorkbook => {
            if route.endpoint == Endpoint::BatchWorkbook {
                op["requestBody"] = json!({
                    "required": true,
                    "description": "A batch request; `items` may be left out for a workbook of defaults only.",
                    "content": { "application/json": { "schema": reference("WorkbookRequest") } },
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
        Endpoint::Readiness => {
            responses.insert("200".into(), json_ok("Ready"));
            responses.insert("503".into(), json_ok("Draining: shutting down"));
        }
        Endpoint::Metrics => {
            responses.insert(
                "200".into(),
                json!({
                    "description": "Prometheus text format",
                    "content": { "text/plain": { "schema": { "type": "string" } } },
                }),
            );
        }
        Endpoint::Templates | Endpoint::Health | Endpoint::OpenApi => {
            responses.insert("200".into(), json_ok("OK"));
        }
        Endpoint::Render | Endpoint::Preview | Endpoint::BlankForm => {
            unreachable!("{:?} is described per template", route.endpoint)
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
            "location": {
                "type": "object",
                "description": "Spreadsheet uploads only: the cell, as the spreadsheet shows it.",
                "required": ["sheet", "row", "column"],
                "properties": {
                    "sheet": { "type": "string" },
                    "row": { "type": "integer", "minimum": 1 },
                    "column": { "type": "string", "examples": ["K"] },
                },
            },
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

/// `POST /v1/batch?dry_run=true`: what a batch would give, item by item.
fn dry_run_schema() -> Value {
    json!({
        "type": "object",
        "required": ["ok", "template", "items", "rows", "problems"],
        "properties": {
            "ok": { "type": "boolean", "description": "No errors: the batch would render every item." },
            "template": { "type": "string" },
            "items": { "type": "integer", "minimum": 0 },
            "rows": { "type": "array", "items": {
                "type": "object",
                "required": ["index", "errors", "warnings"],
                "properties": {
                    "index": { "type": "integer", "minimum": 0 },
                    "location": { "type": "object", "description": "Spreadsheet uploads: the item's row." },
                    "errors": { "type": "integer", "minimum": 0 },
                    "warnings": { "type": "integer", "minimum": 0 },
                },
            } },
            "problems": { "type": "array", "items": issue_schema() },
        },
    })
}
