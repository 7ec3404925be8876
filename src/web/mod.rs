//! The web app for cell secretaries: guided forms in Vietnamese, a live preview, and the PDF —
//! no JSON in sight. A thin door over [`Engine`], like `http` and `cli`.
//!
//! Pages are rendered on the server ([`page`], maud); the forms come from each template's JSON
//! Schema ([`shape`]) and its layout file `form.json` ([`layout`]); a submitted form turns back
//! into the JSON document mechanically because every field is named by its JSON Pointer
//! ([`form_data`]). Everything works without JavaScript: adding a list item, the "all in
//! favour" shortcut, checking, downloading are form submissions. The one script
//! (`assets/app.js`, compiled in) only makes it live: preview, autosave, opening files.
//! Nothing is stored on the server.

pub mod form_data;
pub mod layout;
pub mod next_month;
pub mod page;
pub mod shape;
pub mod ward;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use crate::catalog::Template;
use crate::{Engine, Error, Issue};
use layout::Layout;
use shape::{Kind, Shape};

/// Path of the stylesheet.
pub const ASSET_CSS: &str = "/assets/app.css";
/// Path of the script.
pub const ASSET_JS: &str = "/assets/app.js";

const APP_CSS: &str = include_str!("assets/app.css");
const APP_JS: &str = include_str!("assets/app.js");

/// Scripts and styles only from this server, no inline script or style, images from this server
/// or from the preview's blob URLs; fetches only to this server; never framed.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// One template's form: its data shape and layout.
struct Form {
    shape: Shape,
    layout: Layout,
}

struct Web {
    engine: Arc<Engine>,
    forms: BTreeMap<String, Form>,
    /// The server's configured bound on a batch's cells, for the ward office's page.
    max_batch_items: usize,
}

impl Web {
    fn template(&self, id: &str) -> Option<(&Template, &Form)> {
        Some((self.engine.catalog().get(id).ok()?, self.forms.get(id)?))
    }
}

/// The forms of every template that has a layout file (`form.json`); templates without one
/// (a user's own folder) are served by the API only.
fn forms(engine: &Engine) -> BTreeMap<String, Form> {
    let catalog = engine.catalog();
    catalog
        .templates()
        .filter_map(|t| {
            let layout = Layout::of_template(catalog, &t.id);
            let shape = Shape::of_template(catalog, &t.id);
            match (shape, layout) {
                (Ok(shape), Ok(layout)) => Some((t.id.clone(), Form { shape, layout })),
                (Err(error), _) | (_, Err(error)) => {
                    tracing::info!(template = %t.id, %error, "no web form for this template");
                    None
                }
            }
        })
        .collect()
}

