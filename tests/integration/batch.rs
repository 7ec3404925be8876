//! Batches: the 24-cell example end to end, deep merge, name clashes, both `on_error` modes,
//! limits, and the streamed zip over HTTP.

use std::io::{Cursor, Read};
use std::sync::atomic::AtomicBool;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use vanban::batch::BatchControl;
use vanban::http::{HttpConfig, router};

use crate::util::{Pdf, engine, fixture};

/// Runs a batch through the library and returns the zip bytes.
fn zip_of(request: &Value) -> Vec<u8> {
    let engine = engine();
    let prepared =
        engine.prepare_batch(&serde_json::to_vec(request).unwrap(), 1000).unwrap_or_else(|e| panic!("{e:?}"));
    let mut zip = Vec::new();
    engine.write_batch(prepared, &mut zip, &BatchControl::new(2)).expect("batch written");
    zip
}

/// Entry names and contents, in zip order.
fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).expect("a readable zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            (file.name().expect("UTF-8 entry name").to_string(), data)
        })
        .collect()
}

fn manifest(entries: &[(String, Vec<u8>)]) -> Value {
    let (_, data) = entries.iter().find(|(name, _)| name == "manifest.json").expect("manifest entry");
    serde_json::from_slice(data).unwrap()
}

#[test]
fn the_24_cell_example_gives_24_pdfs_and_a_matching_manifest() {
    let entries = entries(&zip_of(&fixture("batch-resolutions.json")));
    assert_eq!(entries.len(), 25);
    assert_eq!(entries[0].0, "NQ-19-chi-bo-to-dan-pho-1.pdf");
    let manifest = manifest(&entries);
    let items = manifest["items"].as_array().unwrap();
    assert_eq!(items.len(), 24);
    for (i, item) in items.iter().enumerate() {
        assert_eq!(item["index"], i);
        assert_eq!(item["status"], "ok");
        let name = item["file_name"].as_str().unwrap();
        assert!(name.starts_with("NQ-") && name.ends_with(".pdf"), "{name}");
        let (_, pdf) = entries.iter().find(|(n, _)| n == name).expect("entry named in the manifest");
        let digest: String = Sha256::digest(pdf).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(item["sha256"].as_str().unwrap(), digest);
        assert_eq!(item["bytes"], pdf.len());
        assert_eq!(item["pages"], Pdf::parse(pdf).pages());
        // The secretary's signature field, on the last page, is listed for signing software.
        assert_eq!(item["fields"][0]["name"], "bi_thu");
        assert_eq!(item["fields"][0]["page"], item["pages"]);
    }
    // Each document is its own cell's resolution.
    let second = Pdf::parse(&entries[1].1).text();
    assert!(second.contains("CHI BỘ TỔ DÂN PHỐ 2"), "{second}");
}

#[test]
fn items_merge_over_defaults_and_clashing_names_are_numbered() {
    let mut request = fixture("batch-resolutions.json");
    request["items"] = json!(request["items"].as_array().unwrap()[..3]);
    request["file_name"] = json!("NQ.pdf");
    // An item's array replaces the default's; its objects merge key by key.
    request["items"][1]["recipients"] = json!(["Đảng ủy phường Ngọc Sơn (để báo cáo)"]);
    request["items"][1]["issuer"]["place_name"] = json!("Phường Mới");
    let entries = entries(&zip_of(&request));
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["NQ.pdf", "NQ-2.pdf", "NQ-3.pdf", "manifest.json"]);
    let text = Pdf::parse(&entries[1].1).text();
    assert!(text.contains("Phường Mới, ngày"), "place merged: {text}");
    assert!(text.contains("ĐẢNG BỘ PHƯỜNG NGỌC SƠN"), "superior name kept from defaults");
    assert!(!text.contains("Đảng viên trong chi bộ (để thực hiện)"), "recipients array replaced");
}

