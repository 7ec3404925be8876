//! What both kinds of minutes share (DOCUMENTS.md §4.1, §4.2): the member roster, attendance
//! and its computed numbers, named people, votes, the closing sentence and the two signatures.
//!
//! Numbers are computed from the member and attendance lists, never typed in; contradictions
//! become issues located in the request.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::Context;
use super::common::{
    CommonView, Issuer, Number, Options, SignatureView, TableView, labelled_signer, parse_date,
};
use crate::error::{Issue, Result};
use crate::vietnamese::{self, Date, Time};

/// Meeting length below which a warning is given (HD 42-HD/BTCTW, DOCUMENTS.md §3).
pub const MIN_MEETING_MINUTES: u32 = 90;
/// Minimum when the thematic meeting is held in the same session.
pub const MIN_COMBINED_MEETING_MINUTES: u32 = 120;

/// A Party member (§4.0).
#[derive(Debug, Clone, Deserialize)]
pub struct Member {
    /// Stable id referenced by attendance, speakers, signers.
    pub member_id: String,
    /// Full name, printed as given (§5.6).
    pub full_name: String,
    /// Full or probationary member.
    pub status: MemberStatus,
    /// Role in the cell.
    pub role: Role,
    /// Exempted from activities (miễn sinh hoạt): not counted as required or absent.
    #[serde(default)]
    pub exempt_from_activities: bool,
}

/// `status` of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Đảng viên chính thức: votes.
    ChinhThuc,
    /// Đảng viên dự bị: attends, does not vote.
    DuBi,
}

/// `role` of a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Bí thư.
    BiThu,
    /// Phó bí thư.
    PhoBiThu,
    /// Chi ủy viên.
    ChiUyVien,
    /// Đảng viên.
    DangVien,
}

impl Role {
    /// The role as printed in a table.
    pub fn label(self) -> &'static str {
        match self {
            Role::BiThu => "Bí thư",
            Role::PhoBiThu => "Phó Bí thư",
            Role::ChiUyVien => "Chi ủy viên",
            Role::DangVien => "Đảng viên",
        }
    }

    /// The title printed after a member's name in running text (`Đồng chí X - Bí thư Chi bộ`,
    /// §5.6); a plain member has none.
    pub fn title(self) -> Option<&'static str> {
        match self {
            Role::BiThu => Some("Bí thư Chi bộ"),
            Role::PhoBiThu => Some("Phó Bí thư Chi bộ"),
            Role::ChiUyVien => Some("Chi ủy viên"),
            Role::DangVien => None,
        }
    }
}

/// One line of `attendance`.
#[derive(Debug, Clone, Deserialize)]
pub struct AttendanceEntry {
    /// Member concerned.
    pub member_id: String,
    /// Present at the meeting.
    pub present: bool,
    /// For an absence: whether it was excused (default: not excused).
    #[serde(default)]
    pub excused: bool,
    /// For an absence: the reason, printed in brackets.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Chair or secretary of the meeting.
#[derive(Debug, Clone, Deserialize)]
pub struct MeetingRole {
    /// A member of the cell.
    pub member_id: String,
    /// Title printed after the name, e.g. `Bí thư Chi bộ`.
    pub title_text: String,
}

/// A guest (đại biểu).
#[derive(Debug, Clone, Deserialize)]
pub struct Guest {
    /// Full name.
    pub full_name: String,
    /// Title, e.g. `Đảng ủy viên, phụ trách Chi bộ`.
    pub title_text: String,
}

/// The meeting's period: a month (regular) or a quarter (thematic).
#[derive(Debug, Clone, Deserialize)]
pub struct Period {
    /// Month 1–12.
    #[serde(default)]
    pub month: Option<u8>,
    /// Quarter 1–4.
    #[serde(default)]
    pub quarter: Option<u8>,
    /// Year.
    pub year: i32,
}

/// `meeting`.
#[derive(Debug, Clone, Deserialize)]
pub struct Meeting {
    /// Month or quarter.
    pub period: Period,
    /// Topic of a thematic meeting.
    #[serde(default)]
    pub topic: Option<String>,
    /// Held in the same session as the regular meeting (then at least 120 minutes).
    #[serde(default)]
    pub combined_with_regular: bool,
    /// ISO date.
    pub date: String,
    /// `HH:MM`.
    pub start_time: String,
    /// `HH:MM`.
    pub end_time: String,
    /// Where.
    pub location: String,
    /// Who chaired.
    pub chair: MeetingRole,
    /// Who took the minutes.
    pub secretary: MeetingRole,
    /// Guests.
    #[serde(default)]
    pub guests: Vec<Guest>,
}

/// `opening`.
#[derive(Debug, Clone, Deserialize)]
pub struct Opening {
    /// Reason and introductions, as spoken.
    pub reason_text: String,
    /// Whether the agenda was approved (adds the standard sentence).
    #[serde(default)]
    pub agenda_approved: bool,
}

/// One speaker in `discussion`.
#[derive(Debug, Clone, Deserialize)]
pub struct Speech {
    /// A member of the cell.
    pub speaker_id: String,
    /// What was said, recorded faithfully.
    pub text: String,
}

/// What a vote decides, which fixes the base it is counted over (§4.1 "Votes on people").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteKind {
    /// A resolution, a report, a contribution: over the official members present.
    #[default]
    General,
    /// Proposing to admit someone to the Party (Điều lệ Đảng, Điều 4 khoản 3).
    Admission,
    /// Proposing to recognise a probationary member as official (Điều lệ Đảng, Điều 5).
    OfficialRecognition,
}

