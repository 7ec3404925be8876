//! The one error type of the library, and `Issue`, a problem found in a request.
//!
//! Nothing here knows about HTTP or the terminal: `http` maps each variant to a status code and
//! `cli` to an exit code. Client errors carry every problem at once, each located by a JSON
//! Pointer (RFC 6901) into the request body, so a caller can fix a document in one round trip.

use std::collections::BTreeMap;

use serde::Serialize;

/// How serious an [`Issue`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The document cannot be produced until this is fixed.
    Error,
    /// The document is produced, but a person should look at this.
    Warning,
}

/// One problem in a request, located by a JSON Pointer into the request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    /// RFC 6901 pointer into the request body, e.g. `/attendance/3/member_id`; empty for the root.
    pub pointer: String,
    /// Stable snake_case identifier of the rule that was broken, e.g. `unknown_member`.
    pub code: &'static str,
    /// Human-readable explanation, in English (or the language asked for, see
    /// [`crate::messages::localize`]), without a trailing dot.
    pub message: String,
    /// Whether the problem blocks rendering.
    pub severity: Severity,
    /// For `schema` issues: the JSON Schema keyword that failed (`required`, `maxLength`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keyword: Option<&'static str>,
    /// What a message needs besides the code and keyword: `limit`, the field's Vietnamese
    /// `title`, the expected `type`… Never the value itself (it may be a member's name).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<&'static str, String>,
    /// Where the value came from, when the request was a spreadsheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// A cell of an uploaded spreadsheet, as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Sheet name.
    pub sheet: String,
    /// 1-based row number.
    pub row: u32,
    /// Column letter(s), `A`…`XFD`.
    pub column: String,
}

impl Issue {
    /// An issue that blocks rendering.
    pub fn error(pointer: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Issue::new(pointer.into(), code, message.into(), Severity::Error)
    }

    /// An issue reported alongside the document.
    pub fn warning(pointer: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Issue::new(pointer.into(), code, message.into(), Severity::Warning)
    }

    fn new(pointer: String, code: &'static str, message: String, severity: Severity) -> Self {
        Issue { pointer, code, message, severity, keyword: None, params: BTreeMap::new(), location: None }
    }

    /// The same issue as a warning: a lenient build (preview, blank form) reports every problem
    /// without refusing the document.
    pub fn downgraded(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// The same issue, located under `prefix` (used when a document is part of a batch request).
    pub fn under(mut self, prefix: &str) -> Self {
        self.pointer = format!("{prefix}{}", self.pointer);
        self
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pointer = if self.pointer.is_empty() { "/" } else { &self.pointer };
        if let Some(Location { sheet, row, column }) = &self.location {
            write!(f, "{sheet}!{column}{row} ")?;
        }
        write!(f, "{pointer}: {}", self.message)
    }
}

/// A problem Typst (or a sentence pattern) found in a template: an error that stops the
/// document, or a warning that does not. Kept as data up to the edge, which logs or prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Whether it stopped the document.
    pub severity: Severity,
    /// `/minutes/main.typ:12:5` or `/minutes/sentences.json`, when known.
    pub location: Option<String>,
    /// What is wrong.
    pub message: String,
    /// Typst's suggestions for fixing it.
    pub hints: Vec<String>,
}

impl Diagnostic {
    /// An error at `location` without hints.
    pub fn error(location: Option<String>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, location, message: message.into(), hints: Vec::new() }
    }
}

impl std::fmt::Display for Diagnostic {
    /// `location: message (hint: …; hint: …)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        for hint in &self.hints {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// Diagnostics one per line.
fn lines(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(Diagnostic::to_string).collect::<Vec<_>>().join("\n")
}

/// Everything that can go wrong while turning a request into documents.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The body is not well-formed JSON.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    MalformedJson {
        /// 1-based line of the first syntax error.
        line: usize,
        /// 1-based column of the first syntax error.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The JSON does not fit the template's schema or is inconsistent; lists every problem.
    #[error("the request has {} problem(s)", .0.len())]
    Invalid(Vec<Issue>),
    /// No template with this id is loaded.
    #[error("unknown template `{0}`")]
    UnknownTemplate(String),
    /// A request exceeded a configured limit (body size, batch items).
    #[error("{0}")]
    TooLarge(String),
    /// A PDF gives no request back: not a PDF, damaged, or made without `embed_data`.
    #[error("{message}")]
    Extract {
        /// Stable snake_case reason: `not_a_pdf`, `unreadable_pdf`, `no_embedded_data`,
        /// `unreadable_embedded_data`.
        code: &'static str,
        /// What is wrong, in English.
        message: String,
    },
    /// The template failed to compile: a bug in the template, not in the request.
    #[error("template `{template}` failed: {}", lines(diagnostics))]
    Template {
        /// The template's entry point or id.
        template: String,
        /// What Typst (or the sentence patterns) reported, errors first.
        diagnostics: Vec<Diagnostic>,
    },
    /// The template catalogue or the fonts could not be loaded at start-up.
    #[error("{0}")]
    Setup(String),
    /// Reading or writing a file or stream failed.
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// An internal invariant did not hold; a bug in vanban.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether the error was caused by the request (a 4xx), as opposed to the server (a 5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Error::MalformedJson { .. }
                | Error::Invalid(_)
                | Error::UnknownTemplate(_)
                | Error::TooLarge(_)
                | Error::Extract { .. }
        )
    }
}

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Escapes one reference token of a JSON Pointer (RFC 6901 §3: `~` → `~0`, `/` → `~1`).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
