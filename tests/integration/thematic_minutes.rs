//! The thematic-minutes template end to end (DOCUMENTS.md §4.2): header and title with the
//! quarter in Roman numerals and the topic line, the sections of a thematic meeting, numbers
//! computed from the lists, the 120-minute rule of a combined session and consistency errors.

use serde_json::{Value, json};

use crate::util::{Pdf, engine, fixture, invalid_pointers, render, render_print_ready};

fn example() -> Value {
    fixture("thematic-minutes.json")
}

#[test]
fn example_is_an_a4_pdf_in_the_document_font() {
    let (rendered, pdf) = render_print_ready("thematic-minutes", &example());
    assert!(pdf.pages() >= 2, "the example fills more than one page, got {}", pdf.pages());
    assert_eq!(pdf.title().as_deref(), Some("Biên bản sinh hoạt chuyên đề quý IV năm 2026"));
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
}

#[test]
fn header_title_topic_and_signatures_are_printed() {
    let pdf = Pdf::parse(&render("thematic-minutes", &example()).pdf);
    let first = pdf.page_text(1);
    for expected in ["ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT", "CHI BỘ TỔ DÂN PHỐ 5", "ĐẢNG CỘNG SẢN VIỆT NAM", "BIÊN BẢN"]
    {
        assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
    }
    // Minutes are not numbered and carry no date line by default (§2.5, §2.6).
    assert!(!first.contains("-BB/") && !first.contains("Đoàn Kết, ngày"), "{first}");
    let text = pdf.text();
    assert!(text.contains("SINH HOẠT CHUYÊN ĐỀ QUÝ IV NĂM 2026"), "{text}");
    assert!(
        text.contains(
            "Chuyên đề: “Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về ý thức tôn trọng Nhân dân, phát huy dân chủ, chăm lo đời sống Nhân dân”"
        ),
        "{text}"
    );
    let last = pdf.page_text(pdf.pages() as u32);
    for expected in
        ["THƯ KÝ", "CHỦ TRÌ", "Lê Thị Thu Hà", "Nguyễn Văn Hùng", "Buổi sinh hoạt chuyên đề kết thúc"]
    {
        assert!(last.contains(expected), "last page lacks {expected:?}:\n{last}");
    }
}