impl VoteKind {
    /// Whether the Charter counts this vote over the cell's official members.
    pub fn is_on_a_person(self) -> bool {
        self != VoteKind::General
    }
}

/// One vote in `votes`.
#[derive(Debug, Clone, Deserialize)]
pub struct Vote {
    /// What was voted on.
    pub subject: String,
    /// What the vote decides; `general` when absent.
    #[serde(default)]
    pub kind: VoteKind,
    /// In favour.
    #[serde(rename = "for")]
    pub in_favour: u32,
    /// Against.
    pub against: u32,
    /// Other opinions / abstentions.
    pub abstain: u32,
}

/// One of the two minutes signatures.
#[derive(Debug, Clone, Deserialize)]
pub struct SignatureRef {
    /// Label, default `THƯ KÝ` (left) or `CHỦ TRÌ` (right).
    #[serde(default)]
    pub label: Option<String>,
    /// A member of the cell.
    pub member_id: String,
}

/// `signatures`.
#[derive(Debug, Clone, Deserialize)]
pub struct Signatures {
    /// Note-taker.
    pub left: SignatureRef,
    /// Chair.
    pub right: SignatureRef,
}

/// The fields both kinds of minutes share.
#[derive(Debug, Clone, Deserialize)]
pub struct MeetingInput {
    /// Ruleset, margins, draft.
    #[serde(flatten)]
    pub options: Options,
    /// Issuing cell.
    pub issuer: Issuer,
    /// Usually `null`: minutes kept in the minutes book are not numbered (§2.5).
    #[serde(default)]
    pub number: Option<Number>,
    /// Date of the document; default the meeting date.
    #[serde(default)]
    pub issue_date: Option<String>,
    /// Print the header's date line (default off for minutes, §2.6).
    #[serde(default)]
    pub show_date_line: bool,
    /// The meeting.
    pub meeting: Meeting,
    /// Every member of the cell.
    pub members: Vec<Member>,
    /// One entry per member who had to attend.
    pub attendance: Vec<AttendanceEntry>,
    /// Opening part.
    pub opening: Opening,
    /// Speakers.
    #[serde(default)]
    pub discussion: Vec<Speech>,
    /// Chair's conclusion.
    pub conclusion: String,
    /// Votes taken.
    #[serde(default)]
    pub votes: Vec<Vote>,
    /// Replaces the standard closing sentence when given.
    #[serde(default)]
    pub minutes_approved_text: Option<String>,
    /// The two signers.
    pub signatures: Signatures,
    /// Print the attendance table after the attendance sentences.
    #[serde(default)]
    pub attendance_table: bool,
}

impl MeetingInput {
    /// Header and metadata of minutes: numbered `BB` only when a number is given, and a date
    /// line only on request (§2.5, §2.6).
    pub fn common_view(&self, cx: &Context, facts: &MeetingFacts, title: String) -> CommonView {
        CommonView::new(
            &self.options,
            cx.font,
            &self.issuer,
            self.number.as_ref(),
            "BB",
            self.show_date_line.then_some(facts.issue_date),
            title,
        )
    }
}

/// The member list indexed by id.
pub struct Roster<'a> {
    members: &'a [Member],
    by_id: HashMap<&'a str, usize>,
}

impl<'a> Roster<'a> {
    /// Indexes the members, reporting duplicate ids.
    pub fn new(members: &'a [Member], issues: &mut Vec<Issue>) -> Self {
        let mut by_id = HashMap::new();
        for (i, member) in members.iter().enumerate() {
            if by_id.insert(member.member_id.as_str(), i).is_some() {
                issues.push(Issue::error(
                    format!("/members/{i}/member_id"),
                    "duplicate_member",
                    format!("member id `{}` appears more than once", member.member_id),
                ));
            }
        }
        Roster { members, by_id }
    }

