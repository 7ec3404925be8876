//! Báo cáo kiểm điểm tập thể chi bộ: the cell's annual self-review and quality rating
//! (DOCUMENTS.md §4.4.2, Quy định 366-QĐ/TW).
//!
//! The score maps to one of four levels; the level the cell voted for by secret ballot is
//! printed as given, with a warning when it disagrees with the score (the superior committee
//! decides the final rating). Table E's percentages are taken over the rated members only and
//! rounded by largest remainder so that they total exactly 100,0.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{FieldGroup, TableView, group_by_field};
use super::issued::{self, IssuedInput, IssuedView};
use super::{Built, Context};
use crate::error::{Issue, Result};
use crate::vietnamese;

/// The request (§4.4.2 JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct ReviewReportInput {
    /// Number, issue date, subject, signer, recipients.
    #[serde(flatten)]
    pub issued: IssuedInput,
    /// Year reviewed.
    pub year: i32,
    /// What the review is carried out under (`Quy định số 366-QĐ/TW, ngày 30/8/2025 của Bộ Chính
    /// trị và Hướng dẫn của Đảng ủy phường …`), cited in the opening `Thực hiện …`.
    #[serde(default)]
    pub requested_by: Option<String>,
    /// `I- ƯU ĐIỂM, KẾT QUẢ ĐẠT ĐƯỢC`, by criterion.
    pub strengths: Vec<Strength>,
    /// `II- HẠN CHẾ, KHUYẾT ĐIỂM VÀ NGUYÊN NHÂN`.
    #[serde(default)]
    pub weaknesses: Vec<Weakness>,
    /// `III-`: findings of earlier reviews or inspections that were remedied.
    #[serde(default)]
    pub previous_findings_fixed: Vec<String>,
    /// `IV- PHƯƠNG HƯỚNG, BIỆN PHÁP KHẮC PHỤC`.
    #[serde(default)]
    pub measures: Vec<String>,
    /// `V- TỰ ĐÁNH GIÁ, XẾP LOẠI`.
    pub self_assessment: SelfAssessment,
    /// Table E: how the members were rated.
    #[serde(default)]
    pub member_ratings: Option<MemberRatings>,
}

/// A strength under a criterion group.
#[derive(Debug, Clone, Deserialize)]
pub struct Strength {
    /// Criterion group, e.g. `Lãnh đạo thực hiện nhiệm vụ chính trị`.
    pub criterion: String,
    /// What was achieved.
    pub text: String,
}

/// A weakness and, optionally, its cause.
#[derive(Debug, Clone, Deserialize)]
pub struct Weakness {
    /// The weakness.
    pub text: String,
    /// Its cause.
    #[serde(default)]
    pub cause: Option<String>,
}

/// `self_assessment`.
#[derive(Debug, Clone, Deserialize)]
pub struct SelfAssessment {
    /// Score on the 100-point scale of Quy định 366-QĐ/TW.
    pub score: f64,
    /// The level the cell voted for, printed exactly as one of [`LEVELS`].
    pub level: String,
    /// The secret ballot on the level.
    pub ballot: Ballot,
}

/// The secret ballot (phiếu kín) on the cell's level.
#[derive(Debug, Clone, Deserialize)]
pub struct Ballot {
    /// Ballots handed out.
    pub issued: u32,
    /// Valid ballots returned.
    pub valid: u32,
    /// Valid ballots for the proposed level.
    pub for_level: u32,
}

/// `member_ratings`: numbers of members at each level.
#[derive(Debug, Clone, Deserialize)]
pub struct MemberRatings {
    /// Hoàn thành xuất sắc nhiệm vụ.
    pub xuat_sac: u32,
    /// Hoàn thành tốt nhiệm vụ.
    pub tot: u32,
    /// Hoàn thành nhiệm vụ.
    pub hoan_thanh: u32,
    /// Không hoàn thành nhiệm vụ.
    pub khong_hoan_thanh: u32,
    /// Not rated (exempt, newly admitted…): outside the percentages.
    #[serde(default)]
    pub not_rated: u32,
}

/// The four quality levels, best first, printed exactly so (§4.4.2).
pub const LEVELS: [&str; 4] = [
    "Hoàn thành xuất sắc nhiệm vụ",
    "Hoàn thành tốt nhiệm vụ",
    "Hoàn thành nhiệm vụ",
    "Không hoàn thành nhiệm vụ",
];

/// The level a score maps to (Quy định 366-QĐ/TW, Điều 11): ≥ 90, 70 – < 90, 50 – < 70, < 50.
/// The extra conditions of each level (tasks on time, discipline) are for the cell to weigh;
/// this is the score part only.
pub fn level_for_score(score: f64) -> &'static str {
    if score >= 90.0 {
        LEVELS[0]
    } else if score >= 70.0 {
        LEVELS[1]
    } else if score >= 50.0 {
        LEVELS[2]
    } else {
        LEVELS[3]
    }
}

