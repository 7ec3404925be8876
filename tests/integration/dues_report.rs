//! The dues-report template end to end (DOCUMENTS.md §4.4.3): dues computed from category, base,
//! the dated rates of Quy định 01-QĐ/TW and the regional minimum wage; the table with its total
//! row and repeated header; totals, retention and the amount in words; the two signers and the
//! recipients; consistency errors and warnings.

use serde_json::{Value, json};

use crate::util::{Pdf, engine, fixture, invalid_pointers, render, render_print_ready};

fn example() -> Value {
    fixture("dues-report.json")
}

/// The example with the three members of the spec's table F (§4.4.3), without its own
/// assessment and proposals (so the standard proposal is printed).
fn spec_table() -> Value {
    let mut input = example();
    input.as_object_mut().unwrap().remove("assessment");
    input.as_object_mut().unwrap().remove("proposals");
    input["members"] = json!([
        { "member_id": "DV-0001", "full_name": "Trần Thị Mai Lan", "category": "pension", "base_amount": 6250000, "paid_amount": 31250, "channel": "cong_dvcqg" },
        { "member_id": "DV-0012", "full_name": "Lê Văn Dũng", "category": "bhxh", "base_amount": 8400000, "paid_amount": 84000, "channel": "tien_mat" },
        { "member_id": "DV-0044", "full_name": "Hoàng Thu Trang", "category": "student", "base_amount": null, "paid_amount": 5000, "channel": "tien_mat" }
    ]);
    input
}

fn rows_with(pdf: &Pdf, cells: &[&str]) -> bool {
    let text = pdf.text();
    text.contains(&cells.join(" "))
}

#[test]
fn example_is_an_a4_pdf_in_the_document_font() {
    let (_, pdf) = render_print_ready("dues-report", &example());
    assert_eq!(pdf.title().as_deref(), Some("Báo cáo kết quả thu, nộp đảng phí tháng 11 năm 2026"));
}

#[test]
fn header_title_opening_and_signatures_are_printed() {
    let pdf = Pdf::parse(&render("dues-report", &example()).pdf);
    // A heading's numeral and title are separate text runs; read the page as words.
    let first = pdf.page_text(1).split_whitespace().collect::<Vec<_>>().join(" ");
    for expected in [
        "ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT",
        "CHI BỘ TỔ DÂN PHỐ 5",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Số 06-BC/CB",
        "Đoàn Kết, ngày 05 tháng 12 năm 2026",
        "BÁO CÁO",
        "kết quả thu, nộp đảng phí tháng 11 năm 2026",
        "I- SỐ LIỆU",
    ] {
        assert!(first.contains(expected), "page 1 lacks {expected:?}:\n{first}");
    }
    let text = pdf.text();
    assert!(text.contains(
        "Thực hiện Quy định số 01-QĐ/TW, ngày 03/02/2026 của Bộ Chính trị về chế độ đảng phí, Chi bộ báo cáo kết quả thu, nộp đảng phí tháng 11 năm 2026 như sau:"
    ), "{text}");
    let ii = text.find("II- ĐÁNH GIÁ").expect("II- ĐÁNH GIÁ");
    let iii = text.find("III- KIẾN NGHỊ").expect("III- KIẾN NGHỊ");
    assert!(text.find("I- SỐ LIỆU").unwrap() < ii && ii < iii);
    let last = pdf.page_text(pdf.pages() as u32);
    for expected in [
        "NGƯỜI LẬP BIỂU",
        "T/M CHI BỘ",
        "BÍ THƯ",
        "Lê Thị Thu Hà",
        "Nguyễn Văn Hùng",
        "Nơi nhận:",
        "- Đảng ủy phường Đoàn Kết (để báo cáo);",
        "- Lưu Chi bộ.",
    ] {
        assert!(last.contains(expected), "last page lacks {expected:?}:\n{last}");
    }
}

