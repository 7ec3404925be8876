//! The secretaries' web app through the router, without a browser: pages, the form ↔ JSON
//! round trip, the no-JavaScript actions, escaping and the security headers.

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use vanban::http::HttpConfig;
use vanban::web::layout::Layout;
use vanban::web::shape::Shape;

use crate::util::{self, Pdf, TEMPLATES, engine};

async fn send(request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    util::send(&HttpConfig::default(), request).await
}

async fn get(path: &str) -> (StatusCode, HeaderMap, String) {
    let (status, headers, body) = send(Request::get(path).body(Body::empty()).unwrap()).await;
    (status, headers, String::from_utf8(body).expect("UTF-8 page"))
}

async fn post(path: &str, content_type: &str, body: impl Into<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    send(Request::post(path).header(header::CONTENT_TYPE, content_type).body(body.into()).unwrap()).await
}

/// The form page filled with `data`, as the script gets it when it opens a file.
async fn filled_form(template: &str, data: &Value) -> String {
    let (status, _, body) = post(&format!("/forms/{template}"), "application/json", data.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{template}");
    String::from_utf8(body).unwrap()
}

fn example(template: &str) -> Value {
    engine().catalog().get(template).expect("bundled template").example.clone()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let end = start + tag[start..].find('"')?;
    Some(unescape(&tag[start..end]))
}

fn has_flag(tag: &str, name: &str) -> bool {
    tag.split(|c: char| c.is_whitespace() || c == '>').any(|word| word == name)
}

/// What a browser submits for the form in `html`, in document order (HTML's "constructing the
/// entry list"): text and hidden inputs, ticked boxes and radios, the chosen option of each
/// select (else its first), every textarea. Buttons are left out.
fn submitted_fields(html: &str) -> Vec<(String, String)> {
    let form = &html[html.find("<form").expect("a form")..html.find("</form>").expect("form ends")];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag_end = rest.find('>').expect("tag ends") + 1;
        let tag = &rest[..tag_end];
        if tag.starts_with("<input") {
            let kind = attribute(tag, "type").unwrap_or_else(|| "text".into());
            let checkable = kind == "checkbox" || kind == "radio";
            if let Some(name) = attribute(tag, "name")
                && kind != "file"
                && (!checkable || has_flag(tag, "checked"))
            {
                let value = attribute(tag, "value")
                    .unwrap_or_else(|| if checkable { "on".into() } else { String::new() });
                fields.push((name, value));
            }
        } else if tag.starts_with("<textarea") {
            let close = rest.find("</textarea>").expect("textarea ends");
            if let Some(name) = attribute(tag, "name") {
                fields.push((name, unescape(&rest[tag_end..close])));
            }
        } else if tag.starts_with("<select") {
            let close = rest.find("</select>").expect("select ends");
            let options: Vec<&str> = rest[tag_end..close].split("<option").skip(1).collect();
            let chosen =
                options.iter().find(|o| has_flag(&o[..o.find('>').unwrap()], "selected")).or(options.first());
            if let (Some(name), Some(option)) = (attribute(tag, "name"), chosen) {
                let open = &option[..option.find('>').unwrap()];
                fields.push((name, attribute(open, "value").unwrap_or_default()));
            }
        }
        rest = &rest[tag_end..];
    }
    fields
}

fn urlencoded(fields: &[(String, String)]) -> String {
    fields
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, NON_ALPHANUMERIC),
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

async fn form_json(template: &str, fields: &[(String, String)]) -> Value {
    let (status, _, body) =
        post(&format!("/forms/{template}/data"), "application/x-www-form-urlencoded", urlencoded(fields))
            .await;
    assert_eq!(status, StatusCode::OK);
    serde_json::from_slice(&body).expect("JSON document")
}

fn with_action(mut fields: Vec<(String, String)>, action: &str) -> String {
    fields.push(("_action".into(), action.into()));
    urlencoded(&fields)
}

/// `data` filled into `template`'s form, submitted back without JavaScript with `action`: the
/// answer's headers and body, after checking it is a 200.
async fn submitted_with(template: &str, data: &Value, action: &str) -> (HeaderMap, Vec<u8>) {
    let fields = submitted_fields(&filled_form(template, data).await);
    let (status, headers, body) =
        post(&format!("/forms/{template}"), "application/x-www-form-urlencoded", with_action(fields, action))
            .await;
    assert_eq!(status, StatusCode::OK, "{template}, {action}");
    (headers, body)
}