    /// The member with this id; reports `unknown_member` at `pointer` if there is none.
    pub fn find(&self, id: &str, pointer: &str, issues: &mut Vec<Issue>) -> Option<&'a Member> {
        let found = self.by_id.get(id).map(|&i| &self.members[i]);
        // A blank form's placeholder names nobody yet; that is not a problem.
        if found.is_none() && !id.contains(super::blanks::BLANK) {
            issues.push(Issue::error(
                pointer,
                "unknown_member",
                format!("`{id}` is not the member_id of any member in /members"),
            ));
        }
        found
    }

    /// `Nguyễn Văn Hùng - Bí thư Chi bộ`: the name with the title of the member's role, for
    /// the presenter sentences; an empty string after reporting an unknown id.
    pub fn name_with_title(&self, id: &str, pointer: &str, issues: &mut Vec<Issue>) -> String {
        match self.find(id, pointer, issues) {
            Some(m) => match m.role.title() {
                Some(title) => format!("{} - {title}", m.full_name),
                None => m.full_name.clone(),
            },
            // Printed as a dotted line, to be written by hand.
            None if id.contains(super::blanks::BLANK) => super::blanks::BLANK.to_string(),
            None => String::new(),
        }
    }

    /// The name of the member with this id, or an empty string after reporting the problem.
    pub fn name(&self, id: &str, pointer: &str, issues: &mut Vec<Issue>) -> String {
        match self.find(id, pointer, issues) {
            Some(member) => member.full_name.clone(),
            // Printed as a dotted line, to be written by hand.
            None if id.contains(super::blanks::BLANK) => super::blanks::BLANK.to_string(),
            None => String::new(),
        }
    }
}

/// How a member took part, for the attendance table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Presence {
    Present,
    AbsentExcused,
    AbsentUnexcused,
    Exempt,
}

/// Attendance numbers computed from the lists (§4.1 "Computed numbers").
#[derive(Debug, Clone, Default, Serialize)]
pub struct AttendanceCounts {
    /// All members.
    pub total: u64,
    /// Full members.
    pub official: u64,
    /// Probationary members.
    pub probationary: u64,
    /// Exempted from activities.
    pub exempt: u64,
    /// Had to attend: total − exempt.
    pub required: u64,
    /// Present among those who had to attend.
    pub present: u64,
    /// required − present.
    pub absent: u64,
    /// Absent with a reason accepted.
    pub absent_excused: u64,
    /// Absent without one.
    pub absent_unexcused: u64,
    /// Full members present: those who vote.
    pub voters_present: u64,
    /// Base of a vote on a person: the official members, less those exempt from activities and
    /// absent (§4.1; UNCONFIRMED detail of HD 01-HD/TW, default as the spec states).
    pub official_base: u64,
    /// `91,5%`.
    pub present_pct: String,
}

/// `data.attendance`.
#[derive(Debug, Clone, Serialize)]
pub struct AttendanceView {
    /// `- ` lines: totals, exempt, required, present/absent.
    pub lines: Vec<String>,
    /// `+ ` lines naming the absent.
    pub sublines: Vec<String>,
    /// Optional member table.
    pub table: Option<TableView>,
}

/// The view pieces common to both kinds of minutes.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingView {
    /// `Vào lúc 19 giờ 30 phút, ngày 22 tháng 11 năm 2026.`
    pub time_text: String,
    /// Location sentence.
    pub location: String,
    /// Attendance.
    pub attendance: AttendanceView,
    /// `Đồng chí X - title` lines.
    pub guests: Vec<String>,
    /// `Đồng chí X - Bí thư Chi bộ.`
    pub chair_line: String,
    /// `Đồng chí Y - Chi ủy viên.`
    pub secretary_line: String,
    /// Opening paragraphs.
    pub opening: Vec<String>,
    /// Speakers.
    pub discussion: Vec<SpeechView>,
    /// Chair's conclusion.
    pub conclusion: String,
    /// Vote sentences.
    pub votes: Vec<String>,
    /// Closing sentence.
    pub closing: String,
    /// Left and right signer.
    pub signatures: SignaturePair,
}

/// A speaker and what they said.
#[derive(Debug, Clone, Serialize)]
pub struct SpeechView {
    /// `Đồng chí Phạm Văn Toàn`.
    pub speaker: String,
    /// The speech.
    pub text: String,
}

/// The two minutes signatures.
#[derive(Debug, Clone, Serialize)]
pub struct SignaturePair {
    /// Secretary.
    pub left: SignatureView,
    /// Chair.
    pub right: SignatureView,
}

/// Facts about the meeting other parts of a document need.
pub struct MeetingFacts {
    /// Meeting date.
    pub date: Date,
    /// Document date: `issue_date` or the meeting date.
    pub issue_date: Date,
}

