//! `embed_data`: a PDF carrying its own request, read back by `extract`; the standards it combines
//! with; and extraction from damaged, hostile and mutated PDFs.

use std::io::{Cursor, Read};
use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object, Stream, dictionary};
use proptest::prelude::*;
use serde_json::{Value, json};
use vanban::extract::{self, Extracted, MAX_STREAM_BYTES};
use vanban::{Error, Issue};

use crate::util::{Pdf, TEMPLATES, engine, fixture, render};

/// The fixture of `template`, asking for its data to be embedded.
fn embedding(template: &str) -> Value {
    let mut input = fixture(&format!("{template}.json"));
    input["embed_data"] = json!(true);
    input
}

/// The minutes with their data embedded, rendered once.
fn embedded_minutes() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| render("minutes", &embedding("minutes")).pdf)
}

/// The extraction error code, or a panic naming what came instead.
fn extract_error(pdf: &[u8]) -> &'static str {
    match extract::extract(pdf) {
        Err(Error::Extract { code, .. }) => code,
        other => panic!("expected an extraction error, got {other:?}"),
    }
}

fn issues(result: vanban::Result<vanban::Rendered>) -> Vec<Issue> {
    match result {
        Err(Error::Invalid(issues)) => issues,
        other => panic!("expected a 422, got {other:?}"),
    }
}

fn render_bytes(template: &str, value: &Value) -> vanban::Result<vanban::Rendered> {
    engine().render(template, &serde_json::to_vec(value).unwrap())
}

/// Every template: PDF/A-3b with one associated file, the request, named after the template; it
/// reads back as the request, and rendering that again gives the same bytes.
#[test]
fn every_template_carries_its_request_and_renders_the_same_pdf_from_it() {
    for template in TEMPLATES {
        let input = embedding(template);
        let rendered = render(template, &input);
        let pdf = Pdf::parse(&rendered.pdf);
        let xmp = pdf.xmp();
        assert!(xmp.contains("<pdfaid:part>3</pdfaid:part>"), "{template}: PDF/A-3");
        assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{template}: level B");
        let files = pdf.embedded_files();
        assert_eq!(files.len(), 1, "{template}: {files:?}");
        let file = &files[0];
        assert_eq!(file.name, format!("vanban-{template}.json"));
        assert_eq!(file.key, file.name);
        assert_eq!(file.relationship.as_deref(), Some("Source"), "{template}");
        assert_eq!(file.mime_type.as_deref(), Some("application/json"), "{template}");
        assert!(file.associated, "{template}: listed in the catalogue's /AF");
        let description = file.description.clone().unwrap_or_default();
        assert!(description.contains(extract::VERSION) && description.contains(template), "{description}");
        // The signature fields are still placed (the incremental update keeps /AF and /Names).
        let without = render(template, &fixture(&format!("{template}.json")));
        assert_eq!(rendered.fields, without.fields, "{template}: same fields");
        assert_eq!(pdf.signature_fields().len(), without.fields.len(), "{template}");
        assert_eq!(rendered.pages, without.pages, "{template}: the attachment takes no room");

        let Extracted { template: id, version, data } = extract::extract(&rendered.pdf).unwrap();
        assert_eq!((id.as_str(), version.as_str()), (template, extract::VERSION));
        assert_eq!(data, as_embedded(&input), "{template}: the request, normalised (NFC, nulls dropped)");
        let again = render(&id, &data);
        assert!(again.pdf == rendered.pdf, "{template}: the same data gives the same bytes");
    }
}

#[test]
fn the_embedded_request_is_normalised() {
    let mut input = embedding("resolution");
    // Decomposed "ộ" (o + combining dot below + combining circumflex), with spaces around.
    input["issuer"]["name"] = json!("  Chi bo\u{0323}\u{0302} 5 ");
    let data = extract::extract(&render("resolution", &input).pdf).unwrap().data;
    assert_eq!(data["issuer"]["name"], "Chi bộ 5");
}

#[test]
fn without_embed_data_nothing_is_attached_and_extraction_says_so() {
    for embed in [None, Some(false)] {
        let mut input = fixture("minutes.json");
        if let Some(embed) = embed {
            input["embed_data"] = json!(embed);
        }
        let rendered = render("minutes", &input);
        let pdf = Pdf::parse(&rendered.pdf);
        assert!(pdf.xmp().contains("<pdfaid:part>2</pdfaid:part>"), "still PDF/A-2b");
        assert!(pdf.embedded_files().is_empty() && !pdf.catalog_has(b"AF") && !pdf.catalog_has(b"Names"));
        assert_eq!(extract_error(&rendered.pdf), "no_embedded_data");
    }
}

