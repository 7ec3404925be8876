//! Spreadsheet batches: every template round-trips through its workbook to the same PDFs; a
//! workbook edited as a person would (reordered columns, reworded headers, dates three ways,
//! merged cells, formulas, NFD text) imports; ODS and CSV in every encoding import; problems
//! are located by sheet, row and column; hostile files are refused quickly.

use std::io::{Cursor, Read, Write};
use std::time::Instant;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;
use unicode_normalization::UnicodeNormalization;
use vanban::batch::BatchControl;
use vanban::http::{HttpConfig, router};
use vanban::spreadsheet::{self, Format as SheetFormat, ImportOptions, Limits, XLSX_MEDIA_TYPE};

use crate::util::{TEMPLATES, engine, fixture};

/// A batch request with nulls removed (an empty cell stands for null or absent alike).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// The SHA-256 of every PDF of a batch, in item order.
fn pdf_digests(batch: &Value) -> Vec<String> {
    let engine = engine();
    let prepared =
        engine.prepare_batch(&serde_json::to_vec(batch).unwrap(), 1000).unwrap_or_else(|e| panic!("{e:?}"));
    let mut zip = Vec::new();
    engine.write_batch(prepared, &mut zip, &BatchControl::new(2)).expect("batch written");
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut digests = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if file.name().unwrap().ends_with(".pdf") {
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            digests.push(Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect());
        }
    }
    digests
}

