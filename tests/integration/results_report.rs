//! The results report end to end (DOCUMENTS.md §4.4.1): layout facts read back from the PDF
//! (§2.14), the opening sentence, optional sections, table D computed from the meetings, and
//! meeting errors located by pointer.

use serde_json::{Value, json};

use crate::util::{Pdf, engine, fixture, invalid_pointers, render, render_print_ready};

fn example() -> Value {
    fixture("results-report.json")
}

/// The example with the three meetings of the spec's table D (a 47-member cell).
fn with_meetings() -> Value {
    let mut input = example();
    input["meetings"] = json!([
        { "month": 10, "date": "2026-10-22", "required": 47, "present": 44, "duration_minutes": 110, "thematic": false },
        { "month": 11, "date": "2026-11-22", "required": 47, "present": 43, "duration_minutes": 135, "thematic": true },
        { "month": 12, "date": "2026-12-22", "required": 47, "present": 45, "duration_minutes": 100, "thematic": false },
    ]);
    input
}

#[test]
fn results_report_example_is_an_a4_pdf_in_the_document_font() {
    let (rendered, pdf) = render_print_ready("results-report", &example());
    let fonts = pdf.fonts();
    assert!(fonts.contains("LiberationSerif-Italic"), "{fonts:?}");
    assert_eq!(pdf.title().as_deref(), Some("Báo cáo kết quả lãnh đạo thực hiện nhiệm vụ quý IV năm 2026"));
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
}

#[test]
fn results_report_header_sections_and_signature_are_printed() {
    let pdf = Pdf::parse(&render("results-report", &example()).pdf);
    let first = pdf.page_text(1);
    for expected in ["Số 08-BC/CB", "Đoàn Kết, ngày 28 tháng 12 năm 2026", "BÁO CÁO"] {
        assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
    }
    let text = pdf.text();
    for expected in [
        "Thực hiện Công văn số 118-CV/ĐU, ngày 10/12/2026 của Đảng ủy phường Đoàn Kết, Chi bộ báo cáo kết quả \
         lãnh đạo thực hiện nhiệm vụ quý IV năm 2026 như sau:",
        "I- ĐẶC ĐIỂM TÌNH HÌNH",
        "II- KẾT QUẢ THỰC HIỆN",
        "1. Công tác chính trị, tư tưởng",
        "III- HẠN CHẾ, NGUYÊN NHÂN",
        "IV- PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ I NĂM 2027",
        "V- ĐỀ XUẤT, KIẾN NGHỊ",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let last = pdf.page_text(pdf.pages() as u32);
    for expected in ["T/M CHI BỘ", "BÍ THƯ", "Nguyễn Văn Hùng", "Nơi nhận:", "- Lưu Chi bộ."] {
        assert!(last.contains(expected), "last page lacks {expected:?}:\n{last}");
    }
    assert!(last.contains("Đề nghị Đảng ủy phường"), "last proposal kept with the signature:\n{last}");
    pdf.assert_page_numbers_from_two();
}

#[test]
fn optional_sections_are_dropped_and_numerals_stay_consecutive() {
    let mut input = example();
    let object = input.as_object_mut().unwrap();
    object.remove("situation");
    object.remove("requested_by");
    object.insert("proposals".into(), json!([]));
    let text = Pdf::parse(&render("results-report", &input).pdf).text();
    assert!(
        text.contains("Chi bộ báo cáo kết quả lãnh đạo thực hiện nhiệm vụ quý IV năm 2026 như sau:"),
        "{text}"
    );
    assert!(
        text.contains("I- KẾT QUẢ THỰC HIỆN") && text.contains("III- PHƯƠNG HƯỚNG, NHIỆM VỤ QUÝ I NĂM 2027"),
        "{text}"
    );
    assert!(!text.contains("ĐẶC ĐIỂM TÌNH HÌNH") && !text.contains("ĐỀ XUẤT, KIẾN NGHỊ"), "{text}");
}

#[test]
fn table_d_is_computed_from_the_meetings() {
    let rendered = render("results-report", &with_meetings());
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let text = Pdf::parse(&rendered.pdf).text();
    for expected in [
        "Tình hình sinh hoạt chi bộ quý IV năm 2026:",
        "Tháng Ngày sinh hoạt Tổng số phải dự Có mặt Tỷ lệ (%) Thời lượng (phút) Chuyên đề",
        "10 22/10/2026 47 44 93,6 110 —",
        "11 22/11/2026 47 43 91,5 135 Có",
        "12 22/12/2026 47 45 95,7 100 —",
        "Cộng 3 buổi 141 132 93,6 1",
        "Ghi chú: Tỷ lệ bình quân = tổng số lượt đảng viên có mặt/tổng số lượt đảng viên phải dự (132/141).",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn the_bundled_example_prints_table_d() {
    let example: Value =
        serde_json::from_str(include_str!("../../templates/results-report/example.json")).unwrap();
    let text = Pdf::parse(&render("results-report", &example).pdf).text();
    assert!(text.contains("11 22/11/2026 20 18 90,0 120 Có"), "{text}");
    assert!(text.contains("Cộng 3 buổi 60 56 93,3 1"), "{text}");
}

#[test]
fn meeting_contradictions_are_errors_and_short_meetings_warn() {
    let mut input = with_meetings();
    input["meetings"][1]["present"] = json!(48);
    input["meetings"][2]["date"] = json!("2026-12-32");
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(
        invalid_pointers(engine().render("results-report", &body)),
        ["/meetings/1/present", "/meetings/2/date"]
    );

    let mut input = with_meetings();
    input["meetings"][0]["duration_minutes"] = json!(75);
    let rendered = render("results-report", &input);
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.pointer == "/meetings/0/duration_minutes" && w.code == "short_meeting"),
        "{:?}",
        rendered.warnings
    );
}

#[test]
fn unassigned_report_number_prints_a_blank() {
    let mut input = example();
    input["number"]["assigned"] = json!(false);
    let first = Pdf::parse(&render("results-report", &input).pdf).page_text(1);
    let line = first.lines().find(|l| l.contains("-BC/CB")).unwrap_or_else(|| panic!("{first}"));
    let before = line.split("-BC/CB").next().unwrap();
    let number = &before[before.rfind("Số").expect("the word Số")..];
    assert!(!number.chars().any(|c| c.is_ascii_digit()), "no digits in {number:?}");
}