/// Builds the shared view, collecting every problem into `issues` (errors and warnings).
/// `Ok(None)` means the problems found leave nothing to build; `Err` is a template bug.
pub fn build(
    input: &MeetingInput,
    roster: &Roster,
    cx: &Context,
    issues: &mut Vec<Issue>,
) -> Result<Option<(MeetingView, MeetingFacts)>> {
    let meeting = &input.meeting;
    let date = parse_date(&meeting.date, "/meeting/date", issues);
    let issue_date = match &input.issue_date {
        Some(text) => parse_date(text, "/issue_date", issues),
        None => date,
    };
    let start = parse_time(&meeting.start_time, "/meeting/start_time", issues);
    let end = parse_time(&meeting.end_time, "/meeting/end_time", issues);
    if let (Some(start), Some(end)) = (start, end) {
        check_duration(start, end, meeting.combined_with_regular, issues);
    }

    let (counts, presence) = count_attendance(input, roster, issues);
    let chair = roster.name(&meeting.chair.member_id, "/meeting/chair/member_id", issues);
    let secretary = roster.name(&meeting.secretary.member_id, "/meeting/secretary/member_id", issues);
    let discussion = input
        .discussion
        .iter()
        .enumerate()
        .map(|(i, speech)| SpeechView {
            speaker: format!(
                "Đồng chí {}",
                roster.name(&speech.speaker_id, &format!("/discussion/{i}/speaker_id"), issues)
            ),
            text: speech.text.clone(),
        })
        .collect();
    let votes = vote_sentences(&input.votes, &counts, cx, issues)?;
    let signatures = SignaturePair {
        left: minutes_signature(&input.signatures.left, "left", "thu_ky", "THƯ KÝ", roster, issues),
        right: minutes_signature(&input.signatures.right, "right", "chu_tri", "CHỦ TRÌ", roster, issues),
    };

    let (Some(date), Some(issue_date), Some(start), Some(end)) = (date, issue_date, start, end) else {
        return Ok(None);
    };
    let time_text =
        cx.sentence("time", &json!({ "start_time": start.words(), "date": vietnamese::date_words(date) }))?;
    let mut opening = vec![input.opening.reason_text.clone()];
    if input.opening.agenda_approved {
        opening.push(cx.sentence("agenda_approved", &json!({}))?);
    }
    let closing = match &input.minutes_approved_text {
        Some(text) if !text.is_empty() => text.clone(),
        _ => cx.sentence(
            "closing",
            &json!({ "end_time": end.words(), "approved": counts.present, "present": counts.present }),
        )?,
    };
    let view = MeetingView {
        time_text,
        location: with_period(&meeting.location),
        attendance: attendance_view(input, &counts, &presence, cx)?,
        guests: guest_lines(&meeting.guests),
        chair_line: with_period(&format!("Đồng chí {chair} - {}", meeting.chair.title_text)),
        secretary_line: with_period(&format!("Đồng chí {secretary} - {}", meeting.secretary.title_text)),
        opening,
        discussion,
        conclusion: input.conclusion.clone(),
        votes,
        closing,
        signatures,
    };
    Ok(Some((view, MeetingFacts { date, issue_date })))
}

fn parse_time(text: &str, pointer: &str, issues: &mut Vec<Issue>) -> Option<Time> {
    let time = Time::parse_hhmm(text);
    if time.is_none() {
        issues.push(Issue::error(pointer, "invalid_time", format!("`{text}` is not a time HH:MM")));
    }
    time
}

fn check_duration(start: Time, end: Time, combined: bool, issues: &mut Vec<Issue>) {
    let Some(minutes) = vietnamese::minutes_between(start, end) else {
        issues.push(Issue::error(
            "/meeting/end_time",
            "end_before_start",
            "the meeting ends before it starts",
        ));
        return;
    };
    // The minutes of a thematic part held after the regular part record that part only; the
    // session's length (at least 120 minutes) is checked where the whole session is recorded
    // (the regular minutes, table D of the results report).
    if !combined && minutes < MIN_MEETING_MINUTES {
        issues.push(Issue::warning(
            "/meeting/end_time",
            "short_meeting",
            format!(
                "the meeting lasted {minutes} minutes; HD 42-HD/BTCTW asks for at least {MIN_MEETING_MINUTES}"
            ),
        ));
    }
}

/// The presenter sentence before a summary (`Đồng chí X - Bí thư Chi bộ trình bày:`), or `None`
/// when the summary already opens by naming who spoke (`Đồng chí …`), so that the minutes do not
/// say it twice.
pub fn presenter_sentence(
    summary: &str,
    presenter: &str,
    pattern: &str,
    cx: &Context,
) -> Result<Option<String>> {
    let names_the_speaker = summary.trim_start().to_lowercase().starts_with("đồng chí ");
    if names_the_speaker {
        return Ok(None);
    }
    cx.sentence(pattern, &json!({ "presenter": presenter })).map(Some)
}

/// `Đồng chí X - title` lines of the guests: one guest is a sentence of its own (`.`); several
/// are `- ` lines, each ending `;` and the last `.` (§5.8 list punctuation).
fn guest_lines(guests: &[Guest]) -> Vec<String> {
    let last = guests.len().saturating_sub(1);
    guests
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let line = format!("Đồng chí {} - {}", g.full_name, g.title_text);
            let line = line.trim_end_matches(['.', ';']);
            if i == last { format!("{line}.") } else { format!("{line};") }
        })
        .collect()
}

/// Ends a sentence with a period unless it already ends with punctuation.
pub fn with_period(text: &str) -> String {
    if text.ends_with(['.', '!', '?', ':', ';']) { text.to_string() } else { format!("{text}.") }
}

