//! Documents while they are written: previews of partial documents, blank forms to fill by hand,
//! problems at their own pointers, in Vietnamese on request, and `null` as "not given".

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;
use vanban::http::{HttpConfig, router};
use vanban::messages::{Language, localize};
use vanban::{Error, Severity};

use crate::util::{Pdf, TEMPLATES, engine, fixture};

async fn send(request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let response = router(engine(), &HttpConfig::default())
        .expect("render threads start")
        .oneshot(request)
        .await
        .expect("router answers");
    let (status, headers) = (response.status(), response.headers().clone());
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    (status, headers, body)
}

fn post(path: &str, body: &Value, language: Option<&str>) -> Request<Body> {
    let mut request = Request::post(path).header(header::CONTENT_TYPE, "application/json");
    if let Some(language) = language {
        request = request.header(header::ACCEPT_LANGUAGE, language);
    }
    request.body(Body::from(serde_json::to_vec(body).unwrap())).unwrap()
}

fn pointers_of(issues: &[vanban::Issue]) -> Vec<&str> {
    issues.iter().map(|i| i.pointer.as_str()).collect()
}

#[test]
fn a_missing_property_is_reported_at_its_own_pointer() {
    let mut minutes = fixture("minutes.json");
    minutes["meeting"].as_object_mut().unwrap().remove("chair");
    minutes.as_object_mut().unwrap().remove("issuer");
    let Err(Error::Invalid(issues)) = engine().render("minutes", minutes.to_string().as_bytes()) else {
        panic!("a document without chair and issuer is refused");
    };
    let pointers = pointers_of(&issues);
    assert!(pointers.contains(&"/meeting/chair"), "{pointers:?}");
    assert!(pointers.contains(&"/issuer"), "{pointers:?}");
    assert!(!pointers.contains(&"/meeting") && !pointers.contains(&""), "never the parent: {pointers:?}");
}

#[test]
fn null_means_not_given_for_optional_fields_and_missing_for_required_ones() {
    let mut minutes = fixture("minutes.json");
    minutes["attendance"][0]["reason"] = Value::Null;
    minutes["number"] = Value::Null;
    minutes["votes"] = Value::Null;
    let rendered =
        engine().render("minutes", minutes.to_string().as_bytes()).expect("nulls are absent values");
    assert!(rendered.pages >= 1);

    minutes["meeting"]["location"] = Value::Null;
    let Err(Error::Invalid(issues)) = engine().render("minutes", minutes.to_string().as_bytes()) else {
        panic!("a required field sent as null is missing");
    };
    assert_eq!(pointers_of(&issues), ["/meeting/location"]);
    assert_eq!(issues[0].keyword, Some("required"));
}

#[test]
fn every_optional_property_of_every_served_schema_admits_null() {
    fn check(node: &Value, path: &str) {
        match node {
            Value::Object(map) => {
                let required: Vec<&str> = map
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for (name, property) in properties {
                        if required.contains(&name.as_str()) {
                            continue;
                        }
                        let alternatives = property.get("anyOf").or_else(|| property.get("oneOf"));
                        let admits = alternatives
                            .and_then(Value::as_array)
                            .is_some_and(|a| a.iter().any(|b| b.get("type") == Some(&json!("null"))));
                        assert!(admits, "{path}/{name} admits null");
                    }
                }
                for (key, value) in map {
                    check(value, &format!("{path}/{key}"));
                }
            }
            Value::Array(items) => items.iter().for_each(|v| check(v, path)),
            _ => {}
        }
    }
    for template in engine().catalog().templates() {
        check(template.schema.source(), &template.id);
    }
}

#[test]
fn every_schema_property_has_a_vietnamese_title() {
    fn check(node: &Value, path: &str, missing: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for (name, property) in properties {
                        let title = property.get("title").and_then(Value::as_str).unwrap_or("");
                        // Vietnamese: at least one letter outside ASCII, or a Roman numeral label.
                        let vietnamese = !title.is_ascii() || title.starts_with("Vùng");
                        if title.is_empty()
                            || !(vietnamese || title.chars().all(|c| c.is_ascii_uppercase() || c == ' '))
                        {
                            missing.push(format!("{path}/{name}"));
                        }
                    }
                }
                // An `if` is a condition on fields described elsewhere, not a field.
                for (key, value) in map.iter().filter(|(key, _)| *key != "if") {
                    check(value, &format!("{path}/{key}"), missing);
                }
            }
            Value::Array(items) => items.iter().for_each(|v| check(v, path, missing)),
            _ => {}
        }
    }
    let mut missing = Vec::new();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let mut files: Vec<String> = TEMPLATES.iter().map(|t| format!("{root}/{t}/schema.json")).collect();
    files.push(format!("{root}/lib/common.schema.json"));
    for file in files {
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        check(&schema, &file, &mut missing);
    }
    assert!(missing.is_empty(), "properties without a Vietnamese title: {missing:#?}");
}

