//! The Typst world and engine: the only module that drives Typst.
//!
//! [`Typesetter`] is built once per process: fonts, font book, standard library and every template
//! file (Typst sources parsed once). Each job gets a cheap [`JobWorld`] that borrows it and adds
//! the job's data at the fixed virtual path `/data.json`, and the request to embed (or `null`) at
//! `/request.json`. User data therefore reaches Typst only as JSON that the template reads with
//! `json(...)` (or attaches as bytes): it is never Typst source.
//!
//! Two process-wide resources of Typst need care in a long-running server:
//! - file ids are interned forever and run out after 65 535; all ids are created here at start-up
//!   from the catalogue's bounded file list (plus `/data.json` and `/request.json`), never from
//!   request data;
//! - comemo's memoization cache grows with every distinct input; [`Typesetter::typeset`] counts
//!   every job (on success, error and panic) and every few jobs has a background thread evict
//!   unused entries, keeping the shared template warm and the eviction off the render path.

mod svg;

use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};

use typst::diag::{FileError, FileResult, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Duration, Label, NativeElement, Selector, Smart, Value};
use typst::introspection::MetadataElem;
use typst::pdf::AttachElem;
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::{LazyHash, PicoStr};
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::{Page, PagedDocument};
use typst_pdf::{PdfOptions, PdfStandards, Timestamp};

use crate::catalog::{Catalog, DATA_PATH, REQUEST_PATH};
use crate::error::{Diagnostic, Error, Issue, Result, Severity};
use crate::fonts::FontSet;
use crate::output::{Output, PdfStandard};
use crate::signing::SignatureField;

/// Evict comemo's caches after every this many jobs (counted across threads). Eviction also
/// clears comemo's call accelerators for *every* thread, so evicting after each job makes
/// concurrent compiles redo each other's work; amortised, it costs little and stays bounded.
const EVICT_EVERY: usize = 2;

/// How many evictions a memoized result survives unused: per-request entries leave within
/// `EVICT_EVERY * CACHE_MAX_AGE` jobs (memory stays flat), while the shared template's results,
/// used by every job, are never dropped under load. A longer memory does not pay even in a batch
/// of similar documents: keeping results for 8–16 jobs saved 1.7 % of the instructions of 96
/// minutes (24 distinct, cycled) and raised the peak from 74 to 135 MB (BENCHMARKS.md).
const CACHE_MAX_AGE: usize = 1;

/// Jobs since the process started, to pace eviction.
static JOBS: AtomicUsize = AtomicUsize::new(0);

/// Wakes the evictor thread; at most one eviction is pending, so a burst of jobs coalesces.
static EVICTOR: OnceLock<SyncSender<()>> = OnceLock::new();

/// A file Typst may read.
enum WorldFile {
    /// A Typst source, parsed once.
    Source(Source),
    /// Any other file (images, data shipped with a template).
    Binary(Bytes),
}

/// Fonts, library and template files, shared read-only by all jobs.
pub struct Typesetter {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    files: HashMap<FileId, WorldFile>,
    data_id: FileId,
    request_id: FileId,
}

/// Typst's list of standards for `standard`.
fn standards(standard: PdfStandard) -> Result<PdfStandards> {
    use typst_pdf::PdfStandard as Typst;
    let list: &[Typst] = match standard {
        PdfStandard::A2b => &[Typst::A_2b],
        PdfStandard::A2aUa1 => &[Typst::A_2a, Typst::Ua_1],
        PdfStandard::A3b => &[Typst::A_3b],
        PdfStandard::A3aUa1 => &[Typst::A_3a, Typst::Ua_1],
        PdfStandard::None => &[],
    };
    PdfStandards::new(list)
        .map_err(|e| Error::Internal(format!("PDF standards {standard:?}: {}", e.message())))
}

/// What one job produces.
pub struct Typeset {
    /// The PDF file, as Typst wrote it.
    pub pdf: Vec<u8>,
    /// Number of pages.
    pub pages: usize,
    /// The signing spaces of the laid-out document (empty unless asked for).
    pub signing_spaces: Vec<SignatureField>,
    /// Time spent in Typst's compile (parse, eval, layout) and in PDF export.
    pub phases: Phases,
    /// Typst's warnings about the template (not the request).
    pub warnings: Vec<Diagnostic>,
}

