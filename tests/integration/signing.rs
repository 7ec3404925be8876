//! Signed-ready output (issue 7): PDF/A-2b by default, an empty signature field over every
//! signing space on the page where it landed, none on drafts.

use serde_json::{Value, json};

use crate::util::{Pdf, TEMPLATES, custom_template, fixture, render};

/// A4 width in points, and the standard margins (left 30 mm, right 15 mm) in points.
const PAGE_WIDTH: f64 = 595.276;
const LEFT_MARGIN: f64 = 30.0 / 25.4 * 72.0;
const RIGHT_MARGIN: f64 = 15.0 / 25.4 * 72.0;
/// The signing space height (30 mm, `signature_space_mm`).
const SIGNING_HEIGHT: f64 = 30.0 / 25.4 * 72.0;

/// Field names in order, and checks every field is a full signing space within the text area.
fn field_names(pdf: &Pdf, page: u32) -> Vec<String> {
    let fields = pdf.signature_fields();
    for (name, on_page, [left, bottom, right, top]) in &fields {
        assert_eq!(*on_page, page, "{name} is on the signatures' page");
        assert!((top - bottom - SIGNING_HEIGHT).abs() < 0.5, "{name} is as tall as the signing space");
        assert!(right - left > 150.0, "{name} spans its signature column: {left}..{right}");
        assert!(*left >= LEFT_MARGIN - 0.5 && *right <= PAGE_WIDTH - RIGHT_MARGIN + 0.5, "{name} in margins");
        assert!(*bottom > 0.0 && *top < 842.0, "{name} on the page");
    }
    fields.into_iter().map(|(name, ..)| name).collect()
}

#[test]
fn minutes_have_secretary_and_chair_fields_side_by_side_on_the_last_page() {
    let rendered = render("minutes", &fixture("minutes.json"));
    let pdf = Pdf::parse(&rendered.pdf);
    let last = pdf.pages() as u32;
    assert_eq!(field_names(&pdf, last), ["thu_ky", "chu_tri"]);
    let fields = pdf.signature_fields();
    let (secretary, chair) = (fields[0].2, fields[1].2);
    assert!(secretary[2] <= chair[0] + 0.5, "secretary left of the chair");
    assert!((secretary[1] - chair[1]).abs() < 0.5, "both signing spaces on one level");
    // The same fields are reported to the caller, rectangle for rectangle (the PDF has 4 decimals).
    assert_eq!(rendered.fields.len(), fields.len());
    for (reported, (name, page, rect)) in rendered.fields.iter().zip(&fields) {
        assert_eq!((&reported.name, reported.page as u32), (name, *page));
        assert!(
            reported.rect.iter().zip(rect).all(|(a, b)| (a - b).abs() < 1e-3),
            "{reported:?} vs {rect:?}"
        );
    }
    // The signers' names are printed on that page, under their signing spaces.
    assert!(pdf.page_text(last).contains("THƯ KÝ") && pdf.page_text(last).contains("CHỦ TRÌ"));
}

#[test]
fn a_signature_row_that_lands_on_page_four_gets_its_fields_on_page_four() {
    // The example ends on page 5; three speeches and no assignment table end on page 4.
    let mut input = fixture("minutes.json");
    input["discussion"] = json!(input["discussion"].as_array().unwrap()[..3]);
    input["assignments"] = json!([]);
    let pdf = Pdf::parse(&render("minutes", &input).pdf);
    assert_eq!(pdf.pages(), 4, "the input is sized to end on page 4");
    assert_eq!(field_names(&pdf, 4), ["thu_ky", "chu_tri"]);
}

#[test]
fn resolution_and_reports_have_the_secretary_field_and_the_dues_preparer_its_own() {
    for (template, expected) in [
        ("resolution", vec!["bi_thu"]),
        ("results-report", vec!["bi_thu"]),
        ("review-report", vec!["bi_thu"]),
        ("dues-report", vec!["nguoi_lap_bieu", "bi_thu"]),
        ("thematic-minutes", vec!["thu_ky", "chu_tri"]),
    ] {
        let pdf = Pdf::parse(&render(template, &fixture(&format!("{template}.json"))).pdf);
        let mut names = field_names(&pdf, pdf.pages() as u32);
        names.sort();
        let mut expected = expected;
        expected.sort();
        assert_eq!(names, expected, "{template}");
    }
}

#[test]
fn drafts_carry_the_mark_no_number_and_no_fields() {
    for (template, draft) in
        [("minutes", json!({ "draft": true })), ("resolution", json!({ "draft_label": "Dự thảo" }))]
    {
        let mut input = fixture(&format!("{template}.json"));
        for (key, value) in draft.as_object().unwrap() {
            input[key] = value.clone();
        }
        let rendered = render(template, &input);
        let pdf = Pdf::parse(&rendered.pdf);
        assert!(pdf.signature_fields().is_empty() && rendered.fields.is_empty(), "{template}: no fields");
        assert!(pdf.page_text(1).contains("DỰ THẢO"), "{template}: draft mark");
    }
    let mut input = fixture("resolution.json");
    input["draft"] = json!(true);
    let text = Pdf::parse(&render("resolution", &input).pdf).page_text(1);
    assert!(!text.contains("Số 18"), "a draft has no number:\n{text}");
}

