//! Báo cáo thu, nộp đảng phí: the Party-dues report (DOCUMENTS.md §4.4.3).
//!
//! Every amount is computed here from the member's category and base, the dated rate table of
//! Quy định 01-QĐ/TW (2026) and the regional minimum wage table: integers in đồng, rates in
//! basis points, rounded half-up to the đồng (§4.4.3 "Rounding", default). A report period of
//! several months sums the dues of each month, so a rate change inside the period is honoured.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::common::{SignatureView, TableView, labelled_signer, paragraphs};
use super::issued::{self, IssuedInput, IssuedView};
use super::period::ReportPeriod;
use super::{Built, Context};
use crate::error::{Issue, Result};
use crate::vietnamese::{self, Date, WordsOptions};

/// The request (§4.4.3 JSON).
#[derive(Debug, Clone, Deserialize)]
pub struct DuesReportInput {
    /// Number, date, subject, signer, recipients.
    #[serde(flatten)]
    pub issued: IssuedInput,
    /// The months reported on.
    pub period: ReportPeriod,
    /// Minimum-wage region of the cell (where its members are registered).
    pub region: Region,
    /// Overrides the built-in regional minimum wages (đồng per month) for the whole period.
    #[serde(default)]
    pub minimum_wages: Option<MinimumWages>,
    /// One line per member.
    pub members: Vec<DuesMember>,
    /// Percentage of the collected dues the cell keeps; `null` keeps nothing back.
    #[serde(default)]
    pub retention_pct: Option<f64>,
    /// Second signer `NGƯỜI LẬP BIỂU`, on the left.
    #[serde(default)]
    pub preparer: Option<Preparer>,
    /// Free text of `II- ĐÁNH GIÁ`, after the computed sentences.
    #[serde(default)]
    pub assessment: Option<String>,
    /// Free text of `III- KIẾN NGHỊ`; a standard sentence when absent.
    #[serde(default)]
    pub proposals: Option<String>,
}

/// Minimum-wage region (vùng) of Nghị định 293/2025/NĐ-CP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[allow(clippy::upper_case_acronyms, reason = "Roman numerals, as the decree and the JSON write them")]
pub enum Region {
    /// Vùng I.
    I,
    /// Vùng II.
    II,
    /// Vùng III.
    III,
    /// Vùng IV.
    IV,
}

/// Monthly regional minimum wages in đồng, one per region.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct MinimumWages {
    /// Vùng I.
    #[serde(rename = "I")]
    pub i: u64,
    /// Vùng II.
    #[serde(rename = "II")]
    pub ii: u64,
    /// Vùng III.
    #[serde(rename = "III")]
    pub iii: u64,
    /// Vùng IV.
    #[serde(rename = "IV")]
    pub iv: u64,
}

impl Region {
    /// The region's Roman numeral as printed (`III`).
    pub fn numeral(self) -> &'static str {
        match self {
            Region::I => "I",
            Region::II => "II",
            Region::III => "III",
            Region::IV => "IV",
        }
    }
}

impl MinimumWages {
    /// The wage of one region.
    pub fn of(&self, region: Region) -> u64 {
        match region {
            Region::I => self.i,
            Region::II => self.ii,
            Region::III => self.iii,
            Region::IV => self.iv,
        }
    }
}

/// The regional minimum wage table: each entry applies from its month (year, month) until the
/// next entry's.
///
/// UNCONFIRMED (DOCUMENTS.md §4.4.3, §8): the text of Nghị định 293/2025/NĐ-CP was not retrieved.
/// These are the values reported in the press for 01/01/2026 (vùng III 4.140.000 đ matches the
/// spec's example); they are placeholders until checked against the decree, and a request can
/// override them with `minimum_wages`.
pub const MINIMUM_WAGE_TABLE: [((i32, u8), MinimumWages); 1] =
    [((2026, 1), MinimumWages { i: 5_310_000, ii: 4_730_000, iii: 4_140_000, iv: 3_700_000 })];

/// `category` of a member (§4.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// In compulsory social insurance: a share of the salary the contribution is based on.
    Bhxh,
    /// On sick or maternity leave paid by BHXH: a share of the allowance.
    BhxhLeave,
    /// Receiving a pension: a share of it.
    Pension,
    /// Pupil or student: a flat amount.
    Student,
    /// Not insured, no pension, below retirement age: a share of the regional minimum wage.
    OtherUnderRetirementAge,
    /// Not insured, no pension, at or over retirement age: a share of the regional minimum wage.
    OtherRetirementAge,
}