#[test]
fn vietnamese_messages_name_the_missing_field() {
    let mut minutes = fixture("minutes.json");
    minutes["meeting"].as_object_mut().unwrap().remove("chair");
    minutes["meeting"]["location"] = json!("x".repeat(501));
    let Err(Error::Invalid(mut issues)) = engine().render("minutes", minutes.to_string().as_bytes()) else {
        panic!("refused");
    };
    localize(&mut issues, Language::Vietnamese);
    let message = |pointer: &str| issues.iter().find(|i| i.pointer == pointer).map(|i| i.message.clone());
    assert_eq!(message("/meeting/chair").as_deref(), Some("Chưa nhập người chủ trì"));
    assert_eq!(message("/meeting/location").as_deref(), Some("Tối đa 500 ký tự"));
}

#[tokio::test]
async fn accept_language_vi_gives_vietnamese_messages_and_english_stays_the_default() {
    let body = json!({ "issuer": { "name": "CHI BỘ 1" } });
    let (status, _, english) = send(post("/v1/render/minutes", &body, None)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let english: Value = serde_json::from_slice(&english).unwrap();
    let details = english["error"]["details"].as_array().unwrap();
    assert!(details.iter().any(|d| d["pointer"] == "/meeting" && d["message"] == "`meeting` is required"));

    let (_, _, vietnamese) = send(post("/v1/render/minutes", &body, Some("vi-VN,vi;q=0.9,en;q=0.5"))).await;
    let vietnamese: Value = serde_json::from_slice(&vietnamese).unwrap();
    let details = vietnamese["error"]["details"].as_array().unwrap();
    let by_pointer = |p: &str| details.iter().find(|d| d["pointer"] == p).map(|d| d["message"].clone());
    assert_eq!(by_pointer("/meeting"), Some(json!("Chưa nhập buổi sinh hoạt")));
    assert_eq!(by_pointer("/issuer/place_name"), Some(json!("Chưa nhập địa danh")));
    assert!(details.iter().all(|d| !d["message"].as_str().unwrap().is_ascii()), "{details:?}");
}

#[tokio::test]
async fn preview_of_an_empty_document_is_pages_and_issues_never_a_422() {
    for template in TEMPLATES {
        let (status, headers, body) =
            send(post(&format!("/v1/preview/{template}"), &json!({}), Some("vi"))).await;
        assert_eq!(status, StatusCode::OK, "{template}: {}", String::from_utf8_lossy(&body));
        assert_eq!(headers[header::CONTENT_TYPE], "application/json");
        let preview: Value = serde_json::from_slice(&body).unwrap();
        let pages = preview["pages"].as_array().unwrap();
        assert!(!pages.is_empty(), "{template}");
        for page in pages {
            let svg = page.as_str().unwrap();
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"), "{template}: an SVG page");
        }
        let issues = preview["issues"].as_array().unwrap();
        assert!(issues.iter().any(|i| i["pointer"] == "/issuer" && i["severity"] == "error"), "{template}");
        assert!(issues.iter().all(|i| !i["message"].as_str().unwrap().is_ascii()), "{template}: Vietnamese");
    }
}

#[test]
fn preview_shows_what_is_given_and_turns_consistency_problems_into_warnings() {
    let mut minutes = fixture("minutes.json");
    // More votes than voters: a 422 for a render, a warning in a preview.
    minutes["votes"] = json!([{ "subject": "Nghị quyết", "for": 400, "against": 0, "abstain": 0 }]);
    minutes["meeting"].as_object_mut().unwrap().remove("location");
    let body = minutes.to_string();
    assert!(matches!(engine().render("minutes", body.as_bytes()), Err(Error::Invalid(_))));
    let preview = engine().preview("minutes", body.as_bytes()).expect("a preview is never refused");
    let votes = preview.issues.iter().find(|i| i.code == "votes_exceed_voters").expect("the vote problem");
    assert_eq!(votes.severity, Severity::Warning);
    let location =
        preview.issues.iter().find(|i| i.pointer == "/meeting/location").expect("the missing location");
    assert_eq!(location.severity, Severity::Error);
    let svg = preview.pages.join("");
    assert!(svg.contains("<svg"));
}

#[test]
fn malformed_json_is_still_a_400_for_previews_and_forms() {
    assert!(matches!(engine().preview("minutes", b"{\"a\":"), Err(Error::MalformedJson { .. })));
    assert!(matches!(engine().blank_form("minutes", b"[1,"), Err(Error::MalformedJson { .. })));
}

#[test]
fn a_blank_form_prints_what_is_given_and_dotted_lines_for_the_rest() {
    let minutes = fixture("minutes.json");
    let partial = json!({
        "issuer": minutes["issuer"],
        "members": minutes["members"],
        "meeting": { "period": minutes["meeting"]["period"] },
    });
    let form = engine().blank_form("minutes", partial.to_string().as_bytes()).expect("a form");
    let pdf = Pdf::parse(&form.pdf);
    pdf.assert_print_ready();
    let text = pdf.text();
    let cell = minutes["issuer"]["name"].as_str().unwrap();
    assert!(text.contains(&vanban::vietnamese::upper(cell)), "the header is printed");
    let first_member = minutes["members"][0]["full_name"].as_str().unwrap();
    assert!(!first_member.is_empty());
    assert!(text.contains("……"), "dotted lines to write on");
    assert!(text.contains("giờ") && text.contains("phút"), "the time line is there to fill");
    assert!(!text.contains("2199") && !text.contains('\u{E000}'), "no placeholder leaks into the form");
    assert!(pdf.signature_fields().is_empty(), "signed on paper");
}

#[test]
fn an_empty_body_gives_a_fully_blank_form_for_every_template() {
    for template in TEMPLATES {
        let form = engine().blank_form(template, b"{}").unwrap_or_else(|e| panic!("{template}: {e}"));
        let pdf = Pdf::parse(&form.pdf);
        pdf.assert_print_ready();
        let text = pdf.text();
        assert!(text.contains("ĐẢNG CỘNG SẢN VIỆT NAM"), "{template}");
        assert!(text.contains("……"), "{template}: dotted lines");
        assert!(text.contains("năm 20……"), "{template}: a date line to fill: {text}");
        assert!(!text.contains("2199") && !text.contains('\u{E000}'), "{template}: no placeholder leaks");
        assert!(
            form.warnings.iter().all(|w| w.keyword != Some("required")),
            "{template}: nothing is missing on a form"
        );
    }
}

/// Numbers a form states as counts (`3 đồng chí`, `đạt 0%`, `: 0;`, `0/0`): on a blank form
/// each must be one that was given, or a blank to write on.
fn counts(text: &str) -> Vec<String> {
    // The dues report's fixed opening cites a regulation and its date.
    let text = text.replace("01-QĐ/TW, ngày 03/02/2026", "");
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_alphanumeric()) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '.' | ',' | '/')) {
            i += 1;
        }
        let number: String = chars[start..i].iter().collect();
        let after: String = chars[i..(i + 9).min(chars.len())].iter().collect();
        let counted = number.contains('/')
            || after.starts_with('%')
            || after.starts_with(" đồng")
            || after.starts_with(';')
            || after.starts_with(')')
            || after.starts_with(" phiếu");
        // `……/100 điểm` is the scale, not a count.
        if counted && !(start > 0 && chars[start - 1] == '/' && after.starts_with(" điểm")) {
            found.push(format!("{number}{after}"));
        }
    }
    found
}