/// What a preview job produces.
pub struct Drawn {
    /// One SVG image per page.
    pub pages: Vec<String>,
    /// Time spent in Typst's compile and in drawing the pages.
    pub phases: Phases,
    /// Typst's warnings about the template (not the request).
    pub warnings: Vec<Diagnostic>,
}

/// Where a job's time went, for the benchmark and logs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Phases {
    /// `typst::compile`: evaluation and layout.
    pub compile: std::time::Duration,
    /// The output: `typst_pdf::pdf` for a PDF (font subsetting included), drawing the SVG pages
    /// for a preview.
    pub export: std::time::Duration,
}

/// Per-document inputs to the engine besides the data.
pub struct JobSpec<'a> {
    /// Virtual path of the template's entry point.
    pub main_path: &'a str,
    /// The document's date: Typst's `today`, and the PDF creation date.
    pub date: (i32, u8, u8),
    /// Stable identifier of the document, hashed into the PDF's document id.
    pub ident: String,
    /// PDF standard and signature fields.
    pub output: Output,
    /// The JSON the template attaches to the PDF (served at `/request.json`), when
    /// `output.embed_data`.
    pub request: Option<Vec<u8>>,
}

impl Typesetter {
    /// Builds the engine from the template catalogue and fonts.
    pub fn new(catalog: &Catalog, fonts: FontSet) -> Result<Self> {
        let mut files = HashMap::new();
        for file in catalog.files() {
            let id = file_id(&file.path)?;
            let entry = if file.path.ends_with(".typ") {
                let text = String::from_utf8(file.data.clone())
                    .map_err(|_| Error::Setup(format!("template file {} is not UTF-8", file.path)))?;
                WorldFile::Source(Source::new(id, text))
            } else {
                WorldFile::Binary(Bytes::new(file.data.clone()))
            };
            files.insert(id, entry);
        }
        Ok(Typesetter {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(fonts.book),
            fonts: fonts.fonts,
            files,
            data_id: file_id(DATA_PATH)?,
            request_id: file_id(REQUEST_PATH)?,
        })
    }

    /// Compiles the template at `spec.main_path` over `data` (the JSON view) and exports a PDF.
    pub fn typeset(&self, spec: &JobSpec, data: Vec<u8>) -> Result<Typeset> {
        // Count (and periodically evict) on every exit path, including errors and panics.
        let _evict = EvictOnDrop;
        let started = std::time::Instant::now();
        let (document, warnings) = self.compile(spec, data)?;
        let compiled = std::time::Instant::now();
        let (year, month, day) = spec.date;
        let today = self.today(spec)?;
        let attached = document.introspector().elements().query(&AttachElem::ELEM.select()).len();
        if attached != usize::from(spec.request.is_some()) {
            // A templates folder whose `lib/vanban.typ` predates `embed_data` would silently
            // drop the data the request asked to keep.
            return Err(Error::Template {
                template: spec.main_path.to_string(),
                diagnostics: vec![Diagnostic::error(
                    None,
                    format!(
                        "the document attaches {attached} file(s); it must attach {REQUEST_PATH} exactly when embed_data is asked for"
                    ),
                )],
            });
        }
        let options = PdfOptions {
            ident: Smart::Custom(spec.ident.clone()),
            timestamp: Some(Timestamp::new_utc(
                Datetime::from_ymd_hms(year, month, day, 0, 0, 0).unwrap_or(today),
            )),
            standards: standards(spec.output.pdf_standard)?,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options).map_err(|errors| match spec.output.pdf_standard {
            // Export fails only when the document breaks a rule of the requested standard: the
            // request asked for something this document cannot be, not a server fault.
            PdfStandard::None => self.template_error(spec, errors.as_slice()),
            standard => Error::Invalid(vec![Issue::error(
                "/pdf_standard",
                "pdf_standard_unmet",
                format!(
                    "this document cannot be written as {} ({}); ask for {} instead",
                    standard.quoted(),
                    errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "),
                    if spec.output.embed_data { PdfStandard::A3b } else { PdfStandard::A2b }.quoted(),
                ),
            )]),
        })?;
        let phases = Phases { compile: compiled - started, export: compiled.elapsed() };
        let signing_spaces =
            if spec.output.signature_fields { signing_spaces(&document) } else { Vec::new() };
        Ok(Typeset { pdf, pages: document.pages().len(), signing_spaces, phases, warnings })
    }

