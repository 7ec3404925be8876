//! The resolution template end to end (DOCUMENTS.md §4.3): layout facts read back from the PDF
//! (§2.14), the computed meeting and vote sentences, the signature kept with the last
//! paragraph, and consistency errors located by pointer.

use serde_json::{Value, json};

use crate::util::{Pdf, engine, fixture, invalid_pointers, render, render_print_ready};

fn example() -> Value {
    fixture("resolution.json")
}

#[test]
fn resolution_example_is_an_a4_pdf_in_the_document_font() {
    let (rendered, pdf) = render_print_ready("resolution", &example());
    let fonts = pdf.fonts();
    // The date line is the italic face.
    assert!(fonts.contains("LiberationSerif-Italic"), "{fonts:?}");
    assert_eq!(pdf.title().as_deref(), Some("Nghị quyết về lãnh đạo thực hiện nhiệm vụ tháng 12 năm 2026"));
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    assert_eq!(rendered.file_name, "NQ-18-chi-bo-to-dan-pho-5-2026-12.pdf");
}

#[test]
fn resolution_header_title_body_and_signature_are_printed() {
    let pdf = Pdf::parse(&render("resolution", &example()).pdf);
    let first = pdf.page_text(1);
    for expected in [
        "ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT",
        "CHI BỘ TỔ DÂN PHỐ 5",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 18-NQ/CB",
        "Đoàn Kết, ngày 22 tháng 11 năm 2026",
        "NGHỊ QUYẾT",
        "về lãnh đạo thực hiện nhiệm vụ tháng 12 năm 2026",
    ] {
        assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
    }
    let text = pdf.text();
    for expected in [
        "- Căn cứ Điều lệ Đảng Cộng sản Việt Nam;",
        "về định hướng sinh hoạt chi bộ tháng 11 năm 2026;",
        "Chi bộ họp ngày 22 tháng 11 năm 2026, đánh giá kết quả thực hiện nhiệm vụ tháng 11 và thảo luận, \
         thống nhất nhiệm vụ tháng 12 năm 2026,",
        "QUYẾT NGHỊ:",
        "I- KẾT QUẢ THỰC HIỆN NHIỆM VỤ THÁNG 11 NĂM 2026",
        "1. Ưu điểm",
        "- Công tác chính trị, tư tưởng: 100% đảng viên",
        "2. Hạn chế, nguyên nhân",
        "II- NHIỆM VỤ TRỌNG TÂM THÁNG 12 NĂM 2026",
        "2. Phát triển kinh tế - xã hội",
        "III- TỔ CHỨC THỰC HIỆN",
        "Người/bộ phận phụ trách",
        "20/12/2026",
        "05/12/2026",
        "Nghị quyết được 17/17 đồng chí đảng viên chính thức có mặt biểu quyết thông qua (đạt 100%).",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let last = pdf.page_text(pdf.pages() as u32);
    for expected in ["T/M CHI BỘ", "BÍ THƯ", "Nguyễn Văn Hùng", "Nơi nhận:", "- Lưu Chi bộ."] {
        assert!(last.contains(expected), "last page lacks {expected:?}:\n{last}");
    }
    assert!(last.contains("Nghị quyết được 17/17"), "vote sentence kept with the signature:\n{last}");
}

#[test]
fn resolution_page_numbers_start_on_page_two() {
    let pdf = Pdf::parse(&render("resolution", &example()).pdf);
    assert!(pdf.pages() >= 2, "the example spans pages: {}", pdf.pages());
    pdf.assert_page_numbers_from_two();
}

#[test]
fn resolution_dissent_is_stated_in_the_vote_sentence() {
    let mut input = example();
    input["vote"] = json!({ "for": 15, "against": 1, "abstain": 1, "voters_present": 17 });
    let text = Pdf::parse(&render("resolution", &input).pdf).text();
    assert!(
        text.contains("Nghị quyết được 15/17 đồng chí đảng viên chính thức có mặt biểu quyết thông qua (đạt 88,2%); không tán thành: 1; ý kiến khác: 1."),
        "{text}"
    );
}

#[test]
fn unassigned_resolution_number_prints_a_blank() {
    let mut input = example();
    input["number"]["assigned"] = json!(false);
    let first = Pdf::parse(&render("resolution", &input).pdf).page_text(1);
    let line = first.lines().find(|l| l.contains("-NQ/CB")).unwrap_or_else(|| panic!("{first}"));
    let before = line.split("-NQ/CB").next().unwrap();
    let number = &before[before.rfind("Số").expect("the word Số")..];
    assert!(!number.chars().any(|c| c.is_ascii_digit()), "no digits in {number:?}");
    assert!(number.len() > "Số ".len(), "a blank stands for the number: {number:?}");
}

#[test]
fn resolution_contradictions_are_reported_with_pointers() {
    let mut input = example();
    input["vote"]["for"] = json!(17);
    input["vote"]["against"] = json!(2);
    input["meeting_date"] = json!("2026-11-31");
    input["assignments_table"][1]["deadline"] = json!("2026-13-01");
    input["signer"]["authority"] = json!("T/M CHI ỦY");
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(
        invalid_pointers(engine().render("resolution", &body)),
        ["/assignments_table/1/deadline", "/meeting_date", "/signer/authority", "/vote/for"]
    );
}

#[test]
fn resolution_issued_before_its_meeting_is_rejected() {
    let mut input = example();
    input["issue_date"] = json!("2026-11-20");
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(invalid_pointers(engine().render("resolution", &body)), ["/issue_date"]);
}

#[test]
fn resolution_doubtful_values_render_with_warnings() {
    let mut input = example();
    input["plan_period"] = json!({ "month": 1, "year": 2027 });
    input["vote"] = json!({ "for": 8, "against": 9, "abstain": 0, "voters_present": 17 });
    let rendered = render("resolution", &input);
    let warnings: Vec<_> = rendered.warnings.iter().map(|w| (w.pointer.as_str(), w.code)).collect();
    assert!(warnings.contains(&("/plan_period", "plan_not_next_month")), "{warnings:?}");
    assert!(warnings.contains(&("/vote/for", "not_adopted")), "{warnings:?}");
    let text = Pdf::parse(&rendered.pdf).text();
    assert!(text.contains("thống nhất nhiệm vụ tháng 01 năm 2027,"), "{text}");
}

#[test]
fn resolution_ending_near_a_page_bottom_keeps_its_last_paragraph_with_the_signature() {
    // Pad section III one line at a time so the end of the body sweeps across the bottom of a
    // page: at some padding the signature no longer fits and must take the vote sentence along.
    let mut moved_together = false;
    for extra in 0..30 {
        let mut input = example();
        input.as_object_mut().unwrap().remove("assignments_table");
        let mut lines: Vec<Value> = input["implementation"].as_array().unwrap().clone();
        lines.extend((1..=extra).map(|k| json!(format!("Nội dung triển khai bổ sung số {k}."))));
        input["implementation"] = json!(lines);
        let pdf = Pdf::parse(&render("resolution", &input).pdf);
        let pages = pdf.pages() as u32;
        let signature_page =
            (1..=pages).find(|&p| pdf.page_text(p).contains("T/M CHI BỘ")).expect("a signature page");
        let page = pdf.page_text(signature_page);
        assert!(
            page.contains("Nghị quyết được 17/17"),
            "padding {extra}: the vote sentence left page {signature_page} of the signature:\n{page}"
        );
        assert_eq!(signature_page, pages, "padding {extra}: no blank page after the signature");
        // The case that matters: the page before holds padding, this one starts with the vote.
        if extra > 0
            && !page.contains("bổ sung số")
            && pdf.page_text(signature_page - 1).contains("bổ sung số")
        {
            moved_together = true;
        }
    }
    assert!(
        moved_together,
        "some padding pushed the vote sentence and the signature onto a new page together"
    );
}
