//! Batches: many documents of one template from one request, as one zip.
//!
//! Every item is deep-merged over the request's `defaults` and validated before anything is
//! typeset, so a request either fails as a whole with every problem of every item (pointers into
//! the request, `/items/17/vote/for`) or, with `on_error: "skip"`, renders the valid items and
//! lists the others in the manifest. Documents are typeset on a bounded set of threads and
//! written to the zip in item order as they finish, so the first bytes leave early and memory
//! holds only a window of documents, whatever the batch size.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use crate::catalog::Template;
use crate::error::{Error, Issue, Result};
use crate::merge::MergedPdf;
use crate::signing::SignatureField;
use crate::{Engine, Rendered, documents, file_names, input, text_patterns};

/// Default most items in one batch (a commune committee has at most a few hundred cells).
pub const DEFAULT_MAX_ITEMS: usize = 1000;

/// Name of the manifest entry in the zip.
pub const MANIFEST_NAME: &str = "manifest.json";

/// Name of the merged PDF entry (with `merged_pdf: true`).
pub const MERGED_NAME: &str = "all.pdf";

/// What to do with an invalid item.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OnError {
    /// Reject the whole batch, listing every problem (default).
    #[default]
    Fail,
    /// Render the valid items; list the invalid ones in the manifest.
    Skip,
}

/// A batch request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// Template id of every item.
    pub template: String,
    /// Fields common to every item; each item is deep-merged over them.
    #[serde(default)]
    pub defaults: Option<Value>,
    /// One object per document.
    pub items: Vec<Value>,
    /// Handlebars pattern of each PDF's name, over the merged item (helpers `slug`, `pad`);
    /// default: the template's own pattern.
    #[serde(default)]
    pub file_name: Option<String>,
    /// Also add `all.pdf`: every document in item order, each starting on a new page.
    #[serde(default)]
    pub merged_pdf: bool,
    /// What to do with invalid items.
    #[serde(default)]
    pub on_error: OnError,
}

/// A batch whose items have all been validated: ready to typeset.
pub struct PreparedBatch<'a> {
    template: &'a Template,
    items: Vec<PreparedItem>,
    merged_pdf: bool,
}

impl PreparedBatch<'_> {
    /// The template every item uses.
    pub fn template_id(&self) -> &str {
        &self.template.id
    }
}

enum PreparedItem {
    Ready { built: documents::Built, file_name: String },
    Skipped { problems: Vec<Issue> },
}

/// What became of a batch item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemStatus {
    /// Rendered: its PDF is in the zip.
    Ok,
    /// Not rendered: `problems` says why.
    Skipped,
}

/// One line of the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestItem {
    /// Position of the item in the request.
    pub index: usize,
    /// Whether the item is in the zip.
    pub status: ItemStatus,
    /// Zip entry name (absent for skipped items).
    pub file_name: Option<String>,
    /// Number of pages.
    pub pages: Option<usize>,
    /// Size of the PDF in bytes.
    pub bytes: Option<usize>,
    /// SHA-256 of the PDF, hex.
    pub sha256: Option<String>,
    /// The empty signature fields: name, page and rectangle in PDF points.
    pub fields: Vec<SignatureField>,
    /// Problems that did not block the document.
    pub warnings: Vec<Issue>,
    /// Why the item was skipped.
    pub problems: Vec<Issue>,
}

/// `manifest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Template id.
    pub template: String,
    /// One entry per request item, in order.
    pub items: Vec<ManifestItem>,
    /// `all.pdf`, when asked for.
    pub merged: Option<MergedEntry>,
}

/// The manifest's description of `all.pdf`.
#[derive(Debug, Clone, Serialize)]
pub struct MergedEntry {
    /// Zip entry name, `all.pdf`.
    pub file_name: String,
    /// Number of pages: the sum of the documents' pages.
    pub pages: usize,
    /// Size in bytes.
    pub bytes: usize,
    /// SHA-256, hex.
    pub sha256: String,
}

