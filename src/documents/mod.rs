//! The documents a cell issues: for each data model, its typed input, consistency checks and
//! computed numbers, ending in the view (`data.json`) its Typst template lays out.
//!
//! Templates lay out values and never compute them: every number, date and standard sentence is
//! produced here, with the formatting rules of `vietnamese` and the sentence patterns of the
//! template folder.

pub mod blanks;
pub mod common;
pub mod dues_report;
pub mod issued;
pub mod meeting;
pub mod minutes;
pub mod period;
pub mod resolution;
pub mod results_report;
pub mod review_report;
pub mod thematic_minutes;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::{Diagnostic, Error, Issue, Result, Severity};
use crate::input::{self, Schema};
use crate::text_patterns::TextPatterns;
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

/// What building a document needs from its template folder: `catalog::Template::parts` hands
/// them over, so `documents` never depends on how templates are loaded.
#[derive(Clone, Copy)]
pub struct TemplateParts<'a> {
    /// Template id, for error messages and the embedded request's envelope.
    pub id: &'a str,
    /// The data model the template lays out.
    pub model: Model,
    /// The template's JSON Schema.
    pub schema: &'a Schema,
    /// The template's standard sentences.
    pub sentences: &'a TextPatterns,
}

/// What building a document needs besides its input.
pub struct Context<'a> {
    /// Template id, for error messages.
    pub template: &'a str,
    /// The template's standard sentences.
    pub sentences: &'a TextPatterns,
    /// The document font family.
    pub font: &'a str,
    /// How complete the document must be.
    pub completeness: Completeness,
}

impl Context<'_> {
    /// Renders a standard sentence; a failure is a bug in the template folder.
    pub fn sentence(&self, name: &str, context: &impl Serialize) -> Result<String> {
        self.sentences.render(name, context).map_err(|message| Error::Template {
            template: self.template.to_string(),
            diagnostics: vec![Diagnostic::error(Some(format!("/{}/sentences.json", self.template)), message)],
        })
    }

    /// Fails if any issue is an error, unless the build is lenient (a preview or blank form
    /// shows the document whatever its problems).
    pub fn fail_on_errors(&self, issues: &[Issue]) -> Result<()> {
        match self.completeness {
            Completeness::Complete => fail_on_errors(issues),
            Completeness::Preview | Completeness::BlankForm => Ok(()),
        }
    }
}

/// How complete a request must be to be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Completeness {
    /// A document to issue: every problem is reported and an error refuses it.
    #[default]
    Complete,
    /// Any part of a document, shown while it is being written: what is missing prints as
    /// dotted blanks, consistency problems are warnings, nothing is refused.
    Preview,
    /// A form to fill by hand: what is given is printed, and dotted blanks with room to write
    /// stand for the rest, the document's lists included.
    BlankForm,
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
    pub output: crate::output::Output,
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

    /// Prints the placeholders of a lenient build as dotted blanks, and as blanks too whatever
    /// differs from `probe`, the same request built with other placeholders (see [`blanks`]).
    fn dot(
        &mut self,
        completed: &blanks::Completed,
        probes: &[Built],
        sentences: &crate::text_patterns::TextPatterns,
    ) -> Result<()> {
        let view = |built: &Built| -> Result<Value> {
            let mut view: Value =
                serde_json::from_slice(&built.data).map_err(|e| Error::Internal(format!("view: {e}")))?;
            if completed.attendance_blank
                && let Some(sublines) = view.pointer_mut("/attendance/sublines")
            {
                // Who was absent is written by hand: a line for each kind of absence.
                let names = json!({ "names": blanks::BLANK.to_string() });
                *sublines = ["absent_excused", "absent_unexcused"]
                    .iter()
                    .filter_map(|pattern| sentences.render(pattern, &names).ok())
                    .collect();
            }
            blanks::dot(&mut view);
            Ok(view)
        };
        let mut printed = view(self)?;
        let mut title = blanks::dotted(&self.title).unwrap_or_else(|| self.title.clone());
        for probe in probes {
            blanks::blank_differences(&mut printed, &view(probe)?);
            let probe_title = blanks::dotted(&probe.title).unwrap_or_else(|| probe.title.clone());
            if probe_title != title {
                title = blanks::blank_different_words(&title, &probe_title);
            }
        }
        self.data = serde_json::to_vec(&printed).map_err(|e| Error::Internal(format!("view: {e}")))?;
        self.title = title;
        Ok(())
    }
}

/// Normalises, schema-checks, type-checks, cross-checks and computes a request for `template`.
pub fn build(template: TemplateParts, value: Value, font: &str) -> Result<Built> {
    build_with(template, value, font, Completeness::Complete)
}

