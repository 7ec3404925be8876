//! The ward office's page through the router, without a browser: the page, an upload with a bad
//! cell answered with its sheet, row and column, and a good one turned into the zip and the
//! merged PDF.

use std::io::{Cursor, Read};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use vanban::http::HttpConfig;
use vanban::spreadsheet::{self, Layout};

use crate::util::{self, Pdf, engine, fixture};

async fn send(request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    util::send(&HttpConfig::default(), request).await
}

/// Three cells of the ward's monthly resolutions.
fn ward_batch() -> Value {
    let mut batch = fixture("batch-resolutions.json");
    batch["items"].as_array_mut().unwrap().truncate(3);
    batch
}

/// A form with these text fields and one file, as a browser sends it.
fn multipart(fields: &[(&str, &str)], file_name: &str, file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----vanbanFormBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(file_name: &str, file: &[u8]) -> (StatusCode, String) {
    let (content_type, body) = multipart(&[("template", "")], file_name, file);
    let request =
        Request::post("/ward").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap();
    let (status, headers, body) = send(request).await;
    assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    (status, String::from_utf8(body).unwrap())
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// The value of the result page's hidden `batch` field.
fn hidden_batch(page: &str) -> String {
    let start = page.find("name=\"batch\" value=\"").expect("the page carries the checked batch") + 20;
    let end = start + page[start..].find('"').unwrap();
    unescape(&page[start..end])
}

#[tokio::test]
async fn the_page_offers_every_workbook_and_a_multipart_upload() {
    let (status, headers, body) = send(Request::get("/ward").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    let page = String::from_utf8(body).unwrap();
    assert!(page.contains("<html lang=\"vi\">"));
    for template in engine().catalog().templates() {
        assert!(
            page.contains(&format!("href=\"/v1/templates/{}/workbook\"", template.id)),
            "{}",
            template.id
        );
    }
    assert!(page.contains("enctype=\"multipart/form-data\""));
    assert!(page.contains("type=\"file\" name=\"file\""));
    assert!(!page.contains("<script>"), "no inline script");
    let (_, _, home) = send(Request::get("/").body(Body::empty()).unwrap()).await;
    assert!(String::from_utf8(home).unwrap().contains("href=\"/ward\""), "the home page links the ward page");
}

#[tokio::test]
async fn a_bad_cell_is_named_by_sheet_row_and_column() {
    let mut batch = ward_batch();
    // The second cell issues its resolution before its meeting.
    batch["items"][1]["issue_date"] = json!("2026-11-20");
    let workbook = spreadsheet::export(engine().catalog(), &batch).unwrap();
    let (status, page) = upload("Nghị quyết tháng 11.xlsx", &workbook).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
    let engine = engine();
    let catalog = engine.catalog();
    let layout = Layout::of_template(catalog, catalog.get("resolution").unwrap());
    let position = layout.columns.iter().position(|c| c.pointer == "/issue_date").unwrap();
    // Column A is the cell's number (STT); row 1 the headers, row 2 the hidden pointers.
    let column = spreadsheet::column_letter(position as u32 + 1);
    let expected = format!(
        "Trang «Chi bộ», dòng 4, cột {column}: </span>Ngày ban hành không được trước ngày họp thông qua nghị quyết"
    );
    assert!(page.contains(&expected), "expected «{expected}» in {page}");
    assert!(page.contains("Cần sửa 1 chỗ trong bảng tính"), "{page}");
    assert_eq!(page.matches("✓ Hợp lệ").count(), 2, "the two other cells are fine");
    assert!(page.contains("CHI BỘ TỔ DÂN PHỐ 2"), "each row names its cell");
    assert!(!page.contains("name=\"batch\""), "nothing to make until the workbook is fixed");
}

#[tokio::test]
async fn a_good_workbook_becomes_the_zip_and_the_merged_pdf() {
    let batch = ward_batch();
    let workbook = spreadsheet::export(engine().catalog(), &batch).unwrap();
    let (status, page) = upload("nghi-quyet.xlsx", &workbook).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("✓ Bảng tính hợp lệ: 3 chi bộ"), "{page}");
    let checked = hidden_batch(&page);
    assert_eq!(serde_json::from_str::<Value>(&checked).unwrap()["items"], batch["items"]);

    let make = |action: &str| {
        let form = format!("batch={}&_action={action}", utf8_percent_encode(&checked, NON_ALPHANUMERIC));
        Request::post("/ward")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap()
    };
    let (status, headers, zip) = send(make("zip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("filename*=UTF-8''"));
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let names: Vec<String> = archive.file_names().map(|n| n.unwrap().to_string()).collect();
    assert_eq!(names.iter().filter(|n| n.ends_with(".pdf") && *n != "all.pdf").count(), 3, "{names:?}");
    let mut manifest = String::new();
    archive.by_name("manifest.json").unwrap().read_to_string(&mut manifest).unwrap();
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert!(manifest["items"].as_array().unwrap().iter().all(|i| i["status"] == "ok"), "{manifest}");

    let (status, headers, pdf) = send(make("pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    let pdf = Pdf::parse(&pdf);
    let pages: usize =
        manifest["items"].as_array().unwrap().iter().map(|i| i["pages"].as_u64().unwrap() as usize).sum();
    assert_eq!(pdf.pages(), pages, "the merged PDF holds every page");
    let text = pdf.text();
    for n in 1..=3 {
        assert!(text.contains(&format!("TỔ DÂN PHỐ {n}")), "cell {n} is in the merged PDF");
    }
}

#[tokio::test]
async fn an_unreadable_file_or_no_file_is_said_in_vietnamese() {
    let (status, page) = upload("ghi-chu.xlsx", b"PK\x03\x04 not really a workbook").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Không đọc được tệp này"), "{page}");
    let (status, page) = upload("", b"").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("Chưa chọn tệp bảng tính"), "{page}");
    // A CSV holds only the items: it needs the document type.
    let (status, page) = upload("chi-bo.csv", "STT,Tên chi bộ\n1,CHI BỘ 1\n".as_bytes()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("hãy chọn loại văn bản"), "{page}");
}

#[tokio::test]
async fn the_page_keeps_the_servers_limit_on_cells() {
    let workbook = spreadsheet::export(engine().catalog(), &ward_batch()).unwrap();
    let (content_type, body) = multipart(&[("template", "")], "nghi-quyet.xlsx", &workbook);
    let request =
        Request::post("/ward").header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap();
    let config = HttpConfig { max_batch_items: 2, ..HttpConfig::default() };
    let (status, _, page) = util::send(&config, request).await;
    let page = String::from_utf8(page).unwrap();
    assert!(status.is_client_error(), "{status}: {page}");
    assert!(page.contains("Tệp vượt giới hạn"), "{page}");
    assert!(!page.contains("name=\"batch\""), "nothing to make over the limit");
}
