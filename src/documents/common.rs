//! JSON pieces shared by every document (DOCUMENTS.md §4.0) and the view pieces built from them:
//! the header, the document metadata, signature and recipient blocks.

use serde::{Deserialize, Serialize};

use crate::error::Issue;
use crate::output::{Output, PdfStandard};
use crate::ruleset::{Layout, MarginPreset, Ruleset};
use crate::vietnamese::{self, Date};

/// Options every request may set, besides its document content.
#[derive(Debug, Clone, Deserialize)]
pub struct Options {
    /// Regulation set; default `HD05-2026`.
    #[serde(default)]
    pub ruleset: Ruleset,
    /// Margin preset; default `standard` (20/20/30/15 mm).
    #[serde(default)]
    pub margins: MarginPreset,
    /// Print the `DỰ THẢO` mark.
    #[serde(default)]
    pub draft: bool,
    /// Any non-empty value also marks a draft (spec §4.0 `draft_label`).
    #[serde(default)]
    pub draft_label: Option<String>,
    /// The PDF standard of the output; default PDF/A-2b, or PDF/A-3b with `embed_data`.
    #[serde(default)]
    pub pdf_standard: Option<PdfStandard>,
    /// Put an empty digital-signature field on every signing space; default `true`.
    #[serde(default = "yes")]
    pub signature_fields: bool,
    /// Attach the request to the PDF, so the document can be reopened from it; default `false`.
    #[serde(default)]
    pub embed_data: bool,
}

impl Options {
    /// Whether the document is a draft: `draft: true` or a non-empty `draft_label`.
    pub fn is_draft(&self) -> bool {
        self.draft || self.draft_label.as_deref().is_some_and(|label| !label.is_empty())
    }

    /// How Typst's output is finished: a draft is never signed, so it gets no fields. Embedding
    /// needs a standard that allows attached files: PDF/A-2 does not, so an explicit PDF/A-2
    /// with `embed_data` is refused with the nearest standard that does.
    // The one issue joins the document's other problems at once; boxing it would buy nothing.
    #[allow(clippy::result_large_err)]
    pub fn output(&self) -> Result<Output, Issue> {
        let pdf_standard = if self.embed_data {
            PdfStandard::for_embedding(self.pdf_standard).map_err(|nearest| {
                Issue::error(
                    "/pdf_standard",
                    "pdf_standard_cannot_embed",
                    format!(
                        "{} cannot carry the embedded data (PDF/A-2 forbids attached files); ask for {} \
                         or leave pdf_standard out, or set embed_data to false",
                        self.pdf_standard.unwrap_or_default().quoted(),
                        nearest.quoted()
                    ),
                )
            })?
        } else {
            self.pdf_standard.unwrap_or_default()
        };
        Ok(Output {
            pdf_standard,
            signature_fields: self.signature_fields && !self.is_draft(),
            embed_data: self.embed_data,
        })
    }
}

/// The issuing cell (`issuer`).
#[derive(Debug, Clone, Deserialize)]
pub struct Issuer {
    /// Superior Party body, e.g. `ĐẢNG BỘ XÃ HÒA AN` (upper-cased for print).
    pub superior_name: String,
    /// The cell, e.g. `CHI BỘ THÔN ĐÔNG HẢI` (upper-cased for print).
    pub name: String,
    /// Issuer code after the slash of the number (§2.5); default `CB`.
    #[serde(default)]
    pub issuer_code: Option<String>,
    /// Place name of the date line, e.g. `Hòa An`.
    pub place_name: String,
}

/// Số và ký hiệu (`number`, §2.5).
#[derive(Debug, Clone, Deserialize)]
pub struct Number {
    /// Running number within the term of office.
    #[serde(default)]
    pub seq: Option<u32>,
    /// Document type code, e.g. `NQ`, `BC`, `BB`.
    #[serde(default)]
    pub type_code: Option<String>,
    /// Whether the number has been registered; `false` prints a blank.
    #[serde(default = "yes")]
    pub assigned: bool,
}

fn yes() -> bool {
    true
}

/// Signer of a resolution or report (`signer`, §2.7).
#[derive(Debug, Clone, Deserialize)]
pub struct Signer {
    /// `T/M CHI BỘ`.
    pub authority: String,
    /// `BÍ THƯ` or `PHÓ BÍ THƯ`.
    pub position: String,
    /// Full name, printed as given.
    pub full_name: String,
}