#[test]
fn spec_vectors_and_totals_in_figures_and_words() {
    let pdf = Pdf::parse(&render("dues-report", &spec_table()).pdf);
    assert!(rows_with(
        &pdf,
        &["Trần Thị Mai Lan", "Hưởng lương hưu", "6.250.000", "0,5%", "31.250", "31.250"]
    ));
    assert!(rows_with(
        &pdf,
        &["Lê Văn Dũng", "BHXH bắt buộc", "8.400.000", "1%", "84.000", "84.000", "Tiền mặt"]
    ));
    assert!(rows_with(&pdf, &["Hoàng Thu Trang", "Học sinh, sinh viên", "—", "—", "5.000", "5.000"]));
    assert!(rows_with(&pdf, &["Cộng", "120.250", "120.250"]), "{}", pdf.text());
    let text = pdf.text();
    for expected in [
        "Số đảng viên đã đóng đủ đảng phí: 3/3 đồng chí (đạt 100%).",
        "Tổng số đảng phí phải thu: 120.250 đồng.",
        "Tổng số tiền đã thu: 120.250 đồng (Bằng chữ: Một trăm hai mươi nghìn hai trăm năm mươi đồng).",
        "Chi bộ có 3/3 đồng chí (đạt 100%) đóng đủ đảng phí tháng 11 năm 2026, trong đó 01 đồng chí đóng \
         qua Cổng Dịch vụ công quốc gia, 02 đồng chí đóng bằng tiền mặt tại chi bộ.",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("giữ lại"), "no retention line without retention_pct");
    assert!(text.contains("III- KIẾN NGHỊ Chi bộ tiếp tục đôn đốc"), "{text}");
    // Nobody in a `Khác` category: no note on the minimum wage.
    assert!(!text.contains("lương tối thiểu"), "{text}");
}

#[test]
fn minimum_wage_shares_use_the_region_and_the_2028_rates() {
    let mut input = spec_table();
    input["members"] = json!([
        { "member_id": "A", "full_name": "Phạm Văn A", "category": "other_under_retirement_age", "paid_amount": 12420, "channel": "tien_mat" },
        { "member_id": "B", "full_name": "Phạm Văn B", "category": "other_retirement_age", "paid_amount": 8280, "channel": "tien_mat" },
        { "member_id": "C", "full_name": "Phạm Văn C", "category": "other_retirement_age", "paid_amount": 10620, "channel": "tien_mat", "region": "I" }
    ]);
    let text = Pdf::parse(&render("dues-report", &input).pdf).text();
    assert!(text.contains("Phạm Văn A Khác, chưa đến tuổi nghỉ hưu 4.140.000 0,3% 12.420"), "{text}");
    assert!(text.contains("Phạm Văn B Khác, đã đến tuổi nghỉ hưu 4.140.000 0,2% 8.280"), "{text}");
    assert!(text.contains("Phạm Văn C Khác, đã đến tuổi nghỉ hưu 5.310.000 0,2% 10.620"), "{text}");
    // The base of those rows is explained under the table, region by region.
    assert!(
        text.contains(
            "Ghi chú: Căn cứ tính đối với đảng viên không hưởng lương, không hưởng lương hưu là mức lương \
             tối thiểu vùng III (4.140.000 đồng/tháng); vùng I (5.310.000 đồng/tháng)."
        ),
        "{text}"
    );

    // From 2028 the shares rise to 0,5% and 0,3%.
    input["period"] = json!({ "kind": "month", "month": 1, "year": 2028 });
    input["issue_date"] = json!("2028-02-05");
    let text = Pdf::parse(&render("dues-report", &input).pdf).text();
    assert!(text.contains("4.140.000 0,5% 20.700"), "{text}");
    assert!(text.contains("4.140.000 0,3% 12.420"), "{text}");

    // A request may override the (unconfirmed) minimum wages.
    input["minimum_wages"] = json!({ "I": 6000000, "II": 5000000, "III": 4500000, "IV": 4000000 });
    let text = Pdf::parse(&render("dues-report", &input).pdf).text();
    assert!(text.contains("4.500.000 0,5% 22.500"), "{text}");
    assert!(text.contains("6.000.000 0,3% 18.000"), "{text}");
}

#[test]
fn a_quarter_sums_three_months() {
    let mut input = spec_table();
    input["period"] = json!({ "kind": "quarter", "quarter": 4, "year": 2026 });
    input["members"][0]["paid_amount"] = json!(93750);
    input["members"][1]["paid_amount"] = json!(252000);
    input["members"][2]["paid_amount"] = json!(15000);
    let text = Pdf::parse(&render("dues-report", &input).pdf).text();
    assert!(text.contains("đảng phí quý IV năm 2026 như sau:"), "{text}");
    assert!(text.contains("Cộng 360.750 360.750"), "{text}");
    assert!(text.contains("(Bằng chữ: Ba trăm sáu mươi nghìn bảy trăm năm mươi đồng)"), "{text}");
}

#[test]
fn retention_and_remittance_are_computed() {
    let mut input = spec_table();
    input["retention_pct"] = json!(30);
    let text = Pdf::parse(&render("dues-report", &input).pdf).text();
    assert!(text.contains("Số tiền chi bộ được giữ lại (30%): 36.075 đồng."), "{text}");
    assert!(text.contains("Số tiền nộp cấp trên: 84.175 đồng."), "{text}");
}