    /// Compiles like [`Typesetter::typeset`] and draws every page as an SVG image: the same
    /// layout, without PDF export or signing spaces, for a preview.
    pub fn preview(&self, spec: &JobSpec, data: Vec<u8>) -> Result<Drawn> {
        let _evict = EvictOnDrop;
        let started = std::time::Instant::now();
        let (document, warnings) = self.compile(spec, data)?;
        let compiled = std::time::Instant::now();
        let pages = document.pages().iter().map(page_svg).collect();
        Ok(Drawn {
            pages,
            phases: Phases { compile: compiled - started, export: compiled.elapsed() },
            warnings,
        })
    }

    /// The laid-out document and Typst's warnings about the template.
    fn compile(&self, spec: &JobSpec, data: Vec<u8>) -> Result<(PagedDocument, Vec<Diagnostic>)> {
        let main = file_id(spec.main_path)?;
        // Without a request to embed the template reads `null` and attaches nothing.
        let request = Bytes::new(spec.request.clone().unwrap_or_else(|| b"null".to_vec()));
        let world =
            JobWorld { typesetter: self, main, data: Bytes::new(data), request, today: self.today(spec)? };
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&world);
        let document = output.map_err(|errors| self.template_error(spec, errors.as_slice()))?;
        Ok((document, self.diagnostics(&warnings)))
    }

    fn today(&self, spec: &JobSpec) -> Result<Datetime> {
        let (year, month, day) = spec.date;
        Datetime::from_ymd(year, month, day)
            .ok_or_else(|| Error::Internal(format!("invalid document date {year}-{month}-{day}")))
    }

    /// The template error of Typst's `errors`.
    fn template_error(&self, spec: &JobSpec, errors: &[SourceDiagnostic]) -> Error {
        Error::Template { template: spec.main_path.to_string(), diagnostics: self.diagnostics(errors) }
    }

    /// Typst's diagnostics as data, located as `file:line:column`.
    fn diagnostics(&self, found: &[SourceDiagnostic]) -> Vec<Diagnostic> {
        found
            .iter()
            .map(|diag| Diagnostic {
                severity: match diag.severity {
                    typst::diag::Severity::Error => Severity::Error,
                    typst::diag::Severity::Warning => Severity::Warning,
                },
                location: diag.span.id().and_then(|id| {
                    let source = self.source_of(id)?;
                    let range = self.range_in(&source, diag)?;
                    let line = source.lines().byte_to_line(range.start)?;
                    let column = source.lines().byte_to_column(range.start)?;
                    Some(format!("{}:{}:{}", id.vpath().get_with_slash(), line + 1, column + 1))
                }),
                message: diag.message.to_string(),
                hints: diag.hints.iter().map(|hint| hint.v.to_string()).collect(),
            })
            .collect()
    }

    fn source_of(&self, id: FileId) -> Option<Source> {
        match self.files.get(&id) {
            Some(WorldFile::Source(source)) => Some(source.clone()),
            _ => None,
        }
    }

    fn range_in(&self, source: &Source, diag: &SourceDiagnostic) -> Option<std::ops::Range<usize>> {
        let world = JobWorld {
            typesetter: self,
            main: source.id(),
            data: Bytes::new(Vec::new()),
            request: Bytes::new(Vec::new()),
            today: Datetime::from_ymd(2000, 1, 1)?,
        };
        world.range(diag.span)
    }
}

/// The signing spaces of a laid-out document, in document order: each `signing-box` of the shared
/// Typst library marks its top-left and bottom-right corners with
/// `metadata((field: …, corner: …)) <vanban-signature>`; their pages and positions come from
/// Typst's introspection, so a field follows its block wherever pagination puts it.
fn signing_spaces(document: &PagedDocument) -> Vec<SignatureField> {
    let Some(label) = Label::new(PicoStr::intern(SIGNATURE_LABEL)) else { return Vec::new() };
    let introspector = document.introspector();
    let mut spaces: Vec<SignatureField> = Vec::new();
    for content in introspector.elements().query(&Selector::Label(label)) {
        let Some(metadata) = content.to_packed::<MetadataElem>() else { continue };
        let Value::Dict(marker) = &metadata.value else { continue };
        let text = |key: &str| match marker.get(key) {
            Ok(Value::Str(value)) => Some(value.to_string()),
            _ => None,
        };
        let (Some(field), Some(corner)) = (text("field"), text("corner")) else { continue };
        let Some(position) = content.location().and_then(|loc| introspector.position(loc)) else { continue };
        let page = position.page.get();
        let Some(height) = document.pages().get(page - 1).map(|p| p.frame.height().to_pt()) else { continue };
        // PDF user space: points from the bottom-left corner of the page.
        let (x, y) = (position.point.x.to_pt(), height - position.point.y.to_pt());
        match corner.as_str() {
            "top-left" => spaces.push(SignatureField { name: field, page, rect: [x, y, x, y] }),
            "bottom-right" => {
                if let Some(space) = spaces.iter_mut().rev().find(|s| s.name == field && s.page == page) {
                    space.rect[2] = x;
                    space.rect[1] = y;
                }
            }
            _ => {}
        }
    }
    spaces.retain(|s| s.rect[2] > s.rect[0] && s.rect[3] > s.rect[1]);
    spaces
}

