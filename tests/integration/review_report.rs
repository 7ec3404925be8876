//! The collective self-review report end to end (DOCUMENTS.md §4.4.2): layout facts read back
//! from the PDF (§2.14), table E with largest-remainder percentages, the score/level warning and
//! ballot errors located by pointer.

use serde_json::{Value, json};

use crate::util::{Pdf, engine, fixture, invalid_pointers, render, render_print_ready};

fn example() -> Value {
    fixture("review-report.json")
}

#[test]
fn review_report_example_is_an_a4_pdf_in_the_document_font() {
    let (rendered, pdf) = render_print_ready("review-report", &example());
    let fonts = pdf.fonts();
    assert!(fonts.contains("LiberationSerif-Italic"), "{fonts:?}");
    assert_eq!(pdf.title().as_deref(), Some("Báo cáo kiểm điểm tập thể Chi bộ năm 2026"));
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
}

#[test]
fn review_report_header_sections_and_signature_are_printed() {
    let pdf = Pdf::parse(&render("review-report", &example()).pdf);
    let first = pdf.page_text(1);
    for expected in
        ["Số 07-BC/CB", "Đoàn Kết, ngày 15 tháng 12 năm 2026", "BÁO CÁO", "kiểm điểm tập thể Chi bộ năm 2026"]
    {
        assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
    }
    let text = pdf.text();
    for expected in [
        "Thực hiện Quy định số 366-QĐ/TW, ngày 30/8/2025 của Bộ Chính trị và Hướng dẫn của Đảng ủy phường \
         Đoàn Kết về kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng, đảng viên năm 2026, Chi bộ báo cáo \
         kết quả kiểm điểm tập thể năm 2026 như sau: I- ƯU ĐIỂM, KẾT QUẢ ĐẠT ĐƯỢC",
        // Sub-headings are numbered by the template, restarting under each section.
        "1. Kết quả đánh giá, xếp loại chất lượng đảng viên năm 2026",
        "2. Tự đánh giá, xếp loại chất lượng tập thể Chi bộ",
        "I- ƯU ĐIỂM, KẾT QUẢ ĐẠT ĐƯỢC",
        "1. Lãnh đạo thực hiện nhiệm vụ chính trị",
        "II- HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN",
        "- Hai đảng viên cao tuổi chưa sử dụng thành thạo điện thoại thông minh.",
        "III- KẾT QUẢ KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM ĐÃ ĐƯỢC CẤP CÓ THẨM QUYỀN KẾT LUẬN",
        "IV- PHƯƠNG HƯỚNG, BIỆN PHÁP KHẮC PHỤC",
        "V- TỰ ĐÁNH GIÁ, XẾP LOẠI",
        "Chi bộ tự chấm đạt 86/100 điểm; tự đánh giá, xếp loại chất lượng năm 2026: Hoàn thành tốt nhiệm vụ.",
        "số phiếu phát ra 18, số phiếu hợp lệ 18; 17/18 phiếu (đạt 94,4%) đề nghị xếp loại Chi bộ “Hoàn thành tốt nhiệm vụ”.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let last = pdf.page_text(pdf.pages() as u32);
    for expected in ["T/M CHI BỘ", "BÍ THƯ", "Nguyễn Văn Hùng", "Nơi nhận:", "- Lưu Chi bộ."] {
        assert!(last.contains(expected), "last page lacks {expected:?}:\n{last}");
    }
    assert!(last.contains("phiếu kín"), "ballot sentence kept with the signature:\n{last}");
    if pdf.pages() > 1 {
        assert!(!pdf.page_text(1).lines().any(|l| l.trim() == "1"));
        assert!(pdf.page_text(2).lines().any(|l| l.trim() == "2"));
    }
}

#[test]
fn without_a_basis_the_opening_is_the_standard_sentence() {
    let mut input = example();
    input.as_object_mut().unwrap().remove("requested_by");
    let text = Pdf::parse(&render("review-report", &input).pdf).text();
    assert!(
        text.contains(
            "kiểm điểm tập thể Chi bộ năm 2026 Chi bộ báo cáo kết quả kiểm điểm tập thể năm 2026 như sau:"
        ),
        "{text}"
    );
}

#[test]
fn table_e_percentages_total_one_hundred_over_the_rated() {
    let mut input = example();
    input["member_ratings"] =
        json!({ "xuat_sac": 7, "tot": 36, "hoan_thanh": 4, "khong_hoan_thanh": 0, "not_rated": 4 });
    input["self_assessment"]["ballot"] = json!({ "issued": 43, "valid": 43, "for_level": 41 });
    let rendered = render("review-report", &input);
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    let text = Pdf::parse(&rendered.pdf).text();
    for expected in [
        "Mức xếp loại Số lượng Tỷ lệ (%)",
        "Hoàn thành xuất sắc nhiệm vụ 7 14,9",
        "Hoàn thành tốt nhiệm vụ 36 76,6",
        "Hoàn thành nhiệm vụ 4 8,5",
        "Không hoàn thành nhiệm vụ 0 0,0",
        "Không xếp loại (miễn sinh hoạt, mới kết nạp…) 4 —",
        "Tổng số được xếp loại 47 100",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn a_level_unlike_the_score_only_warns() {
    let mut input = example();
    input["self_assessment"]["score"] = json!(92);
    let rendered = render("review-report", &input);
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.pointer == "/self_assessment/level" && w.code == "level_differs_from_score"),
        "{:?}",
        rendered.warnings
    );
    // The level the cell voted for is printed as given.
    let text = Pdf::parse(&rendered.pdf).text();
    assert!(text.contains(
        "Chi bộ tự chấm đạt 92/100 điểm; tự đánh giá, xếp loại chất lượng năm 2026: Hoàn thành tốt nhiệm vụ."
    ));
}

#[test]
fn impossible_ballots_are_reported_with_pointers() {
    let mut input = example();
    input["self_assessment"]["ballot"] = json!({ "issued": 18, "valid": 19, "for_level": 20 });
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(
        invalid_pointers(engine().render("review-report", &body)),
        ["/self_assessment/ballot/for_level", "/self_assessment/ballot/valid"]
    );
}

#[test]
fn an_unknown_level_is_a_schema_error() {
    let mut input = example();
    input["self_assessment"]["level"] = json!("Tốt");
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(invalid_pointers(engine().render("review-report", &body)), ["/self_assessment/level"]);
}

#[test]
fn unassigned_review_number_prints_a_blank() {
    let mut input = example();
    input["number"]["assigned"] = json!(false);
    let first = Pdf::parse(&render("review-report", &input).pdf).page_text(1);
    let line = first.lines().find(|l| l.contains("-BC/CB")).unwrap_or_else(|| panic!("{first}"));
    let before = line.split("-BC/CB").next().unwrap();
    let number = &before[before.rfind("Số").expect("the word Số")..];
    assert!(!number.chars().any(|c| c.is_ascii_digit()), "no digits in {number:?}");
}
