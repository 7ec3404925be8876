//! The minutes template end to end: layout facts read back from the PDF (DOCUMENTS.md §2.14),
//! computed numbers, literal printing of hostile text, NFC, determinism and consistency errors.

use serde_json::{Value, json};

use crate::util::{Pdf, engine, fixture, invalid_pointers, render, render_print_ready};

fn example() -> Value {
    fixture("minutes.json")
}

#[test]
fn example_is_a_multi_page_a4_pdf_in_the_document_font() {
    let (_, pdf) = render_print_ready("minutes", &example());
    assert!(pdf.pages() >= 2, "the example fills more than one page, got {}", pdf.pages());
    assert_eq!(pdf.title().as_deref(), Some("Biên bản sinh hoạt chi bộ thường kỳ tháng 11 năm 2026"));
}

#[test]
fn header_title_and_signatures_are_printed() {
    let pdf = Pdf::parse(&render("minutes", &example()).pdf);
    let first = pdf.page_text(1);
    for expected in ["ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT", "CHI BỘ TỔ DÂN PHỐ 5", "ĐẢNG CỘNG SẢN VIỆT NAM", "BIÊN BẢN"]
    {
        assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
    }
    let text = pdf.text();
    assert!(text.contains("SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026"), "{text}");
    assert!(text.contains("Vào lúc 19 giờ 30 phút, ngày 22 tháng 11 năm 2026."));
    let last = pdf.page_text(pdf.pages() as u32);
    for expected in ["THƯ KÝ", "CHỦ TRÌ", "Lê Thị Thu Hà", "Nguyễn Văn Hùng"] {
        assert!(last.contains(expected), "last page lacks {expected:?}:\n{last}");
    }
    // The signatures never stand alone: the closing sentence is on their page.
    assert!(last.contains("Buổi sinh hoạt kết thúc"), "closing sentence kept with the signatures:\n{last}");
}