#[test]
fn sections_of_a_thematic_meeting_follow_in_order() {
    let text = Pdf::parse(&render("thematic-minutes", &example()).pdf).text();
    let headings = [
        "I- PHẦN MỞ ĐẦU",
        "II- TRÌNH BÀY CHUYÊN ĐỀ",
        "III- THẢO LUẬN, LIÊN HỆ BẢN THÂN",
        "IV- KẾT LUẬN CỦA CHỦ TRÌ",
        "V- BIỆN PHÁP, CAM KẾT THỰC HIỆN",
        "VI- BIỂU QUYẾT",
    ];
    let positions: Vec<usize> = headings
        .iter()
        .map(|h| text.find(h).unwrap_or_else(|| panic!("missing {h:?} in:\n{text}")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "headings in order: {positions:?}");
    for expected in [
        // The presentation names its speaker, so no separate presenter sentence repeats it.
        "II- TRÌNH BÀY CHUYÊN ĐỀ Đồng chí Lê Thị Thu Hà, Chi ủy viên, trình bày chuyên đề gồm ba nội dung.",
        "- Đồng chí Đặng Thị Hồng Nhung: Bản thân có lúc chưa chủ động",
        "- Đồng chí Đỗ Quang Vinh: Cùng Chi hội Cựu chiến binh vận động 100% hộ ở ngõ 12 hoàn thành đóng góp trước ngày 15/12/2026.",
        "- Đồng chí Giàng A Sử: Chi đoàn hỗ trợ 05 hộ neo đơn dọn dẹp nhà cửa trước Tết Nguyên đán.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn attendance_and_votes_are_computed_from_the_lists() {
    let text = Pdf::parse(&render("thematic-minutes", &example()).pdf).text();
    for expected in [
        // The thematic part follows the regular part of the same session.
        "Vào lúc 20 giờ 30 phút, ngày 22 tháng 11 năm 2026.",
        "Tổng số đảng viên của chi bộ: 20 đồng chí (chính thức: 19; dự bị: 1).",
        "Có mặt: 18/20 đồng chí (đạt 90,0%), trong đó đảng viên chính thức: 17; vắng mặt: 02 đồng chí (có lý do: 2; không có lý do: 0).",
        "Thông qua kết luận sinh hoạt chuyên đề quý IV năm 2026: tán thành 17/17 đồng chí (đạt 100%)",
        "18/18 đồng chí đảng viên có mặt nhất trí.",
        "kết thúc vào lúc 21 giờ 30 phút cùng ngày.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn page_numbers_start_on_page_two() {
    let pdf = Pdf::parse(&render("thematic-minutes", &example()).pdf);
    pdf.assert_page_numbers_from_two();
}

#[test]
fn quarter_is_in_roman_numerals_and_sections_renumber_without_votes() {
    let mut input = example();
    input["meeting"]["period"] = json!({ "quarter": 1, "year": 2027 });
    input["meeting"]["date"] = json!("2027-03-20");
    input["votes"] = json!([]);
    input["commitments"] = json!([]);
    let rendered = render("thematic-minutes", &input);
    let pdf = Pdf::parse(&rendered.pdf);
    let text = pdf.text();
    assert!(text.contains("SINH HOẠT CHUYÊN ĐỀ QUÝ I NĂM 2027"), "{text}");
    assert_eq!(pdf.title().as_deref(), Some("Biên bản sinh hoạt chuyên đề quý I năm 2027"));
    assert!(text.contains("IV- KẾT LUẬN CỦA CHỦ TRÌ"));
    assert!(!text.contains("BIỂU QUYẾT") && !text.contains("CAM KẾT THỰC HIỆN"), "{text}");
    assert!(!text.contains(" V- "), "no fifth section: {text}");
}

#[test]
fn the_thematic_part_of_a_combined_session_has_no_minimum_of_its_own() {
    // The example starts at 20:30, after the regular part; 21:10 leaves 40 minutes.
    let mut input = example();
    input["meeting"]["end_time"] = json!("21:10");
    let warned = |input: &Value| {
        render("thematic-minutes", input)
            .warnings
            .iter()
            .any(|w| w.code == "short_meeting" && w.pointer == "/meeting/end_time")
    };
    assert!(!warned(&input), "the session's length is counted with the regular part");
    input["meeting"]["combined_with_regular"] = json!(false);
    assert!(warned(&input), "40 minutes is short for a thematic meeting alone");
}

#[test]
fn a_date_outside_the_quarter_is_a_warning() {
    let mut input = example();
    input["meeting"]["period"]["quarter"] = json!(3);
    let rendered = render("thematic-minutes", &input);
    assert!(
        rendered.warnings.iter().any(|w| w.code == "date_outside_period" && w.pointer == "/meeting/period")
    );
}

#[test]
fn unknown_members_are_reported_with_pointers() {
    let mut input = example();
    input["presentation"]["presenter_id"] = json!("DV-0404");
    input["commitments"][2]["member_id"] = json!("nobody");
    input["discussion"][0]["speaker_id"] = json!("DV-9999");
    input["votes"][0]["for"] = json!(18);
    let body = serde_json::to_vec(&input).unwrap();
    let pointers = invalid_pointers(engine().render("thematic-minutes", &body));
    assert_eq!(
        pointers,
        [
            "/commitments/2/member_id",
            "/discussion/0/speaker_id",
            "/presentation/presenter_id",
            "/votes/0/for"
        ]
    );
}

#[test]
fn schema_requires_a_quarter_a_topic_and_a_presentation() {
    let mut input = example();
    input["meeting"]["period"] = json!({ "month": 11, "year": 2026 });
    input["meeting"].as_object_mut().unwrap().remove("topic");
    input.as_object_mut().unwrap().remove("presentation");
    let body = serde_json::to_vec(&input).unwrap();
    let pointers = invalid_pointers(engine().render("thematic-minutes", &body));
    assert_eq!(
        pointers,
        ["/meeting/period/month", "/meeting/period/quarter", "/meeting/topic", "/presentation"]
    );
}