/// How a batch runs: threads, cancellation and progress.
pub struct BatchControl<'a> {
    /// Documents typeset at once.
    pub workers: usize,
    /// Where the workers run: threads started for this batch unless the caller has long-lived
    /// threads to lend (the server's render threads, whose allocator heaps are already warm).
    pub threads: &'a dyn WorkerThreads,
    /// Set by the caller to stop the batch (e.g. its client went away).
    pub cancelled: &'a AtomicBool,
    /// Called as each item is written, with the time its document took to produce.
    pub on_item: &'a (dyn Fn(&ManifestItem, Option<Duration>) + Sync),
}

impl<'a> BatchControl<'a> {
    /// `workers` threads started for the batch, never cancelled, no progress reports.
    pub fn new(workers: usize) -> Self {
        static NEVER: AtomicBool = AtomicBool::new(false);
        BatchControl { workers, threads: &FreshThreads, cancelled: &NEVER, on_item: &|_, _| {} }
    }
}

/// A job that borrows from the batch: it must finish before [`WorkerThreads::run`] returns.
pub type ScopedJob<'s> = Box<dyn FnOnce() + Send + 's>;

/// Threads that run a batch's workers.
pub trait WorkerThreads: Sync {
    /// Runs every job on a thread of its own and `meanwhile` on the calling thread; returns once
    /// `meanwhile` has returned and every job has finished (or was dropped without running).
    fn run<'s>(&self, jobs: Vec<ScopedJob<'s>>, meanwhile: &mut dyn FnMut());
}

/// One thread per job, started for this batch and joined at its end.
pub struct FreshThreads;

impl WorkerThreads for FreshThreads {
    fn run<'s>(&self, jobs: Vec<ScopedJob<'s>>, meanwhile: &mut dyn FnMut()) {
        std::thread::scope(|scope| {
            for job in jobs {
                scope.spawn(job);
            }
            meanwhile();
        });
    }
}

/// Deep merge (objects key by key; an `over` scalar or array replaces the `base` value).
pub fn deep_merge(base: &Value, over: &Value) -> Value {
    match (base, over) {
        (Value::Object(base), Value::Object(over)) => {
            let mut merged = base.clone();
            for (key, value) in over {
                let combined = match base.get(key) {
                    Some(existing) => deep_merge(existing, value),
                    None => value.clone(),
                };
                merged.insert(key.clone(), combined);
            }
            Value::Object(merged)
        }
        (_, over) => over.clone(),
    }
}