impl Category {
    /// The category as printed in the `Đối tượng` column.
    pub fn label(self) -> &'static str {
        match self {
            Category::Bhxh => "BHXH bắt buộc",
            Category::BhxhLeave => "Hưởng trợ cấp BHXH",
            Category::Pension => "Hưởng lương hưu",
            Category::Student => "Học sinh, sinh viên",
            Category::OtherUnderRetirementAge => "Khác, chưa đến tuổi nghỉ hưu",
            Category::OtherRetirementAge => "Khác, đã đến tuổi nghỉ hưu",
        }
    }

    /// Whether the member's own `base_amount` (salary, allowance, pension) is the base.
    pub fn needs_base(self) -> bool {
        matches!(self, Category::Bhxh | Category::BhxhLeave | Category::Pension)
    }
}

/// How a member paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// On the Cổng Dịch vụ công Quốc gia.
    CongDvcqg,
    /// In cash to the cell.
    TienMat,
}

impl Channel {
    /// As printed in the `Hình thức` column.
    pub fn label(self) -> &'static str {
        match self {
            Channel::CongDvcqg => "Cổng DVCQG",
            Channel::TienMat => "Tiền mặt",
        }
    }
}

/// One of `members`.
#[derive(Debug, Clone, Deserialize)]
pub struct DuesMember {
    /// Full name, printed as given.
    pub full_name: String,
    /// What the dues are computed from.
    pub category: Category,
    /// Monthly salary, allowance or pension in đồng (previous month's), for those categories.
    #[serde(default)]
    pub base_amount: Option<u64>,
    /// Paid for the whole period, in đồng.
    pub paid_amount: u64,
    /// How it was paid; `null` when nothing was paid.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// Printed in `Ghi chú`.
    #[serde(default)]
    pub note: Option<String>,
    /// The member's own minimum-wage region, when not the cell's.
    #[serde(default)]
    pub region: Option<Region>,
}

/// `preparer`.
#[derive(Debug, Clone, Deserialize)]
pub struct Preparer {
    /// Default `NGƯỜI LẬP BIỂU`.
    #[serde(default)]
    pub label: Option<String>,
    /// Full name.
    pub full_name: String,
}

/// Monthly rates of one version of the dues rules, in basis points (1% = 100), except the
/// students' flat amount.
#[derive(Debug, Clone, Copy)]
pub struct DuesRates {
    /// First month the rates apply to, as (year, month).
    pub from: (i32, u8),
    /// Of the salary used for compulsory social insurance.
    pub bhxh_bp: u64,
    /// Of the BHXH sick or maternity allowance.
    pub bhxh_leave_bp: u64,
    /// Of the pension.
    pub pension_bp: u64,
    /// Flat monthly amount of pupils and students, in đồng.
    pub student_flat: u64,
    /// Of the regional minimum wage, below retirement age.
    pub under_retirement_age_bp: u64,
    /// Of the regional minimum wage, at or over retirement age.
    pub retirement_age_bp: u64,
}

/// Quy định 01-QĐ/TW ngày 03/02/2026 (CONFIRMED by several press reports, §4.4.3): the rates
/// from 02/2026, and the higher minimum-wage shares from 01/01/2028. Each entry applies from its
/// date until the next one. Months before the first entry fall under Quyết định 342-QĐ/TW
/// (2010), which is not implemented.
pub const RATE_TABLE: [DuesRates; 2] = [
    DuesRates {
        from: (2026, 2),
        bhxh_bp: 100,
        bhxh_leave_bp: 100,
        pension_bp: 50,
        student_flat: 5_000,
        under_retirement_age_bp: 30,
        retirement_age_bp: 20,
    },
    DuesRates {
        from: (2028, 1),
        bhxh_bp: 100,
        bhxh_leave_bp: 100,
        pension_bp: 50,
        student_flat: 5_000,
        under_retirement_age_bp: 50,
        retirement_age_bp: 30,
    },
];

/// The rates in force in the month of `month`, if the 2026 rules cover it.
pub fn rates_for(month: Date) -> Option<&'static DuesRates> {
    let key = (month.year(), month.month());
    RATE_TABLE.iter().rev().find(|r| r.from <= key)
}