fn count_attendance(
    input: &MeetingInput,
    roster: &Roster,
    issues: &mut Vec<Issue>,
) -> (AttendanceCounts, Vec<(usize, Presence, Option<String>)>) {
    let mut counts = AttendanceCounts::default();
    let mut entry_of: HashMap<&str, usize> = HashMap::new();
    for (i, entry) in input.attendance.iter().enumerate() {
        let pointer = format!("/attendance/{i}/member_id");
        if roster.find(&entry.member_id, &pointer, issues).is_some()
            && entry_of.insert(entry.member_id.as_str(), i).is_some()
        {
            issues.push(Issue::error(
                pointer,
                "duplicate_attendance",
                format!("member `{}` has more than one attendance entry", entry.member_id),
            ));
        }
    }
    let mut presence = Vec::with_capacity(input.members.len());
    for (i, member) in input.members.iter().enumerate() {
        counts.total += 1;
        match member.status {
            MemberStatus::ChinhThuc => counts.official += 1,
            MemberStatus::DuBi => counts.probationary += 1,
        }
        let entry = entry_of.get(member.member_id.as_str()).map(|&e| &input.attendance[e]);
        let present = entry.is_some_and(|e| e.present);
        if present && member.status == MemberStatus::ChinhThuc {
            counts.voters_present += 1;
        }
        if member.status == MemberStatus::ChinhThuc && (present || !member.exempt_from_activities) {
            counts.official_base += 1;
        }
        let state = if member.exempt_from_activities {
            counts.exempt += 1;
            if present { Presence::Present } else { Presence::Exempt }
        } else {
            counts.required += 1;
            match entry {
                None => {
                    issues.push(Issue::error(
                        format!("/members/{i}"),
                        "missing_attendance",
                        format!("member `{}` must attend but has no entry in /attendance", member.member_id),
                    ));
                    Presence::AbsentUnexcused
                }
                Some(e) if e.present => {
                    counts.present += 1;
                    Presence::Present
                }
                Some(e) if e.excused => {
                    counts.absent_excused += 1;
                    Presence::AbsentExcused
                }
                Some(_) => {
                    counts.absent_unexcused += 1;
                    Presence::AbsentUnexcused
                }
            }
        };
        presence.push((i, state, entry.and_then(|e| e.reason.clone())));
    }
    counts.absent = counts.required - counts.present;
    counts.present_pct = vietnamese::percent(counts.present, counts.required);
    (counts, presence)
}

/// The attendance numbers as the sentences print them (§5.2, decided 2026-12-01): a count
/// standing before `đồng chí` takes the leading zero (`vắng mặt: 02 đồng chí`); the breakdowns
/// after a colon, the second number of a ratio and percentages stay bare.
fn sentence_counts(counts: &AttendanceCounts) -> serde_json::Value {
    let mut context = json!(counts);
    for (key, n) in [
        ("total", counts.total),
        ("exempt", counts.exempt),
        ("required", counts.required),
        ("absent", counts.absent),
    ] {
        context[key] = json!(vietnamese::count_before_noun(n));
    }
    // `required` is also the second number of `present/required`: keep it bare there.
    context["required_bare"] = json!(vietnamese::group_thousands(counts.required));
    context
}