impl Engine {
    /// Parses and validates a batch request: every item is merged, checked and computed.
    pub fn prepare_batch(&self, body: &[u8], max_items: usize) -> Result<PreparedBatch<'_>> {
        self.prepare_batch_request(input::parse(body)?, max_items)
    }

    /// Validates a batch request already parsed (by the HTTP layer, which checked it against the
    /// served request schema, or read from a spreadsheet): every item is merged, checked and
    /// computed. Taking the value spares a batch a second parse of its body, on the one thread
    /// that runs before the cores share the work.
    pub fn prepare_batch_request(&self, mut request: Value, max_items: usize) -> Result<PreparedBatch<'_>> {
        // `null` means "not given" here as in documents.
        input::drop_nulls(&mut request);
        // By value: the items move into the request rather than being copied.
        let request: BatchRequest = input::typed(request)?;
        let not_objects: Vec<Issue> = request
            .defaults
            .iter()
            .map(|d| ("/defaults".to_string(), d))
            .chain(request.items.iter().enumerate().map(|(i, item)| (format!("/items/{i}"), item)))
            .filter(|(_, value)| !value.is_object())
            .map(|(pointer, _)| Issue::error(pointer, "type", "a document (or part of one) is a JSON object"))
            .collect();
        if !not_objects.is_empty() {
            return Err(Error::Invalid(not_objects));
        }
        if request.items.len() > max_items {
            return Err(Error::TooLarge(format!(
                "the batch has {} items; at most {max_items} are accepted per request",
                request.items.len()
            )));
        }
        let template = self.catalog().get(&request.template)?;
        let pattern = request.file_name.as_deref().unwrap_or(&template.meta.file_name);
        let defaults = request.defaults.unwrap_or_else(|| Value::Object(Default::default()));

        let mut items = Vec::with_capacity(request.items.len());
        let mut all_problems = Vec::new();
        // The zip's own entries keep their names; an item named like one is numbered.
        let mut used_names: HashSet<String> = [MANIFEST_NAME, MERGED_NAME].map(String::from).into();
        let check = |item: &Value| {
            let merged = deep_merge(&defaults, item);
            // The document is built from the item as sent: its texts are checked before trimming.
            let mut normalized = merged.clone();
            input::normalize(&mut normalized);
            let name = text_patterns::render_once(pattern, &normalized);
            (documents::build(template.parts(), merged, self.font_family()), name)
        };
        for (index, checked) in on_every_core(&request.items, check).into_iter().enumerate() {
            let prefix = format!("/items/{index}");
            let prepared = match checked {
                (Ok(built), Ok(name)) => PreparedItem::Ready {
                    built,
                    file_name: unique_name(&file_names::sanitize_pdf_name(&name), &mut used_names),
                },
                (built, name) => {
                    let mut problems = match built {
                        Err(Error::Invalid(issues)) => issues,
                        Err(other) => return Err(other),
                        Ok(_) => Vec::new(),
                    };
                    if let Err(message) = name {
                        problems.push(Issue::error("/file_name", "file_name_pattern", message));
                    }
                    let problems: Vec<Issue> = problems.into_iter().map(|p| p.under(&prefix)).collect();
                    all_problems.extend(problems.iter().cloned());
                    PreparedItem::Skipped { problems }
                }
            };
            items.push(prepared);
        }
        if request.on_error == OnError::Fail && !all_problems.is_empty() {
            return Err(Error::Invalid(all_problems));
        }
        Ok(PreparedBatch { template, items, merged_pdf: request.merged_pdf })
    }

    /// Typesets a prepared batch on `control.workers` threads and streams the zip into `out`,
    /// entries in item order. Stops early, with an error, once `control.cancelled` is set or
    /// `out` fails (a client that went away).
    pub fn write_batch<W: Write>(
        &self,
        batch: PreparedBatch<'_>,
        out: W,
        control: &BatchControl,
    ) -> Result<Manifest> {
        let workers = control.workers.max(1);
        let zip_error = |e: zip::result::ZipError| Error::Io(std::io::Error::other(e));
        let mut zip = ZipWriter::new_stream(out);
        // PDFs are already compressed; storing them costs nothing and keeps the zip streamable.
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Stored)
            .last_modified_time(DateTime::DEFAULT)
            .unix_permissions(0o644);
        let mut manifest = Manifest { template: batch.template.id.clone(), items: Vec::new(), merged: None };
        let mut merged = batch.merged_pdf.then(MergedPdf::default);

        // The workers live for the whole batch and take the next item as soon as one is free (no
        // thread start-up per document, no waiting for the slowest of a group). The writer hands
        // out items only `window` ahead of the one it writes next, so memory holds at most that
        // many PDFs however large the batch, and entries go into the zip in item order.
        let window = workers * 2;
        let total = batch.items.len();
        let template = batch.template;
        let mut items = batch.items.into_iter().enumerate();
        let (job_sender, job_receiver) = mpsc::channel::<(usize, PreparedItem)>();
        let job_receiver = Mutex::new(job_receiver);
        let (done_sender, done_receiver) = mpsc::channel::<(usize, Outcome)>();
        let workers: Vec<ScopedJob> = (0..workers.min(total))
            .map(|_| {
                let (job_receiver, done_sender) = (&job_receiver, done_sender.clone());
                Box::new(move || {
                    loop {
                        // The lock is released at the end of this statement, before typesetting.
                        let job = job_receiver.lock().ok().and_then(|jobs| jobs.recv().ok());
                        // No job: the writer has finished, failed or was cancelled.
                        let Some((index, item)) = job else { break };
                        if done_sender.send((index, self.outcome(template, index, item))).is_err() {
                            break;
                        }
                    }
                }) as ScopedJob
            })
            .collect();
        // With every worker gone, waiting for a result must fail rather than hang.
        drop(done_sender);
        // Moved into the writer and dropped on its every return, which closes the workers' queue:
        // they stop after their current document.
        let mut job_sender = Some(job_sender);
        let mut written = Ok(());
        let mut write_entries = || {
            let Some(job_sender) = job_sender.take() else { return };
            written = (|| {
                let workers_stopped = || Error::Internal("batch workers stopped".into());
                for job in items.by_ref().take(window) {
                    job_sender.send(job).map_err(|_| workers_stopped())?;
                }
                let mut finished = BTreeMap::new();
                for index in 0..total {
                    if control.cancelled.load(Ordering::Relaxed) {
                        return Err(Error::Io(std::io::Error::other("batch cancelled")));
                    }
                    let result = loop {
                        if let Some(outcome) = finished.remove(&index) {
                            break outcome;
                        }
                        let (done, outcome) = done_receiver.recv().map_err(|_| workers_stopped())?;
                        finished.insert(done, outcome);
                    };
                    if let Some(job) = items.next() {
                        job_sender.send(job).map_err(|_| workers_stopped())?;
                    }
                    let took = match &result {
                        Outcome::Rendered(_, _, took) => Some(*took),
                        Outcome::Skipped(_) => None,
                    };
                    let entry = match result {
                        Outcome::Rendered(rendered, file_name, _) => {
                            zip.start_file(file_name.as_str(), options).map_err(zip_error)?;
                            zip.write_all(&rendered.pdf)?;
                            if let Some(merged) = merged.as_mut() {
                                merged.append(&rendered.pdf, file_name.trim_end_matches(".pdf"))?;
                            }
                            ManifestItem {
                                index,
                                status: ItemStatus::Ok,
                                file_name: Some(file_name),
                                pages: Some(rendered.pages),
                                bytes: Some(rendered.pdf.len()),
                                sha256: Some(hex(&Sha256::digest(&rendered.pdf))),
                                fields: rendered.fields,
                                warnings: rendered.warnings,
                                problems: Vec::new(),
                            }
                        }
                        Outcome::Skipped(problems) => ManifestItem {
                            index,
                            status: ItemStatus::Skipped,
                            file_name: None,
                            pages: None,
                            bytes: None,
                            sha256: None,
                            fields: Vec::new(),
                            warnings: Vec::new(),
                            problems,
                        },
                    };
                    (control.on_item)(&entry, took);
                    manifest.items.push(entry);
                    zip.flush()?;
                }
                Ok(())
            })();
        };
        control.threads.run(workers, &mut write_entries);
        written?;
        if let Some(merged) = merged {
            zip.start_file(MERGED_NAME, options).map_err(zip_error)?;
            let mut entry = HashingWriter { inner: &mut zip, hasher: Sha256::new(), bytes: 0 };
            let pages = merged.write_to(&mut entry)?;
            let (bytes, sha256) = (entry.bytes, hex(&entry.hasher.finalize()));
            manifest.merged = Some(MergedEntry { file_name: MERGED_NAME.into(), pages, bytes, sha256 });
        }
        let manifest_json =
            serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Internal(format!("manifest: {e}")))?;
        zip.start_file(MANIFEST_NAME, options).map_err(zip_error)?;
        zip.write_all(&manifest_json)?;
        zip.finish().map_err(zip_error)?.flush()?;
        Ok(manifest)
    }

    /// Typesets one prepared item (a worker's job); a failed render skips the item.
    fn outcome(&self, template: &Template, index: usize, item: PreparedItem) -> Outcome {
        match item {
            PreparedItem::Ready { built, file_name } => {
                let started = Instant::now();
                match self.typeset(template, built) {
                    Ok(rendered) => Outcome::Rendered(rendered, file_name, started.elapsed()),
                    Err(error) => Outcome::Skipped(item_problems(&template.id, index, error)),
                }
            }
            PreparedItem::Skipped { problems } => Outcome::Skipped(problems),
        }
    }
}