/// PDF/A-2 cannot carry attached files: asked for explicitly with `embed_data`, it is a 422 on
/// `/pdf_standard` naming the nearest standard that can; the others embed.
#[test]
fn embedding_combines_with_the_standards_that_allow_attachments() {
    for (standard, nearest) in [("a-2b", "a-3b"), ("a-2a+ua-1", "a-3a+ua-1")] {
        let mut input = embedding("resolution");
        input["pdf_standard"] = json!(standard);
        let issues = issues(render_bytes("resolution", &input));
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(
            (issues[0].pointer.as_str(), issues[0].code),
            ("/pdf_standard", "pdf_standard_cannot_embed")
        );
        assert!(issues[0].message.contains(&format!("ask for \"{nearest}\"")), "{}", issues[0].message);
        assert!(issues[0].message.contains(&format!("\"{standard}\" cannot carry")), "{}", issues[0].message);
        // The nearest standard it names works.
        input["pdf_standard"] = json!(nearest);
        let pdf = render("resolution", &input).pdf;
        assert_eq!(extract::extract(&pdf).unwrap().data, as_embedded(&input));
    }
    let mut input = embedding("resolution");
    input["pdf_standard"] = json!("a-3a+ua-1");
    let accessible = Pdf::parse(&render("resolution", &input).pdf);
    let xmp = accessible.xmp();
    assert!(
        xmp.contains("<pdfaid:part>3</pdfaid:part>")
            && xmp.contains("<pdfaid:conformance>A</pdfaid:conformance>")
    );
    assert!(xmp.contains("pdfuaid:part"), "PDF/UA identification");
    assert!(accessible.embedded_files()[0].associated);
    // A plain PDF carries the file too (an embedded file; PDF 1.7 has no associated files).
    input["pdf_standard"] = json!("none");
    let plain = render("resolution", &input).pdf;
    assert!(!Pdf::parse(&plain).xmp().contains("pdfaid:part"));
    assert_eq!(extract::extract(&plain).unwrap().data, as_embedded(&input));
    // PDF/A-3b without embed_data is PDF/A-3b with nothing attached.
    let mut input = fixture("resolution.json");
    input["pdf_standard"] = json!("a-3b");
    let pdf = Pdf::parse(&render("resolution", &input).pdf);
    assert!(pdf.xmp().contains("<pdfaid:part>3</pdfaid:part>") && pdf.embedded_files().is_empty());
}

#[test]
fn a_standard_that_cannot_embed_is_listed_with_the_documents_other_problems() {
    let mut input = embedding("minutes");
    input["pdf_standard"] = json!("a-2b");
    input["attendance"][0]["member_id"] = json!("DV-9999");
    let pointers: Vec<_> = issues(render_bytes("minutes", &input)).into_iter().map(|i| i.pointer).collect();
    // The option comes first, then every problem of the document (the unknown member also
    // leaves the roster without its first member's attendance and the votes without voters).
    assert_eq!(pointers[..2], ["/pdf_standard", "/attendance/0/member_id"]);
}