/// The web app's routes, to be merged into the API router; `max_batch_items` bounds the ward
/// office's batches as the API's `--max-batch-items` bounds `POST /v1/batch`.
pub fn router<S: Clone + Send + Sync + 'static>(engine: Arc<Engine>, max_batch_items: usize) -> Router<S> {
    let web = Arc::new(Web { forms: forms(&engine), engine, max_batch_items });
    Router::new()
        .route("/", get(home))
        .route("/forms/{template}", get(blank_form).post(submit))
        .route("/forms/{template}/data", axum::routing::post(form_to_json))
        .merge(ward::routes())
        .route(ASSET_CSS, get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route(ASSET_JS, get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .layer(middleware::from_fn(security_headers))
        .with_state(web)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

async fn security_headers(request: axum::extract::Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn html(status: StatusCode, markup: maud::Markup) -> Response {
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], markup.into_string()).into_response()
}

async fn home(State(web): State<Arc<Web>>) -> Response {
    let templates: Vec<&Template> =
        web.engine.catalog().templates().filter(|t| web.forms.contains_key(&t.id)).collect();
    html(StatusCode::OK, page::home(&templates))
}

async fn blank_form(State(web): State<Arc<Web>>, Path(id): Path<String>) -> Response {
    let Some((template, form)) = web.template(&id) else {
        return html(StatusCode::NOT_FOUND, page::not_found());
    };
    html(StatusCode::OK, form_page(template, form, &json!({}), &[], None))
}

fn form_page(
    template: &Template,
    form: &Form,
    data: &Value,
    issues: &[Issue],
    notice: Option<&str>,
) -> maud::Markup {
    page::form(&page::FormPage { template, shape: &form.shape, layout: &form.layout, data, issues, notice })
}

/// `POST /forms/{template}/data`: the JSON document of a submitted form (the script's preview,
/// autosave and save file).
async fn form_to_json(State(web): State<Arc<Web>>, Path(id): Path<String>, body: Bytes) -> Response {
    let Some((_, form)) = web.template(&id) else {
        return html(StatusCode::NOT_FOUND, page::not_found());
    };
    let pairs = form_data::parse_pairs(&body);
    axum::Json(form_data::to_json(&form.shape, &form.layout, &pairs)).into_response()
}

/// What a submit button asks for.
enum Action {
    /// Show the form again with every problem.
    Check,
    /// Download the PDF (only a valid document).
    Pdf,
    /// Download the blank form with the roster.
    Blank,
    /// Start this month's document from this one.
    NextMonth,
    /// Add an item to the list at this pointer.
    Add(String),
    /// Remove the list item at this pointer.
    Remove(String),
    /// Fill the vote at this pointer with everyone present in favour.
    AllFor(String),
}

impl Action {
    fn parse(text: Option<&str>) -> Action {
        match text.unwrap_or("check") {
            "pdf" => Action::Pdf,
            "blank" => Action::Blank,
            "next_month" => Action::NextMonth,
            other => match other.split_once(':') {
                Some(("add", pointer)) => Action::Add(pointer.into()),
                Some(("remove", pointer)) => Action::Remove(pointer.into()),
                Some(("all_for", pointer)) => Action::AllFor(pointer.into()),
                _ => Action::Check,
            },
        }
    }
}

/// `POST /forms/{template}`: a submitted form (urlencoded, with the button in `_action`), or a
/// document to fill the form with (JSON: the script opening a file or restoring a draft).
async fn submit(
    State(web): State<Arc<Web>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some((template, form)) = web.template(&id) else {
        return html(StatusCode::NOT_FOUND, page::not_found());
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    if is_json {
        return match crate::input::parse(&body) {
            Ok(value) => {
                let data =
                    value.get("data").filter(|_| value.get("template").is_some()).cloned().unwrap_or(value);
                // The script says what it opened (a draft or a file) and when it was saved.
                html(StatusCode::OK, form_page(template, form, &data, &[], None))
            }
            Err(error) => {
                let issue = Issue::error("", "malformed_json", error.to_string());
                html(StatusCode::BAD_REQUEST, form_page(template, form, &json!({}), &[issue], None))
            }
        };
    }
    let pairs = form_data::parse_pairs(&body);
    let action =
        Action::parse(pairs.iter().rev().find(|(name, _)| name == "_action").map(|(_, v)| v.as_str()));
    let mut data = form_data::to_json(&form.shape, &form.layout, &pairs);
    let notice = match action {
        Action::Check => {
            let issues = check(&web.engine, template, &data);
            let notice = issues.is_empty().then_some("Không còn chỗ nào cần sửa. Có thể tải PDF.");
            let status = if issues.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            return html(status, form_page(template, form, &data, &issues, notice));
        }
        Action::Pdf => return download(&web, template, form, data, false).await,
        Action::Blank => return download(&web, template, form, data, true).await,
        Action::NextMonth => {
            data = next_month::next_month(data);
            "Đã tạo bản tháng này từ tháng trước: kiểm tra ngày họp, điểm danh và nội dung mới."
        }
        Action::Add(pointer) => {
            add_item(&form.shape, &mut data, &pointer);
            "Đã thêm một mục."
        }
        Action::Remove(pointer) => {
            remove_item(&mut data, &pointer);
            "Đã xóa một mục."
        }
        Action::AllFor(pointer) => {
            all_for(&mut data, &pointer);
            "Đã điền: tất cả tán thành."
        }
    };
    html(StatusCode::OK, form_page(template, form, &data, &[], Some(notice)))
}

/// Every problem of the document, in Vietnamese where a phrasing exists.
fn check(engine: &Engine, template: &Template, data: &Value) -> Vec<Issue> {
    match engine.resolve(&template.id, data.to_string().as_bytes()) {
        Ok(_) => Vec::new(),
        Err(Error::Invalid(mut issues)) => {
            localize(&mut issues);
            issues
        }
        Err(other) => vec![Issue::error("", "internal", other.to_string())],
    }
}

/// Phrases issues in Vietnamese. The one place the web app meets the message catalogue.
fn localize(issues: &mut [Issue]) {
    crate::messages::localize(issues, crate::messages::Language::Vietnamese);
}

/// The PDF as the API renders it, with the document attached when the engine can carry it, or
/// the form again with every problem.
async fn download(
    web: &Arc<Web>,
    template: &Template,
    form: &Form,
    mut data: Value,
    blank: bool,
) -> Response {
    if !blank && form.shape.at(&["embed_data"]).is_some() {
        data["embed_data"] = Value::Bool(true);
    }
    let body = if blank { standing_data(&form.layout, &data) } else { data.clone() }.to_string();
    let engine = web.engine.clone();
    let id = template.id.clone();
    let rendered = tokio::task::spawn_blocking(move || {
        if blank { blank_pdf(&engine, &id, body.as_bytes()) } else { engine.render(&id, body.as_bytes()) }
    })
    .await;
    match rendered {
        Ok(Ok(rendered)) => {
            let disposition =
                crate::file_names::content_disposition(&rendered.file_name, &rendered.display_name);
            let mut response = rendered.pdf.into_response();
            response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
            if let Ok(value) = HeaderValue::from_str(&disposition) {
                response.headers_mut().insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        Ok(Err(Error::Invalid(mut issues))) => {
            localize(&mut issues);
            if let Some(map) = data.as_object_mut() {
                map.remove("embed_data");
            }
            html(StatusCode::UNPROCESSABLE_ENTITY, form_page(template, form, &data, &issues, None))
        }
        Ok(Err(error)) => {
            tracing::error!(%error, "web download failed");
            let issue = Issue::error("", "internal", "Không tạo được tệp PDF. Xin thử lại sau.");
            html(StatusCode::INTERNAL_SERVER_ERROR, form_page(template, form, &data, &[issue], None))
        }
        Err(_) => html(StatusCode::INTERNAL_SERVER_ERROR, page::not_found()),
    }
}

/// What a paper form to fill by hand is printed with: the cell (`issuer`), its roster
/// (`members`) and the hidden settings; this meeting's answers stay blank.
fn standing_data(layout: &Layout, data: &Value) -> Value {
    let Some(fields) = data.as_object() else { return json!({}) };
    let standing = |name: &str| {
        name == "issuer" || name == "members" || layout.hidden.iter().any(|p| p == &format!("/{name}"))
    };
    let mut standing_data: serde_json::Map<String, Value> =
        fields.iter().filter(|(name, _)| standing(name)).map(|(k, v)| (k.clone(), v.clone())).collect();
    // A dues roster carries last month's payments: on the paper form they are what is collected.
    if let Some(Value::Array(members)) = standing_data.get_mut("members") {
        for member in members.iter_mut().filter_map(Value::as_object_mut) {
            for payment in MEMBER_PAYMENT_FIELDS {
                member.remove(payment);
            }
        }
    }
    Value::Object(standing_data)
}

/// What a dues roster holds of one month's payment (not of the member).
const MEMBER_PAYMENT_FIELDS: [&str; 3] = ["paid_amount", "channel", "note"];

/// The blank form of a template with what is known (the roster). The one place the web app
/// meets the blank-form engine.
fn blank_pdf(engine: &Engine, template: &str, body: &[u8]) -> crate::Result<crate::Rendered> {
    engine.blank_form(template, body)
}

/// Appends an empty item to the list at `pointer`; a new member gets the next free id.
fn add_item(shape: &Shape, data: &mut Value, pointer: &str) {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    let Some(Kind::List(item)) = shape.at(&tokens).map(|s| &s.kind) else { return };
    let mut new_item = match item.kind {
        Kind::Object(_) => json!({}),
        _ => Value::String(String::new()),
    };
    if pointer == "/members" {
        new_item["member_id"] = Value::String(next_member_id(data));
    }
    if let Some(list) = ensure_list(data, &tokens) {
        list.push(new_item);
    }
}

fn ensure_list<'a>(data: &'a mut Value, tokens: &[&str]) -> Option<&'a mut Vec<Value>> {
    let mut at = data;
    for (n, token) in tokens.iter().enumerate() {
        let is_last = n + 1 == tokens.len();
        at = match at {
            Value::Object(map) => {
                map.entry(token.to_string()).or_insert_with(|| if is_last { json!([]) } else { json!({}) })
            }
            Value::Array(items) => items.get_mut(token.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    at.as_array_mut()
}

/// `DV-0021` after `DV-0020`: one more than the largest number among the ids.
fn next_member_id(data: &Value) -> String {
    let largest = data
        .get("members")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.get("member_id")?.as_str())
        .filter_map(|id| id.rsplit(|c: char| !c.is_ascii_digit()).next()?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    format!("DV-{:04}", largest + 1)
}

fn remove_item(data: &mut Value, pointer: &str) {
    let Some((parent, index)) = pointer.rsplit_once('/') else { return };
    if let (Some(Value::Array(items)), Ok(index)) = (data.pointer_mut(parent), index.parse::<usize>())
        && index < items.len()
    {
        items.remove(index);
    }
}

/// Everyone who may vote is in favour: the declared voters present, else the official members
/// marked present (probationary members do not vote, Điều lệ Đảng), else the official members.
fn all_for(data: &mut Value, pointer: &str) {
    let official = |id: &Value| {
        data.get("members").and_then(Value::as_array).is_some_and(|members| {
            members.iter().any(|m| m.get("member_id") == Some(id) && m.get("status") != Some(&json!("du_bi")))
        })
    };
    let present = data
        .pointer(&format!("{pointer}/voters_present"))
        .and_then(Value::as_u64)
        .or_else(|| {
            let attendance = data.get("attendance")?.as_array()?;
            let voters = attendance
                .iter()
                .filter(|a| a.get("present") == Some(&Value::Bool(true)))
                .filter(|a| a.get("member_id").is_some_and(official))
                .count();
            Some(voters as u64)
        })
        .filter(|n| *n > 0)
        .or_else(|| {
            let members = data.get("members")?.as_array()?;
            Some(members.iter().filter(|m| m.get("status") != Some(&json!("du_bi"))).count() as u64)
        })
        .unwrap_or(0);
    if let Some(vote) = data.pointer_mut(pointer).and_then(Value::as_object_mut) {
        vote.insert("for".into(), Value::from(present));
        vote.insert("against".into(), Value::from(0));
        vote.insert("abstain".into(), Value::from(0));
    }
}