/// `data.document`: PDF metadata.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentMeta {
    /// PDF title, e.g. `Biên bản sinh hoạt chi bộ thường kỳ tháng 11 năm 2026`.
    pub title: String,
    /// PDF author: the issuing cell.
    pub author: String,
    /// PDF subject: the issuing cell within its superior body.
    pub subject: String,
}

/// `data.header`: the two-column header block (§2.4).
#[derive(Debug, Clone, Serialize)]
pub struct HeaderView {
    /// Superior body, upper-cased.
    pub superior: String,
    /// Issuing cell, upper-cased.
    pub issuer: String,
    /// `Số 05-NQ/CB`, or `None` for unnumbered minutes.
    pub number_line: Option<String>,
    /// `Hòa An, ngày 22 tháng 11 năm 2026`, or `None` where omitted.
    pub date_line: Option<String>,
}

/// `data.title`: document kind and subject lines under the header.
#[derive(Debug, Clone, Serialize)]
pub struct TitleView {
    /// `BIÊN BẢN`, `NGHỊ QUYẾT`, `BÁO CÁO`.
    pub kind: &'static str,
    /// Subject line (trích yếu).
    pub subject: String,
    /// Topic line of a thematic meeting.
    pub topic: Option<String>,
}

/// The parts of the view every document has.
#[derive(Debug, Clone, Serialize)]
pub struct CommonView {
    /// Sizes, margins and labels of the ruleset.
    pub layout: Layout,
    /// PDF metadata.
    pub document: DocumentMeta,
    /// Whether to print the draft mark.
    pub draft: bool,
    /// The header block.
    pub header: HeaderView,
}

/// One signer block of the view.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureView {
    /// Name of the signature field placed on the signing space (`thu_ky`, `chu_tri`, `bi_thu`…).
    pub field: &'static str,
    /// Bold first line: `T/M CHI BỘ`, `THƯ KÝ`, `CHỦ TRÌ`.
    pub authority: String,
    /// Regular second line, e.g. `BÍ THƯ`; absent for minutes.
    pub position: Option<String>,
    /// Full name, bold.
    pub name: String,
}

impl CommonView {
    /// Builds the common view. `number` is printed only when given; `date_line_date` likewise.
    pub fn new(
        options: &Options,
        font: &str,
        issuer: &Issuer,
        number: Option<&Number>,
        default_type_code: &str,
        date_line_date: Option<Date>,
        title: String,
    ) -> Self {
        let conventions = options.ruleset.conventions();
        // A draft is not yet registered: it never carries a number (§2.1 optional components).
        let number_line = number.map(|n| {
            let seq = if n.assigned && !options.is_draft() { n.seq } else { None };
            vietnamese::number_line(
                seq,
                n.type_code.as_deref().unwrap_or(default_type_code),
                issuer.issuer_code.as_deref().unwrap_or("CB"),
                conventions.number_colon,
            )
        });
        CommonView {
            layout: options.ruleset.layout(options.margins, font),
            document: DocumentMeta {
                title,
                author: issuer.name.clone(),
                subject: format!("{}, {}", issuer.name, issuer.superior_name),
            },
            draft: options.is_draft(),
            header: HeaderView {
                superior: vietnamese::upper(&issuer.superior_name),
                issuer: vietnamese::upper(&issuer.name),
                number_line,
                date_line: date_line_date.map(|d| vietnamese::date_line(&issuer.place_name, d)),
            },
        }
    }
}

/// Rejects signing forms a cell must not use (§2.7, §7 #1): `TM.`, `T.M`, `K/T`, `KT.`,
/// `T/M CHI ỦY`. Returns the issue for `pointer` if `text` uses one.
pub fn check_signing_form(text: &str, pointer: String) -> Option<Issue> {
    let upper = vietnamese::upper(text);
    let compact: String = upper.split_whitespace().collect::<Vec<_>>().join(" ");
    let wrong = compact.starts_with("TM.")
        || compact.starts_with("T.M")
        || compact.starts_with("K/T")
        || compact.starts_with("KT.")
        || compact.contains("T/M CHI ỦY")
        || compact.contains("T/M CHI UỶ");
    wrong.then(|| {
        Issue::error(
            pointer,
            "wrong_signing_form",
            format!(
                "`{compact}` is not a cell's signing form: a cell signs `T/M CHI BỘ` (DOCUMENTS.md §2.7)"
            ),
        )
    })
}