/// A templates folder whose shared library does not attach the request fails loudly instead of
/// dropping the data the request asked to keep.
#[test]
fn a_template_that_does_not_attach_the_request_is_a_template_error() {
    let (_dir, engine) = crate::util::custom_template("Chi bộ họp.");
    let mut input = fixture("resolution.json");
    assert!(engine.render("custom", &serde_json::to_vec(&input).unwrap()).is_ok());
    input["embed_data"] = json!(true);
    match engine.render("custom", &serde_json::to_vec(&input).unwrap()) {
        Err(error @ Error::Template { .. }) => {
            assert!(error.to_string().contains("/request.json"), "{error}")
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn in_a_batch_each_pdf_carries_its_own_merged_item() {
    let mut defaults = fixture("resolution.json");
    defaults["embed_data"] = json!(true);
    let request = json!({
        "template": "resolution",
        "defaults": defaults,
        "items": [{}, { "issuer": { "name": "CHI BỘ TỔ DÂN PHỐ 7" } }],
    });
    let engine = engine();
    let prepared = engine.prepare_batch(&serde_json::to_vec(&request).unwrap(), 10).expect("valid batch");
    let mut zip = Vec::new();
    engine.write_batch(prepared, &mut zip, &vanban::batch::BatchControl::new(2)).expect("batch written");
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    let mut items = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        if entry.name().expect("UTF-8 entry name").ends_with(".pdf") {
            let mut pdf = Vec::new();
            entry.read_to_end(&mut pdf).unwrap();
            let extracted = extract::extract(&pdf).unwrap();
            assert_eq!(extracted.template, "resolution");
            items.push(extracted.data);
        }
    }
    let mut second = defaults.clone();
    second["issuer"]["name"] = json!("CHI BỘ TỔ DÂN PHỐ 7");
    assert_eq!(
        items,
        [as_embedded(&defaults), as_embedded(&second)],
        "each PDF carries its item merged over the defaults"
    );
}

// --- Hand-made and hostile PDFs ---------------------------------------------------------------

/// A one-page PDF whose catalogue gets `extra` entries, saved by lopdf (classic xref table).
fn pdf_with(build: impl FnOnce(&mut Document) -> Dictionary) -> Vec<u8> {
    let mut document = Document::with_version("1.7");
    let pages = document.new_object_id();
    let page = document.add_object(dictionary! { "Type" => "Page", "Parent" => pages });
    document.objects.insert(
        pages,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
        }),
    );
    let mut catalog = build(&mut document);
    catalog.set("Type", "Catalog");
    catalog.set("Pages", pages);
    let catalog = document.add_object(catalog);
    document.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).unwrap();
    bytes
}

/// A catalogue holding one embedded, associated file `name` with `stream` as contents.
fn attachment(document: &mut Document, name: &str, stream: Stream) -> Dictionary {
    let contents = document.add_object(stream);
    let spec = document.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => Object::string_literal(name),
        "UF" => Object::string_literal(name),
        "EF" => dictionary! { "F" => contents },
        "AFRelationship" => "Source",
    });
    dictionary! {
        "Names" => dictionary! { "EmbeddedFiles" => dictionary! {
            "Names" => vec![Object::string_literal(name), spec.into()],
        } },
        "AF" => vec![spec.into()],
    }
}

fn json_stream(bytes: &[u8]) -> Stream {
    Stream::new(dictionary! { "Type" => "EmbeddedFile" }, bytes.to_vec())
}

#[test]
fn a_hand_made_attachment_in_vanbans_shape_reads_back() {
    let envelope = br#"{"vanban":{"template":"minutes","version":"0.0.1"},"data":{"draft":true}}"#;
    let pdf = pdf_with(|d| attachment(d, "vanban-minutes.json", json_stream(envelope)));
    let extracted = extract::extract(&pdf).unwrap();
    assert_eq!((extracted.template.as_str(), extracted.version.as_str()), ("minutes", "0.0.1"));
    assert_eq!(extracted.data, json!({ "draft": true }));
}