/// The built-in minimum wages in force in the month of `month`.
pub fn minimum_wages_for(month: Date) -> Option<&'static MinimumWages> {
    let key = (month.year(), month.month());
    MINIMUM_WAGE_TABLE.iter().rev().find(|(from, _)| *from <= key).map(|(_, w)| w)
}

/// `base × bp / 10 000`, rounded half-up to the đồng.
pub fn share(base: u64, basis_points: u64) -> u64 {
    (base * basis_points + 5_000) / 10_000
}

/// What one member owes for one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyDue {
    /// The base printed in `Căn cứ tính`, if any.
    pub base: Option<u64>,
    /// The rate in basis points, if a share.
    pub rate_bp: Option<u64>,
    /// Amount due in đồng.
    pub due: u64,
}

/// The dues of one month: `base_amount` is the member's own base (checked before), `wage` the
/// regional minimum wage of that month.
pub fn monthly_due(category: Category, base_amount: u64, wage: u64, rates: &DuesRates) -> MonthlyDue {
    let (base, bp) = match category {
        Category::Student => return MonthlyDue { base: None, rate_bp: None, due: rates.student_flat },
        Category::Bhxh => (base_amount, rates.bhxh_bp),
        Category::BhxhLeave => (base_amount, rates.bhxh_leave_bp),
        Category::Pension => (base_amount, rates.pension_bp),
        Category::OtherUnderRetirementAge => (wage, rates.under_retirement_age_bp),
        Category::OtherRetirementAge => (wage, rates.retirement_age_bp),
    };
    MonthlyDue { base: Some(base), rate_bp: Some(bp), due: share(base, bp) }
}

/// What `dues-report/main.typ` reads.
#[derive(Debug, Serialize)]
struct DuesReportView {
    #[serde(flatten)]
    issued: IssuedView,
    /// Opening paragraph.
    opening: String,
    /// Table F, without the total row.
    table: TableView,
    /// The bold `Cộng` row.
    total_row: Vec<String>,
    /// Under the table: what the `Khác` rows are computed from (the regional minimum wage).
    base_note: Option<String>,
    /// Summary lines under the table (`- ` lines).
    summary: Vec<String>,
    /// `II- ĐÁNH GIÁ` paragraphs.
    assessment: Vec<String>,
    /// `III- KIẾN NGHỊ` paragraphs.
    proposals: Vec<String>,
    /// `NGƯỜI LẬP BIỂU`, left of the signer.
    preparer: Option<SignatureView>,
}

/// The first day of each month of the period, and its label; `None` (after reporting) if the
/// period is incomplete.
fn period_months(period: &ReportPeriod, issues: &mut Vec<Issue>) -> Option<(Vec<Date>, String)> {
    let (label, months) = period.resolve(issues)?;
    Some((months.filter_map(|m| Date::new(period.year, m, 1)).collect(), label))
}

/// Validates, computes and builds the view, in steps: the rules of each month of the period,
/// each member's dues and payment, the preparer, then the sentences of sections I and II.
pub fn build(input: DuesReportInput, cx: &Context) -> Result<Built> {
    let mut issues = Vec::new();
    let title = cx.sentence("document_title", &json!({ "subject": input.issued.subject }))?;
    let shared = issued::build(&input.issued, "BÁO CÁO", "BC", title.clone(), cx, &mut issues);
    let periods = period_months(&input.period, &mut issues);
    let monthly = match &periods {
        Some((months, _)) => monthly_rules(months, input.minimum_wages.as_ref(), &mut issues),
        None => Vec::new(),
    };
    let tally = tally_members(&input, &monthly, &mut issues);
    let preparer = input.preparer.as_ref().map(|preparer| {
        let (pointer, name) = ("/preparer/label".to_string(), preparer.full_name.clone());
        labelled_signer(
            "nguoi_lap_bieu",
            preparer.label.as_deref(),
            "NGƯỜI LẬP BIỂU",
            pointer,
            name,
            &mut issues,
        )
    });

    let Some((issued_view, date)) = shared else {
        return Err(super::invalid(issues));
    };
    cx.fail_on_errors(&issues)?;
    let Some((_, period_label)) = periods else {
        return Err(super::invalid(issues));
    };

    let total_members = input.members.len() as u64;
    let summary = summary_lines(&tally, total_members, input.retention_pct, cx)?;
    let mut assessment = assessment_lines(&tally, total_members, &period_label, cx)?;
    assessment.extend(paragraphs(input.assessment.as_deref()));
    let mut proposals = paragraphs(input.proposals.as_deref());
    if proposals.is_empty() {
        proposals.push(cx.sentence("default_proposal", &json!({}))?);
    }
    let view = DuesReportView {
        opening: cx.sentence("opening", &json!({ "period": period_label }))?,
        base_note: base_note(&tally.wage_bases, cx)?,
        table: TableView { columns: COLUMNS.to_vec(), rows: tally.rows },
        total_row: vec![
            String::new(),
            "Cộng".into(),
            String::new(),
            String::new(),
            String::new(),
            vietnamese::money(tally.total_due),
            vietnamese::money(tally.total_paid),
            String::new(),
            String::new(),
        ],
        summary,
        assessment,
        proposals,
        preparer,
        issued: issued_view,
    };
    Built::new(&view, date, title, &input.issued.issuer, issues)
}