/// A signer block printed under its own label rather than as `T/M CHI BỘ` (the minutes' `THƯ KÝ`
/// and `CHỦ TRÌ`, the dues report's `NGƯỜI LẬP BIỂU`): the label defaults to `default_label` when
/// absent or empty, and a cell's signing form mistaken for it is an error at `label_pointer`.
pub fn labelled_signer(
    field: &'static str,
    label: Option<&str>,
    default_label: &str,
    label_pointer: String,
    name: String,
    issues: &mut Vec<Issue>,
) -> SignatureView {
    let label = label.filter(|l| !l.is_empty()).unwrap_or(default_label);
    if let Some(issue) = check_signing_form(label, label_pointer) {
        issues.push(issue);
    }
    SignatureView { field, authority: vietnamese::upper(label), position: None, name }
}

/// Parses an ISO date that the schema has already shaped as `YYYY-MM-DD`, reporting an
/// impossible calendar date (`2026-02-30`) at `pointer`.
pub fn parse_date(text: &str, pointer: &str, issues: &mut Vec<Issue>) -> Option<Date> {
    let date = Date::parse_iso(text);
    if date.is_none() {
        issues.push(Issue::error(pointer, "invalid_date", format!("`{text}` is not a calendar date")));
    }
    date
}

/// Recipient lines as printed (§2.8): `- x;` each, and the archive line last, `- Lưu Chi bộ.`
pub fn recipient_lines(recipients: &[String], archive_line: Option<&str>) -> Vec<String> {
    let archive = archive_line.filter(|a| !a.is_empty()).unwrap_or("Lưu Chi bộ");
    recipients
        .iter()
        .map(|r| format!("- {};", r.trim_end_matches([';', '.'])))
        .chain(std::iter::once(format!("- {}.", archive.trim_end_matches('.'))))
        .collect()
}

/// A table handed to the layout library: header cells and rows of text.
#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    /// Header cells.
    pub columns: Vec<&'static str>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<String>>,
}

/// A text under a field of work (`Công tác chính trị, tư tưởng`, `Phát triển kinh tế - xã hội`…).
#[derive(Debug, Clone, Deserialize)]
pub struct FieldText {
    /// The field, as the committee names it.
    pub field: String,
    /// What was done or is to be done.
    pub text: String,
}

/// Texts grouped under a numbered field heading, in order of first appearance.
#[derive(Debug, Clone, Serialize)]
pub struct FieldGroup {
    /// `Phát triển kinh tế - xã hội`; the template numbers it (`1.`).
    pub title: String,
    /// The texts of the field, one paragraph each.
    pub items: Vec<String>,
}

/// Groups texts by field, keeping the order in which fields first appear: the same field given
/// twice is printed once, with both texts under it. The template numbers the groups.
pub fn group_by_field<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<FieldGroup> {
    let mut fields: Vec<(&str, Vec<String>)> = Vec::new();
    for (field, text) in entries {
        let field = field.trim();
        match fields.iter_mut().find(|(f, _)| *f == field) {
            Some((_, items)) => items.push(text.to_string()),
            None => fields.push((field, vec![text.to_string()])),
        }
    }
    fields.into_iter().map(|(field, items)| FieldGroup { title: field.to_string(), items }).collect()
}

/// Non-empty lines of an optional free text, trimmed: one paragraph each.
pub fn paragraphs(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default().lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect()
}

/// A numbered row of a task table (`STT`, task, who, deadline): the deadline, an ISO date at
/// `pointer`, printed short (`30/11/2026`), blank when absent or wrong (wrong is reported).
pub fn task_row(
    number: usize,
    task: &str,
    owner: String,
    deadline: Option<&str>,
    pointer: &str,
    issues: &mut Vec<Issue>,
) -> Vec<String> {
    let deadline =
        deadline.and_then(|d| parse_date(d, pointer, issues)).map(vietnamese::short_date).unwrap_or_default();
    vec![number.to_string(), task.to_string(), owner, deadline]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_forms() {
        for wrong in ["TM. CHI BỘ", "T.M CHI BỘ", "K/T BÍ THƯ", "T/M CHI ỦY", "t/m chi ủy"] {
            assert!(check_signing_form(wrong, "/x".into()).is_some(), "{wrong}");
        }
        for right in ["T/M CHI BỘ", "THƯ KÝ", "CHỦ TRÌ", "NGƯỜI GHI BIÊN BẢN"] {
            assert!(check_signing_form(right, "/x".into()).is_none(), "{right}");
        }
    }

    #[test]
    fn recipients_are_punctuated_with_the_archive_line_last() {
        let lines = recipient_lines(&["Đảng ủy xã Hòa An (để báo cáo)".into()], None);
        assert_eq!(lines, ["- Đảng ủy xã Hòa An (để báo cáo);", "- Lưu Chi bộ."]);
    }
}