fn attendance_view(
    input: &MeetingInput,
    counts: &AttendanceCounts,
    presence: &[(usize, Presence, Option<String>)],
    cx: &Context,
) -> Result<AttendanceView> {
    let mut lines = Vec::new();
    let context = sentence_counts(counts);
    for name in ["attendance_total", "attendance_exempt", "attendance_required", "attendance_present"] {
        lines.push(cx.sentence(name, &context)?);
    }
    let names_of = |wanted: Presence| -> String {
        presence
            .iter()
            .filter(|(_, state, _)| *state == wanted)
            .map(|(i, _, reason)| {
                let name = &input.members[*i].full_name;
                match reason.as_deref().filter(|r| !r.is_empty()) {
                    Some(reason) => format!("đồng chí {name} ({reason})"),
                    None => format!("đồng chí {name}"),
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sublines = Vec::new();
    for (state, pattern) in
        [(Presence::AbsentExcused, "absent_excused"), (Presence::AbsentUnexcused, "absent_unexcused")]
    {
        let names = names_of(state);
        if !names.is_empty() {
            sublines.push(cx.sentence(pattern, &json!({ "names": names }))?);
        }
    }
    let table = input.attendance_table.then(|| TableView {
        columns: vec!["TT", "Họ và tên", "Chức vụ", "Đảng viên", "Tình hình dự"],
        rows: presence
            .iter()
            .enumerate()
            .map(|(n, (i, state, reason))| {
                let member = &input.members[*i];
                let status = match member.status {
                    MemberStatus::ChinhThuc => "Chính thức",
                    MemberStatus::DuBi => "Dự bị",
                };
                let state = match state {
                    Presence::Present => "Có mặt".to_string(),
                    Presence::Exempt => "Miễn sinh hoạt".to_string(),
                    Presence::AbsentExcused => match reason {
                        Some(r) if !r.is_empty() => format!("Vắng có lý do ({r})"),
                        _ => "Vắng có lý do".to_string(),
                    },
                    Presence::AbsentUnexcused => "Vắng không có lý do".to_string(),
                };
                vec![
                    (n + 1).to_string(),
                    member.full_name.clone(),
                    member.role.label().into(),
                    status.into(),
                    state,
                ]
            })
            .collect(),
    });
    Ok(AttendanceView { lines, sublines, table })
}

/// Vote sentences, checking each vote against the full members present (§4.1, §2.14 item 11).
/// A vote on a person (admission, official recognition) is counted over the cell's official
/// members and must reach two thirds of them (Điều lệ Đảng, Điều 4 khoản 3 and Điều 5); below
/// that the sentence says so and a `not_two_thirds` warning is given.
pub fn vote_sentences(
    votes: &[Vote],
    counts: &AttendanceCounts,
    cx: &Context,
    issues: &mut Vec<Issue>,
) -> Result<Vec<String>> {
    let voters_present = counts.voters_present;
    let mut out = Vec::with_capacity(votes.len());
    for (i, vote) in votes.iter().enumerate() {
        let at = format!("/votes/{i}");
        check_vote_counts(&at, [vote.in_favour, vote.against, vote.abstain], voters_present, issues);
        let in_favour = u64::from(vote.in_favour);
        let base = vote_base(vote.kind, counts);
        let context = json!({
            "subject": vote.subject,
            "for": in_favour,
            "against": vote.against,
            "abstain": vote.abstain,
            "voters": voters_present,
            "base": base,
            "for_pct": vietnamese::percent(in_favour, base),
        });
        let sentence = if vote.kind.is_on_a_person() {
            let sentence = cx.sentence("vote_on_person", &context)?;
            if reaches_two_thirds(in_favour, base) {
                sentence
            } else {
                issues.push(Issue::warning(
                    format!("/votes/{i}/for"),
                    "not_two_thirds",
                    format!(
                        "{in_favour} of {base} official members of the cell is below two thirds: the proposal does not pass (Điều lệ Đảng, Điều 4 khoản 3, Điều 5)"
                    ),
                ));
                format!("{sentence} {}", cx.sentence("not_two_thirds", &context)?)
            }
        } else {
            check_majority(&at, in_favour, voters_present, issues);
            cx.sentence("vote", &context)?
        };
        out.push(sentence);
    }
    Ok(out)
}

/// A vote's counts (`[for, against, abstain]`) against the full members present, who vote:
/// more votes than voters is an error at `{at}/for`, fewer a warning at `at`. The one check of
/// every vote, in the minutes (`/votes/N`) and the resolution (`/vote`).
pub fn check_vote_counts(
    at: &str,
    [in_favour, against, abstain]: [u32; 3],
    voters: u64,
    issues: &mut Vec<Issue>,
) {
    let cast = u64::from(in_favour) + u64::from(against) + u64::from(abstain);
    if cast > voters {
        issues.push(Issue::error(
            format!("{at}/for"),
            "votes_exceed_voters",
            format!("{cast} votes were counted but only {voters} full members were present"),
        ));
    } else if cast < voters {
        issues.push(Issue::warning(
            at,
            "votes_incomplete",
            format!("{cast} votes were counted for {voters} full members present"),
        ));
    }
}

/// A general vote passes with more than half of the full members present in favour (Điều lệ
/// Đảng, Điều 10.3); otherwise a `not_adopted` warning at `{at}/for`.
pub fn check_majority(at: &str, in_favour: u64, voters: u64, issues: &mut Vec<Issue>) {
    if in_favour * 2 <= voters {
        issues.push(Issue::warning(
            format!("{at}/for"),
            "not_adopted",
            "no more than half of the full members present voted in favour (Điều lệ Đảng, Điều 10.3)",
        ));
    }
}

/// The number a vote is counted over: the official members present for a general vote, the
/// cell's official members (less the exempt ones who were absent) for a vote on a person.
pub fn vote_base(kind: VoteKind, counts: &AttendanceCounts) -> u64 {
    if kind.is_on_a_person() { counts.official_base } else { counts.voters_present }
}

/// `for ≥ ⅔ × base`, compared in integers so that exactly two thirds passes (§4.1).
pub fn reaches_two_thirds(in_favour: u64, base: u64) -> bool {
    3 * in_favour >= 2 * base
}

fn minutes_signature(
    signature: &SignatureRef,
    side: &str,
    field: &'static str,
    default_label: &str,
    roster: &Roster,
    issues: &mut Vec<Issue>,
) -> SignatureView {
    let name = roster.name(&signature.member_id, &format!("/signatures/{side}/member_id"), issues);
    let label_pointer = format!("/signatures/{side}/label");
    labelled_signer(field, signature.label.as_deref(), default_label, label_pointer, name, issues)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::text_patterns::TextPatterns;

    /// One member of a test cell: official or not, exempt from activities, present.
    type M = (bool, bool, bool);

    /// Minutes input for a cell of these members; everything else is the least the type needs.
    fn input(members: &[M], votes: serde_json::Value) -> MeetingInput {
        let list: Vec<_> = members
            .iter()
            .enumerate()
            .map(|(i, (official, exempt, _))| {
                json!({
                    "member_id": format!("DV-{i}"),
                    "full_name": format!("Người {i}"),
                    "status": if *official { "chinh_thuc" } else { "du_bi" },
                    "role": "dang_vien",
                    "exempt_from_activities": exempt,
                })
            })
            .collect();
        let attendance: Vec<_> = members
            .iter()
            .enumerate()
            .map(|(i, (_, _, present))| json!({ "member_id": format!("DV-{i}"), "present": present, "excused": true }))
            .collect();
        serde_json::from_value(json!({
            "issuer": { "superior_name": "ĐẢNG BỘ PHƯỜNG A", "name": "CHI BỘ B", "place_name": "A" },
            "meeting": {
                "period": { "month": 11, "year": 2026 },
                "date": "2026-11-22", "start_time": "19:30", "end_time": "21:30", "location": "Nhà văn hóa",
                "chair": { "member_id": "DV-0", "title_text": "Bí thư Chi bộ" },
                "secretary": { "member_id": "DV-0", "title_text": "Bí thư Chi bộ" }
            },
            "members": list,
            "attendance": attendance,
            "opening": { "reason_text": "Lý do." },
            "conclusion": "Kết luận.",
            "votes": votes,
            "signatures": { "left": { "member_id": "DV-0" }, "right": { "member_id": "DV-0" } }
        }))
        .expect("test input deserialises")
    }

    fn counts(members: &[M]) -> AttendanceCounts {
        let input = input(members, json!([]));
        let mut issues = Vec::new();
        let roster = Roster::new(&input.members, &mut issues);
        let (counts, _) = count_attendance(&input, &roster, &mut issues);
        assert!(issues.is_empty(), "{issues:?}");
        counts
    }

    /// `n` copies of one kind of member.
    fn many(n: usize, member: M) -> Vec<M> {
        vec![member; n]
    }

    const OFFICIAL_PRESENT: M = (true, false, true);
    const OFFICIAL_ABSENT: M = (true, false, false);
    const PROBATIONARY_PRESENT: M = (false, false, true);
    const EXEMPT_ABSENT: M = (true, true, false);
    const EXEMPT_PRESENT: M = (true, true, true);

    #[test]
    fn the_base_of_a_vote_on_a_person_is_the_cells_official_members() {
        // (cell, general base = official present, base of a vote on a person)
        let cases: [(Vec<M>, u64, u64); 5] = [
            // The example cell: 19 official (17 present), 1 probationary present.
            (
                [many(17, OFFICIAL_PRESENT), many(2, OFFICIAL_ABSENT), many(1, PROBATIONARY_PRESENT)]
                    .concat(),
                17,
                19,
            ),
            // Probationary members never count.
            ([many(3, OFFICIAL_PRESENT), many(4, PROBATIONARY_PRESENT)].concat(), 3, 3),
            // Official members exempt from activities and absent are left out of the base…
            ([many(15, OFFICIAL_PRESENT), many(2, EXEMPT_ABSENT)].concat(), 15, 15),
            // …but an exempt member who came and voted is in it.
            ([many(15, OFFICIAL_PRESENT), many(1, EXEMPT_ABSENT), many(1, EXEMPT_PRESENT)].concat(), 16, 16),
            // Absent official members who had to attend stay in the base.
            ([many(10, OFFICIAL_PRESENT), many(5, OFFICIAL_ABSENT), many(2, EXEMPT_ABSENT)].concat(), 10, 15),
        ];
        for (cell, general, on_person) in cases {
            let counts = counts(&cell);
            assert_eq!(vote_base(VoteKind::General, &counts), general, "{cell:?}");
            assert_eq!(vote_base(VoteKind::Admission, &counts), on_person, "{cell:?}");
            assert_eq!(vote_base(VoteKind::OfficialRecognition, &counts), on_person, "{cell:?}");
        }
    }

    #[test]
    fn attendance_is_counted_by_status_exemption_and_presence() {
        // (cell, [total, official, probationary, exempt, required, present, absent,
        //  absent_excused, voters_present, official_base])
        let cases: [(Vec<M>, [u64; 10]); 4] = [
            // The example cell: 19 official (17 present), 1 probationary present.
            (
                [many(17, OFFICIAL_PRESENT), many(2, OFFICIAL_ABSENT), many(1, PROBATIONARY_PRESENT)]
                    .concat(),
                [20, 19, 1, 0, 20, 18, 2, 2, 17, 19],
            ),
            // The exempt do not have to attend; one who came votes and counts in the base, but
            // not among those present of those who had to attend.
            (
                [many(3, OFFICIAL_PRESENT), vec![EXEMPT_ABSENT, EXEMPT_PRESENT]].concat(),
                [5, 5, 0, 2, 3, 3, 0, 0, 4, 4],
            ),
            // Probationary members attend but never vote.
            (
                [many(2, OFFICIAL_ABSENT), many(2, PROBATIONARY_PRESENT)].concat(),
                [4, 2, 2, 0, 4, 2, 2, 2, 0, 2],
            ),
            (Vec::new(), [0; 10]),
        ];
        for (cell, expected) in cases {
            let c = counts(&cell);
            let found = [
                c.total,
                c.official,
                c.probationary,
                c.exempt,
                c.required,
                c.present,
                c.absent,
                c.absent_excused,
                c.voters_present,
                c.official_base,
            ];
            assert_eq!(found, expected, "{cell:?}");
            assert_eq!(c.absent_unexcused, 0, "every test absence is excused");
        }
    }

    #[test]
    fn vote_counts_are_checked_against_the_voters() {
        // ([for, against, abstain], voters, codes)
        let cases: [([u32; 3], u64, &[&str]); 6] = [
            ([17, 0, 0], 17, &[]),
            ([9, 8, 0], 17, &[]),
            ([18, 0, 0], 17, &["votes_exceed_voters"]),
            ([10, 0, 0], 17, &["votes_incomplete"]),
            ([8, 9, 0], 17, &["not_adopted"]),
            ([5, 3, 0], 16, &["votes_incomplete", "not_adopted"]),
        ];
        for (votes, voters, expected) in cases {
            let mut issues = Vec::new();
            check_vote_counts("/vote", votes, voters, &mut issues);
            check_majority("/vote", u64::from(votes[0]), voters, &mut issues);
            let codes: Vec<_> = issues.iter().map(|i| i.code).collect();
            assert_eq!(codes, expected, "{votes:?} of {voters}");
        }
    }

    #[test]
    fn two_thirds_are_compared_in_integers() {
        // (for, base, reaches two thirds)
        let cases = [
            (12, 18, true),  // exactly two thirds
            (11, 18, false), // one short
            (13, 19, true),  // 68,4%
            (12, 19, false), // 63,2%: one short of 12,67 rounded up
            (2, 3, true),    // exactly two thirds, not 66,7% against 66,6…%
            (1, 2, false),
            (16, 19, true),
            (0, 0, true), // nobody to count: nothing is below two thirds
        ];
        for (in_favour, base, expected) in cases {
            assert_eq!(reaches_two_thirds(in_favour, base), expected, "{in_favour}/{base}");
        }
    }

    fn context_patterns() -> TextPatterns {
        let patterns: BTreeMap<String, String> = [
            ("vote", "{{subject}}: tán thành {{for}}/{{voters}} đồng chí (đạt {{for_pct}})."),
            ("vote_on_person", "{{subject}}: tán thành {{for}}/{{base}} đồng chí đảng viên chính thức của chi bộ (đạt {{for_pct}})."),
            ("not_two_thirds", "Đề nghị chưa được ít nhất hai phần ba số đảng viên chính thức của chi bộ tán thành."),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        TextPatterns::compile(&patterns, "test").unwrap()
    }

    #[test]
    fn votes_on_people_are_counted_over_the_cell_and_warn_below_two_thirds() {
        let cell =
            [many(17, OFFICIAL_PRESENT), many(2, OFFICIAL_ABSENT), many(1, PROBATIONARY_PRESENT)].concat();
        let counts = counts(&cell);
        let patterns = context_patterns();
        let cx = Context {
            template: "test",
            sentences: &patterns,
            font: "Liberation Serif",
            completeness: Default::default(),
        };
        let vote = |subject: &str, kind: VoteKind, in_favour: u32, against: u32| Vote {
            subject: subject.into(),
            kind,
            in_favour,
            against,
            abstain: 0,
        };
        // (vote, expected sentence, warning code)
        let cases = [
            (
                vote("Nghị quyết", VoteKind::General, 17, 0),
                "Nghị quyết: tán thành 17/17 đồng chí (đạt 100%).",
                None,
            ),
            (
                vote("Kết nạp", VoteKind::Admission, 16, 1),
                "Kết nạp: tán thành 16/19 đồng chí đảng viên chính thức của chi bộ (đạt 84,2%).",
                None,
            ),
            (
                vote("Công nhận", VoteKind::OfficialRecognition, 13, 4),
                "Công nhận: tán thành 13/19 đồng chí đảng viên chính thức của chi bộ (đạt 68,4%).",
                None,
            ),
            // 12 of 19 official members: a majority of those present, short of two thirds of the cell.
            (
                vote("Kết nạp", VoteKind::Admission, 12, 5),
                "Kết nạp: tán thành 12/19 đồng chí đảng viên chính thức của chi bộ (đạt 63,2%). Đề nghị chưa được ít nhất hai phần ba số đảng viên chính thức của chi bộ tán thành.",
                Some("not_two_thirds"),
            ),
        ];
        for (vote, expected, warning) in cases {
            let mut issues = Vec::new();
            let sentences = vote_sentences(std::slice::from_ref(&vote), &counts, &cx, &mut issues).unwrap();
            assert_eq!(sentences, [expected]);
            let codes: Vec<_> = issues.iter().map(|i| i.code).collect();
            assert_eq!(codes, warning.into_iter().collect::<Vec<_>>(), "{expected}");
            assert!(issues.iter().all(|i| i.severity == crate::error::Severity::Warning));
        }
    }

    #[test]
    fn guests_end_like_a_list() {
        let guest = |name: &str| Guest { full_name: name.into(), title_text: "Đảng ủy viên".into() };
        assert_eq!(guest_lines(&[guest("A")]), ["Đồng chí A - Đảng ủy viên."]);
        assert_eq!(
            guest_lines(&[guest("A"), guest("B")]),
            ["Đồng chí A - Đảng ủy viên;", "Đồng chí B - Đảng ủy viên."]
        );
    }
}
