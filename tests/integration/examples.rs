//! The six bundled examples read as one file of one cell, as a ward office reads them
//! (issue 25): the same cell, members and November figures in every document of the month, and
//! the recipients placed as §2.8 says in each rendered document.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{Pdf, TEMPLATES, render};

fn example(template: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates")
        .join(template)
        .join("example.json");
    serde_json::from_slice(&std::fs::read(&path).expect("example exists")).expect("example is JSON")
}

fn minutes(value: &Value) -> i64 {
    let (h, m) = value.as_str().unwrap().split_once(':').unwrap();
    h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
}

/// `(member_id, full_name)` of a member list.
fn roster(members: &Value) -> BTreeSet<(String, String)> {
    members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["member_id"].as_str().unwrap().to_string(), m["full_name"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn the_six_examples_describe_one_cell_and_one_november() {
    let [regular, thematic, resolution, results, review, dues] = TEMPLATES.map(example);

    // One cell, one superior body.
    for (template, value) in
        TEMPLATES.iter().zip([&regular, &thematic, &resolution, &results, &review, &dues])
    {
        assert_eq!(value["issuer"]["name"], "CHI BỘ TỔ DÂN PHỐ 5", "{template}");
        assert_eq!(value["issuer"]["superior_name"], "ĐẢNG BỘ PHƯỜNG ĐOÀN KẾT", "{template}");
    }

    // The same members in both minutes and in the dues report.
    let members = roster(&regular["members"]);
    assert_eq!(members.len(), 20);
    assert_eq!(roster(&thematic["members"]), members);
    assert_eq!(roster(&dues["members"]), members);
    assert_eq!(regular["attendance"], thematic["attendance"], "one meeting, one attendance");

    // The November figures of the minutes…
    let list = regular["members"].as_array().unwrap();
    let official = |m: &&Value| m["status"] == "chinh_thuc";
    let present_ids: BTreeSet<&str> = regular["attendance"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["present"] == true)
        .map(|a| a["member_id"].as_str().unwrap())
        .collect();
    let required = list.iter().filter(|m| m["exempt_from_activities"] != true).count();
    let present = present_ids.len();
    let official_present = list
        .iter()
        .filter(official)
        .filter(|m| present_ids.contains(m["member_id"].as_str().unwrap()))
        .count();
    assert_eq!((list.iter().filter(official).count(), required, present, official_present), (19, 20, 18, 17));
    let meeting = &regular["meeting"];
    let length = minutes(&meeting["end_time"]) - minutes(&meeting["start_time"]);

    // …are those of table D's November row…
    let november =
        results["meetings"].as_array().unwrap().iter().find(|m| m["month"] == 11).expect("November row");
    assert_eq!(november["date"], meeting["date"]);
    assert_eq!(november["required"], required);
    assert_eq!(november["present"], present);
    assert_eq!(november["duration_minutes"], length);
    assert_eq!(november["thematic"], true);
    // …every quarter row counts the same cell, and the results report states its size.
    for row in results["meetings"].as_array().unwrap() {
        assert_eq!(row["required"], required, "{row}");
    }
    let situation = results["situation"].as_str().unwrap();
    assert!(situation.starts_with("Chi bộ có 20 đảng viên (19 chính thức, 01 dự bị)"), "{situation}");

    // …and of the resolution, adopted by the vote the minutes record.
    assert_eq!(resolution["meeting_date"], meeting["date"]);
    assert_eq!(resolution["vote"]["voters_present"], official_present);
    let adopting = &regular["votes"][0];
    assert!(adopting["subject"].as_str().unwrap().contains(resolution["subject"].as_str().unwrap()));
    for key in ["for", "against", "abstain"] {
        assert_eq!(adopting[key], resolution["vote"][key], "{key}");
    }

    // The thematic part comes after the regular part, within the session.
    let part = &thematic["meeting"];
    assert_eq!(part["date"], meeting["date"]);
    assert_eq!(part["combined_with_regular"], true);
    assert!(minutes(&part["start_time"]) > minutes(&meeting["start_time"]));
    assert_eq!(part["end_time"], meeting["end_time"]);
    assert!(thematic["opening"]["reason_text"].as_str().unwrap().starts_with("Sau phần sinh hoạt thường kỳ"));

    // The dues paid in November as the minutes report them: 20/20, 09 on the portal.
    let on_portal =
        dues["members"].as_array().unwrap().iter().filter(|m| m["channel"] == "cong_dvcqg").count();
    assert_eq!(on_portal, 9);
    let agenda = regular["agenda_items"].to_string();
    assert!(agenda.contains("20/20 đồng chí đã nộp đủ, trong đó 09 đồng chí nộp qua Cổng"), "{agenda}");

    // The December review rates the same 20 members.
    let ratings = &review["member_ratings"];
    let rated: u64 = ["xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh", "not_rated"]
        .iter()
        .map(|k| ratings[k].as_u64().unwrap())
        .sum();
    assert_eq!(rated, 20);
}

#[test]
fn the_examples_write_nhan_dan_and_bi_thu_chi_bo_as_the_spec_says() {
    for template in TEMPLATES {
        let text = example(template).to_string();
        for wrong in ["nhân dân", "Bí thư chi bộ", "phụ trách chi bộ", "Chi bộ Tổ dân phố"]
        {
            // `Ủy ban nhân dân` is a name; nothing else may write the noun in lower case (§5.6).
            let hits = text.matches(wrong).count() - text.matches(&format!("ban {wrong}")).count();
            assert_eq!(hits, 0, "{template} writes {wrong:?}");
        }
    }
}

/// §2.8 and §2.14 item 8: `Nơi nhận:` on the row of `T/M CHI BỘ`, top-aligned with it; where
/// the left column already holds a second signer (the dues report's `NGƯỜI LẬP BIỂU`), below
/// both signature blocks (the exception decided 2026-12-01).
#[test]
fn recipients_sit_beside_the_signer_or_below_a_second_signer() {
    for template in ["resolution", "results-report", "review-report", "dues-report"] {
        let pdf = Pdf::parse(&render(template, &example(template)).pdf);
        let last = pdf.pages() as u32;
        let recipients = pdf.baseline_of(last, "Nơi nhận:");
        let authority = pdf.baseline_of(last, "T/M CHI BỘ");
        let name = pdf.baseline_of(last, "Nguyễn Văn Hùng");
        if template == "dues-report" {
            assert!(pdf.baseline_of(last, "NGƯỜI LẬP BIỂU") - authority < 0.5, "both signers on one row");
            assert!(recipients < name - 14.0, "{template}: recipients {recipients} below the names {name}");
        } else {
            assert!(
                (recipients - authority).abs() < 0.5,
                "{template}: recipients {recipients}, signer {authority}"
            );
        }
    }
}