#[test]
fn fields_can_be_turned_off() {
    let mut input = fixture("minutes.json");
    input["signature_fields"] = json!(false);
    assert!(Pdf::parse(&render("minutes", &input).pdf).signature_fields().is_empty());
}

#[test]
fn output_is_pdf_a_2b_in_vietnamese_with_full_metadata() {
    let pdf = Pdf::parse(&render("resolution", &fixture("resolution.json")).pdf);
    let xmp = pdf.xmp();
    assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"), "{xmp}");
    assert!(xmp.contains("<pdfaid:conformance>B</pdfaid:conformance>"), "{xmp}");
    assert_eq!(pdf.output_intents(), ["GTS_PDFA1"]);
    assert_eq!(pdf.language().as_deref(), Some("vi"));
    assert_eq!(pdf.info(b"Author").as_deref(), Some("CHI BỘ TỔ DÂN PHỐ 5"));
    assert!(pdf.title().is_some_and(|t| t.starts_with("Nghị quyết")), "{:?}", pdf.title());
    assert!(
        pdf.info(b"Subject").is_some_and(|s| s.contains("ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT")),
        "{:?}",
        pdf.info(b"Subject")
    );
}

#[test]
fn pdf_standard_is_chosen_per_request() {
    let with = |standard: &str| {
        let mut input: Value = fixture("minutes.json");
        input["pdf_standard"] = json!(standard);
        Pdf::parse(&render("minutes", &input).pdf)
    };
    let plain = with("none");
    assert!(!plain.xmp().contains("pdfaid:part"), "plain PDF claims no PDF/A");
    assert!(plain.output_intents().is_empty());
    let mut input = fixture("resolution.json");
    input["pdf_standard"] = json!("a-2a+ua-1");
    let accessible = Pdf::parse(&render("resolution", &input).pdf);
    assert!(accessible.xmp().contains("<pdfaid:conformance>A</pdfaid:conformance>"));
    assert!(accessible.xmp().contains("pdfuaid:part"), "PDF/UA identification");
    assert_eq!(accessible.signature_fields().len(), 1);
}

/// Every bundled example can be written as tagged PDF/A-2a + PDF/UA-1. The minutes' task table
/// sits on a page whose number Typst would tag inside the table unless the page number is marked
/// as an artifact; PDF/UA rejects that, so this fails without `pdf.artifact` in `vanban.typ`.
#[test]
fn every_bundled_example_can_be_tagged_for_pdf_ua() {
    for template in TEMPLATES {
        let mut input = fixture(&format!("{template}.json"));
        input["pdf_standard"] = json!("a-2a+ua-1");
        let bytes = serde_json::to_vec(&input).unwrap();
        let typeset = crate::util::engine()
            .render(template, &bytes)
            .unwrap_or_else(|e| panic!("{template} as PDF/A-2a + PDF/UA-1: {e:?}"));
        let xmp = Pdf::parse(&typeset.pdf).xmp();
        assert!(xmp.contains("<pdfaid:conformance>A</pdfaid:conformance>"), "{template}");
        assert!(xmp.contains("pdfuaid:part"), "{template}: PDF/UA identification");
    }
}

/// A document that breaks a rule of the standard it asks for is a 422 on that option, naming the
/// standard as the request spelled it and the one to ask for instead; PDF/UA needs a title.
#[test]
fn a_standard_the_document_cannot_meet_is_a_client_error_on_the_option() {
    let (_dir, engine) = custom_template("#set document(title: none)\nChi bộ họp.");
    let mut input = fixture("resolution.json");
    input["pdf_standard"] = json!("a-2a+ua-1");
    match engine.render("custom", &serde_json::to_vec(&input).unwrap()) {
        Err(vanban::Error::Invalid(issues)) => {
            assert_eq!(issues.len(), 1, "{issues:?}");
            assert_eq!(issues[0].pointer, "/pdf_standard");
            assert_eq!(issues[0].code, "pdf_standard_unmet");
            let message = &issues[0].message;
            assert!(message.contains(r#"written as "a-2a+ua-1""#), "{message}");
            assert!(message.contains("title"), "Typst's reason is kept: {message}");
            assert!(message.contains(r#"ask for "a-2b""#), "{message}");
        }
        other => panic!("expected a 422 on /pdf_standard, got {other:?}"),
    }
    input["pdf_standard"] = json!("a-2b");
    let archival = engine.render("custom", &serde_json::to_vec(&input).unwrap());
    assert!(archival.is_ok(), "PDF/A-2b needs no title: {archival:?}");
}
