//! Nghị quyết chi bộ: the monthly resolution (DOCUMENTS.md §4.3), the document committees
//! batch-generate for every cell of a commune or ward.
//!
//! The body follows the order every template and the HD 05-based guide agree on: grounds
//! (căn cứ) and the meeting sentence, `QUYẾT NGHỊ:`, then results of the month reviewed,
//! tasks of the month planned and the organisation of the work, ending with the computed vote
//! sentence that is kept on the page of the signature.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{FieldGroup, FieldText, TableView, group_by_field, parse_date, task_row};
use super::issued::{self, IssuedInput, IssuedView};
use super::meeting;
use super::{Built, Context};
use crate::error::{Issue, Result};
use crate::vietnamese::{self, Date};

/// The request (§4.3 JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct ResolutionInput {
    /// Number, issue date, subject, signer, recipients.
    #[serde(flatten)]
    pub issued: IssuedInput,
    /// Căn cứ lines, each without the leading `- ` and the trailing `;`.
    #[serde(default)]
    pub grounds: Vec<String>,
    /// ISO date of the meeting that adopted the resolution.
    pub meeting_date: String,
    /// The month whose results are reviewed.
    pub review_period: MonthPeriod,
    /// The month the tasks are for; normally the month after `review_period`.
    pub plan_period: MonthPeriod,
    /// Results of the month reviewed.
    pub results: Results,
    /// Tasks of the month planned, grouped by field when printed.
    pub tasks: Vec<FieldText>,
    /// Paragraphs of `III- TỔ CHỨC THỰC HIỆN`.
    #[serde(default)]
    pub implementation: Vec<String>,
    /// Optional table B (phân công thực hiện).
    #[serde(default)]
    pub assignments_table: Vec<AssignmentRow>,
    /// The vote that adopted the resolution.
    pub vote: ResolutionVote,
}

/// A month of a year (`review_period`, `plan_period`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct MonthPeriod {
    /// Month 1–12 (the schema enforces the range).
    pub month: u8,
    /// Year.
    pub year: i32,
}

impl MonthPeriod {
    /// The month after this one, across the year end.
    pub fn next(self) -> MonthPeriod {
        if self.month >= 12 {
            MonthPeriod { month: 1, year: self.year + 1 }
        } else {
            MonthPeriod { month: self.month + 1, year: self.year }
        }
    }

    /// `tháng 11 năm 2026`.
    pub fn label(self) -> String {
        // The schema keeps the month in 1–12; the fallback only guards against a caller bypassing it.
        vietnamese::month_label(self.month, self.year).unwrap_or_else(|| format!("năm {}", self.year))
    }

    /// `tháng 11` when the year goes without saying (it is the year of `other`), else the full
    /// label: the meeting sentence names the year once, at its end.
    pub fn label_within(self, other: MonthPeriod) -> String {
        let label = self.label();
        if self.year == other.year {
            // `month_label` owns the month-zero rule; dropping its year suffix keeps that rule.
            label.strip_suffix(&format!(" năm {}", self.year)).map(str::to_string).unwrap_or(label)
        } else {
            label
        }
    }
}

/// `results` of the month reviewed.
#[derive(Debug, Clone, Deserialize)]
pub struct Results {
    /// Ưu điểm, by field.
    #[serde(default)]
    pub strengths: Vec<FieldText>,
    /// Hạn chế.
    #[serde(default)]
    pub weaknesses: Vec<String>,
    /// Nguyên nhân of the weaknesses.
    #[serde(default)]
    pub causes: Vec<String>,
}

/// One row of table B.
#[derive(Debug, Clone, Deserialize)]
pub struct AssignmentRow {
    /// The task.
    pub task: String,
    /// Person or body in charge, as printed.
    pub owner: String,
    /// ISO deadline.
    #[serde(default)]
    pub deadline: Option<String>,
}

