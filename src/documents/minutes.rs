//! Biên bản sinh hoạt chi bộ thường kỳ: minutes of the regular monthly meeting (DOCUMENTS.md §4.1).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{CommonView, TableView, TitleView, task_row};
use super::meeting::{self, MeetingInput, MeetingView, Roster};
use super::{Built, Context};
use crate::error::Result;
use crate::vietnamese;

/// The request (§4.1 JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct MinutesInput {
    /// Fields shared with the thematic minutes.
    #[serde(flatten)]
    pub meeting: MeetingInput,
    /// Agenda items presented.
    #[serde(default)]
    pub agenda_items: Vec<AgendaItem>,
    /// Tasks assigned in the conclusion.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Optional extra sections (`Chấm điểm buổi sinh hoạt`…).
    #[serde(default)]
    pub extra_sections: Vec<ExtraSection>,
    /// `upper` (default): `SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG 11 NĂM 2026`; `sentence`: lower case.
    #[serde(default)]
    pub minutes_subtitle_case: SubtitleCase,
}

/// Case of the line under `BIÊN BẢN` (§4.1 `minutes_subtitle_case`).
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubtitleCase {
    /// All capitals, as on the published blank forms.
    #[default]
    Upper,
    /// Lower case, in the style of a trích yếu.
    Sentence,
}

/// One item of `agenda_items`.
#[derive(Debug, Clone, Deserialize)]
pub struct AgendaItem {
    /// Title of the item.
    pub title: String,
    /// Member who presented it.
    pub presenter_id: String,
    /// What was presented.
    pub summary: String,
}

/// One task of `assignments`.
#[derive(Debug, Clone, Deserialize)]
pub struct Assignment {
    /// The task.
    pub task: String,
    /// Members in charge.
    pub assignee_ids: Vec<String>,
    /// ISO date.
    #[serde(default)]
    pub deadline: Option<String>,
}

/// One of `extra_sections`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ExtraSection {
    /// Heading.
    pub title: String,
    /// Body.
    pub text: String,
}

/// What `minutes/main.typ` reads.
#[derive(Debug, Serialize)]
struct MinutesView {
    #[serde(flatten)]
    common: CommonView,
    title: TitleView,
    #[serde(flatten)]
    meeting: MeetingView,
    agenda: Vec<AgendaView>,
    assignments: Option<TableView>,
    extra_sections: Vec<ExtraSection>,
}

#[derive(Debug, Serialize)]
struct AgendaView {
    /// Level-2 heading; the template numbers it.
    title: String,
    /// `Đồng chí X - Bí thư Chi bộ trình bày:`, absent when the summary names the speaker.
    presenter: Option<String>,
    summary: String,
}

/// Validates, computes and builds the view.
pub fn build(input: MinutesInput, cx: &Context) -> Result<Built> {
    let mut issues = Vec::new();
    let base = &input.meeting;
    let roster = Roster::new(&base.members, &mut issues);
    let built = meeting::build(base, &roster, cx, &mut issues)?;

    let mut agenda = Vec::with_capacity(input.agenda_items.len());
    for (i, item) in input.agenda_items.iter().enumerate() {
        let presenter = roster.name_with_title(
            &item.presenter_id,
            &format!("/agenda_items/{i}/presenter_id"),
            &mut issues,
        );
        agenda.push(AgendaView {
            title: item.title.clone(),
            presenter: meeting::presenter_sentence(&item.summary, &presenter, "presenter", cx)?,
            summary: item.summary.clone(),
        });
    }
    let assignment_rows: Vec<Vec<String>> = input
        .assignments
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let owners: Vec<String> = a
                .assignee_ids
                .iter()
                .enumerate()
                .map(|(j, id)| roster.name(id, &format!("/assignments/{i}/assignee_ids/{j}"), &mut issues))
                .collect();
            let pointer = format!("/assignments/{i}/deadline");
            task_row(i + 1, &a.task, owners.join(", "), a.deadline.as_deref(), &pointer, &mut issues)
        })
        .collect();

    let Some((meeting_view, facts)) = built else {
        return Err(super::invalid(issues));
    };
    cx.fail_on_errors(&issues)?;

    let period = &base.meeting.period;
    let month = period.month.unwrap_or(facts.date.month());
    let sentence_context = json!({ "month": month, "year": period.year });
    let subject = cx.sentence("subject", &sentence_context)?;
    let subject = match input.minutes_subtitle_case {
        SubtitleCase::Upper => vietnamese::upper(&subject),
        SubtitleCase::Sentence => subject,
    };
    let title = cx.sentence("document_title", &sentence_context)?;
    let common = base.common_view(cx, &facts, title.clone());
    let view = MinutesView {
        common,
        title: TitleView { kind: "BIÊN BẢN", subject, topic: None },
        meeting: meeting_view,
        agenda,
        assignments: (!assignment_rows.is_empty()).then(|| TableView {
            columns: vec!["TT", "Nhiệm vụ", "Người phụ trách", "Thời hạn"],
            rows: assignment_rows,
        }),
        extra_sections: input.extra_sections.clone(),
    };
    Built::new(&view, facts.issue_date, title, &base.issuer, issues)
}