#[test]
fn an_invalid_item_fails_the_batch_with_pointers_into_the_request() {
    let mut request = fixture("batch-resolutions.json");
    request["items"][17]["vote"]["for"] = json!(500);
    // Too long as sent, though it would fit trimmed (the schema counts the text as sent).
    request["items"][3]["results"]["strengths"][0]["field"] = json!(format!("{} ", "x".repeat(500)));
    request["items"][3]["issue_date"] = json!("not a date");
    let engine = engine();
    let result = engine.prepare_batch(&serde_json::to_vec(&request).unwrap(), 1000);
    let Err(vanban::Error::Invalid(issues)) = result else { panic!("expected 422") };
    let pointers: Vec<&str> = issues.iter().map(|i| i.pointer.as_str()).collect();
    assert!(pointers.contains(&"/items/17/vote/for"), "{pointers:?}");
    assert!(pointers.contains(&"/items/3/issue_date"), "{pointers:?}");
    assert!(pointers.contains(&"/items/3/results/strengths/0/field"), "{pointers:?}");
}

#[test]
fn skip_mode_renders_the_valid_items_and_lists_the_others() {
    let mut request = fixture("batch-resolutions.json");
    request["on_error"] = json!("skip");
    request["items"][5]["vote"]["for"] = json!(500);
    let entries = entries(&zip_of(&request));
    assert_eq!(entries.len(), 24, "23 PDFs and the manifest");
    let manifest = manifest(&entries);
    let skipped = &manifest["items"][5];
    assert_eq!(skipped["status"], "skipped");
    assert_eq!(skipped["problems"][0]["pointer"], "/items/5/vote/for");
    assert!(skipped["file_name"].is_null());
}

#[test]
fn a_failed_render_is_reported_as_http_reports_it() {
    // A template that fails on one item's data: a server fault, whose Typst diagnostic must not
    // reach the manifest; and a PDF standard the template cannot meet: a problem of the request,
    // which keeps its pointer (under the item) and code.
    let (_dir, engine) = crate::util::custom_template(
        "#let data = json(\"/data.json\")\n\
         #if data.title.subject.contains(\"HỎNG\") { panic(\"template internals\") }\n\
         #set document(title: none)\nChi bộ họp.",
    );
    let mut request =
        json!({ "template": "custom", "on_error": "skip", "defaults": fixture("resolution.json") });
    request["items"] = json!([{}, { "subject": "về việc HỎNG" }, { "pdf_standard": "a-2a+ua-1" }]);
    let prepared = engine.prepare_batch(&serde_json::to_vec(&request).unwrap(), 10).unwrap();
    let mut zip = Vec::new();
    let written = engine.write_batch(prepared, &mut zip, &BatchControl::new(2)).expect("batch written");
    let statuses: Vec<_> = written.items.iter().map(|item| item.status).collect();
    use vanban::batch::ItemStatus::{Ok, Skipped};
    assert_eq!(statuses, [Ok, Skipped, Skipped]);
    let manifest = manifest(&entries(&zip));
    let fault = &manifest["items"][1]["problems"];
    assert_eq!(fault.as_array().unwrap().len(), 1, "{fault}");
    assert_eq!(fault[0]["pointer"], "/items/1");
    assert_eq!(fault[0]["code"], "internal");
    assert!(!fault.to_string().contains("template internals"), "{fault}");
    let refused = &manifest["items"][2]["problems"][0];
    assert_eq!(refused["pointer"], "/items/2/pdf_standard");
    assert_eq!(refused["code"], "pdf_standard_unmet");
}

#[test]
fn too_many_items_is_refused() {
    let request = fixture("batch-resolutions.json");
    let engine = engine();
    let result = engine.prepare_batch(&serde_json::to_vec(&request).unwrap(), 10);
    assert!(matches!(result, Err(vanban::Error::TooLarge(_))));
}

#[test]
fn same_request_gives_the_same_zip() {
    let mut request = fixture("batch-resolutions.json");
    request["items"] = json!(request["items"].as_array().unwrap()[..4]);
    assert!(zip_of(&request) == zip_of(&request));
}

#[tokio::test]
async fn http_batch_streams_a_zip() {
    let body = serde_json::to_vec(&fixture("batch-resolutions.json")).unwrap();
    let request = Request::post("/v1/batch")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = router(engine(), &HttpConfig::default()).unwrap().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/zip");
    let zip = response.into_body().collect().await.unwrap().to_bytes();
    let entries = entries(&zip);
    assert_eq!(entries.len(), 25);
}

