//! Báo cáo kết quả thực hiện nhiệm vụ: the monthly, quarterly, half-year or annual report of
//! results (DOCUMENTS.md §4.4.1), with the optional meeting-statistics table D.
//!
//! Table D's average attendance is Σ present / Σ required over the meetings, never the mean of
//! the monthly percentages (the two differ whenever the required numbers differ), and the
//! document says so under the table.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{FieldGroup, FieldText, TableView, group_by_field, paragraphs, parse_date};
use super::issued::{self, IssuedInput, IssuedView};
use super::meeting::{MIN_COMBINED_MEETING_MINUTES, MIN_MEETING_MINUTES};
use super::period::ReportPeriod;
use super::{Built, Context};
use crate::error::{Issue, Result};
use crate::vietnamese;

/// The request (§4.4.1 JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct ResultsReportInput {
    /// Number, issue date, subject, signer, recipients.
    #[serde(flatten)]
    pub issued: IssuedInput,
    /// The period reported on.
    pub period: ReportPeriod,
    /// The superior's document asking for the report, e.g. `Công văn số 112-CV/ĐU ngày …`.
    #[serde(default)]
    pub requested_by: Option<String>,
    /// `I- ĐẶC ĐIỂM TÌNH HÌNH` (optional for monthly reports).
    #[serde(default)]
    pub situation: Option<String>,
    /// `II- KẾT QUẢ THỰC HIỆN`, by field.
    pub results: Vec<FieldText>,
    /// Hạn chế.
    #[serde(default)]
    pub weaknesses: Vec<String>,
    /// Nguyên nhân.
    #[serde(default)]
    pub causes: Vec<String>,
    /// `IV- PHƯƠNG HƯỚNG, NHIỆM VỤ` of the coming period.
    #[serde(default)]
    pub next_tasks: Vec<String>,
    /// `V- ĐỀ XUẤT, KIẾN NGHỊ` (optional).
    #[serde(default)]
    pub proposals: Vec<String>,
    /// Print table D from `meetings`.
    #[serde(default)]
    pub include_meeting_table: bool,
    /// One entry per meeting of the period (vanban extension of §4.4.1, feeding table D).
    #[serde(default)]
    pub meetings: Vec<MeetingStat>,
}

/// One meeting of the period, for table D.
#[derive(Debug, Clone, Deserialize)]
pub struct MeetingStat {
    /// Month the meeting belongs to.
    pub month: u8,
    /// ISO date it was held.
    pub date: String,
    /// Members who had to attend.
    pub required: u32,
    /// Members present.
    pub present: u32,
    /// Length in minutes.
    #[serde(default)]
    pub duration_minutes: Option<u32>,
    /// A thematic meeting was held (`Chuyên đề: Có`).
    #[serde(default)]
    pub thematic: bool,
}

/// What `results-report/main.typ` reads.
#[derive(Debug, Serialize)]
struct ResultsReportView {
    #[serde(flatten)]
    issued: IssuedView,
    /// `Thực hiện …, Chi bộ báo cáo … như sau:`
    opening: String,
    /// Paragraphs of `I- ĐẶC ĐIỂM TÌNH HÌNH`; empty omits the section.
    situation: Vec<String>,
    /// Results grouped by field.
    results: Vec<FieldGroup>,
    /// Table D with its introduction and note, when printed.
    meeting_table: Option<MeetingTableView>,
    /// Hạn chế lines.
    weaknesses: Vec<String>,
    /// Nguyên nhân lines.
    causes: Vec<String>,
    /// Title of section IV, naming the coming period (`Phương hướng, nhiệm vụ quý I năm 2027`).
    next_tasks_heading: String,
    /// Next tasks.
    next_tasks: Vec<String>,
    /// Proposals; empty omits section V.
    proposals: Vec<String>,
}

/// Table D and the sentences around it.
#[derive(Debug, Serialize)]
struct MeetingTableView {
    /// Sentence introducing the table.
    intro: String,
    /// Header cells and one row per meeting.
    #[serde(flatten)]
    table: TableView,
    /// The `Cộng` row, printed bold.
    total: Vec<String>,
    /// How the average was computed.
    note: String,
}