/// What `review-report/main.typ` reads.
#[derive(Debug, Serialize)]
struct ReviewReportView {
    #[serde(flatten)]
    issued: IssuedView,
    /// `Thực hiện …, Chi bộ báo cáo kết quả kiểm điểm tập thể năm 2026 như sau:`
    opening: String,
    /// Strengths grouped by criterion.
    strengths: Vec<FieldGroup>,
    /// Weakness lines.
    weaknesses: Vec<String>,
    /// Cause lines.
    causes: Vec<String>,
    /// Section III lines (a standard sentence when nothing was to be remedied).
    previous_findings_fixed: Vec<String>,
    /// Section IV lines.
    measures: Vec<String>,
    /// Heading of the member-rating part, when table E is printed.
    ratings_heading: Option<String>,
    /// Table E.
    ratings_table: Option<RatingsTableView>,
    /// Heading of the cell's own rating.
    assessment_heading: String,
    /// Score and level sentence.
    score_sentence: String,
    /// Ballot sentence: the last paragraph, kept with the signature.
    ballot_sentence: String,
}

/// Table E.
#[derive(Debug, Serialize)]
struct RatingsTableView {
    /// Header cells, one row per level, then the not-rated row.
    #[serde(flatten)]
    table: TableView,
    /// `Tổng số được xếp loại` row, printed bold.
    total: Vec<String>,
}

/// Validates, computes and builds the view.
pub fn build(input: ReviewReportInput, cx: &Context) -> Result<Built> {
    let mut issues = Vec::new();
    let assessment = &input.self_assessment;
    check_assessment(assessment, input.member_ratings.as_ref(), &mut issues);
    let title = cx.sentence("document_title", &json!({ "subject": input.issued.subject }))?;
    let built = issued::build(&input.issued, "BÁO CÁO", "BC", title.clone(), cx, &mut issues);
    if let Some((_, date)) = &built
        && date.year() != input.year
        && date.year() != input.year + 1
    {
        issues.push(Issue::warning(
            "/year",
            "review_year_far_from_issue_date",
            format!("a review of {} issued on {} is unusual", input.year, date.to_iso()),
        ));
    }
    let Some((issued_view, issue_date)) = built else {
        return Err(super::invalid(issues));
    };
    cx.fail_on_errors(&issues)?;

    let year = input.year;
    let previous_findings_fixed = if input.previous_findings_fixed.is_empty() {
        vec![cx.sentence("nothing_to_remedy", &json!({ "year": year }))?]
    } else {
        input.previous_findings_fixed.clone()
    };
    let ballot = &assessment.ballot;
    let ballot_sentence = cx.sentence(
        "ballot",
        &json!({
            "issued": vietnamese::group_thousands(u64::from(ballot.issued)),
            "valid": vietnamese::group_thousands(u64::from(ballot.valid)),
            "for_level": vietnamese::fraction(u64::from(ballot.for_level), u64::from(ballot.valid)),
            "for_pct": vietnamese::percent(u64::from(ballot.for_level), u64::from(ballot.valid)),
            "level": assessment.level,
        }),
    )?;
    let ratings_table = input.member_ratings.as_ref().map(ratings_table);
    let opening = match input.requested_by.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(requested_by) => {
            cx.sentence("opening", &json!({ "requested_by": requested_by, "year": year }))?
        }
        None => cx.sentence("opening_unrequested", &json!({ "year": year }))?,
    };
    let view = ReviewReportView {
        issued: issued_view,
        opening,
        strengths: group_by_field(input.strengths.iter().map(|s| (s.criterion.as_str(), s.text.as_str()))),
        weaknesses: input.weaknesses.iter().map(|w| w.text.clone()).collect(),
        causes: input.weaknesses.iter().filter_map(|w| w.cause.clone()).filter(|c| !c.is_empty()).collect(),
        previous_findings_fixed,
        measures: input.measures.clone(),
        ratings_heading: match ratings_table {
            Some(_) => Some(cx.sentence("ratings_heading", &json!({ "year": year }))?),
            None => None,
        },
        ratings_table,
        assessment_heading: cx.sentence("assessment_heading", &json!({}))?,
        score_sentence: cx.sentence(
            "score",
            &json!({ "score": score_text(assessment.score), "year": year, "level": assessment.level }),
        )?,
        ballot_sentence,
    };
    Built::new(&view, issue_date, title, &input.issued.issuer, issues)
}

/// A score as printed: `86`, or `86,5` with one decimal (§5.2 comma), rounded half-up.
fn score_text(score: f64) -> String {
    // The schema bounds the score to 0–100, so the cast cannot truncate.
    let tenths = (score * 10.0).round() as u64;
    if tenths.is_multiple_of(10) {
        vietnamese::group_thousands(tenths / 10)
    } else {
        vietnamese::format_tenths(tenths)
    }
}