/// The dues rates and minimum wages of each month (the request's wages, if given, for every
/// month); a month the 2026 rules do not cover is an error.
fn monthly_rules<'a>(
    months: &[Date],
    requested_wages: Option<&'a MinimumWages>,
    issues: &mut Vec<Issue>,
) -> Vec<(&'static DuesRates, &'a MinimumWages)> {
    let mut monthly = Vec::new();
    for &month in months {
        let rates = rates_for(month);
        let wages = requested_wages.or_else(|| minimum_wages_for(month));
        match (rates, wages) {
            (Some(rates), Some(wages)) => monthly.push((rates, wages)),
            _ => {
                issues.push(Issue::error(
                    "/period",
                    "period_not_covered",
                    format!(
                        "{} is before Quy định 01-QĐ/TW took effect (02/2026); older dues rules are not implemented",
                        vietnamese::month_label(month.month(), month.year()).unwrap_or_default()
                    ),
                ));
                break;
            }
        }
    }
    monthly
}

/// What the members' rows add up to.
struct Tally {
    /// Rows of table F.
    rows: Vec<Vec<String>>,
    /// Dues of the period, all members.
    total_due: u64,
    /// Paid, all members.
    total_paid: u64,
    /// Members who paid at least their dues; channels are counted among them.
    paid_in_full: u64,
    /// … of whom on the public-services portal.
    on_portal: u64,
    /// … of whom in cash.
    in_cash: u64,
    /// (region, wage) pairs that are the base of a `Khác` row, for the note under the table.
    wage_bases: Vec<(Region, u64)>,
    /// `đồng chí …` of the members who paid nothing.
    unpaid: Vec<String>,
    /// `đồng chí …` of the members who paid less than due.
    underpaid: Vec<String>,
    /// Members who paid more than due.
    overpaid: u64,
}

/// Each member's dues over the period and what they paid: the rows of table F and their sums.
fn tally_members(
    input: &DuesReportInput,
    monthly: &[(&DuesRates, &MinimumWages)],
    issues: &mut Vec<Issue>,
) -> Tally {
    let mut rows = Vec::with_capacity(input.members.len());
    let (mut total_due, mut total_paid) = (0u64, 0u64);
    // Channels are counted among the members who paid in full: the sentence says how those paid.
    let (mut paid_in_full, mut on_portal, mut in_cash) = (0u64, 0u64, 0u64);
    // (region, wage) pairs that are the base of a `Khác` row, for the note under the table.
    let mut wage_bases: Vec<(Region, u64)> = Vec::new();
    let (mut unpaid, mut underpaid, mut overpaid) = (Vec::new(), Vec::new(), 0u64);
    for (i, member) in input.members.iter().enumerate() {
        let base_amount = if member.category.needs_base() {
            match member.base_amount {
                Some(base) if base > 0 => base,
                _ => {
                    issues.push(Issue::error(
                        format!("/members/{i}/base_amount"),
                        "missing_base_amount",
                        format!(
                            "category `{}` is a share of the member's own salary, allowance or pension: `base_amount` is required",
                            member.category.label()
                        ),
                    ));
                    continue;
                }
            }
        } else {
            0
        };
        let region = member.region.unwrap_or(input.region);
        let dues: Vec<MonthlyDue> = monthly
            .iter()
            .map(|(rates, wages)| monthly_due(member.category, base_amount, wages.of(region), rates))
            .collect();
        if !member.category.needs_base() && member.category != Category::Student {
            for (_, wages) in monthly {
                let pair = (region, wages.of(region));
                if !wage_bases.contains(&pair) {
                    wage_bases.push(pair);
                }
            }
        }
        let due: u64 = dues.iter().map(|d| d.due).sum();
        total_due += due;
        total_paid += member.paid_amount;
        if member.paid_amount > due {
            overpaid += 1;
            // Paying more is allowed (voluntary), but a typing slip looks the same.
            issues.push(Issue::warning(
                format!("/members/{i}/paid_amount"),
                "paid_more_than_due",
                format!(
                    "{} paid {} for {} due; voluntary extra payment is allowed, check the amount",
                    member.full_name,
                    vietnamese::money_dong(member.paid_amount),
                    vietnamese::money_dong(due)
                ),
            ));
        }
        if member.paid_amount >= due {
            paid_in_full += 1;
        } else if member.paid_amount == 0 {
            unpaid.push(format!("đồng chí {}", member.full_name));
        } else {
            underpaid.push(format!("đồng chí {}", member.full_name));
        }
        if member.paid_amount > 0 {
            let in_full = member.paid_amount >= due;
            match member.channel {
                Some(Channel::CongDvcqg) => on_portal += u64::from(in_full),
                Some(Channel::TienMat) => in_cash += u64::from(in_full),
                None => issues.push(Issue::warning(
                    format!("/members/{i}/channel"),
                    "missing_channel",
                    "a payment was recorded without saying how it was made",
                )),
            }
        }
        rows.push(table_row(rows.len() + 1, member, &dues, due));
    }

    Tally {
        rows,
        total_due,
        total_paid,
        paid_in_full,
        on_portal,
        in_cash,
        wage_bases,
        unpaid,
        underpaid,
        overpaid,
    }
}