/// Validates, computes and builds the view.
pub fn build(input: ResultsReportInput, cx: &Context) -> Result<Built> {
    let mut issues = Vec::new();
    let period = input.period.resolve(&mut issues);
    let rows = meeting_rows(&input.meetings, period.as_ref().map(|p| p.1.clone()), &mut issues);
    if input.include_meeting_table && input.meetings.is_empty() {
        issues.push(Issue::warning(
            "/include_meeting_table",
            "no_meetings",
            "the meeting table was asked for but no /meetings were given",
        ));
    }
    let title = cx.sentence("document_title", &json!({ "subject": input.issued.subject }))?;
    let built = issued::build(&input.issued, "BÁO CÁO", "BC", title.clone(), cx, &mut issues);
    let (Some((issued_view, issue_date)), Some((period_label, _))) = (built, period) else {
        return Err(super::invalid(issues));
    };
    cx.fail_on_errors(&issues)?;

    let subject = input.issued.subject.trim();
    let opening = match input.requested_by.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
        Some(requested_by) => {
            cx.sentence("opening", &json!({ "requested_by": requested_by, "subject": subject }))?
        }
        None => cx.sentence("opening_unrequested", &json!({ "subject": subject }))?,
    };
    let meeting_table = match rows {
        Some((rows, totals)) if input.include_meeting_table && !rows.is_empty() => {
            let context = json!({
                "period": period_label,
                "meetings": vietnamese::count2(totals.meetings),
                "present": vietnamese::group_thousands(totals.present),
                "required": vietnamese::group_thousands(totals.required),
                "average": vietnamese::decimal1(totals.present, totals.required),
            });
            Some(MeetingTableView {
                intro: cx.sentence("meeting_table_intro", &context)?,
                table: TableView {
                    columns: vec![
                        "Tháng",
                        "Ngày sinh hoạt",
                        "Tổng số phải dự",
                        "Có mặt",
                        "Tỷ lệ (%)",
                        "Thời lượng (phút)",
                        "Chuyên đề",
                    ],
                    rows,
                },
                total: vec![
                    "Cộng".into(),
                    format!("{} buổi", totals.meetings),
                    vietnamese::group_thousands(totals.required),
                    vietnamese::group_thousands(totals.present),
                    vietnamese::decimal1(totals.present, totals.required),
                    String::new(),
                    totals.thematic.to_string(),
                ],
                note: cx.sentence("meeting_table_note", &context)?,
            })
        }
        _ => None,
    };
    let view = ResultsReportView {
        issued: issued_view,
        opening,
        situation: paragraphs(input.situation.as_deref()),
        results: group_by_field(input.results.iter().map(|r| (r.field.as_str(), r.text.as_str()))),
        meeting_table,
        weaknesses: input.weaknesses.clone(),
        causes: input.causes.clone(),
        next_tasks_heading: cx.sentence(
            "next_tasks_heading",
            &json!({ "period": input.period.next_label().unwrap_or_else(|| "kỳ tới".to_string()) }),
        )?,
        next_tasks: input.next_tasks.clone(),
        proposals: input.proposals.clone(),
    };
    Built::new(&view, issue_date, title, &input.issued.issuer, issues)
}

/// Sums of table D's `Cộng` row.
#[derive(Debug, Default)]
struct MeetingTotals {
    meetings: u64,
    required: u64,
    present: u64,
    thematic: u64,
}