#[test]
fn attendance_and_votes_are_computed_from_the_lists() {
    let text = Pdf::parse(&render("minutes", &example()).pdf).text();
    for expected in [
        "Tổng số đảng viên của chi bộ: 20 đồng chí (chính thức: 19; dự bị: 1).",
        "Số đảng viên phải dự sinh hoạt: 20 đồng chí.",
        "Có mặt: 18/20 đồng chí (đạt 90,0%), trong đó đảng viên chính thức: 17; vắng mặt: 02 đồng chí (có lý do: 2; không có lý do: 0).",
        "tán thành 17/17 đồng chí (đạt 100%)",
        // Votes on people are counted over the cell's 19 official members (§4.1).
        "Đề nghị kết nạp quần chúng Vi Văn Nam vào Đảng: tán thành 16/19 đồng chí đảng viên chính thức \
         của chi bộ (đạt 84,2%); không tán thành: 1; ý kiến khác: 0.",
        "Đề nghị công nhận đảng viên chính thức cho đồng chí Quàng Thị Yến: tán thành 17/19 đồng chí đảng \
         viên chính thức của chi bộ (đạt 89,5%)",
        "Đại biểu dự: Đồng chí Phạm Quốc Khánh - Đảng ủy viên, phụ trách Chi bộ.",
        // One presenter sentence, none where the summary already names the speaker.
        "Đồng chí Lò Thị Phương - Phó Bí thư Chi bộ trình bày: Về công tác chính trị, tư tưởng:",
        "1. Thông tin thời sự, quán triệt văn bản của cấp trên Đồng chí Bí thư Chi bộ thông tin",
        "tán thành 15/17 đồng chí (đạt 88,2%)",
        "18/18 đồng chí đảng viên có mặt nhất trí.",
        "Buổi sinh hoạt kết thúc vào lúc 21 giờ 30 phút cùng ngày.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn page_numbers_start_on_page_two() {
    let pdf = Pdf::parse(&render("minutes", &example()).pdf);
    pdf.assert_page_numbers_from_two();
}

#[test]
fn markup_in_user_text_prints_literally() {
    let hostile = r#"#panic("x") *x* _x_ $x$ @x <x> #read("/etc/passwd") // \ [x] ]"#;
    let mut input = example();
    input["members"][3]["full_name"] = json!(hostile);
    input["conclusion"] = json!(hostile);
    input["issuer"]["name"] = json!("CHI BỘ #set text(red) $1$");
    let text = Pdf::parse(&render("minutes", &input).pdf).text();
    assert!(text.contains(hostile), "{text}");
    assert!(text.contains("CHI BỘ #SET TEXT(RED) $1$"));
}

#[test]
fn decomposed_input_comes_out_composed() {
    let mut input = example();
    // "Nguyễn Văn Hùng" typed with combining marks (NFD), plus stray spaces.
    input["members"][0]["full_name"] = json!("  Nguye\u{0302}\u{0303}n Va\u{0306}n Hu\u{0300}ng ");
    let text = Pdf::parse(&render("minutes", &input).pdf).text();
    assert!(text.contains("Đồng chí Nguyễn Văn Hùng - Bí thư Chi bộ."), "{text}");
    assert!(!text.contains('\u{0302}'), "no combining marks survive");
}

#[test]
fn same_input_gives_the_same_bytes() {
    let a = render("minutes", &example()).pdf;
    let b = render("minutes", &example()).pdf;
    assert!(a == b, "rendering is deterministic");
}

#[test]
fn optional_attendance_table_lists_every_member() {
    let mut input = example();
    input["attendance_table"] = json!(true);
    let text = Pdf::parse(&render("minutes", &input).pdf).text();
    assert!(text.contains("Tình hình dự"));
    assert!(text.contains("Vắng có lý do (đi công tác)"), "{text}");
}

#[test]
fn long_minutes_keep_the_signatures_with_the_closing_sentence() {
    let mut input = example();
    let speech = input["discussion"][0].clone();
    let discussion: Vec<Value> = std::iter::repeat_n(speech, 30).collect();
    input["discussion"] = json!(discussion);
    input["attendance_table"] = json!(true);
    let pdf = Pdf::parse(&render("minutes", &input).pdf);
    assert!(pdf.pages() >= 4, "long input spans pages: {}", pdf.pages());
    let last = pdf.page_text(pdf.pages() as u32);
    assert!(last.contains("THƯ KÝ") && last.contains("Buổi sinh hoạt kết thúc"), "{last}");
}

#[test]
fn inconsistencies_are_all_reported_with_pointers() {
    let mut input = example();
    input["attendance"].as_array_mut().unwrap().push(json!({ "member_id": "DV-9999", "present": true }));
    input["meeting"]["chair"]["member_id"] = json!("DV-0404");
    input["votes"][0]["for"] = json!(40);
    input["signatures"]["right"]["label"] = json!("T/M CHI ỦY");
    input["discussion"][1]["speaker_id"] = json!("nobody");
    let body = serde_json::to_vec(&input).unwrap();
    let pointers = invalid_pointers(engine().render("minutes", &body));
    assert_eq!(
        pointers,
        [
            "/attendance/20/member_id",
            "/discussion/1/speaker_id",
            "/meeting/chair/member_id",
            "/signatures/right/label",
            "/votes/0/for",
        ]
    );
}

#[test]
fn schema_problems_are_all_reported_before_anything_else() {
    let mut input = example();
    input["meeting"]["period"]["month"] = json!(13);
    input["members"][0]["status"] = json!("honorary");
    input.as_object_mut().unwrap().remove("conclusion");
    input["surprise"] = json!(true);
    let body = serde_json::to_vec(&input).unwrap();
    let pointers = invalid_pointers(engine().render("minutes", &body));
    assert_eq!(pointers, ["", "", "/meeting/period/month", "/members/0/status"]);
}

#[test]
fn impossible_dates_and_times_are_rejected() {
    let mut input = example();
    input["meeting"]["date"] = json!("2026-02-30");
    input["meeting"]["end_time"] = json!("18:00");
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(invalid_pointers(engine().render("minutes", &body)), ["/meeting/date", "/meeting/end_time"]);
}

#[test]
fn short_meetings_render_with_a_warning() {
    let mut input = example();
    input["meeting"]["end_time"] = json!("20:30");
    let rendered = render("minutes", &input);
    assert!(rendered.warnings.iter().any(|w| w.code == "short_meeting" && w.pointer == "/meeting/end_time"));
}
