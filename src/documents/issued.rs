//! What resolutions and reports share (DOCUMENTS.md §4.0, §4.3, §4.4): a number, an issue date
//! on the header's date line, a subject (trích yếu), one signer `T/M CHI BỘ` and the
//! recipients list.

use serde::{Deserialize, Serialize};

use super::Context;
use super::common::{
    CommonView, Issuer, Number, Options, SignatureView, Signer, TitleView, check_signing_form, parse_date,
    recipient_lines,
};
use crate::error::Issue;
use crate::vietnamese::{self, Date};

/// The only signing form of a cell's document (§2.7).
pub const CELL_AUTHORITY: &str = "T/M CHI BỘ";
/// Positions that may sign for the cell (§2.13).
pub const SIGNING_POSITIONS: [&str; 2] = ["BÍ THƯ", "PHÓ BÍ THƯ"];

/// The fields every resolution and report has.
#[derive(Debug, Clone, Deserialize)]
pub struct IssuedInput {
    /// Ruleset, margins, draft, output options.
    #[serde(flatten)]
    pub options: Options,
    /// Issuing cell.
    pub issuer: Issuer,
    /// Số và ký hiệu.
    #[serde(default)]
    pub number: Option<Number>,
    /// ISO date of the date line.
    pub issue_date: String,
    /// Trích yếu, lower case: `về lãnh đạo thực hiện nhiệm vụ tháng 12 năm 2026`.
    pub subject: String,
    /// Who signs for the cell.
    pub signer: Signer,
    /// Recipients, without the archive line.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Last recipient line; default `Lưu Chi bộ`.
    #[serde(default)]
    pub archive_line: Option<String>,
}

/// The view pieces every resolution and report has.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedView {
    /// Layout, metadata, header.
    #[serde(flatten)]
    pub common: CommonView,
    /// Kind and subject.
    pub title: TitleView,
    /// The `T/M CHI BỘ` block.
    pub signer: SignatureView,
    /// `- …;` lines ending with `- Lưu Chi bộ.`
    pub recipients: Vec<String>,
}

/// Builds the shared view; `None` when the issue date is unusable (already reported).
///
/// `kind` is printed as the document type (`NGHỊ QUYẾT`, `BÁO CÁO`), `type_code` is the default
/// code of the number (`NQ`, `BC`) and `title` the PDF title.
pub fn build(
    input: &IssuedInput,
    kind: &'static str,
    type_code: &str,
    title: String,
    cx: &Context,
    issues: &mut Vec<Issue>,
) -> Option<(IssuedView, Date)> {
    let date = parse_date(&input.issue_date, "/issue_date", issues);
    let signer = signer_view(&input.signer, "bi_thu", "/signer", issues);
    let date = date?;
    let common = CommonView::new(
        &input.options,
        cx.font,
        &input.issuer,
        input.number.as_ref(),
        type_code,
        Some(date),
        title,
    );
    let view = IssuedView {
        common,
        title: TitleView { kind, subject: input.subject.clone(), topic: None },
        signer,
        recipients: recipient_lines(&input.recipients, input.archive_line.as_deref()),
    };
    Some((view, date))
}

/// A `T/M CHI BỘ` signer block, checked: a forbidden form is an error; a position other than
/// bí thư or phó bí thư is a warning (a committee may have reasons, §2.13).
pub fn signer_view(
    signer: &Signer,
    field: &'static str,
    pointer: &str,
    issues: &mut Vec<Issue>,
) -> SignatureView {
    let authority = vietnamese::upper(&signer.authority);
    let position = vietnamese::upper(&signer.position);
    if let Some(issue) = check_signing_form(&authority, format!("{pointer}/authority")) {
        issues.push(issue);
    } else if authority != CELL_AUTHORITY {
        issues.push(Issue::warning(
            format!("{pointer}/authority"),
            "unusual_signing_form",
            format!("a cell's documents are signed `{CELL_AUTHORITY}`, not `{authority}`"),
        ));
    }
    if !SIGNING_POSITIONS.contains(&position.as_str()) {
        issues.push(Issue::warning(
            format!("{pointer}/position"),
            "signer_not_secretary",
            format!("`{position}` signs; a cell's documents are signed by its BÍ THƯ or PHÓ BÍ THƯ"),
        ));
    }
    SignatureView { field, authority, position: Some(position), name: signer.full_name.clone() }
}