/// One page drawn as SVG, memoized by the page's content (its frame is hashed once, lazily). A
/// live preview is asked for again after every pause in typing, and an edit usually changes one
/// page: the others come from comemo's cache, which the job eviction keeps bounded like the
/// compile's own caches (an unchanged page of the last few jobs stays, anything older goes).
#[comemo::memoize]
fn page_svg(page: &Page) -> String {
    svg::page(page).unwrap_or_else(|| typst_svg::svg(page, &typst_svg::SvgOptions::default()))
}

/// The label the shared Typst library puts on the corners of each signing space.
const SIGNATURE_LABEL: &str = "vanban-signature";

/// Interns a virtual path (only ever called with catalogue paths, `/data.json` and
/// `/request.json`).
fn file_id(path: &str) -> Result<FileId> {
    let vpath =
        VirtualPath::new(path).map_err(|e| Error::Setup(format!("bad template path {path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// Counts a finished job and, every [`EVICT_EVERY`] jobs, asks for an eviction.
struct EvictOnDrop;

impl Drop for EvictOnDrop {
    fn drop(&mut self) {
        if JOBS.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            request_eviction();
        }
    }
}

/// Evicts comemo's caches on a dedicated thread. Eviction walks every memoized function's cache
/// (about half a millisecond with these templates); done inline it would lengthen the job that
/// happens to trigger it. comemo is thread-safe, so compiles running meanwhile only lose their
/// call accelerators, as they would with an inline eviction on another thread.
fn request_eviction() {
    let sender = EVICTOR.get_or_init(|| {
        let (sender, requests) = std::sync::mpsc::sync_channel::<()>(1);
        let spawned = std::thread::Builder::new().name("vanban-evict".into()).spawn(move || {
            for () in requests {
                comemo::evict(CACHE_MAX_AGE);
            }
        });
        if spawned.is_err() {
            // No thread to spare: evict here rather than let memory grow.
            tracing::warn!("could not start the cache eviction thread; evicting inline");
        }
        sender
    });
    match sender.try_send(()) {
        // Sent, or an eviction is already pending: it will cover this job too.
        Ok(()) | Err(TrySendError::Full(())) => {}
        Err(TrySendError::Disconnected(())) => comemo::evict(CACHE_MAX_AGE),
    }
}

/// The world of one job: the shared engine plus this job's data.
struct JobWorld<'a> {
    typesetter: &'a Typesetter,
    /// The template's entry point.
    main: FileId,
    /// The JSON view served at `/data.json`.
    data: Bytes,
    /// The request to attach, or `null`, served at `/request.json`.
    request: Bytes,
    /// The document's own date, so output never depends on the wall clock.
    today: Datetime,
}

impl World for JobWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.typesetter.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.typesetter.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        match self.typesetter.files.get(&id) {
            Some(WorldFile::Source(source)) => Ok(source.clone()),
            Some(WorldFile::Binary(_)) => Err(FileError::NotSource),
            None => Err(not_found(id)),
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.typesetter.data_id {
            return Ok(self.data.clone());
        }
        if id == self.typesetter.request_id {
            return Ok(self.request.clone());
        }
        match self.typesetter.files.get(&id) {
            Some(WorldFile::Source(source)) => Ok(Bytes::from_string(source.clone())),
            Some(WorldFile::Binary(bytes)) => Ok(bytes.clone()),
            None => Err(not_found(id)),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.typesetter.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

fn not_found(id: FileId) -> FileError {
    FileError::NotFound(id.vpath().get_with_slash().into())
}
