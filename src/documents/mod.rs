//! The documents a cell issues: for each data model, its typed input, consistency checks and
//! computed numbers, ending in the view (`data.json`) its Typst template lays out.
//!
//! Templates lay out values and never compute them: every number, date and standard sentence is
//! produced here, with the formatting rules of `vietnamese` and the sentence patterns of the
//! template folder.

pub mod common;
pub mod dues_report;
pub mod issued;
pub mod meeting;
pub mod minutes;
pub mod resolution;
pub mod results_report;
pub mod review_report;
pub mod thematic_minutes;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Issue, Result, Severity};
use crate::input;
use crate::vietnamese::Date;
use common::Issuer;

/// The data models vanban knows; a template folder names the one it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// Biên bản sinh hoạt chi bộ thường kỳ (§4.1).
    Minutes,
    /// Biên bản sinh hoạt chuyên đề (§4.2).
    ThematicMinutes,
    /// Nghị quyết chi bộ (§4.3).
    Resolution,
    /// Báo cáo kết quả thực hiện nhiệm vụ (§4.4.1).
    ResultsReport,
    /// Báo cáo kiểm điểm tập thể chi bộ (§4.4.2).
    ReviewReport,
    /// Báo cáo thu, nộp đảng phí (§4.4.3).
    DuesReport,
}

impl Model {
    /// The model a bundled template of this id uses.
    pub fn from_id(id: &str) -> Option<Model> {
        serde_json::from_value(Value::String(id.to_string())).ok()
    }
}

/// What building a document needs besides its input.
pub struct Context<'a> {
    /// Template id, for error messages.
    pub template: &'a str,
    /// The template's standard sentences.
    pub sentences: &'a crate::text_patterns::TextPatterns,
    /// The document font family.
    pub font: &'a str,
}

impl Context<'_> {
    /// Renders a standard sentence; a failure is a bug in the template folder.
    pub fn sentence(&self, name: &str, context: &impl Serialize) -> Result<String> {
        self.sentences
            .render(name, context)
            .map_err(|message| Error::Template { template: self.template.to_string(), message })
    }
}

/// A validated document, ready for Typst.
#[derive(Debug)]
pub struct Built {
    /// The view, serialised once: served to Typst as `/data.json`.
    pub data: Vec<u8>,
    /// Problems that do not block the document.
    pub warnings: Vec<Issue>,
    /// The document's date (PDF creation date, Typst's `today`).
    pub date: Date,
    /// PDF title; also the readable file name.
    pub title: String,
    /// Stable identity of the document, hashed into the PDF's id.
    pub ident: String,
    /// PDF standard and signature fields, from the request's options.
    pub output: crate::typeset::Output,
    /// With `embed_data`: the JSON attached to the PDF, the normalised request in an envelope
    /// naming the template and vanban's version (see [`crate::extract`]).
    pub request: Option<Vec<u8>>,
}

impl Built {
    /// Serialises `view` and keeps the warnings among `issues`.
    pub fn new(
        view: &impl Serialize,
        date: Date,
        title: String,
        issuer: &Issuer,
        issues: Vec<Issue>,
    ) -> Result<Self> {
        let data = serde_json::to_vec(view).map_err(|e| Error::Internal(format!("view: {e}")))?;
        let ident = format!("{}|{}|{}", issuer.name, title, date.to_iso());
        Ok(Built { data, warnings: issues, date, title, ident, output: Default::default(), request: None })
    }
}

/// Normalises, schema-checks, type-checks, cross-checks and computes a request for `template`.
pub fn build(template: &crate::catalog::Template, mut value: Value, font: &str) -> Result<Built> {
    input::normalize(&mut value);
    let issues = template.schema.check(&value);
    if !issues.is_empty() {
        return Err(Error::Invalid(issues));
    }
    let cx = Context { template: &template.id, sentences: &template.sentences, font };
    let output = input::typed::<common::Options>(&value)?.output();
    let built = match template.model {
        Model::Minutes => minutes::build(input::typed(&value)?, &cx),
        Model::ThematicMinutes => thematic_minutes::build(input::typed(&value)?, &cx),
        Model::Resolution => resolution::build(input::typed(&value)?, &cx),
        Model::ResultsReport => results_report::build(input::typed(&value)?, &cx),
        Model::ReviewReport => review_report::build(input::typed(&value)?, &cx),
        Model::DuesReport => dues_report::build(input::typed(&value)?, &cx),
    };
    // An option that cannot be met is reported with the document's own problems, all at once.
    let (mut built, output) = match (built, output) {
        (Ok(built), Ok(output)) => (built, output),
        (Err(Error::Invalid(mut issues)), Err(issue)) => {
            issues.insert(0, issue);
            return Err(Error::Invalid(issues));
        }
        (Ok(_), Err(issue)) => return Err(Error::Invalid(vec![issue])),
        (Err(error), _) => return Err(error),
    };
    if output.embed_data {
        built.request = Some(crate::extract::envelope(&template.id, &value)?);
    }
    built.output = output;
    Ok(built)
}

/// The error for a request with these problems (warnings dropped).
pub fn invalid(issues: Vec<Issue>) -> Error {
    Error::Invalid(issues.into_iter().filter(|i| i.severity == Severity::Error).collect())
}

/// Fails if any issue is an error.
pub fn fail_on_errors(issues: &[Issue]) -> Result<()> {
    if issues.iter().any(|i| i.severity == Severity::Error) {
        return Err(invalid(issues.to_vec()));
    }
    Ok(())
}
