//! vanban turns JSON into the official documents of a Vietnamese Communist Party cell (chi bộ)
//! as print-and-sign-ready PDFs, typeset by Typst embedded as a library.
//!
//! The pipeline, each arrow a plain function:
//!
//! ```text
//! body ─parse→ JSON ─normalize→ NFC JSON ─schema→ checked ─typed+compute→ view (data.json)
//!      ─typeset→ PDF
//! ```
//!
//! # Layout
//! - [`input`]: parse, NFC-normalise and schema-check a request.
//! - [`output`]: the request options that decide how the PDF is written.
//! - [`documents`]: per data model, consistency checks and computed numbers, building the view.
//! - [`messages`]: every issue's message in Vietnamese, from one catalogue.
//! - [`vietnamese`]: the Vietnamese formatting rules (dates, numbers, money in words…).
//! - [`text_patterns`]: Handlebars sentence and file-name patterns, rendered to plain text.
//! - [`ruleset`]: sizes, margins and labels that depend on the regulation in force.
//! - [`catalog`]: the template folders, loaded once.
//! - [`fonts`]: bundled and configured fonts, never the host's.
//! - [`typeset`]: the Typst world and engine; the only module that drives Typst.
//! - [`signing`]: empty signature fields over the signing spaces, added to Typst's PDF.
//! - [`extract`]: the request a PDF carries (`embed_data`), read back under strict bounds.
//! - [`file_names`]: safe names for downloads and zip entries.
//! - [`batch`]: many documents from one request, streamed into a zip.
//! - [`merge`]: a batch's documents in one `all.pdf`, for printing.
//! - [`spreadsheet`]: workbooks for ward offices, and XLSX/ODS/CSV uploads read into batches.
//! - [`http`], [`web`] and [`cli`]: thin front ends over [`Engine`] (API, the secretaries' web
//!   app, command line).
//! - `allocator`: the global allocator (mimalloc), transparent huge pages off.

mod allocator;
pub mod batch;
pub mod catalog;
pub mod cli;
pub(crate) mod documents;
pub mod error;
pub mod extract;
pub mod file_names;
pub(crate) mod fonts;
pub mod http;
pub mod input;
pub(crate) mod merge;
pub mod messages;
pub(crate) mod output;
pub(crate) mod ruleset;
pub(crate) mod signing;
pub mod spreadsheet;
pub(crate) mod text_patterns;
pub(crate) mod typeset;
pub mod vietnamese;
pub mod web;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

pub use documents::{Built, Completeness};
pub use error::{Diagnostic, Error, Issue, Result, Severity};
pub use typeset::Phases;

use catalog::{Catalog, Template};
use fonts::FontSet;
use typeset::{JobSpec, Typesetter};

/// Where templates and fonts come from.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// A templates folder to serve instead of the bundled templates.
    pub templates: Option<PathBuf>,
    /// A folder of extra fonts (e.g. a licensed Times New Roman).
    pub fonts: Option<PathBuf>,
    /// The family documents are set in.
    pub font_family: String,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig { templates: None, fonts: None, font_family: fonts::DEFAULT_FAMILY.to_string() }
    }
}

/// A rendered document.
#[derive(Debug)]
pub struct Rendered {
    /// The PDF file.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// Problems that did not block the document.
    pub warnings: Vec<Issue>,
    /// ASCII file name from the template's pattern, e.g. `bien-ban-chi-bo-to-dan-pho-5-2026-11.pdf`.
    pub file_name: String,
    /// Vietnamese file name from the document title.
    pub display_name: String,
    /// The empty signature fields of the PDF (none for drafts or with `signature_fields: false`).
    pub fields: Vec<signing::SignatureField>,
    /// Time Typst spent compiling and exporting it.
    pub phases: Phases,
    /// Typst's warnings about the template (not the request), for the operator: the edges log
    /// or print them.
    pub template_warnings: Vec<Diagnostic>,
}