/// `vote`: how the full members present voted on the resolution.
#[derive(Debug, Clone, Deserialize)]
pub struct ResolutionVote {
    /// In favour.
    #[serde(rename = "for")]
    pub in_favour: u32,
    /// Against.
    pub against: u32,
    /// Abstentions / other opinions.
    pub abstain: u32,
    /// Full members present, who vote.
    pub voters_present: u32,
}

/// What `resolution/main.typ` reads.
#[derive(Debug, Serialize)]
struct ResolutionView {
    #[serde(flatten)]
    issued: IssuedView,
    /// `Căn cứ …;` lines (the template adds `- `).
    grounds: Vec<String>,
    /// `Chi bộ họp ngày …, đánh giá … thống nhất nhiệm vụ tháng 12 năm 2026,`
    meeting_sentence: String,
    /// Title of section I (without numeral).
    results_heading: String,
    /// `Công tác …: text` lines under `1. Ưu điểm`.
    strengths: Vec<String>,
    /// Hạn chế lines.
    weaknesses: Vec<String>,
    /// Nguyên nhân lines.
    causes: Vec<String>,
    /// Title of section II (without numeral).
    tasks_heading: String,
    /// Numbered task groups.
    tasks: Vec<FieldGroup>,
    /// Paragraphs of section III.
    implementation: Vec<String>,
    /// Table B, when given.
    assignments: Option<TableView>,
    /// The vote sentence: the last paragraph, kept with the signature.
    vote_sentence: String,
}

/// Validates, computes and builds the view.
pub fn build(input: ResolutionInput, cx: &Context) -> Result<Built> {
    let mut issues = Vec::new();
    let meeting_date = parse_date(&input.meeting_date, "/meeting_date", &mut issues);
    check_periods(input.review_period, input.plan_period, meeting_date, &mut issues);
    check_vote(&input.vote, &mut issues);
    let assignment_rows: Vec<Vec<String>> = input
        .assignments_table
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let pointer = format!("/assignments_table/{i}/deadline");
            task_row(i + 1, &row.task, row.owner.clone(), row.deadline.as_deref(), &pointer, &mut issues)
        })
        .collect();

    let title = cx.sentence("document_title", &json!({ "subject": input.issued.subject }))?;
    let built = issued::build(&input.issued, "NGHỊ QUYẾT", "NQ", title.clone(), cx, &mut issues);
    if let (Some((_, issue_date)), Some(meeting_date)) = (&built, meeting_date)
        && *issue_date < meeting_date
    {
        issues.push(Issue::error(
            "/issue_date",
            "issued_before_meeting",
            "a resolution cannot be issued before the meeting that adopted it (/meeting_date)",
        ));
    }
    let (Some((issued_view, issue_date)), Some(meeting_date)) = (built, meeting_date) else {
        return Err(super::invalid(issues));
    };
    cx.fail_on_errors(&issues)?;

    let review = input.review_period;
    let plan = input.plan_period;
    let meeting_sentence = cx.sentence(
        "meeting",
        &json!({
            "meeting_date": vietnamese::date_words(meeting_date),
            "review_period": review.label_within(plan),
            "plan_period": plan.label(),
        }),
    )?;
    let vote = &input.vote;
    let voters = u64::from(vote.voters_present);
    let vote_context = json!({
        "for": vote.in_favour,
        "voters": voters,
        "for_pct": vietnamese::percent(u64::from(vote.in_favour), voters),
        "against": vote.against,
        "abstain": vote.abstain,
    });
    // Unanimity reads as the one sentence of §4.3; dissent is stated, never hidden.
    let vote_pattern = if vote.against == 0 && vote.abstain == 0 { "vote" } else { "vote_with_dissent" };
    let view = ResolutionView {
        issued: issued_view,
        grounds: grounds_lines(&input.grounds),
        meeting_sentence,
        results_heading: cx.sentence("results_heading", &json!({ "period": review.label() }))?,
        strengths: input
            .results
            .strengths
            .iter()
            .map(|s| format!("{}: {}", s.field.trim().trim_end_matches(':'), s.text))
            .collect(),
        weaknesses: input.results.weaknesses.clone(),
        causes: input.results.causes.clone(),
        tasks_heading: cx.sentence("tasks_heading", &json!({ "period": plan.label() }))?,
        tasks: group_by_field(input.tasks.iter().map(|t| (t.field.as_str(), t.text.as_str()))),
        implementation: input.implementation.clone(),
        assignments: (!assignment_rows.is_empty()).then(|| TableView {
            columns: vec!["TT", "Nhiệm vụ", "Người/bộ phận phụ trách", "Thời hạn"],
            rows: assignment_rows,
        }),
        vote_sentence: cx.sentence(vote_pattern, &vote_context)?,
    };
    Built::new(&view, issue_date, title, &input.issued.issuer, issues)
}