#[tokio::test]
async fn home_lists_every_form_in_vietnamese() {
    let (status, headers, page) = get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    assert!(page.contains("<html lang=\"vi\">"));
    for template in TEMPLATES {
        assert!(page.contains(&format!("href=\"/forms/{template}\"")), "{template}");
    }
    assert!(page.contains("type=\"file\""), "a saved file or PDF can be opened");
}

#[tokio::test]
async fn every_form_page_has_its_steps_pointer_names_and_a_strict_csp() {
    for template in TEMPLATES {
        let (status, headers, page) = get(&format!("/forms/{template}")).await;
        assert_eq!(status, StatusCode::OK, "{template}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
        assert!(csp.contains("default-src 'none'") && csp.contains("style-src 'self'"), "{csp}");
        assert!(!page.contains("<script>") && !page.contains(" style=") && !page.contains(" onclick="));
        let layout = Layout::of_template(engine().catalog(), template).unwrap();
        for step in &layout.steps {
            assert!(page.contains(&format!("id=\"step-{}\"", step.id)), "{template}: step {}", step.id);
        }
        assert!(page.contains("id=\"step-review\"") && page.contains("value=\"pdf\""));
        // Filled with its example, every field is named by a pointer into the document.
        let filled = filled_form(template, &example(template)).await;
        for (name, _) in submitted_fields(&filled) {
            assert!(name.starts_with('/'), "{template}: field {name}");
        }
    }
}

#[tokio::test]
async fn every_schema_property_is_placed_in_a_step_or_hidden() {
    for template in TEMPLATES {
        let engine = engine();
        let catalog = engine.catalog();
        let shape = Shape::of_template(catalog, template).unwrap();
        let layout = Layout::of_template(catalog, template).unwrap();
        assert_eq!(layout.unplaced(&shape), Vec::<String>::new(), "{template}: fields in no step");
        assert_eq!(layout.unknown(&shape), Vec::<String>::new(), "{template}: layout names unknown fields");
        assert_eq!(
            layout.unnamed_choices(&shape),
            Vec::<String>::new(),
            "{template}: choices without a Vietnamese name"
        );
    }
}

#[tokio::test]
async fn a_submitted_form_is_exactly_its_example() {
    for template in TEMPLATES {
        let example = example(template);
        let fields = submitted_fields(&filled_form(template, &example).await);
        // `null` means absent (an empty optional field may come back as either).
        assert_eq!(without_nulls(form_json(template, &fields).await), without_nulls(example), "{template}");
    }
}

#[tokio::test]
async fn without_javascript_a_valid_form_downloads_its_pdf() {
    let example = example("resolution");
    let (headers, body) = submitted_with("resolution", &example, "pdf").await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let text = Pdf::parse(&body).text();
    assert!(text.contains("NGHỊ QUYẾT"), "{text}");
}

#[tokio::test]
async fn a_cleared_chair_shows_the_problem_beside_the_field_and_in_the_summary() {
    let mut minutes = example("minutes");
    minutes["meeting"]["chair"]["member_id"] = Value::Null;
    let fields = submitted_fields(&filled_form("minutes", &minutes).await);
    for action in ["check", "pdf"] {
        let (status, _, body) =
            post("/forms/minutes", "application/x-www-form-urlencoded", with_action(fields.clone(), action))
                .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{action}");
        let page = String::from_utf8(body).unwrap();
        let summary = &page[page.find("id=\"problems\"").expect("summary")..];
        assert!(summary.starts_with("id=\"problems\" role=\"alert\""), "{summary:.80}");
        assert!(summary.contains("href=\"#f/meeting/chair"), "the summary links to the chair");
        assert!(
            summary.contains(">Chưa chọn đảng viên: Người chủ trì<"),
            "{action}: a person is chosen, not a code, and the role is named"
        );
        assert!(page.contains("aria-invalid=\"true\""), "{action}: the field is marked");
        assert!(page.contains("class=\"msg\" id=\"m/meeting/chair"), "{action}: message beside it");
    }
}

#[tokio::test]
async fn markup_typed_in_a_name_shows_literally() {
    let mut minutes = example("minutes");
    minutes["members"][0]["full_name"] = json!("<script>alert(\"x\")</script> & <b>");
    let page = filled_form("minutes", &minutes).await;
    assert!(!page.contains("<script>alert"), "user text is never markup");
    assert!(page.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;"));
    let fields = submitted_fields(&page);
    assert_eq!(form_json("minutes", &fields).await, minutes, "and comes back unchanged");
}

#[tokio::test]
async fn list_buttons_and_the_vote_shortcut_work_without_javascript() {
    let minutes = example("minutes");
    let fields = submitted_fields(&filled_form("minutes", &minutes).await);
    let (status, _, body) = post(
        "/forms/minutes",
        "application/x-www-form-urlencoded",
        with_action(fields.clone(), "add:/members"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let added = form_json("minutes", &submitted_fields(&String::from_utf8(body).unwrap())).await;
    assert_eq!(added["members"].as_array().unwrap().len(), 21);
    assert_eq!(added["members"][20], json!({ "member_id": "DV-0021" }));

    let (_, _, body) = post(
        "/forms/minutes",
        "application/x-www-form-urlencoded",
        with_action(fields.clone(), "all_for:/votes/1"),
    )
    .await;
    let voted = form_json("minutes", &submitted_fields(&String::from_utf8(body).unwrap())).await;
    // 18 of the 20 members are present in the example, 17 of them official (the probationary
    // member does not vote); the vote keeps its kind.
    assert_eq!(
        voted["votes"][1],
        json!({ "subject": minutes["votes"][1]["subject"], "kind": "admission", "for": 17, "against": 0, "abstain": 0 })
    );

    let (_, _, body) = post(
        "/forms/minutes",
        "application/x-www-form-urlencoded",
        with_action(fields, "remove:/discussion/0"),
    )
    .await;
    let removed = form_json("minutes", &submitted_fields(&String::from_utf8(body).unwrap())).await;
    assert_eq!(removed["discussion"][0], minutes["discussion"][1]);
}

#[tokio::test]
async fn next_month_starts_from_last_months_document() {
    let minutes = example("minutes");
    let fields = submitted_fields(&filled_form("minutes", &minutes).await);
    let (_, _, body) =
        post("/forms/minutes", "application/x-www-form-urlencoded", with_action(fields, "next_month")).await;
    let page = String::from_utf8(body).unwrap();
    let next = form_json("minutes", &submitted_fields(&page)).await;
    assert_eq!(next["meeting"]["period"], json!({ "month": 12, "year": 2026 }));
    assert_eq!(next["members"], minutes["members"]);
    assert!(next.get("discussion").is_none());
    // Attendance is offered again, member by member, with nothing marked.
    assert_eq!(next["attendance"].as_array().unwrap().len(), 20);
    assert!(next["attendance"].as_array().unwrap().iter().all(|a| a.get("present").is_none()));
    assert!(next["agenda_items"][0]["summary"].as_str().unwrap().contains("bê tông hóa ngõ 12"));
}

#[tokio::test]
async fn form_assets_are_served_and_unknown_forms_are_404() {
    let (status, headers, script) = get("/assets/app.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/javascript"));
    assert!(script.contains("/v1/preview/"));
    let (status, _, _) = get("/assets/app.css").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, page) = get("/forms/no-such-form").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("lang=\"vi\""));
}

/// The document with `null` (absent) members dropped.
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, without_nulls(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

#[tokio::test]
async fn without_javascript_the_blank_form_prints_the_cell_and_roster_only() {
    let minutes = example("minutes");
    let (headers, body) = submitted_with("minutes", &minutes, "blank").await;
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    let text = Pdf::parse(&body).text();
    let cell = minutes["issuer"]["name"].as_str().unwrap();
    let place = minutes["meeting"]["location"].as_str().unwrap();
    assert!(text.contains(cell), "the paper form names the cell: {text}");
    assert!(text.contains("……"), "the paper form has dotted blanks: {text}");
    assert!(!text.contains(place), "this meeting's answers stay blank: {text}");
}

#[tokio::test]
async fn the_blank_dues_form_keeps_the_roster_and_leaves_this_months_payments_to_write() {
    let dues = example("dues-report");
    let (_, body) = submitted_with("dues-report", &dues, "blank").await;
    let text = Pdf::parse(&body).text();
    let members = dues["members"].as_array().unwrap();
    assert!(text.contains(members[0]["full_name"].as_str().unwrap()), "the roster is printed: {text}");
    // What each member paid is this month's answer: neither a payment nor their total is printed
    // (what is due stays: it follows from the roster's categories and bases).
    let paid: Vec<u64> = members.iter().map(|m| m["paid_amount"].as_u64().unwrap()).collect();
    let total = vanban::vietnamese::group_thousands(paid.iter().sum());
    assert!(!text.contains(&total), "last month's total {total} is not printed: {text}");
    assert!(!text.contains("Tự nguyện đóng cao hơn"), "nor last month's notes: {text}");
    // Nor anything that would follow from blank payments (nobody paid in full, all owe).
    assert!(!text.contains("0/20") && !text.contains("20/20"), "no count of who paid: {text}");
    assert!(!text.contains("Còn thiếu"), "no member is said to owe: {text}");
}