#[test]
fn a_blank_form_invents_no_number() {
    for template in TEMPLATES {
        let form = engine().blank_form(template, b"{}").unwrap();
        let text = Pdf::parse(&form.pdf).text();
        assert_eq!(counts(&text), Vec::<String>::new(), "{template}: counts nobody gave, in {text}");
        assert!(!text.contains("2200") && !text.contains("2198"), "{template}: a year next to a blank one");
    }
    // Labels of choices nobody made are blanks too.
    let review = Pdf::parse(&engine().blank_form("review-report", b"{}").unwrap().pdf).text();
    assert!(!review.contains("xuất sắc"), "no classification is chosen on a blank form: {review}");
    let minutes = Pdf::parse(&engine().blank_form("minutes", b"{}").unwrap().pdf).text();
    assert!(!minutes.contains("Bí thư Chi bộ trình bày"), "no presenter's title is made up: {minutes}");
    let dues = Pdf::parse(&engine().blank_form("dues-report", b"{}").unwrap().pdf).text();
    assert!(!dues.contains("Không đồng"), "no amount in words is made up: {dues}");
}

#[test]
fn a_blank_minutes_form_leaves_room_for_one_extra_section() {
    let text = Pdf::parse(&engine().blank_form("minutes", b"{}").unwrap().pdf).text();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("V- BIỂU QUYẾT"), "the fixed sections come first: {text}");
    assert!(text.contains("VI- ……"), "one section the cell may add, its heading to write: {text}");
    assert!(!text.contains("VII-"), "not a row of empty headings: {text}");
    // Lists under a fixed heading keep their rows to write on.
    assert!(text.contains("3. ……"), "three agenda items: {text}");
}