fn import(bytes: &[u8], format: SheetFormat, options: &ImportOptions) -> spreadsheet::Imported {
    spreadsheet::import(engine().catalog(), bytes, format, options).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn every_template_round_trips_through_its_workbook_to_the_same_pdfs() {
    let mut batches: Vec<Value> = TEMPLATES
        .iter()
        .map(|t| json!({ "template": t, "items": [fixture(&format!("{t}.json"))] }))
        .collect();
    // Defaults, lists and batch options too: the first cells of the ward's batch.
    let mut ward = fixture("batch-resolutions.json");
    ward["items"].as_array_mut().unwrap().truncate(3);
    ward["merged_pdf"] = json!(true);
    ward["file_name"] = json!("NQ-{{pad number.seq 2}}-{{slug issuer.name}}.pdf");
    batches.push(ward);
    for batch in batches {
        let workbook = spreadsheet::export(engine().catalog(), &batch).unwrap_or_else(|e| panic!("{e:?}"));
        let imported = import(&workbook, SheetFormat::Xlsx, &ImportOptions::default());
        assert!(
            imported.errors.is_empty() && imported.warnings.is_empty(),
            "{:?} {:?}",
            imported.errors,
            imported.warnings
        );
        assert_eq!(imported.batch, without_nulls(&batch), "template {}", batch["template"]);
        assert_eq!(pdf_digests(&imported.batch), pdf_digests(&batch), "template {}", batch["template"]);
    }
}

#[test]
fn the_blank_workbook_has_the_documented_sheets_and_a_hidden_pointer_row() {
    let bytes =
        spreadsheet::template_workbook(engine().catalog(), engine().catalog().get("resolution").unwrap())
            .unwrap();
    let grids = spreadsheet::read::xlsx(&bytes, &Limits::default()).unwrap();
    let names: Vec<_> = grids.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(&names[..3], ["Hướng dẫn", "Chung", "Chi bộ"]);
    assert_eq!(names.last(), Some(&"Danh mục"));
    let items = &grids[2];
    assert_eq!(items.get(0, 0), Some(&spreadsheet::read::Cell::Text("STT".into())));
    assert_eq!(items.get(1, 0), Some(&spreadsheet::read::Cell::Text("#".into())));
    let pointers: Vec<String> = (1..200)
        .filter_map(|c| match items.get(1, c) {
            Some(spreadsheet::read::Cell::Text(t)) => Some(t.clone()),
            _ => None,
        })
        .collect();
    for pointer in ["/issuer/name", "/vote/for", "/meeting_date", "/grounds"] {
        assert!(pointers.iter().any(|p| p == pointer), "{pointer} missing from {pointers:?}");
    }
    // The pointer row is hidden and the header frozen: read the sheet's XML.
    let sheet = zip_entry(&bytes, "xl/worksheets/sheet3.xml");
    assert!(sheet.contains(r#"<row r="2" "#) && sheet.contains(r#"hidden="1""#), "pointer row not hidden");
    assert!(sheet.contains(r#"state="frozen""#), "header not frozen");
    assert!(zip_entry(&bytes, "xl/worksheets/sheet2.xml").contains("<dataValidation"), "no drop-downs");
}

fn zip_entry(zip: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn text_that_looks_like_a_formula_is_written_as_text() {
    let mut item = fixture("resolution.json");
    item["subject"] = json!("=HYPERLINK(\"http://evil.example\",\"bấm\")");
    item["archive_line"] = json!("@SUM(1+1)");
    item["recipients"] = json!(["+cmd|' /C calc'!A0", "-2+3"]);
    let batch = json!({ "template": "resolution", "items": [item] });
    let workbook = spreadsheet::export(engine().catalog(), &batch).unwrap();
    let mut archive = zip::ZipArchive::new(Cursor::new(&workbook)).unwrap();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut text = String::new();
        file.read_to_string(&mut text).unwrap();
        assert!(!text.contains("<f>") && !text.contains("<f "), "{} holds a formula", file.name().unwrap());
    }
    assert!(zip_entry(&workbook, "xl/styles.xml").contains(r#"quotePrefix="1""#));
    let imported = import(&workbook, SheetFormat::Xlsx, &ImportOptions::default());
    assert_eq!(imported.batch["items"][0]["subject"], item["subject"]);
    assert_eq!(imported.batch["items"][0]["recipients"], item["recipients"]);
}

/// A workbook written the way a person fills one in: columns reordered, headers reworded, no
/// `Chung` sheet, dates as dates, as text and as serial numbers, counts typed as text, a merged
/// cell spanning rows, a formula with its value, NFD text.
fn hand_made_workbook(pointer_row: bool) -> Vec<u8> {
    let example = fixture("resolution.json");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Chi bộ").unwrap();
    // Everything but what this test sets by hand goes in as JSON-free columns from the example.
    let mut columns: Vec<(String, String)> = vec![
        ("/vote/for".into(), "Số tán thành".into()),
        ("/issuer/name".into(), "Tên chi bộ".into()),
        ("/meeting_date".into(), "Ngày họp".into()),
        ("/issue_date".into(), "Ngày ký".into()),
        ("/issuer/superior_name".into(), "Cấp trên".into()),
    ];
    let mut fixed = vec![];
    flatten(&example, "", &mut fixed);
    for (pointer, _) in &fixed {
        if !columns.iter().any(|(p, _)| p == pointer) {
            columns.push((pointer.clone(), pointer.clone()));
        }
    }
    for (c, (pointer, header)) in columns.iter().enumerate() {
        let c = c as u16;
        sheet.write_string(0, c, if pointer_row { header.as_str() } else { pointer.as_str() }).unwrap();
        if pointer_row {
            sheet.write_string(1, c, pointer).unwrap();
        }
    }
    let first = if pointer_row { 2 } else { 1 };
    let names = ["CHI BỘ THÔN ĐÔNG HẢI", "CHI BỘ TỔ DÂN PHỐ 2", "CHI BỘ TỔ DÂN PHỐ 3"];
    for (i, name) in names.iter().enumerate() {
        let row = first + i as u32;
        for (c, (pointer, _)) in columns.iter().enumerate() {
            let c = c as u16;
            match pointer.as_str() {
                "/vote/for" if i == 0 => {
                    sheet.write_formula(row, c, Formula::new("=10+2").set_result("12")).unwrap();
                }
                "/vote/for" => {
                    sheet.write_string(row, c, "12").unwrap();
                }
                "/issuer/name" => {
                    // NFD: the combining marks typed separately.
                    sheet.write_string(row, c, name.nfd().collect::<String>()).unwrap();
                }
                "/meeting_date" => match i {
                    0 => {
                        let date = ExcelDateTime::from_ymd(2026, 11, 21).unwrap();
                        sheet
                            .write_date_with_format(
                                row,
                                c,
                                &date,
                                &Format::new().set_num_format("dd/mm/yyyy"),
                            )
                            .unwrap();
                    }
                    1 => {
                        sheet.write_string(row, c, "21/11/2026").unwrap();
                    }
                    _ => {
                        sheet.write_number(row, c, 46347).unwrap();
                    }
                },
                "/issue_date" => {
                    sheet.write_string(row, c, "21/11/2026").unwrap();
                }
                "/issuer/superior_name" if i == 0 => {
                    sheet.merge_range(row, c, row + 2, c, "ĐẢNG BỘ PHƯỜNG NGỌC SƠN", &Format::new()).unwrap();
                }
                "/issuer/superior_name" => {}
                other => {
                    let (_, value) = fixed.iter().find(|(p, _)| p == other).unwrap();
                    match value {
                        Value::Number(n) => {
                            sheet.write_number(row, c, n.as_f64().unwrap()).unwrap();
                        }
                        Value::Bool(b) => {
                            sheet.write_string(row, c, if *b { "có" } else { "không" }).unwrap();
                        }
                        Value::String(s) => {
                            sheet.write_string(row, c, s).unwrap();
                        }
                        Value::Array(list) => {
                            let lines: Vec<_> =
                                list.iter().map(|v| v.as_str().unwrap().to_string()).collect();
                            sheet.write_string(row, c, lines.join("\n")).unwrap();
                        }
                        _ => unreachable!(),
                    }
                }
            }
        }
    }
    if pointer_row {
        // Lists of objects on their own sheets, keyed by each cell's position (no STT column).
        let mut lists = vec![];
        object_lists(&example, "", &mut lists);
        for (n, (pointer, entries)) in lists.iter().enumerate() {
            let sheet = workbook.add_worksheet();
            sheet.set_name(format!("Danh sách {n}")).unwrap();
            sheet.write_string(0, 0, "Chi bộ số").unwrap();
            sheet.write_string(1, 0, pointer).unwrap();
            let mut fields = vec![];
            flatten(&entries[0], "", &mut fields);
            for (c, (field, _)) in fields.iter().enumerate() {
                sheet.write_string(0, c as u16 + 1, field.trim_start_matches('/')).unwrap();
                sheet.write_string(1, c as u16 + 1, field).unwrap();
            }
            let mut row = 2;
            for item in 1..=3 {
                for entry in entries {
                    sheet.write_number(row, 0, item).unwrap();
                    for (c, (field, _)) in fields.iter().enumerate() {
                        match entry.pointer(field) {
                            Some(Value::String(s)) => sheet.write_string(row, c as u16 + 1, s).unwrap(),
                            Some(other) => sheet.write_string(row, c as u16 + 1, other.to_string()).unwrap(),
                            None => continue,
                        };
                    }
                    row += 1;
                }
            }
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// The lists of objects of a document, by pointer.
fn object_lists(value: &Value, prefix: &str, out: &mut Vec<(String, Vec<Value>)>) {
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                object_lists(field, &format!("{prefix}/{key}"), out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => {
            out.push((prefix.to_string(), items.clone()))
        }
        _ => {}
    }
}

/// The scalar and scalar-list fields of a document, by pointer (lists of objects left out).
fn flatten(value: &Value, prefix: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, field) in map {
                flatten(field, &format!("{prefix}/{key}"), out);
            }
        }
        Value::Array(items) if items.iter().all(Value::is_string) => {
            out.push((prefix.to_string(), value.clone()))
        }
        Value::Array(_) | Value::Null => {}
        other => out.push((prefix.to_string(), other.clone())),
    }
}

#[test]
fn a_workbook_filled_in_by_hand_imports() {
    for pointer_row in [true, false] {
        let options = ImportOptions { template: Some("resolution".into()), ..Default::default() };
        let imported = import(&hand_made_workbook(pointer_row), SheetFormat::Xlsx, &options);
        assert!(imported.errors.is_empty(), "{:?}", imported.errors);
        let items = imported.batch["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        for (item, name) in
            items.iter().zip(["CHI BỘ THÔN ĐÔNG HẢI", "CHI BỘ TỔ DÂN PHỐ 2", "CHI BỘ TỔ DÂN PHỐ 3"])
        {
            assert_eq!(item["meeting_date"], "2026-11-21");
            assert_eq!(item["issue_date"], "2026-11-21");
            assert_eq!(item["vote"]["for"], 12);
            assert_eq!(item["issuer"]["superior_name"], "ĐẢNG BỘ PHƯỜNG NGỌC SƠN", "merged cell");
            // Normalised to NFC when the batch is prepared.
            assert_eq!(item["issuer"]["name"].as_str().unwrap().nfc().collect::<String>(), name);
        }
        if pointer_row {
            let report = spreadsheet::dry_run(&engine(), &imported.batch, Some(&imported), 1000).unwrap();
            assert!(report.ok, "{:?}", report.problems);
            assert_eq!(pdf_digests(&imported.batch).len(), 3);
        }
    }
}

#[test]
fn problems_are_located_by_sheet_row_and_column() {
    let mut batch = fixture("batch-resolutions.json");
    batch["items"].as_array_mut().unwrap().truncate(3);
    batch["items"][1]["vote"]["for"] = json!(999);
    let workbook = spreadsheet::export(engine().catalog(), &batch).unwrap();
    // Break a date in the third cell's row by editing the exported workbook's values.
    let options = ImportOptions::default();
    let imported = import(&workbook, SheetFormat::Xlsx, &options);
    let report = spreadsheet::dry_run(&engine(), &imported.batch, Some(&imported), 1000).unwrap();
    assert!(!report.ok);
    let problem =
        report.problems.iter().find(|p| p.pointer.starts_with("/items/1/vote")).expect("the vote problem");
    let location = problem.location.as_ref().expect("located");
    assert_eq!((location.sheet.as_str(), location.row), ("Chi bộ", 4), "{problem:?}");
    let column = column_of(&workbook, "/vote/for");
    assert_eq!(location.column, column);
    assert_eq!(
        report.rows[1].errors,
        report.problems.iter().filter(|p| p.pointer.starts_with("/items/1/")).count()
    );
    assert_eq!(report.rows[0].errors, 0);
    assert_eq!(report.rows[1].location.as_ref().map(|l| l.row), Some(4));
}

/// The column letter of the items sheet filling `pointer`.
fn column_of(workbook: &[u8], pointer: &str) -> String {
    let grids = spreadsheet::read::xlsx(workbook, &Limits::default()).unwrap();
    let items = grids.iter().find(|g| g.name == "Chi bộ").unwrap();
    let column =
        (0..500).find(|c| items.get(1, *c) == Some(&spreadsheet::read::Cell::Text(pointer.into()))).unwrap();
    spreadsheet::column_letter(column)
}

async fn post(uri: &str, content_type: &str, body: Vec<u8>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let app = router(engine(), &HttpConfig { workers: 2, ..HttpConfig::default() }).unwrap();
    let request =
        Request::post(uri).header(header::CONTENT_TYPE, content_type).body(Body::from(body)).unwrap();
    let response = app.oneshot(request).await.unwrap();
    let (parts, body) = response.into_parts();
    (parts.status, parts.headers, body.collect().await.unwrap().to_bytes().to_vec())
}

#[tokio::test]
async fn over_http_workbook_out_dry_run_422_and_zip_back() {
    let app = router(engine(), &HttpConfig { workers: 2, ..HttpConfig::default() }).unwrap();
    let response = app
        .oneshot(Request::get("/v1/templates/resolution/workbook").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[header::CONTENT_TYPE], XLSX_MEDIA_TYPE);

    let mut batch = fixture("batch-resolutions.json");
    batch["items"].as_array_mut().unwrap().truncate(2);
    let (status, headers, workbook) =
        post("/v1/workbook", "application/json", serde_json::to_vec(&batch).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], XLSX_MEDIA_TYPE);

    let (status, _, body) = post("/v1/batch?dry_run=true", XLSX_MEDIA_TYPE, workbook.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["items"], 2);

    let (status, headers, zip) = post("/v1/batch", XLSX_MEDIA_TYPE, workbook).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/zip");
    assert_eq!(pdf_digests_of_zip(&zip), pdf_digests(&batch));

    let mut broken = batch.clone();
    broken["items"][1]["vote"]["for"] = json!(999);
    let workbook = spreadsheet::export(engine().catalog(), &broken).unwrap();
    let (status, _, body) = post("/v1/batch", XLSX_MEDIA_TYPE, workbook.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: Value = serde_json::from_slice(&body).unwrap();
    let detail = error["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["pointer"].as_str().unwrap().starts_with("/items/1/vote"))
        .expect("the vote problem")
        .clone();
    assert_eq!(detail["location"]["sheet"], "Chi bộ");
    assert_eq!(detail["location"]["row"], 4);
    assert_eq!(detail["location"]["column"], column_of(&workbook, "/vote/for"));
    // JSON batches answer without `location`.
    let (status, _, body) = post("/v1/batch", "application/json", serde_json::to_vec(&broken).unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!String::from_utf8_lossy(&body).contains("\"location\""));
    // A JSON dry run lists the same problems.
    let (status, _, body) =
        post("/v1/batch?dry_run=true", "application/json", serde_json::to_vec(&broken).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let report: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(report["ok"], false);
}

fn pdf_digests_of_zip(zip: &[u8]) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut digests = Vec::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        if file.name().unwrap().ends_with(".pdf") && file.name().unwrap() != "all.pdf" {
            let mut data = Vec::new();
            file.read_to_end(&mut data).unwrap();
            digests.push(Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect());
        }
    }
    digests
}

/// The resolution example as a CSV of pointers and values (one item).
fn csv_text(delimiter: char) -> (String, Value) {
    let example = fixture("resolution.json");
    let mut fields = vec![];
    flatten(&example, "", &mut fields);
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let header: Vec<String> = fields.iter().map(|(p, _)| quote(p)).collect();
    let row: Vec<String> = fields
        .iter()
        .map(|(_, v)| match v {
            Value::String(s) => quote(s),
            Value::Array(list) => {
                quote(&list.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>().join("\n"))
            }
            Value::Bool(b) => quote(if *b { "Có" } else { "Không" }),
            other => quote(&other.to_string()),
        })
        .collect();
    let sep = delimiter.to_string();
    (format!("{}\r\n{}\r\n", header.join(&sep), row.join(&sep)), example)
}

/// Windows-1258 spells Vietnamese with base letters (â, ơ…) and separate tone marks.
fn windows_1258(text: &str) -> Vec<u8> {
    let mut spelled = String::new();
    for c in text.chars() {
        let decomposed: Vec<char> = std::iter::once(c).nfd().collect();
        let (tones, rest): (Vec<char>, Vec<char>) = decomposed
            .into_iter()
            .partition(|m| matches!(m, '\u{300}' | '\u{301}' | '\u{303}' | '\u{309}' | '\u{323}'));
        spelled.extend(rest.into_iter().nfc());
        spelled.extend(tones);
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&spelled);
    assert!(!unmappable, "text not representable in Windows-1258");
    bytes.into_owned()
}

#[test]
fn csv_imports_in_every_encoding_and_delimiter() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("UTF-8, comma", csv_text(',').0.into_bytes()),
        ("UTF-8 with BOM, semicolon", [b"\xEF\xBB\xBF".as_slice(), csv_text(';').0.as_bytes()].concat()),
        ("UTF-8, sep= line", format!("sep=|\r\n{}", csv_text('|').0).into_bytes()),
        ("UTF-16LE with BOM, tab", {
            let mut bytes = vec![0xFF, 0xFE];
            bytes.extend(csv_text('\t').0.encode_utf16().flat_map(u16::to_le_bytes));
            bytes
        }),
        ("UTF-16BE with BOM, comma", {
            let mut bytes = vec![0xFE, 0xFF];
            bytes.extend(csv_text(',').0.encode_utf16().flat_map(u16::to_be_bytes));
            bytes
        }),
        ("Windows-1258, semicolon", windows_1258(&csv_text(';').0)),
    ];
    let expected = without_nulls(&fixture("resolution.json"));
    let expected = strip_object_lists(&expected);
    for (name, bytes) in cases {
        let options = ImportOptions { template: Some("resolution".into()), ..Default::default() };
        let imported = import(&bytes, SheetFormat::Csv, &options);
        assert!(imported.errors.is_empty(), "{name}: {:?}", imported.errors);
        let mut item = imported.batch["items"][0].clone();
        vanban::input::normalize(&mut item);
        assert_eq!(item, expected, "{name}");
    }
}

/// The example without its lists of objects (a CSV holds only the items sheet).
fn strip_object_lists(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !(v.is_array() && v.as_array().unwrap().iter().any(Value::is_object)))
                .map(|(k, v)| (k.clone(), strip_object_lists(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn csv_without_a_template_is_a_located_422() {
    let error = spreadsheet::import(
        engine().catalog(),
        csv_text(',').0.as_bytes(),
        SheetFormat::Csv,
        &ImportOptions::default(),
    )
    .unwrap_err();
    let vanban::Error::Invalid(issues) = error else { panic!("{error:?}") };
    assert_eq!(issues[0].code, "template_required");
}

/// A minimal ODS file around `table` (the body of one `table:table`).
fn ods(tables: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(
        br#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#,
    )
    .unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap().into_inner()
}

fn ods_cell(text: &str) -> String {
    format!(r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#)
}

#[test]
fn ods_imports_with_dates_numbers_and_merged_cells() {
    let header = ["/issuer/name", "/issuer/superior_name", "/meeting_date", "/vote/for", "/subject"];
    let mut rows = format!(
        "<table:table-row>{}</table:table-row>",
        header.iter().map(|h| ods_cell(h)).collect::<String>()
    );
    rows += &format!(
        r#"<table:table-row>{}<table:table-cell table:number-rows-spanned="2" office:value-type="string"><text:p>ĐẢNG BỘ XÃ HÒA AN</text:p></table:table-cell><table:table-cell office:value-type="date" office:date-value="2026-11-21"><text:p>21/11/2026</text:p></table:table-cell><table:table-cell office:value-type="float" office:value="12"><text:p>12</text:p></table:table-cell>{}</table:table-row>"#,
        ods_cell("CHI BỘ THÔN ĐÔNG HẢI"),
        ods_cell("về nhiệm vụ tháng 12")
    );
    rows += &format!(
        r#"<table:table-row>{}<table:covered-table-cell/>{}<table:table-cell table:formula="of:=[.D2]+1" office:value-type="float" office:value="13"><text:p>13</text:p></table:table-cell>{}</table:table-row>"#,
        ods_cell("CHI BỘ THÔN TÂY"),
        ods_cell("22/11/2026"),
        ods_cell("về nhiệm vụ tháng 12")
    );
    let bytes = ods(&format!(r#"<table:table table:name="Chi bộ">{rows}</table:table>"#));
    let options = ImportOptions { template: Some("resolution".into()), ..Default::default() };
    let imported = import(&bytes, SheetFormat::Ods, &options);
    assert!(imported.errors.is_empty(), "{:?}", imported.errors);
    assert_eq!(
        imported.batch["items"],
        json!([
            { "issuer": { "name": "CHI BỘ THÔN ĐÔNG HẢI", "superior_name": "ĐẢNG BỘ XÃ HÒA AN" },
              "meeting_date": "2026-11-21", "vote": { "for": 12 }, "subject": "về nhiệm vụ tháng 12" },
            { "issuer": { "name": "CHI BỘ THÔN TÂY", "superior_name": "ĐẢNG BỘ XÃ HÒA AN" },
              "meeting_date": "2026-11-22", "vote": { "for": 13 }, "subject": "về nhiệm vụ tháng 12" },
        ])
    );
}

#[test]
fn legacy_encodings_are_reported_with_the_conversion_and_converted_only_on_request() {
    let rows = format!(
        "<table:table-row>{}{}</table:table-row><table:table-row>{}{}</table:table-row>",
        ods_cell("/issuer/name"),
        ods_cell("/subject"),
        ods_cell("CHI Bé TH¤N §¤NG H¶I"),
        ods_cell("vÒ l·nh ®¹o thùc hiÖn nhiÖm vô")
    );
    let bytes = ods(&format!(r#"<table:table table:name="Chi bộ">{rows}</table:table>"#));
    let options = ImportOptions { template: Some("resolution".into()), ..Default::default() };
    let imported = import(&bytes, SheetFormat::Ods, &options);
    assert_eq!(imported.warnings.len(), 2, "{:?}", imported.warnings);
    let warning = &imported.warnings[1];
    assert_eq!(warning.code, "legacy_encoding");
    assert!(warning.message.contains("về lãnh đạo thực hiện nhiệm vụ"), "{}", warning.message);
    assert_eq!(warning.location.as_ref().map(|l| (l.row, l.column.as_str())), Some((2, "B")));
    // Not converted unless asked.
    assert_eq!(imported.batch["items"][0]["subject"], "vÒ l·nh ®¹o thùc hiÖn nhiÖm vô");
    let converted = import(&bytes, SheetFormat::Ods, &ImportOptions { convert_legacy: true, ..options });
    assert_eq!(converted.batch["items"][0]["subject"], "về lãnh đạo thực hiện nhiệm vụ");
    assert_eq!(converted.batch["items"][0]["issuer"]["name"], "CHI BỘ THÔN ĐÔNG HẢI");
}

/// An ODS items sheet for the resolution template with one row of texts.
fn legacy_ods(cells: &[(&str, &str)]) -> Vec<u8> {
    let header: String = cells.iter().map(|(pointer, _)| ods_cell(pointer)).collect();
    let row: String = cells.iter().map(|(_, text)| ods_cell(text)).collect();
    let rows = format!("<table:table-row>{header}</table:table-row><table:table-row>{row}</table:table-row>");
    ods(&format!(r#"<table:table table:name="Chi bộ">{rows}</table:table>"#))
}

#[test]
fn short_tcvn3_texts_are_read_like_the_rest_of_their_file() {
    // `Chi bé khu phè 3` is also valid Unicode ("bé" is a word); the signer's name is clearly TCVN3.
    let bytes = legacy_ods(&[("/issuer/name", "Chi bé khu phè 3"), ("/signer/full_name", "NguyÔn V¨n An")]);
    let options = ImportOptions { template: Some("resolution".into()), ..Default::default() };
    let imported = import(&bytes, SheetFormat::Ods, &options);
    let messages: Vec<&str> = imported.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(
        messages[0]
            .contains("TCVN3 (ABC) như các ô khác của tệp: «Chi bé khu phè 3» đọc là «Chi bộ khu phố 3»")
    );
    assert!(messages[1].contains("«NguyÔn V¨n An» đọc là «Nguyễn Văn An»"), "{}", messages[1]);
    assert_eq!(imported.warnings[0].location.as_ref().map(|l| (l.row, l.column.as_str())), Some((2, "A")));
    let converted =
        import(&bytes, SheetFormat::Ods, &ImportOptions { convert_legacy: true, ..options.clone() });
    assert_eq!(converted.batch["items"][0]["issuer"]["name"], "Chi bộ khu phố 3");
    assert_eq!(converted.batch["items"][0]["signer"]["full_name"], "Nguyễn Văn An");
    // In a Unicode file the same text is left alone: nothing says it is TCVN3.
    let unicode = legacy_ods(&[("/issuer/name", "Chi bé khu phè 3"), ("/signer/full_name", "Nguyễn Văn An")]);
    assert!(import(&unicode, SheetFormat::Ods, &options).warnings.is_empty());
}

#[test]
fn vni_texts_are_reported_with_their_conversion() {
    let bytes = legacy_ods(&[("/issuer/name", "Chi boä khu phoá 3"), ("/signer/full_name", "Leâ Vaên Taùm")]);
    let options =
        ImportOptions { template: Some("resolution".into()), convert_legacy: true, ..Default::default() };
    let imported = import(&bytes, SheetFormat::Ods, &options);
    assert_eq!(imported.warnings.len(), 2, "{:?}", imported.warnings);
    assert!(imported.warnings.iter().all(|w| w.message.contains("bảng mã VNI")));
    assert_eq!(imported.batch["items"][0]["issuer"]["name"], "Chi bộ khu phố 3");
    assert_eq!(imported.batch["items"][0]["signer"]["full_name"], "Lê Văn Tám");
}

/// Rewrites one entry of a zip (to make files no spreadsheet program would write).
fn with_entry(zip: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let mut data = Vec::new();
        file.read_to_end(&mut data).unwrap();
        if file.name().unwrap() == name {
            data = edit(String::from_utf8(data).unwrap()).into_bytes();
        }
        out.start_file(file.name().unwrap().to_string(), options).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn a_formula_without_a_cached_value_is_an_error_at_its_cell() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Chi bộ").unwrap();
    sheet.write_string(0, 0, "/issuer/name").unwrap();
    sheet.write_string(0, 1, "/vote/for").unwrap();
    sheet.write_string(1, 0, "CHI BỘ 1").unwrap();
    sheet.write_formula(1, 1, Formula::new("=10+2").set_result("12")).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    // Drop the cached value, as a program that never calculates would.
    let bytes = with_entry(&bytes, "xl/worksheets/sheet1.xml", |xml| xml.replace("<v>12</v>", ""));
    let options = ImportOptions { template: Some("resolution".into()), ..Default::default() };
    let imported = import(&bytes, SheetFormat::Xlsx, &options);
    assert_eq!(imported.errors.len(), 1, "{:?}", imported.errors);
    let error = &imported.errors[0];
    assert_eq!(error.pointer, "/items/0/vote/for");
    assert!(error.message.contains("chưa được tính"), "{}", error.message);
    let location = error.location.as_ref().unwrap();
    assert_eq!((location.sheet.as_str(), location.row, location.column.as_str()), ("Chi bộ", 2, "B"));
}

fn refused_quickly(bytes: &[u8], format: SheetFormat) -> vanban::Error {
    let started = Instant::now();
    let error =
        spreadsheet::import(engine().catalog(), bytes, format, &ImportOptions::default()).unwrap_err();
    // Generous: the point is that nothing was decompressed or allocated in full.
    assert!(started.elapsed().as_secs() < 5, "took {:?}", started.elapsed());
    error
}

/// A zip whose one entry holds `size` zero bytes, deflated.
fn zeros_zip(name: &str, size: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(name, options).unwrap();
    let chunk = vec![0u8; 1 << 20];
    for _ in 0..size >> 20 {
        zip.write_all(&chunk).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn hostile_files_are_refused_quickly() {
    // A decompression bomb: 200 MiB of zeros in a small zip, honestly declared.
    let bomb = zeros_zip("xl/sharedStrings.xml", 200 << 20);
    assert!(bomb.len() < 1 << 20);
    assert!(matches!(refused_quickly(&bomb, SheetFormat::Xlsx), vanban::Error::TooLarge(_)));
    assert!(matches!(refused_quickly(&bomb, SheetFormat::Ods), vanban::Error::TooLarge(_)));

    // The same bomb lying about its size in both headers: stopped one byte past the lie.
    let mut liar = zeros_zip("content.xml", 100 << 20);
    for signature in [[0x50, 0x4b, 0x03, 0x04], [0x50, 0x4b, 0x01, 0x02]] {
        let at = liar.windows(4).position(|w| w == signature).unwrap();
        let size_offset = if signature[2] == 3 { 22 } else { 24 };
        liar[at + size_offset..at + size_offset + 4].copy_from_slice(&1000u32.to_le_bytes());
    }
    let error = refused_quickly(&liar, SheetFormat::Ods);
    assert!(matches!(error, vanban::Error::TooLarge(_) | vanban::Error::Invalid(_)), "{error:?}");

    // A cell at the far corner of the sheet: calamine would allocate the whole rectangle.
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "/issuer/name").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    let far = workbook.save_to_buffer().unwrap();
    assert!(matches!(refused_quickly(&far, SheetFormat::Xlsx), vanban::Error::TooLarge(_)));

    // An ODS row of content repeated a million times, and a cell repeated across every column.
    let repeated_rows = ods(&format!(
        r#"<table:table table:name="Chi bộ"><table:table-row table:number-rows-repeated="1000000">{}</table:table-row></table:table>"#,
        ods_cell("x")
    ));
    assert!(matches!(refused_quickly(&repeated_rows, SheetFormat::Ods), vanban::Error::TooLarge(_)));
    let repeated_columns = ods(
        r#"<table:table table:name="Chi bộ"><table:table-row><table:table-cell table:number-columns-repeated="16384" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#,
    );
    assert!(matches!(refused_quickly(&repeated_columns, SheetFormat::Ods), vanban::Error::TooLarge(_)));

    // Too many rows for the limit.
    let options = ImportOptions {
        template: Some("resolution".into()),
        limits: Limits { max_rows: 10, ..Limits::default() },
        ..Default::default()
    };
    let many = (0..20).map(|i| format!("CHI BỘ {i}\n")).collect::<String>();
    let error = spreadsheet::import(
        engine().catalog(),
        format!("/issuer/name\n{many}").as_bytes(),
        SheetFormat::Csv,
        &options,
    )
    .unwrap_err();
    assert!(matches!(error, vanban::Error::TooLarge(_)), "{error:?}");

    // Not a workbook at all.
    for format in [SheetFormat::Xlsx, SheetFormat::Ods] {
        let error = refused_quickly(b"PK\x03\x04 certainly not a workbook", format);
        assert!(matches!(error, vanban::Error::Invalid(_)), "{error:?}");
    }
}

#[tokio::test]
async fn hostile_uploads_answer_413_and_422_over_http() {
    let (status, _, body) =
        post("/v1/batch", XLSX_MEDIA_TYPE, zeros_zip("xl/sharedStrings.xml", 200 << 20)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", String::from_utf8_lossy(&body));
    let (status, _, body) = post("/v1/batch", XLSX_MEDIA_TYPE, b"not a zip".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&body));
    let (status, _, _) = post("/v1/batch?template=resolution", "text/csv", vec![0xFF; 100]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = post("/v1/batch", "application/vnd.ms-excel", vec![0; 100]).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[test]
fn workbook_columns_follow_the_form_not_the_alphabet() {
    let engine = engine();
    let catalog = engine.catalog();
    let layout = spreadsheet::Layout::of_template(catalog, catalog.get("resolution").unwrap());
    let pointers: Vec<&str> = layout.columns.iter().map(|c| c.pointer.as_str()).collect();
    // The form's first step is the issuing cell, in the schema's order.
    assert_eq!(pointers[..3], ["/issuer/superior_name", "/issuer/name", "/issuer/issuer_code"]);
    let at = |pointer: &str| pointers.iter().position(|p| *p == pointer).unwrap();
    assert!(at("/number/seq") < at("/issue_date"));
    assert!(at("/issue_date") < at("/meeting_date") && at("/meeting_date") < at("/subject"));
    assert!(at("/vote/for") < at("/vote/against") && at("/vote/against") < at("/signer/full_name"));
    // Settings the form hides come last.
    assert!(at("/archive_line") < at("/document_type"), "{pointers:?}");
    let lists: Vec<&str> = layout.lists.iter().map(|l| l.pointer.as_str()).collect();
    assert_eq!(lists, ["/results/strengths", "/tasks", "/assignments_table"]);
}