/// The summary lines under table F: who paid, what was due and collected (in words), and with
/// `retention_pct` what the cell keeps and remits.
fn summary_lines(
    tally: &Tally,
    total_members: u64,
    retention_pct: Option<f64>,
    cx: &Context,
) -> Result<Vec<String>> {
    let Tally { paid_in_full, total_due, total_paid, .. } = *tally;
    let words = vietnamese::amount_in_words(total_paid, &WordsOptions::default());
    let mut summary = vec![
        cx.sentence(
            "members_paid",
            &json!({
                "paid": paid_in_full,
                "total": total_members,
                "pct": vietnamese::percent(paid_in_full, total_members),
            }),
        )?,
        cx.sentence("total_due", &json!({ "amount": vietnamese::money_dong(total_due) }))?,
        cx.sentence(
            "total_collected",
            &json!({ "amount": vietnamese::money_dong(total_paid), "words": words }),
        )?,
    ];
    if let Some(pct) = retention_pct {
        // Basis points keep the arithmetic in integers; the schema bounds pct to 0–100.
        let bp = (pct * 100.0).round() as u64;
        let kept = share(total_paid, bp);
        summary.push(cx.sentence(
            "retained",
            &json!({ "pct": vietnamese::rate_percent_bp(bp), "amount": vietnamese::money_dong(kept) }),
        )?);
        summary
            .push(cx.sentence("remitted", &json!({ "amount": vietnamese::money_dong(total_paid - kept) }))?);
    }
    Ok(summary)
}

/// Section II: one sentence on who paid in full, by which channel and who paid more, then who
/// did not pay or paid too little.
fn assessment_lines(
    tally: &Tally,
    total_members: u64,
    period_label: &str,
    cx: &Context,
) -> Result<Vec<String>> {
    let Tally { paid_in_full, on_portal, in_cash, overpaid, ref unpaid, ref underpaid, .. } = *tally;
    let count = vietnamese::count_before_noun;
    let mut paid = cx.sentence(
        "paid",
        &json!({
            "paid": paid_in_full,
            "total": total_members,
            "pct": vietnamese::percent(paid_in_full, total_members),
            "period": period_label,
        }),
    )?;
    let mut channels = Vec::new();
    if on_portal > 0 {
        channels.push(cx.sentence("paid_on_portal", &json!({ "count": count(on_portal) }))?);
    }
    if in_cash > 0 {
        channels.push(cx.sentence("paid_in_cash", &json!({ "count": count(in_cash) }))?);
    }
    if !channels.is_empty() {
        paid = format!("{paid}, trong đó {}", channels.join(", "));
    }
    if overpaid > 0 {
        paid = format!("{paid}; {}", cx.sentence("overpaid", &json!({ "count": count(overpaid) }))?);
    }
    let mut assessment = vec![format!("{paid}.")];
    if !unpaid.is_empty() {
        assessment.push(cx.sentence(
            "unpaid",
            &json!({ "count": count(unpaid.len() as u64), "names": unpaid.join(", ") }),
        )?);
    }
    if !underpaid.is_empty() {
        assessment.push(cx.sentence(
            "underpaid",
            &json!({ "count": count(underpaid.len() as u64), "names": underpaid.join(", ") }),
        )?);
    }
    Ok(assessment)
}

