//! Biên bản sinh hoạt chuyên đề: minutes of the quarterly thematic meeting (DOCUMENTS.md §4.2).
//!
//! Header, attendance, votes, closing and signatures are those of the regular minutes
//! (`meeting`); what differs is the period (a quarter, in Roman numerals), the topic line under
//! the title, and the core sections: the presentation of the topic, discussion and
//! self-reflection, the chair's conclusion and the members' commitments.
//!
//! A thematic meeting held in the same session as the regular one gets its own minutes here
//! (the "two minutes" option of §4.2); `combined_with_regular` only raises the minimum length to
//! 120 minutes.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{CommonView, TitleView};
use super::meeting::{self, MeetingInput, MeetingView, Roster, SpeechView, with_period};
use super::{Built, Context};
use crate::error::{Issue, Result};
use crate::vietnamese;

/// The request (§4.2 JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct ThematicMinutesInput {
    /// Fields shared with the regular minutes.
    #[serde(flatten)]
    pub meeting: MeetingInput,
    /// Who presented the topic, and what was presented.
    pub presentation: Presentation,
    /// Measures and commitments of members (biện pháp / cam kết thực hiện).
    #[serde(default)]
    pub commitments: Vec<Commitment>,
}

/// `presentation`.
#[derive(Debug, Clone, Deserialize)]
pub struct Presentation {
    /// The member who presented the topic.
    pub presenter_id: String,
    /// Summary of the presentation.
    pub summary: String,
}

/// One of `commitments`.
#[derive(Debug, Clone, Deserialize)]
pub struct Commitment {
    /// The member committing.
    pub member_id: String,
    /// What they commit to.
    pub text: String,
}

/// What `thematic-minutes/main.typ` reads.
#[derive(Debug, Serialize)]
struct ThematicMinutesView {
    #[serde(flatten)]
    common: CommonView,
    title: TitleView,
    #[serde(flatten)]
    meeting: MeetingView,
    /// `Đồng chí X - Chi ủy viên trình bày chuyên đề:`, absent when the summary names the speaker.
    presenter: Option<String>,
    /// What was presented.
    presentation: String,
    /// `- Đồng chí X: text.` lines, as speaker and text.
    commitments: Vec<SpeechView>,
}

/// Validates, computes and builds the view.
pub fn build(input: ThematicMinutesInput, cx: &Context) -> Result<Built> {
    let mut issues = Vec::new();
    let base = &input.meeting;
    let roster = Roster::new(&base.members, &mut issues);
    let built = meeting::build(base, &roster, cx, &mut issues)?;

    let presenter =
        roster.name_with_title(&input.presentation.presenter_id, "/presentation/presenter_id", &mut issues);
    let commitments: Vec<SpeechView> = input
        .commitments
        .iter()
        .enumerate()
        .map(|(i, c)| SpeechView {
            speaker: format!(
                "Đồng chí {}",
                roster.name(&c.member_id, &format!("/commitments/{i}/member_id"), &mut issues)
            ),
            text: with_period(&c.text),
        })
        .collect();

    let Some((meeting_view, facts)) = built else {
        return Err(super::invalid(issues));
    };
    let period = &base.meeting.period;
    // The schema requires the quarter; the meeting date is only a fallback for hand-built input.
    let quarter = period.quarter.unwrap_or(facts.date.quarter());
    if facts.date.year() != period.year || facts.date.quarter() != quarter {
        issues.push(Issue::warning(
            "/meeting/period",
            "date_outside_period",
            format!(
                "the meeting date {} is not in quarter {quarter} of {}",
                facts.date.to_iso(),
                period.year
            ),
        ));
    }
    cx.fail_on_errors(&issues)?;

    let quarter_label = vietnamese::quarter_label(quarter, period.year).unwrap_or_default();
    let sentence_context = json!({ "quarter": quarter_label });
    let subject = vietnamese::upper(&cx.sentence("subject", &sentence_context)?);
    let title = cx.sentence("document_title", &sentence_context)?;
    let topic = match base.meeting.topic.as_deref().filter(|t| !t.is_empty()) {
        Some(topic) => Some(cx.sentence("topic", &json!({ "topic": topic }))?),
        None => None,
    };
    let common = base.common_view(cx, &facts, title.clone());
    let view = ThematicMinutesView {
        common,
        title: TitleView { kind: "BIÊN BẢN", subject, topic },
        meeting: meeting_view,
        presenter: meeting::presenter_sentence(&input.presentation.summary, &presenter, "presenter", cx)?,
        presentation: input.presentation.summary.clone(),
        commitments,
    };
    Built::new(&view, facts.issue_date, title, &base.issuer, issues)
}