#[tokio::test]
async fn http_batch_with_an_invalid_item_is_a_422() {
    let mut request = fixture("batch-resolutions.json");
    request["items"][17]["vote"]["for"] = json!(500);
    let request = Request::post("/v1/batch")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(serde_json::to_vec(&request).unwrap()))
        .unwrap();
    let response = router(engine(), &HttpConfig::default()).unwrap().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(
        body["error"]["details"].as_array().unwrap().iter().any(|d| d["pointer"] == "/items/17/vote/for")
    );
}

mod names {
    use proptest::prelude::*;
    use vanban::file_names::sanitize_pdf_name;
    use vanban::vietnamese::slug;

    proptest! {
        #[test]
        fn slug_is_always_safe_ascii(text in any::<String>()) {
            let slug = slug(&text);
            prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
        }

        #[test]
        fn sanitized_names_are_single_safe_pdf_names(text in any::<String>()) {
            let name = sanitize_pdf_name(&text);
            prop_assert!(name.ends_with(".pdf") && name.len() > 4);
            prop_assert!(!name.contains('/') && !name.contains('\\') && !name.contains(".."));
            prop_assert!(!name.chars().any(char::is_control));
            prop_assert!(!name.starts_with('.'));
            prop_assert!(name.chars().count() <= vanban::file_names::MAX_CHARS + 4);
        }
    }
}

#[test]
fn merged_pdf_holds_every_document_in_order_each_restarting_its_numbering() {
    let mut request = fixture("batch-resolutions.json");
    request["items"] = json!(request["items"].as_array().unwrap()[..4]);
    request["merged_pdf"] = json!(true);
    let entries = entries(&zip_of(&request));
    let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names[4..], ["all.pdf", "manifest.json"]);
    let parts: Vec<Pdf> = entries[..4].iter().map(|(_, pdf)| Pdf::parse(pdf)).collect();
    let (_, all) = &entries[4];
    let merged = Pdf::parse(all);
    let total: usize = parts.iter().map(Pdf::pages).sum();
    assert_eq!(merged.pages(), total, "all.pdf has every page of every document");

    let manifest = manifest(&entries);
    assert_eq!(manifest["merged"]["pages"], total);
    assert_eq!(manifest["merged"]["bytes"], all.len());
    let digest: String = Sha256::digest(all).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(manifest["merged"]["sha256"], digest);

    // Each document starts on a new page with its own header, and its pages carry its own
    // numbers: no number on its first page, `2` on its second.
    let mut first_page = 1;
    for (i, part) in parts.iter().enumerate() {
        let first = merged.page_text(first_page);
        assert!(
            first.contains(&format!("CHI BỘ TỔ DÂN PHỐ {}", i + 1)),
            "document {i} starts on page {first_page}"
        );
        assert!(!first.lines().any(|l| l.trim() == "1"), "no number on a document's first page");
        assert!(merged.page_text(first_page + 1).lines().any(|l| l.trim() == "2"), "its second page is 2");
        assert_eq!(merged.page_label_starts().get(i).copied(), Some(first_page - 1), "page labels restart");
        first_page += part.pages() as u32;
    }
    assert!(merged.signature_fields().is_empty(), "the print file carries no signature fields");
}

/// Stops the batch as soon as the first bytes arrive, like a client that goes away.
struct CancelOnFirstWrite<'a> {
    cancelled: &'a AtomicBool,
    bytes: usize,
}

impl std::io::Write for CancelOnFirstWrite<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
        self.bytes += data.len();
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn first_bytes_leave_early_and_cancelling_stops_the_remaining_work() {
    let request = fixture("batch-resolutions.json");
    let whole = zip_of(&request).len();
    let engine = engine();
    let prepared = engine.prepare_batch(&serde_json::to_vec(&request).unwrap(), 1000).unwrap();
    let cancelled = AtomicBool::new(false);
    let mut out = CancelOnFirstWrite { cancelled: &cancelled, bytes: 0 };
    let control = BatchControl { cancelled: &cancelled, ..BatchControl::new(2) };
    let result = engine.write_batch(prepared, &mut out, &control);
    // Bytes were written while documents were still to be typeset, and none of those were.
    assert!(result.is_err(), "a cancelled batch reports that it stopped");
    assert!(out.bytes > 0 && out.bytes < whole / 2, "stopped after {} of {whole} bytes", out.bytes);
}