/// Fewest items worth a thread of their own when checking a batch.
const ITEMS_PER_CHECK_THREAD: usize = 8;

/// `check` of every item, in order, on as many cores as the machine has. Checking runs before
/// the first document is typeset, while the other cores idle: on two cores, a batch of 96
/// resolutions sent its first byte after 48-54 ms instead of 56-61 ms (ARCHITECTURE.md). A panic
/// in `check` reaches the caller as before.
fn on_every_core<T: Send>(items: &[Value], check: impl Fn(&Value) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let threads = cores.min(items.len() / ITEMS_PER_CHECK_THREAD).max(1);
    let check = &check;
    let run = move |chunk: &[Value]| chunk.iter().map(check).collect::<Vec<T>>();
    if threads == 1 {
        return run(items);
    }
    std::thread::scope(|scope| {
        let chunks: Vec<&[Value]> = items.chunks(items.len().div_ceil(threads)).collect();
        // The calling thread checks the first chunk itself; a thread that cannot start leaves
        // its chunk to the caller too.
        let spawned: Vec<_> = chunks[1..]
            .iter()
            .map(|&chunk| (chunk, std::thread::Builder::new().spawn_scoped(scope, move || run(chunk)).ok()))
            .collect();
        let mut checked = run(chunks[0]);
        for (chunk, handle) in spawned {
            match handle {
                Some(handle) => {
                    checked.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                }
                None => checked.extend(run(chunk)),
            }
        }
        checked
    })
}