/// Căn cứ lines as the Party style punctuates them: each ends with `;` (the meeting sentence
/// follows the last one).
fn grounds_lines(grounds: &[String]) -> Vec<String> {
    grounds.iter().map(|g| format!("{};", g.trim_end_matches([';', '.', ',']))).collect()
}

/// The plan month follows the review month (§4.3); a gap is probably a typo, but a committee
/// may plan two months at once, so it only warns. The meeting normally falls in the review
/// month or the first days of the plan month.
fn check_periods(review: MonthPeriod, plan: MonthPeriod, meeting: Option<Date>, issues: &mut Vec<Issue>) {
    if plan != review.next() {
        issues.push(Issue::warning(
            "/plan_period",
            "plan_not_next_month",
            format!(
                "the plan period ({}) is not the month after the review period ({})",
                plan.label(),
                review.label()
            ),
        ));
    }
    if let Some(date) = meeting {
        let month = MonthPeriod { month: date.month(), year: date.year() };
        if month != review && month != plan {
            issues.push(Issue::warning(
                "/meeting_date",
                "meeting_outside_periods",
                format!("the meeting ({}) is neither in the review nor in the plan month", date.to_iso()),
            ));
        }
    }
}

/// The vote must fit the full members present and carry a majority (Điều lệ Đảng, Điều 10.3).
fn check_vote(vote: &ResolutionVote, issues: &mut Vec<Issue>) {
    let voters = u64::from(vote.voters_present);
    meeting::check_vote_counts("/vote", [vote.in_favour, vote.against, vote.abstain], voters, issues);
    meeting::check_majority("/vote", u64::from(vote.in_favour), voters, issues);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn december_is_followed_by_january() {
        let december = MonthPeriod { month: 12, year: 2026 };
        assert_eq!(december.next(), MonthPeriod { month: 1, year: 2027 });
        assert_eq!(MonthPeriod { month: 1, year: 2027 }.label_within(december), "tháng 01 năm 2027");
        assert_eq!(MonthPeriod { month: 11, year: 2026 }.label_within(december), "tháng 11");
    }

    #[test]
    fn fields_are_grouped_in_order_of_first_appearance() {
        let groups = group_by_field([("A", "a1"), ("B", "b1"), ("A", "a2")]);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].title, "A");
        assert_eq!(groups[0].items, ["a1", "a2"]);
        assert_eq!(groups[1].title, "B");
    }

    #[test]
    fn votes_beyond_the_voters_are_errors_and_a_minority_warns() {
        let mut issues = Vec::new();
        check_vote(
            &ResolutionVote { in_favour: 40, against: 2, abstain: 0, voters_present: 41 },
            &mut issues,
        );
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].pointer, "/vote/for");
        assert_eq!(issues[0].code, "votes_exceed_voters");
        let mut issues = Vec::new();
        check_vote(&ResolutionVote { in_favour: 5, against: 5, abstain: 0, voters_present: 10 }, &mut issues);
        assert_eq!(issues.iter().map(|i| i.code).collect::<Vec<_>>(), ["not_adopted"]);
    }

    #[test]
    fn grounds_end_with_a_semicolon() {
        assert_eq!(grounds_lines(&["Căn cứ A.".into(), "Căn cứ B".into()]), ["Căn cứ A;", "Căn cứ B;"]);
    }
}