#[test]
fn a_form_with_the_roster_keeps_its_counts_and_leaves_attendance_to_write() {
    for template in ["minutes", "thematic-minutes"] {
        let document = fixture(&format!("{template}.json"));
        let partial = json!({ "issuer": document["issuer"], "members": document["members"] });
        let form = engine().blank_form(template, partial.to_string().as_bytes()).unwrap();
        let text = Pdf::parse(&form.pdf).text().split_whitespace().collect::<Vec<_>>().join(" ");
        let members = document["members"].as_array().unwrap();
        let total = members.len();
        // Known from the roster: printed as on a complete document.
        assert!(
            text.contains(&format!("Tổng số đảng viên của chi bộ: {total} đồng chí")),
            "{template}: {text}"
        );
        // Who attends is not known yet: blanks with room to write the names of the absent.
        assert!(text.contains(&format!("Có mặt: ……/{total} đồng chí (đạt ……%)")), "{template}: {text}");
        assert!(text.contains("(có lý do: ……; không có lý do: ……)"), "{template}: {text}");
        assert!(
            text.contains("Vắng có lý do: ………") && text.contains("Vắng không có lý do: ………"),
            "{template}"
        );
        let first = members[0]["full_name"].as_str().unwrap();
        assert!(!text.contains(&format!("đồng chí {first}")), "{template}: nobody is marked absent: {text}");
        assert!(text.contains("tán thành ……/…… đồng chí (đạt ……%)"), "{template}: votes to fill: {text}");
        assert!(text.contains("……/…… đồng chí đảng viên có mặt nhất trí"), "{template}: closing to fill");
        assert!(
            form.warnings.iter().all(|w| w.code != "missing_attendance"),
            "{template}: an attendance not yet taken is no problem: {:?}",
            form.warnings
        );
    }
}

#[tokio::test]
async fn blank_forms_over_http_are_pdfs() {
    let (status, headers, body) = send(post("/v1/blank/resolution", &json!({}), None)).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    Pdf::parse(&body).assert_print_ready();
    let (status, _, _) = send(post("/v1/blank/nonexistent", &json!({}), None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn a_full_document_previews_like_it_renders() {
    for template in TEMPLATES {
        let body = fixture(&format!("{template}.json")).to_string();
        let rendered = engine().render(template, body.as_bytes()).unwrap();
        let preview = engine().preview(template, body.as_bytes()).unwrap();
        assert_eq!(preview.pages.len(), rendered.pages, "{template}: same layout");
        assert!(
            preview.issues.iter().all(|i| i.severity == Severity::Warning),
            "{template}: {:?}",
            preview.issues
        );
    }
}

#[test]
fn a_preview_after_an_edit_redraws_the_edited_page_and_only_that_one() {
    let mut minutes = fixture("minutes.json");
    let before = engine().preview("minutes", minutes.to_string().as_bytes()).unwrap().pages;
    // The second agenda item's summary is on page 2 of the example.
    let summary = minutes["agenda_items"][1]["summary"].as_str().unwrap().to_string();
    minutes["agenda_items"][1]["summary"] = json!(format!("{summary} thêm"));
    let after = engine().preview("minutes", minutes.to_string().as_bytes()).unwrap().pages;
    assert_eq!(after.len(), before.len());
    let changed: Vec<usize> = (0..after.len()).filter(|&page| after[page] != before[page]).collect();
    assert_eq!(changed, vec![1], "only the edited page differs");
    // Memoized pages never stand in for changed ones: the first version draws as before.
    minutes["agenda_items"][1]["summary"] = json!(summary);
    assert_eq!(engine().preview("minutes", minutes.to_string().as_bytes()).unwrap().pages, before);
}