#[test]
fn other_attachments_and_bad_envelopes_are_told_apart() {
    let invoice = pdf_with(|d| attachment(d, "factur-x.xml", json_stream(b"<xml/>")));
    assert_eq!(extract_error(&invoice), "no_embedded_data");
    let not_json = pdf_with(|d| attachment(d, "vanban-minutes.json", json_stream(b"<xml/>")));
    assert_eq!(extract_error(&not_json), "unreadable_embedded_data");
    let no_envelope = pdf_with(|d| attachment(d, "vanban-minutes.json", json_stream(br#"{"issuer":{}}"#)));
    assert_eq!(extract_error(&no_envelope), "unreadable_embedded_data");
}

/// A small stream that inflates past the limit is refused without being inflated whole.
#[test]
fn a_decompression_bomb_is_refused() {
    let mut bomb = json_stream(&vec![b' '; MAX_STREAM_BYTES * 8]);
    bomb.compress().unwrap();
    assert!(bomb.content.len() < 200 * 1024, "{} bytes compressed", bomb.content.len());
    let pdf = pdf_with(|d| attachment(d, "vanban-minutes.json", bomb));
    assert_eq!(extract_error(&pdf), "unreadable_embedded_data");
}

/// A file specification that names a file elsewhere (`/F` without `/EF`) is never followed.
#[test]
fn an_external_file_reference_is_never_read() {
    let pdf = pdf_with(|document| {
        let spec = document.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal("vanban-minutes.json"),
            "UF" => Object::string_literal("vanban-minutes.json"),
            "FS" => "URL",
        });
        let relative = document.add_object(dictionary! {
            "Type" => "Filespec",
            "F" => Object::string_literal("../../../etc/vanban-passwd.json"),
            "EF" => dictionary! { "F" => Object::string_literal("/etc/passwd") },
        });
        dictionary! { "AF" => vec![spec.into(), relative.into()] }
    });
    match extract::extract(&pdf) {
        Err(Error::Extract { code, message }) => {
            assert_eq!(code, "unreadable_embedded_data");
            assert!(!message.contains("root:"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Name trees that loop or nest deeply end: each node is visited once, within a budget.
#[test]
fn a_looping_name_tree_ends() {
    let pdf = pdf_with(|document| {
        let node = document.new_object_id();
        document
            .objects
            .insert(node, Object::Dictionary(dictionary! { "Kids" => vec![node.into(), node.into()] }));
        dictionary! { "Names" => dictionary! { "EmbeddedFiles" => node } }
    });
    assert_eq!(extract_error(&pdf), "no_embedded_data");
    let chain = pdf_with(|document| {
        let mut next = document.add_object(dictionary! { "Names" => Vec::<Object>::new() });
        for _ in 0..5_000 {
            next = document.add_object(dictionary! { "Kids" => vec![next.into()] });
        }
        dictionary! { "Names" => dictionary! { "EmbeddedFiles" => next } }
    });
    assert_eq!(extract_error(&chain), "no_embedded_data");
}

#[test]
fn junk_damaged_and_oversized_files_are_client_errors() {
    assert_eq!(extract_error(b"Bi\xC3\xAAn b\xE1\xBA\xA3n"), "not_a_pdf");
    assert_eq!(extract_error(br#"{"template": "minutes", "data": {}}"#), "not_a_pdf");
    let pdf = embedded_minutes();
    for cut in [10, 500] {
        assert!(matches!(extract::extract(&pdf[..cut]), Err(Error::Extract { .. })), "cut at {cut}");
    }
    for cut in [pdf.len() / 3, pdf.len() - 40] {
        let result = extract::extract(&pdf[..cut]);
        assert!(matches!(result, Err(Error::Extract { .. }) | Ok(_)), "cut at {cut}: {result:?}");
    }
    // Deep nesting in an object, far past any real PDF.
    let mut nested = b"%PDF-1.7\n1 0 obj\n".to_vec();
    nested.extend(std::iter::repeat_n(b'[', 200_000));
    nested.extend(b"\nendobj\ntrailer\n<</Root 1 0 R>>\n%%EOF\n");
    assert!(matches!(extract::extract(&nested), Err(Error::Extract { .. })));
    // More objects than any vanban document has.
    let many = pdf_with(|document| {
        for _ in 0..extract::MAX_OBJECTS {
            document.add_object(Object::Null);
        }
        attachment(document, "vanban-minutes.json", json_stream(b"{}"))
    });
    match extract::extract(&many) {
        Err(Error::Extract { code: "unreadable_pdf", message }) => {
            assert!(message.contains("objects"), "{message}")
        }
        other => panic!("expected a refusal for too many objects, got {other:?}"),
    }
}

/// A byte-level mutation of a PDF.
#[derive(Debug, Clone)]
enum Mutation {
    /// Overwrite bytes at positions (fractions of the length).
    Flip(Vec<(f64, u8)>),
    /// Keep a prefix.
    Truncate(f64),
    /// Copy a span over another place.
    Splice { from: f64, to: f64, len: usize },
    /// Insert bytes.
    Insert(f64, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = 0.0..1.0f64;
    prop_oneof![
        prop::collection::vec((at.clone(), any::<u8>()), 1..24).prop_map(Mutation::Flip),
        at.clone().prop_map(Mutation::Truncate),
        (at.clone(), at.clone(), 1..4096usize).prop_map(|(from, to, len)| Mutation::Splice { from, to, len }),
        (at, prop::collection::vec(any::<u8>(), 1..64)).prop_map(|(at, bytes)| Mutation::Insert(at, bytes)),
    ]
}

fn mutate(pdf: &[u8], mutation: &Mutation) -> Vec<u8> {
    let mut bytes = pdf.to_vec();
    let index = |fraction: f64, len: usize| ((fraction * len as f64) as usize).min(len.saturating_sub(1));
    match mutation {
        Mutation::Flip(flips) => {
            for (at, byte) in flips {
                let i = index(*at, bytes.len());
                bytes[i] = *byte;
            }
        }
        Mutation::Truncate(at) => bytes.truncate(index(*at, bytes.len())),
        Mutation::Splice { from, to, len } => {
            let (from, to) = (index(*from, bytes.len()), index(*to, bytes.len()));
            let len = (*len).min(bytes.len() - from).min(bytes.len() - to);
            let span = bytes[from..from + len].to_vec();
            bytes[to..to + len].copy_from_slice(&span);
        }
        Mutation::Insert(at, inserted) => {
            let i = index(*at, bytes.len());
            bytes.splice(i..i, inserted.iter().copied());
        }
    }
    bytes
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// A mutated PDF never panics: it gives the data back (the mutation missed what matters)
    /// or is a client error.
    #[test]
    fn a_mutated_pdf_gives_its_data_or_a_client_error(mutation in mutation()) {
        let bytes = mutate(embedded_minutes(), &mutation);
        match extract::extract(&bytes) {
            Ok(extracted) => prop_assert_eq!(extracted.template, "minutes"),
            Err(error) => prop_assert!(
                matches!(error, Error::Extract { .. } | Error::TooLarge(_)),
                "{:?}", error
            ),
        }
    }
}

// --- Over HTTP and on the command line ----------------------------------------------------------

async fn post(path: &str, content_type: &str, body: Vec<u8>) -> (axum::http::StatusCode, Vec<u8>) {
    use axum::http::{Request, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .body(axum::body::Body::from(body))
        .unwrap();
    let router = vanban::http::router(engine(), &vanban::http::HttpConfig::default()).unwrap();
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    (status, response.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn error_code(body: &[u8]) -> String {
    let body: Value = serde_json::from_slice(body).expect("a JSON error");
    body["error"]["code"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn http_extract_gives_the_request_back_and_rendering_it_gives_the_same_pdf() {
    use axum::http::StatusCode;
    let input = serde_json::to_vec(&embedding("dues-report")).unwrap();
    let (status, pdf) = post("/v1/render/dues-report", "application/json", input).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = post("/v1/extract", "application/pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(body["template"], "dues-report");
    assert_eq!(body["version"], extract::VERSION);
    assert_eq!(body["data"], as_embedded(&embedding("dues-report")));
    let path = format!("/v1/render/{}", body["template"].as_str().unwrap());
    let (status, again) = post(&path, "application/json", serde_json::to_vec(&body["data"]).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(again == pdf, "byte-identical");
}

#[tokio::test]
async fn http_extract_refuses_what_carries_no_data_each_with_its_code() {
    use axum::http::StatusCode;
    let (status, body) = post("/v1/extract", "application/json", embedded_minutes().to_vec()).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );
    let (status, body) = post("/v1/extract", "application/pdf", b"GIF89a not a pdf".to_vec()).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "not_a_pdf"));
    let plain = render("minutes", &fixture("minutes.json")).pdf;
    let (status, body) = post("/v1/extract", "application/pdf", plain).await;
    assert_eq!((status, error_code(&body).as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "no_embedded_data"));
    let message: Value = serde_json::from_slice(&body).unwrap();
    assert!(message["error"]["message"].as_str().unwrap().contains("embed_data"), "{message}");
    let too_large = vec![b'%'; vanban::http::DEFAULT_MAX_BODY_BYTES + 1];
    let (status, _) = post("/v1/extract", "application/pdf", too_large).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[test]
fn cli_extract_prints_the_request_and_refuses_a_pdf_without_data() {
    let dir = tempfile::tempdir().unwrap();
    let (with, without) = (dir.path().join("with.pdf"), dir.path().join("without.pdf"));
    std::fs::write(&with, embedded_minutes()).unwrap();
    std::fs::write(&without, render("minutes", &fixture("minutes.json")).pdf).unwrap();
    let vanban = || std::process::Command::new(env!("CARGO_BIN_EXE_vanban"));
    let output = vanban().arg("extract").arg(&with).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["template"], "minutes");
    assert_eq!(printed["data"], as_embedded(&embedding("minutes")));
    let output = vanban().arg("extract").arg(&without).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("carries no vanban data"));
}

/// The request as the PDF carries it: normalised, and `null` (absent) members dropped.
fn as_embedded(request: &Value) -> Value {
    match request {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), as_embedded(v))).collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(as_embedded).collect()),
        other => other.clone(),
    }
}