/// Table D rows and totals, checking each meeting: more present than required is an error; a
/// meeting shorter than 90 minutes (HD 42-HD/BTCTW; 120 for a session that also held the thematic
/// meeting), a date outside its month or a month
/// outside the period are warnings. `None` when a date is unusable (already reported).
fn meeting_rows(
    meetings: &[MeetingStat],
    months: Option<std::ops::RangeInclusive<u8>>,
    issues: &mut Vec<Issue>,
) -> Option<(Vec<Vec<String>>, MeetingTotals)> {
    let mut rows = Vec::with_capacity(meetings.len());
    let mut totals = MeetingTotals::default();
    let mut usable = true;
    for (i, m) in meetings.iter().enumerate() {
        let pointer = |field: &str| format!("/meetings/{i}/{field}");
        if m.present > m.required {
            issues.push(Issue::error(
                pointer("present"),
                "present_exceeds_required",
                format!("{} members present but only {} had to attend", m.present, m.required),
            ));
        }
        // A session that also held the thematic meeting needs 120 minutes (§4.2).
        let minimum = if m.thematic { MIN_COMBINED_MEETING_MINUTES } else { MIN_MEETING_MINUTES };
        if let Some(minutes) = m.duration_minutes
            && minutes < minimum
        {
            issues.push(Issue::warning(
                pointer("duration_minutes"),
                "short_meeting",
                format!("the meeting lasted {minutes} minutes; HD 42-HD/BTCTW asks for at least {minimum}"),
            ));
        }
        if let Some(months) = &months
            && !months.contains(&m.month)
        {
            issues.push(Issue::warning(
                pointer("month"),
                "meeting_outside_period",
                format!("month {} is outside the period reported on", m.month),
            ));
        }
        let Some(date) = parse_date(&m.date, &pointer("date"), issues) else {
            usable = false;
            continue;
        };
        if date.month() != m.month {
            issues.push(Issue::warning(
                pointer("date"),
                "meeting_date_outside_month",
                format!("the meeting of month {} was held on {}", m.month, date.to_iso()),
            ));
        }
        totals.meetings += 1;
        totals.required += u64::from(m.required);
        totals.present += u64::from(m.present);
        totals.thematic += u64::from(m.thematic);
        rows.push(vec![
            m.month.to_string(),
            vietnamese::short_date(date),
            vietnamese::group_thousands(u64::from(m.required)),
            vietnamese::group_thousands(u64::from(m.present)),
            vietnamese::decimal1(u64::from(m.present), u64::from(m.required)),
            m.duration_minutes.map(|d| d.to_string()).unwrap_or_default(),
            // An em dash marks "none" in a table cell, as in the spec's table D.
            if m.thematic { "Có" } else { "—" }.to_string(),
        ]);
    }
    usable.then_some((rows, totals))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stat(month: u8, date: &str, required: u32, present: u32, minutes: u32, thematic: bool) -> MeetingStat {
        MeetingStat { month, date: date.into(), required, present, duration_minutes: Some(minutes), thematic }
    }

    #[test]
    fn table_d_average_is_the_ratio_of_sums() {
        let meetings = [
            stat(10, "2026-10-22", 47, 44, 110, false),
            stat(11, "2026-11-22", 47, 43, 135, true),
            stat(12, "2026-12-22", 47, 45, 100, false),
        ];
        let mut issues = Vec::new();
        let (rows, totals) = meeting_rows(&meetings, Some(10..=12), &mut issues).unwrap();
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(rows.iter().map(|r| r[4].as_str()).collect::<Vec<_>>(), ["93,6", "91,5", "95,7"]);
        assert_eq!((totals.required, totals.present, totals.thematic), (141, 132, 1));
        assert_eq!(vietnamese::decimal1(totals.present, totals.required), "93,6");
    }

    #[test]
    fn impossible_and_doubtful_meetings_are_reported() {
        let meetings = [stat(10, "2026-10-22", 40, 44, 60, false), stat(1, "2026-01-05", 40, 30, 95, false)];
        let mut issues = Vec::new();
        meeting_rows(&meetings, Some(10..=12), &mut issues);
        let found: Vec<_> = issues.iter().map(|i| (i.pointer.as_str(), i.code)).collect();
        assert_eq!(
            found,
            [
                ("/meetings/0/present", "present_exceeds_required"),
                ("/meetings/0/duration_minutes", "short_meeting"),
                ("/meetings/1/month", "meeting_outside_period"),
            ]
        );
    }
}