/// The note under table F: the regional minimum wages the `Khác` rows are computed from.
fn base_note(wage_bases: &[(Region, u64)], cx: &Context) -> Result<Option<String>> {
    Ok(if wage_bases.is_empty() {
        None
    } else {
        let regions: Vec<String> = wage_bases
            .iter()
            .map(|(region, wage)| {
                format!("vùng {} ({}/tháng)", region.numeral(), vietnamese::money_dong(*wage))
            })
            .collect();
        Some(cx.sentence("base_note", &json!({ "regions": regions.join("; ") }))?)
    })
}

/// Header cells of table F.
const COLUMNS: [&str; 9] = [
    "TT",
    "Họ và tên",
    "Đối tượng",
    "Căn cứ tính (đ)",
    "Tỷ lệ",
    "Số phải đóng (đ)",
    "Số đã đóng (đ)",
    "Hình thức",
    "Ghi chú",
];

/// One member's row; base and rate are those of the period's months, joined when they differ.
fn table_row(n: usize, member: &DuesMember, dues: &[MonthlyDue], due: u64) -> Vec<String> {
    let mut bases: Vec<u64> = dues.iter().filter_map(|d| d.base).collect();
    bases.dedup();
    let mut rates: Vec<u64> = dues.iter().filter_map(|d| d.rate_bp).collect();
    rates.dedup();
    let dash = || "—".to_string();
    let joined = |values: &[u64], format: fn(u64) -> String| {
        if values.is_empty() {
            dash()
        } else {
            values.iter().map(|&v| format(v)).collect::<Vec<_>>().join("; ")
        }
    };
    let note = match member.note.as_deref().filter(|n| !n.is_empty()) {
        Some(note) => note.to_string(),
        None if member.paid_amount == 0 && due > 0 => "Chưa đóng".into(),
        None if member.paid_amount < due => {
            format!("Còn thiếu {}", vietnamese::money(due - member.paid_amount))
        }
        None => String::new(),
    };
    vec![
        n.to_string(),
        member.full_name.clone(),
        member.category.label().into(),
        joined(&bases, vietnamese::money),
        joined(&rates, vietnamese::rate_percent_bp),
        vietnamese::money(due),
        vietnamese::money(member.paid_amount),
        member.channel.filter(|_| member.paid_amount > 0).map(|c| c.label().to_string()).unwrap_or_default(),
        note,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(year: i32, month: u8) -> Date {
        Date::new(year, month, 1).unwrap()
    }

    #[test]
    fn spec_vectors() {
        let rates = rates_for(month(2026, 11)).unwrap();
        let wage = minimum_wages_for(month(2026, 11)).unwrap().of(Region::III);
        assert_eq!(monthly_due(Category::Pension, 6_250_000, wage, rates).due, 31_250);
        assert_eq!(monthly_due(Category::Bhxh, 8_400_000, wage, rates).due, 84_000);
        assert_eq!(monthly_due(Category::Student, 0, wage, rates).due, 5_000);
        assert_eq!(monthly_due(Category::OtherUnderRetirementAge, 0, wage, rates).due, 12_420);
        assert_eq!(monthly_due(Category::OtherRetirementAge, 0, wage, rates).due, 8_280);
    }

    #[test]
    fn rates_rise_in_2028_and_start_in_february_2026() {
        assert!(rates_for(month(2026, 1)).is_none());
        assert_eq!(rates_for(month(2027, 12)).unwrap().under_retirement_age_bp, 30);
        let rates = rates_for(month(2028, 1)).unwrap();
        assert_eq!((rates.under_retirement_age_bp, rates.retirement_age_bp), (50, 30));
    }

    #[test]
    fn shares_round_half_up_to_the_dong() {
        assert_eq!(share(4_140_001, 50), 20_700); // 20 700,005
        assert_eq!(share(4_140_100, 50), 20_701); // 20 700,5
        assert_eq!(share(4_140_099, 50), 20_700); // 20 700,495
    }
}