/// A live preview: the pages of a document, complete or not, and what is wrong or missing.
#[derive(Debug, serde::Serialize)]
pub struct Preview {
    /// One SVG image per page; missing values printed as dotted blanks.
    pub pages: Vec<String>,
    /// Every problem: schema problems as errors (to fix before the document can be issued),
    /// consistency problems as warnings.
    pub issues: Vec<Issue>,
    /// Time spent in Typst's compile and in drawing the pages (for the benchmark and logs).
    #[serde(skip)]
    pub phases: Phases,
    /// Typst's warnings about the template, for the operator (not sent to the client).
    #[serde(skip)]
    pub template_warnings: Vec<Diagnostic>,
}

/// Templates, fonts and the Typst engine, built once and shared by every request.
pub struct Engine {
    catalog: Catalog,
    typesetter: Typesetter,
    font_family: String,
}

impl Engine {
    /// Loads templates and fonts, prepares Typst and renders every template's `example.json`
    /// once. Fails if a template or font is unusable: a template folder whose example does not
    /// render (a misspelt sentence variable, a Typst error, an example its own schema or checks
    /// refuse, a file-name pattern the example cannot fill) stops start-up with an error naming
    /// the file, instead of answering 500 to every request for that template. The renders also
    /// warm Typst's caches.
    pub fn new(config: &EngineConfig) -> Result<Self> {
        let catalog = match &config.templates {
            Some(dir) => Catalog::from_dir(dir)?,
            None => Catalog::bundled()?,
        };
        let fonts = FontSet::load(config.fonts.as_deref(), &config.font_family)?;
        let typesetter = Typesetter::new(&catalog, fonts)?;
        let engine = Engine { catalog, typesetter, font_family: config.font_family.clone() };
        // One thread per template: start-up waits for the slowest example, not for their sum.
        std::thread::scope(|scope| {
            let checks: Vec<_> = engine
                .catalog
                .templates()
                .map(|template| scope.spawn(|| engine.check_example(template)))
                .collect();
            checks.into_iter().try_for_each(|check| {
                check.join().unwrap_or_else(|_| Err(Error::Internal("checking an example panicked".into())))
            })
        })?;
        Ok(engine)
    }

    /// Renders `template`'s example; anything short of a clean render is an error about the
    /// template folder, naming the file at fault.
    fn check_example(&self, template: &Template) -> Result<()> {
        let id = &template.id;
        let setup =
            |file: &str, problem: String| Error::Setup(format!("template `{id}`: /{id}/{file}: {problem}"));
        text_patterns::render_once(&template.meta.file_name, &template.example).map_err(|message| {
            setup("template.json", format!("`file_name` cannot be filled from example.json: {message}"))
        })?;
        match self.render_value(template, template.example.clone()) {
            Ok(rendered) => {
                for warning in &rendered.template_warnings {
                    tracing::warn!(template = %id, %warning, "template warning");
                }
                Ok(())
            }
            // Typst's diagnostics and sentence errors already name their file
            // (`/minutes/main.typ:12:5: …`, `/minutes/sentences.json: …`).
            Err(Error::Template { diagnostics, .. }) => {
                let lines: Vec<String> = diagnostics.iter().map(Diagnostic::to_string).collect();
                Err(Error::Setup(format!("template `{id}`: {}", lines.join("\n"))))
            }
            Err(Error::Invalid(issues)) => {
                let problems: Vec<String> = issues.iter().map(Issue::to_string).collect();
                Err(setup(
                    "example.json",
                    format!("refused by its own schema or checks: {}", problems.join("; ")),
                ))
            }
            Err(other) => Err(setup("example.json", other.to_string())),
        }
    }

    /// The loaded templates.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Parses, checks and computes a request: the data its template would receive.
    pub fn resolve(&self, template: &str, body: &[u8]) -> Result<Built> {
        let template = self.catalog.get(template)?;
        documents::build(template.parts(), input::parse(body)?, &self.font_family)
    }