/// [`build`], as complete as `completeness` asks. A lenient build never fails for the request's
/// content: every problem is in `Built::warnings`, schema problems as errors (the document cannot
/// be issued yet) and consistency problems as warnings. A complete build with schema problems
/// still looks for the consistency problems it can find, so one answer lists them all.
pub fn build_with(
    template: TemplateParts,
    mut value: Value,
    font: &str,
    completeness: Completeness,
) -> Result<Built> {
    input::drop_nulls(&mut value);
    if completeness != Completeness::Complete && !value.is_object() {
        // Not an incomplete document but no document at all.
        return Err(Error::Invalid(vec![Issue::error("", "type", "a document is a JSON object")]));
    }
    let schema_problems = input::normalize_and_check(&mut value, |v| template.schema.check(v));
    let fill = match completeness {
        Completeness::Complete if schema_problems.is_empty() => {
            return build_checked(template, &value, font, completeness);
        }
        // A preview of a document with nothing missing is built as a render builds it: there is
        // no placeholder to print as a blank, so no second build to compare with (the live
        // preview of a document being finished, asked for after every pause in typing).
        Completeness::Preview if schema_problems.is_empty() => {
            match build_checked(template, &value, font, completeness) {
                Ok(mut built) => {
                    built.warnings = distinct(built.warnings.into_iter().map(Issue::downgraded).collect());
                    return Ok(built);
                }
                // Values the document code cannot use are blanked by the lenient build.
                Err(Error::Invalid(_)) => blanks::Fill::Required,
                Err(other) => return Err(other),
            }
        }
        Completeness::Complete | Completeness::Preview => blanks::Fill::Required,
        Completeness::BlankForm => blanks::Fill::Form,
    };
    let lenient = build_lenient(template, value, font, fill, &schema_problems);
    let mut problems = schema_problems;
    match (completeness, lenient) {
        (Completeness::Complete, Ok((_, found))) => {
            problems.extend(found.into_iter().filter(|i| i.severity == Severity::Error));
            Err(Error::Invalid(distinct(problems)))
        }
        // What the placeholders could not build says nothing about the request.
        (Completeness::Complete, Err(_)) => Err(Error::Invalid(problems)),
        (_, Ok((mut built, found))) => {
            problems.extend(found.into_iter().map(Issue::downgraded));
            built.warnings = distinct(problems);
            Ok(built)
        }
        (_, Err(error)) => Err(error),
    }
}

/// Builds `value` with placeholders for what is missing or unusable; returns the document (its
/// placeholders printed as dotted blanks) and the problems found about what was given.
fn build_lenient(
    template: TemplateParts,
    value: Value,
    font: &str,
    fill: blanks::Fill,
    schema_problems: &[Issue],
) -> Result<(Built, Vec<Issue>)> {
    let mut found_all = Vec::new();
    let mut unusable = schema_problems.to_vec();
    // Values the document code cannot use are blanked in turn until it builds: each round
    // blanks at least one more value; a few rounds cover every known case.
    for _ in 0..4 {
        let completed_with = |variant| {
            let mut completed_value = value.clone();
            let completed = blanks::complete(template.schema, &mut completed_value, &unusable, fill, variant);
            (completed, build_checked(template, &completed_value, font, Completeness::Preview))
        };
        let (completed, built) = completed_with(blanks::Variant::Printed);
        match built {
            Ok(mut built) => {
                let found = std::mem::take(&mut built.warnings);
                found_all.extend(found.into_iter().filter(|i| !completed.concerns_placeholder(i)));
                // Nothing to compare when nothing was made up. A second probe with large amounts
                // only where an amount of money was made up.
                let mut probes = Vec::new();
                if !completed.filled.is_empty() {
                    probes.extend(completed_with(blanks::Variant::Probe { large_amounts: false }).1.ok());
                    let (large, probe) = completed_with(blanks::Variant::Probe { large_amounts: true });
                    if large.large_amount {
                        probes.extend(probe.ok());
                    }
                }
                built.dot(&completed, &probes, template.sentences)?;
                return Ok((built, distinct(found_all)));
            }
            Err(Error::Invalid(found)) if !found.is_empty() => {
                found_all.extend(found.iter().filter(|i| !completed.concerns_placeholder(i)).cloned());
                unusable.extend(found);
            }
            Err(other) => return Err(other),
        }
    }
    let mut problems = schema_problems.to_vec();
    problems.extend(found_all);
    Err(Error::Invalid(distinct(problems)))
}

/// The issues without repeats (a problem found again in a later round is listed once).
fn distinct(issues: Vec<Issue>) -> Vec<Issue> {
    let mut seen = std::collections::HashSet::new();
    issues.into_iter().filter(|i| seen.insert((i.pointer.clone(), i.code, i.message.clone()))).collect()
}

fn build_checked(
    template: TemplateParts,
    value: &Value,
    font: &str,
    completeness: Completeness,
) -> Result<Built> {
    let cx = Context { template: template.id, sentences: template.sentences, font, completeness };
    let output = input::typed::<common::Options>(value)?.output();
    let built = match template.model {
        Model::Minutes => minutes::build(input::typed(value)?, &cx),
        Model::ThematicMinutes => thematic_minutes::build(input::typed(value)?, &cx),
        Model::Resolution => resolution::build(input::typed(value)?, &cx),
        Model::ResultsReport => results_report::build(input::typed(value)?, &cx),
        Model::ReviewReport => review_report::build(input::typed(value)?, &cx),
        Model::DuesReport => dues_report::build(input::typed(value)?, &cx),
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
        built.request = Some(crate::extract::envelope(template.id, value)?);
    }
    built.output = output;
    if completeness != Completeness::Complete {
        // A form is filled and signed on paper, and a preview is never signed.
        built.output.signature_fields = false;
    }
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