#[test]
fn unpaid_and_overpaid_members_are_reported() {
    let mut input = spec_table();
    input["members"][1]["paid_amount"] = json!(0);
    input["members"][1]["channel"] = json!(null);
    input["members"][2]["paid_amount"] = json!(10000);
    let rendered = render("dues-report", &input);
    assert!(
        rendered
            .warnings
            .iter()
            .any(|w| w.code == "paid_more_than_due" && w.pointer == "/members/2/paid_amount"),
        "{:?}",
        rendered.warnings
    );
    let text = Pdf::parse(&rendered.pdf).text();
    for expected in [
        "84.000 0 Chưa đóng",
        "Số đảng viên đã đóng đủ đảng phí: 2/3 đồng chí (đạt 66,7%).",
        "Chi bộ có 2/3 đồng chí (đạt 66,7%) đóng đủ đảng phí tháng 11 năm 2026, trong đó 01 đồng chí đóng \
         qua Cổng Dịch vụ công quốc gia, 01 đồng chí đóng bằng tiền mặt tại chi bộ; 01 đồng chí tự nguyện \
         đóng cao hơn mức quy định.",
        "Còn 01 đồng chí chưa đóng đảng phí: đồng chí Lê Văn Dũng.",
        "Tổng số tiền đã thu: 41.250 đồng (Bằng chữ: Bốn mươi mốt nghìn hai trăm năm mươi đồng).",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn the_example_warns_about_the_voluntary_extra_payment() {
    let rendered = render("dues-report", &example());
    let codes: Vec<_> = rendered.warnings.iter().map(|w| (w.code, w.pointer.as_str())).collect();
    assert_eq!(codes, [("paid_more_than_due", "/members/7/paid_amount")]);
}

#[test]
fn sixty_members_repeat_the_table_header_on_every_page() {
    let mut input = example();
    let template = input["members"].as_array().unwrap().clone();
    let members: Vec<Value> = (0..60)
        .map(|i| {
            let mut m = template[i % template.len()].clone();
            m["member_id"] = json!(format!("M-{i:03}"));
            m["full_name"] = json!(format!("Đảng Viên Số {:02}", i + 1));
            m
        })
        .collect();
    input["members"] = json!(members);
    let pdf = Pdf::parse(&render("dues-report", &input).pdf);
    assert!(pdf.pages() >= 4, "60 rows span pages: {}", pdf.pages());
    let folded = |page: u32| pdf.page_text(page).split_whitespace().collect::<Vec<_>>().join(" ");
    let last_row_page = (1..=pdf.pages() as u32)
        .find(|&p| folded(p).contains("Đảng Viên Số 60"))
        .expect("the last member is printed");
    assert!(last_row_page >= 3);
    for page in 1..=last_row_page {
        let text = pdf.page_text(page);
        assert!(
            text.contains("Họ và tên") && text.contains("Số phải"),
            "page {page} repeats the header:\n{text}"
        );
    }
    let last = pdf.pages() as u32;
    let last_text = folded(last);
    assert!(last_text.contains("T/M CHI BỘ") && last_text.contains("NGƯỜI LẬP BIỂU"), "{last_text}");
    // The signature comes after the table, with the last paragraph on its page.
    assert!(last >= last_row_page);
    assert!(last_text.contains("III- KIẾN NGHỊ Đề nghị Đảng ủy phường tổ chức tập huấn"), "{last_text}");
    for page in 2..=last {
        assert!(pdf.page_text(page).lines().any(|l| l.trim() == page.to_string()), "page {page} is numbered");
    }
}

#[test]
fn contradictions_are_reported_with_pointers() {
    let mut input = example();
    input["members"][0]["base_amount"] = json!(null);
    input["members"][3].as_object_mut().unwrap().remove("base_amount");
    input["signer"]["authority"] = json!("TM. CHI BỘ");
    input["preparer"]["label"] = json!("K/T BÍ THƯ");
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(
        invalid_pointers(engine().render("dues-report", &body)),
        ["/members/0/base_amount", "/members/3/base_amount", "/preparer/label", "/signer/authority"]
    );
}

#[test]
fn periods_before_the_2026_rules_or_incomplete_are_rejected() {
    let mut input = example();
    input["period"] = json!({ "kind": "month", "month": 1, "year": 2026 });
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(invalid_pointers(engine().render("dues-report", &body)), ["/period"]);
    input["period"] = json!({ "kind": "quarter", "year": 2026 });
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(invalid_pointers(engine().render("dues-report", &body)), ["/period/quarter"]);
}

#[test]
fn schema_rejects_unknown_categories_and_regions() {
    let mut input = example();
    input["members"][0]["category"] = json!("honorary");
    input["region"] = json!("V");
    input["surprise"] = json!(1);
    let body = serde_json::to_vec(&input).unwrap();
    assert_eq!(
        invalid_pointers(engine().render("dues-report", &body)),
        // An unknown property is reported at its own pointer, not at its parent.
        ["/members/0/category", "/region", "/surprise"]
    );
}