    /// Renders a request body (JSON) with `template` into a PDF.
    pub fn render(&self, template: &str, body: &[u8]) -> Result<Rendered> {
        let template = self.catalog.get(template)?;
        let value = input::parse(body)?;
        self.render_value(template, value)
    }

    /// Renders an already parsed request.
    pub fn render_value(&self, template: &Template, value: serde_json::Value) -> Result<Rendered> {
        let file_name = text_patterns::render_once(&template.meta.file_name, &value);
        let built = documents::build(template.parts(), value, &self.font_family)?;
        let mut rendered = self.typeset(template, built)?;
        if let Ok(name) = file_name {
            rendered.file_name = file_names::sanitize_pdf_name(&name);
        }
        Ok(rendered)
    }

    /// A preview of any part of a document: never refused for what it lacks or gets wrong
    /// (only malformed JSON or an unknown template is an error).
    pub fn preview(&self, template: &str, body: &[u8]) -> Result<Preview> {
        let template = self.catalog.get(template)?;
        let value = input::parse(body)?;
        let built = documents::build_with(template.parts(), value, &self.font_family, Completeness::Preview)?;
        let spec = self.job_spec(template, &built);
        let drawn = catch_unwind(AssertUnwindSafe(|| self.typesetter.preview(&spec, built.data)))
            .map_err(|_| Error::Internal(format!("previewing `{}` panicked", template.id)))??;
        Ok(Preview {
            pages: drawn.pages,
            issues: built.warnings,
            phases: drawn.phases,
            template_warnings: drawn.warnings,
        })
    }

    /// A form to fill by hand: what `body` gives (often just the header, date and members)
    /// printed, and dotted lines for everything else; `{}` gives a fully blank form. A PDF like
    /// every other document, without signature fields (it is signed on paper). The problems of
    /// what was given are in `warnings`.
    pub fn blank_form(&self, template: &str, body: &[u8]) -> Result<Rendered> {
        let template = self.catalog.get(template)?;
        let value = input::parse(body)?;
        let built =
            documents::build_with(template.parts(), value, &self.font_family, Completeness::BlankForm)?;
        let mut rendered = self.typeset(template, built)?;
        // On a form, what is not given is the point: only problems in what was given remain.
        rendered.warnings.retain(|issue| !matches!(issue.keyword, Some("required" | "minItems")));
        rendered.file_name = format!("mau-{}", rendered.file_name);
        Ok(rendered)
    }

    fn job_spec<'a>(&self, template: &'a Template, built: &Built) -> JobSpec<'a> {
        JobSpec {
            main_path: &template.main_path,
            date: (built.date.year(), built.date.month(), built.date.day()),
            ident: built.ident.clone(),
            output: built.output,
            request: built.request.clone(),
        }
    }

    /// The family documents are set in.
    pub fn font_family(&self) -> &str {
        &self.font_family
    }

    /// Typesets a document built by [`Engine::resolve`] (render = resolve + typeset); its file
    /// name defaults to the slug of its title.
    pub fn typeset(&self, template: &Template, built: Built) -> Result<Rendered> {
        let spec = self.job_spec(template, &built);
        // A panic inside Typst must cost one document, not a worker thread.
        let typeset = catch_unwind(AssertUnwindSafe(|| self.typesetter.typeset(&spec, built.data)))
            .map_err(|_| Error::Internal(format!("typesetting `{}` panicked", template.id)))??;
        let pdf = signing::add_fields(typeset.pdf, &typeset.signing_spaces)?;
        Ok(Rendered {
            pdf,
            pages: typeset.pages,
            fields: typeset.signing_spaces,
            phases: typeset.phases,
            template_warnings: typeset.warnings,
            warnings: built.warnings,
            file_name: file_names::sanitize_pdf_name(&vietnamese::slug(&built.title)),
            display_name: file_names::sanitize_pdf_name(&built.title),
        })
    }
}