/// The level against the score (a disagreement only warns: the cell may weigh the extra
/// conditions of Điều 11), and the ballot counts (contradictions are errors).
fn check_assessment(assessment: &SelfAssessment, ratings: Option<&MemberRatings>, issues: &mut Vec<Issue>) {
    let expected = level_for_score(assessment.score);
    if assessment.level != expected {
        issues.push(Issue::warning(
            "/self_assessment/level",
            "level_differs_from_score",
            format!(
                "a score of {} maps to `{expected}`, not `{}` (Quy định 366-QĐ/TW, Điều 11)",
                score_text(assessment.score),
                assessment.level
            ),
        ));
    }
    let ballot = &assessment.ballot;
    if ballot.valid > ballot.issued {
        issues.push(Issue::error(
            "/self_assessment/ballot/valid",
            "valid_exceeds_issued",
            format!("{} valid ballots but only {} were handed out", ballot.valid, ballot.issued),
        ));
    }
    if ballot.for_level > ballot.valid {
        issues.push(Issue::error(
            "/self_assessment/ballot/for_level",
            "for_level_exceeds_valid",
            format!("{} ballots for the level but only {} were valid", ballot.for_level, ballot.valid),
        ));
    } else if u64::from(ballot.for_level) * 2 <= u64::from(ballot.valid) {
        issues.push(Issue::warning(
            "/self_assessment/ballot/for_level",
            "level_not_adopted",
            "no more than half of the valid ballots support the proposed level",
        ));
    }
    if let Some(r) = ratings {
        let members = [r.xuat_sac, r.tot, r.hoan_thanh, r.khong_hoan_thanh, r.not_rated]
            .into_iter()
            .map(u64::from)
            .sum::<u64>();
        if u64::from(ballot.issued) > members {
            issues.push(Issue::warning(
                "/self_assessment/ballot/issued",
                "more_ballots_than_members",
                format!("{} ballots were handed out in a cell of {members} members", ballot.issued),
            ));
        }
    }
}

/// Table E: counts and largest-remainder percentages over the rated members (§4.4.2, §5.3).
fn ratings_table(r: &MemberRatings) -> RatingsTableView {
    let counts = [r.xuat_sac, r.tot, r.hoan_thanh, r.khong_hoan_thanh].map(u64::from);
    let rated: u64 = counts.iter().sum();
    let shares = vietnamese::percent_column(&counts);
    let mut rows: Vec<Vec<String>> = LEVELS
        .iter()
        .zip(counts.iter().zip(shares))
        .map(|(level, (count, share))| vec![level.to_string(), vietnamese::group_thousands(*count), share])
        .collect();
    // Not rated members are outside the base of the percentages: a dash, not a share.
    rows.push(vec![
        "Không xếp loại (miễn sinh hoạt, mới kết nạp…)".into(),
        vietnamese::group_thousands(u64::from(r.not_rated)),
        "—".into(),
    ]);
    // With nobody rated the column is all zeros; printing 100 would claim otherwise. The total
    // is a whole 100, written without `,0` (§5.3, table E).
    let total_share = if rated == 0 { "—".to_string() } else { "100".to_string() };
    RatingsTableView {
        table: TableView { columns: vec!["Mức xếp loại", "Số lượng", "Tỷ lệ (%)"], rows },
        total: vec!["Tổng số được xếp loại".into(), vietnamese::group_thousands(rated), total_share],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_map_to_levels_at_the_thresholds() {
        assert_eq!(level_for_score(100.0), LEVELS[0]);
        assert_eq!(level_for_score(90.0), LEVELS[0]);
        assert_eq!(level_for_score(89.9), LEVELS[1]);
        assert_eq!(level_for_score(70.0), LEVELS[1]);
        assert_eq!(level_for_score(69.5), LEVELS[2]);
        assert_eq!(level_for_score(50.0), LEVELS[2]);
        assert_eq!(level_for_score(49.9), LEVELS[3]);
        assert_eq!(level_for_score(0.0), LEVELS[3]);
    }

    #[test]
    fn table_e_totals_one_hundred_over_the_rated() {
        let table = ratings_table(&MemberRatings {
            xuat_sac: 7,
            tot: 36,
            hoan_thanh: 4,
            khong_hoan_thanh: 0,
            not_rated: 4,
        });
        let shares: Vec<&str> = table.table.rows.iter().map(|r| r[2].as_str()).collect();
        assert_eq!(shares, ["14,9", "76,6", "8,5", "0,0", "—"]);
        assert_eq!(table.total, ["Tổng số được xếp loại", "47", "100"]);
    }

    #[test]
    fn a_level_unlike_the_score_warns_and_impossible_ballots_fail() {
        let mut issues = Vec::new();
        let assessment = SelfAssessment {
            score: 92.0,
            level: LEVELS[1].into(),
            ballot: Ballot { issued: 40, valid: 41, for_level: 42 },
        };
        check_assessment(&assessment, None, &mut issues);
        let found: Vec<_> = issues.iter().map(|i| (i.pointer.as_str(), i.severity)).collect();
        use crate::error::Severity::{Error, Warning};
        assert_eq!(
            found,
            [
                ("/self_assessment/level", Warning),
                ("/self_assessment/ballot/valid", Error),
                ("/self_assessment/ballot/for_level", Error),
            ]
        );
    }

    #[test]
    fn scores_print_with_a_decimal_comma_only_when_needed() {
        assert_eq!(score_text(86.0), "86");
        assert_eq!(score_text(86.5), "86,5");
    }
}