/// A failed render reported as HTTP reports it: a problem of the request (a PDF standard this
/// document cannot meet) keeps its pointer, under the item, and its code; a server fault is
/// logged in full and reported only as `internal`, since its message may quote template
/// internals (a Typst diagnostic).
fn item_problems(template: &str, index: usize, error: Error) -> Vec<Issue> {
    let prefix = format!("/items/{index}");
    match error {
        Error::Invalid(issues) => issues.into_iter().map(|issue| issue.under(&prefix)).collect(),
        error => {
            tracing::error!(template, item = index, %error, "batch item failed");
            vec![Issue::error(prefix, "internal", "the document could not be produced")]
        }
    }
}

enum Outcome {
    /// The document, its zip entry name and the time it took.
    Rendered(Rendered, String, Duration),
    Skipped(Vec<Issue>),
}

/// Passes bytes through, counting and hashing them (the merged PDF is never held whole).
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: usize,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let written = self.inner.write(data)?;
        self.hasher.update(&data[..written]);
        self.bytes += written;
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `name.pdf`, or `name-2.pdf`, `name-3.pdf`… if taken.
fn unique_name(name: &str, used: &mut HashSet<String>) -> String {
    let stem = name.strip_suffix(".pdf").unwrap_or(name);
    let mut candidate = name.to_string();
    let mut n = 2;
    while !used.insert(candidate.to_lowercase()) {
        candidate = format!("{stem}-{n}.pdf");
        n += 1;
    }
    candidate
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn items_are_checked_on_every_core_in_order() {
        let items: Vec<Value> = (0..103).map(|n| json!(n)).collect();
        let threads = Mutex::new(HashSet::new());
        let checked = on_every_core(&items, |item| {
            threads.lock().unwrap().insert(std::thread::current().id());
            item.as_u64().unwrap() * 2
        });
        assert_eq!(checked, (0..103).map(|n| n * 2).collect::<Vec<_>>());
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        assert_eq!(threads.lock().unwrap().len(), cores.min(103 / ITEMS_PER_CHECK_THREAD));
        // A few items stay on the calling thread.
        let few: Vec<Value> = (0..3).map(|n| json!(n)).collect();
        let caller = std::thread::current().id();
        assert!(on_every_core(&few, |_| std::thread::current().id() == caller).into_iter().all(|same| same));
    }

    #[test]
    #[should_panic(expected = "a broken check")]
    fn a_panicking_check_reaches_the_caller() {
        let items: Vec<Value> = (0..64).map(|n| json!(n)).collect();
        on_every_core(&items, |item| assert!(item.as_u64() != Some(60), "a broken check"));
    }

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let base = json!({ "issuer": { "name": "A", "code": "CB" }, "list": [1, 2], "n": 1 });
        let over = json!({ "issuer": { "name": "B" }, "list": [3], "extra": true });
        assert_eq!(
            deep_merge(&base, &over),
            json!({ "issuer": { "name": "B", "code": "CB" }, "list": [3], "n": 1, "extra": true })
        );
    }

    #[test]
    fn clashing_names_get_numbered() {
        let mut used = HashSet::new();
        let names: Vec<_> =
            ["a.pdf", "a.pdf", "A.pdf", "b.pdf"].iter().map(|n| unique_name(n, &mut used)).collect();
        assert_eq!(names, ["a.pdf", "a-2.pdf", "A-3.pdf", "b.pdf"]);
    }
}
