//! The one table of routes: each path is written once, and the router and `/openapi.json` are
//! both built from it.

use axum::Json;
use axum::Router;
use axum::http::Method;
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::json;

use super::{AppState, batches, documents, spreadsheets, status, templates};

/// What a route does; the router picks its handler and `/openapi.json` its description by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// One document as a PDF.
    Render,
    /// SVG pages and problems of any part of a document.
    Preview,
    /// A form to fill by hand, as a PDF.
    BlankForm,
    /// Many documents of one template as a zip.
    Batch,
    /// A JSON batch written into its workbook.
    BatchWorkbook,
    /// The request a PDF carries.
    Extract,
    /// The list of templates.
    Templates,
    /// One template's schema and example.
    Template,
    /// One template's blank workbook.
    TemplateWorkbook,
    /// Liveness.
    Health,
    /// Readiness.
    Readiness,
    /// Prometheus metrics.
    Metrics,
    /// The OpenAPI document.
    OpenApi,
}

impl Endpoint {
    /// Whether the route takes a `{template}` and is described once per template.
    pub fn is_per_template(self) -> bool {
        matches!(self, Endpoint::Render | Endpoint::Preview | Endpoint::BlankForm)
    }
}

/// A route: what the router serves and what `/openapi.json` documents come from this one list.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path, with `{parameters}`.
    pub path: &'static str,
    /// One-line summary for the API description.
    pub summary: &'static str,
    /// What it does.
    pub endpoint: Endpoint,
}

const fn route(method: Method, path: &'static str, endpoint: Endpoint, summary: &'static str) -> Route {
    Route { method, path, summary, endpoint }
}

/// Every route the service serves.
pub const ROUTES: [Route; 13] = [
    route(Method::POST, "/v1/render/{template}", Endpoint::Render, "Render one document to PDF"),
    route(
        Method::POST,
        "/v1/preview/{template}",
        Endpoint::Preview,
        "Preview any part of a document: SVG pages and every problem, never a 422",
    ),
    route(
        Method::POST,
        "/v1/blank/{template}",
        Endpoint::BlankForm,
        "A blank form to fill by hand: what is given, and dotted lines for the rest (PDF)",
    ),
    route(
        Method::POST,
        "/v1/batch",
        Endpoint::Batch,
        "Render many documents of one template to a zip (from JSON, XLSX, ODS or CSV)",
    ),
    route(
        Method::POST,
        "/v1/workbook",
        Endpoint::BatchWorkbook,
        "Write a JSON batch into its template's workbook (XLSX)",
    ),
    route(
        Method::POST,
        "/v1/extract",
        Endpoint::Extract,
        "Give back the request a PDF made with embed_data carries",
    ),
    route(Method::GET, "/v1/templates", Endpoint::Templates, "List the templates"),
    route(Method::GET, "/v1/templates/{id}", Endpoint::Template, "Describe a template: schema and example"),
    route(
        Method::GET,
        "/v1/templates/{id}/workbook",
        Endpoint::TemplateWorkbook,
        "The template's blank workbook (XLSX) for batches",
    ),
    route(Method::GET, "/healthz", Endpoint::Health, "Liveness: the process answers"),
    route(Method::GET, "/readyz", Endpoint::Readiness, "Readiness: templates and fonts loaded, not draining"),
    route(Method::GET, "/metrics", Endpoint::Metrics, "Prometheus metrics"),
    route(Method::GET, "/openapi.json", Endpoint::OpenApi, "This API, as OpenAPI 3.1"),
];

/// The API's routes, from [`ROUTES`].
pub(super) fn router() -> Router<AppState> {
    ROUTES.iter().fold(Router::new(), |router, route| router.route(route.path, route.handler()))
}

impl Route {
    fn handler(&self) -> MethodRouter<AppState> {
        let method = MethodFilter::try_from(self.method.clone())
            .unwrap_or_else(|_| unreachable!("{} is a method axum routes", self.method));
        match self.endpoint {
            Endpoint::Render => on(method, documents::render),
            Endpoint::Preview => on(method, documents::preview),
            Endpoint::BlankForm => on(method, documents::blank_form),
            Endpoint::Batch => on(method, batches::render_batch),
            Endpoint::BatchWorkbook => on(method, spreadsheets::batch_workbook),
            Endpoint::Extract => on(method, documents::extract),
            Endpoint::Templates => on(method, templates::list_templates),
            Endpoint::Template => on(method, templates::show_template),
            Endpoint::TemplateWorkbook => on(method, spreadsheets::template_workbook),
            Endpoint::Health => on(method, || async { Json(json!({ "status": "ok" })) }),
            Endpoint::Readiness => on(method, status::readiness),
            Endpoint::Metrics => on(method, status::metrics_text),
            Endpoint::OpenApi => on(method, status::openapi_json),
        }
    }
}
