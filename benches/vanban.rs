//! The performance benchmark (issue 8), one command: `cargo bench --bench vanban`.
//!
//! It prints a Markdown report for `minutes` and `resolution` on varied inputs (distinct cells,
//! members and texts generated from the bundled examples, never one input repeated): first the
//! headline, a batch of 96 documents through a `vanban serve` process against two processes of the
//! PyPI `typst` package (`bench/peer.py`) on the same data, in rounds taken in turn (issue 20);
//! then single document latency and where it goes, throughput on every core, a 300-cell batch to
//! zip, HTTP with 8 concurrent clients on loopback, memory, cold start of the CLI and, when the
//! peer is installed, its own report on the same templates and data.
//!
//! `cargo test --bench vanban` runs a seconds-long smoke version of every step (CI), without the
//! peer; its figures mean nothing. `cargo bench --bench vanban -- throughput memory` runs only the
//! named steps (`versus`, `batch`, `single`, `preview`, `throughput`, `processes`, `http`,
//! `memory`, `cold`, `peer`;
//! `turns` runs one comparison in turns with the peer in this process, as `peer` does five times).
//! `processes` pins processes to cores with `taskset` (util-linux) where it is installed.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vanban::batch::BatchControl;
use vanban::catalog::Template;
use vanban::http::{self, HttpConfig, Service};
use vanban::{Engine, EngineConfig, Phases, Rendered};

/// How much work each step does.
struct Plan {
    smoke: bool,
    inputs: usize,
    single_runs: usize,
    throughput_docs: usize,
    batch_cells: usize,
    http_requests: usize,
    rss_renders: (usize, usize),
    cold_runs: usize,
    versus: Versus,
}

impl Plan {
    fn new(smoke: bool) -> Self {
        if smoke {
            Plan {
                smoke,
                inputs: 4,
                single_runs: 8,
                throughput_docs: 8,
                batch_cells: 30,
                http_requests: 16,
                rss_renders: (10, 20),
                cold_runs: 1,
                versus: Versus { documents: 8, distinct: 4, rounds: 1, singles: 4 },
            }
        } else {
            Plan {
                smoke,
                inputs: 50,
                single_runs: 300,
                throughput_docs: 600,
                batch_cells: 300,
                http_requests: 800,
                // `VANBAN_BENCH_RENDERS=1000000` checks flat memory over a million renders.
                rss_renders: (1_000, env_count("VANBAN_BENCH_RENDERS").unwrap_or(10_000)),
                cold_runs: 15,
                versus: Versus { documents: 96, distinct: 24, rounds: 3, singles: 24 },
            }
        }
    }
}

/// A count from the environment, if set.
fn env_count(name: &str) -> Option<usize> {
    std::env::var(name).ok()?.parse().ok()
}

const TEMPLATES: [&str; 2] = ["minutes", "resolution"];
/// Restricts a run to one template (the `processes` step's children, like the peer's processes).
const ONLY_TEMPLATE: &str = "VANBAN_BENCH_TEMPLATE";
const HTTP_CLIENTS: usize = 8;

/// The argument that makes this binary [`vanban_turns`] instead of the benchmark.
const VANBAN_TURNS: &str = "vanban-turns";

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == VANBAN_TURNS) {
        return vanban_turns(&args[at + 1], Path::new(&args[at + 2]));
    }
    // `cargo bench` passes `--bench`; `cargo test --bench vanban` does not.
    let plan = Plan::new(!std::env::args().any(|a| a == "--bench"));
    let steps: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let run = |step: &str| steps.is_empty() || steps.iter().any(|s| s == step);
    let workers = http::default_workers();
    let engine = Arc::new(Engine::new(&EngineConfig::default()).expect("bundled templates and fonts"));
    let mut report = Report::default();
    report.line(format!(
        "vanban {} ({}{}) · {} · {workers} cores · {} · {}",
        env!("CARGO_PKG_VERSION"),
        env!("VANBAN_BUILD_KIND"),
        bolt_layout(),
        if plan.smoke { "SMOKE RUN (figures meaningless)" } else { "full run" },
        machine(),
        date()
    ));

    let inputs: Vec<(&str, Vec<Vec<u8>>)> = TEMPLATES
        .iter()
        .filter(|t| std::env::var(ONLY_TEMPLATE).map_or(true, |only| only == **t))
        .map(|t| (*t, varied_inputs(&engine, t, plan.inputs)))
        .collect();
    // Warm every template once (fonts, template sources and layout caches).
    for (template, bodies) in &inputs {
        for body in bodies.iter().take(3) {
            engine.render(template, body).expect("warm-up render");
        }
    }

    // The headline comparison runs first; its server and peers are processes of their own.
    if run("versus") {
        let versus: Vec<_> = inputs
            .iter()
            .map(|(template, _)| batch_versus_peer(&engine, template, &plan, workers, &mut report))
            .collect();
        versus_summary(&versus, &mut report);
    }
    // The batch runs first so that peak RSS (the process high-water mark) is the batch's.
    if run("batch") {
        batch(&engine, &plan, workers, &mut report);
    }
    let mut figures: HashMap<&str, Figures> = HashMap::new();
    for (template, bodies) in &inputs {
        let figures = figures.entry(template).or_default();
        if run("single") {
            figures.median_ms = Some(single(&engine, template, bodies, &plan, &mut report));
        }
        if run("throughput") {
            figures.docs_per_s = Some(throughput(&engine, template, bodies, &plan, workers, &mut report));
        }
    }
    if run("preview") {
        for (template, bodies) in &inputs {
            preview(&engine, template, bodies, &plan, &mut report);
        }
    }
    if run("processes") {
        processes(&plan, workers, &mut figures, &mut report);
    }
    if run("http") {
        http_load(&engine, &inputs[0].1, &plan, workers, &mut report);
    }
    if run("memory") {
        memory(&engine, &inputs, &plan, workers, &mut report);
    }
    if run("cold") {
        cold_start(&plan, &mut report);
    }
    if !plan.smoke && run("peer") {
        let peers: Vec<_> = inputs
            .iter()
            .filter_map(|(template, bodies)| {
                let (peer, paired) = peer(&engine, template, bodies, &plan, &mut report)?;
                figures.entry(template).or_default().paired = paired;
                Some((*template, peer))
            })
            .collect();
        ratios_to_peer(&peers, &figures, &mut report);
    }
    // Named only by the `peer` step, which re-runs this benchmark for fresh pairs of processes.
    if steps.iter().any(|step| step == "turns") {
        for (template, bodies) in &inputs {
            let data_dir = resolved_data(&engine, template, bodies);
            paired_single(&engine, template, bodies, &data_dir, &plan, &mut report);
            let _ = std::fs::remove_dir_all(&data_dir);
        }
    }
    println!("{}", report.text);
}

/// A template's figures that the report sets against the peer's.
#[derive(Default)]
struct Figures {
    /// Single-document latency median, one thread.
    median_ms: Option<f64>,
    /// Documents/s of one process on every core (the `throughput` step).
    docs_per_s: Option<f64>,
    /// Peak RSS of one process on every core (the `processes` step), in MB.
    peak_mb: Option<f64>,
    /// Single-document medians timed in turns with the peer (the `peer` step).
    paired: Option<Paired>,
}

/// vanban's and the peer's single-document medians, timed in turns, ms.
#[derive(Clone, Copy)]
struct Paired {
    ours_ms: f64,
    theirs_ms: f64,
}

/// Collects the report's lines.
#[derive(Default)]
struct Report {
    text: String,
}

impl Report {
    fn line(&mut self, line: impl AsRef<str>) {
        eprintln!("{}", line.as_ref());
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    fn heading(&mut self, title: &str) {
        self.line(format!("\n### {title}\n"));
    }
}

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("fixture is JSON")
}

const PLACES: [&str; 6] = ["Đoàn Kết", "Hòa An", "Ngọc Sơn", "Tân Phong", "Quyết Thắng", "Đông Phong"];
const EXTRA: &str = "Chi bộ thống nhất giao các đồng chí chi ủy viên theo dõi, đôn đốc, báo cáo kết quả tại kỳ sinh hoạt sau.";

/// `n` distinct, valid requests for `template`: a different cell, place, member names, number of
/// speeches and text lengths each, all derived from the bundled example.
fn varied_inputs(engine: &Engine, template: &str, n: usize) -> Vec<Vec<u8>> {
    let example = fixture(&format!("{template}.json"));
    (0..n)
        .map(|i| {
            let mut value = example.clone();
            value["issuer"]["name"] = json!(format!("CHI BỘ TỔ DÂN PHỐ {}", i + 1));
            value["issuer"]["place_name"] = json!(PLACES[i % PLACES.len()]);
            vary(&mut value, i, "");
            let body = serde_json::to_vec(&value).unwrap();
            if let Err(error) = engine.resolve(template, &body) {
                panic!("generated input {i} for {template} is invalid: {error:?}");
            }
            body
        })
        .collect()
}

/// Varies free texts (append a sentence to some), person names (a middle name) and the number of
/// speeches, by position so every input differs.
fn vary(value: &mut Value, i: usize, key: &str) {
    match value {
        Value::String(text) if key == "full_name" => {
            let middles = ["Văn", "Thị", "Minh", "Thu", "Quốc", "Ngọc", "Đức"];
            if let Some((family, given)) = text.split_once(' ') {
                *text = format!("{family} {} {given}", middles[i % middles.len()]);
            }
        }
        Value::String(text) if text.chars().count() > 80 && (text.len() + i).is_multiple_of(3) => {
            for _ in 0..(1 + i % 3) {
                text.push(' ');
                text.push_str(EXTRA);
            }
        }
        Value::Array(items) => {
            if key == "discussion" && items.len() > 3 {
                items.truncate(3 + i % (items.len() - 2));
            }
            items.iter_mut().for_each(|item| vary(item, i, key));
        }
        Value::Object(map) => map.iter_mut().for_each(|(k, v)| vary(v, i, k)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// One document at a time on one thread: latency, and where the time goes; returns the median
/// in milliseconds.
fn single(engine: &Engine, template: &str, bodies: &[Vec<u8>], plan: &Plan, report: &mut Report) -> f64 {
    let template_ref = engine.catalog().get(template).unwrap();
    let (mut total, mut resolve, mut compile, mut export) =
        (Vec::new(), Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut pages = 0;
    for run in 0..plan.single_runs {
        let (took, resolved, rendered) = timed_render(engine, template_ref, &bodies[run % bodies.len()]);
        total.push(took);
        resolve += resolved;
        compile += rendered.phases.compile;
        export += rendered.phases.export;
        pages += rendered.pages;
    }
    total.sort();
    let runs = plan.single_runs as f64;
    let mean = total.iter().sum::<Duration>().as_secs_f64() * 1e3 / runs;
    let typst = (compile + export).as_secs_f64() * 1e3 / runs;
    let per_page = pages as f64 / runs;
    report.heading(&format!("`{template}`, one document at a time (one thread)"));
    report.line("| measure | value |\n|---|---|");
    report.line(format!("| pages per document (mean) | {per_page:.2} |"));
    let median = ms(percentile(&total, 0.5));
    report.line(format!("| latency median | {median:.1} ms |"));
    report.line(format!("| latency p90 | {:.1} ms |", ms(percentile(&total, 0.9))));
    report.line(format!("| per page (mean latency / pages) | {:.2} ms |", mean / per_page));
    report.line(format!("| validate + normalise + compute | {:.2} ms |", resolve.as_secs_f64() * 1e3 / runs));
    report.line(format!("| Typst compile (eval + layout) | {:.2} ms |", compile.as_secs_f64() * 1e3 / runs));
    report.line(format!("| Typst PDF export | {:.2} ms |", export.as_secs_f64() * 1e3 / runs));
    report.line(format!(
        "| everything else (signature fields, hand-over) | {:.2} ms |",
        mean - typst - resolve.as_secs_f64() * 1e3 / runs
    ));
    report.line(format!("| overhead: total / Typst compile+export | {:.3} × |", mean / typst));
    median
}

/// The live preview as the web app asks for it, against PDF renders of the same versions (one
/// thread). The web app asks for a preview after every pause in typing, so the step types into
/// a document: each of its versions is one word longer in its longest text (the paragraph being
/// written) than the one before. The versions of a document are previewed in order, and
/// rendered as PDFs in order (every other document renders first), so both gain alike from
/// Typst's compile caches, where an edit recompiles little; a preview also reuses the SVG of
/// each page the edit left as it was (`typeset::page_svg`). A document has more versions than
/// the caches keep jobs, so the second pass cannot reuse the first's work on the same version.
/// The first version of a document is reported on its own, from the pass that typesets the
/// document first (nothing of it cached yet; the other pass's first version finds most of the
/// document cached, and is neither an edit nor a first sight, so it is not counted). CPU
/// time is the process's, all threads: PDF export deflates pages on Typst's rayon pool, so a
/// render's wall time on one thread also uses the other core, a preview's does not.
fn preview(engine: &Engine, template: &str, bodies: &[Vec<u8>], plan: &Plan, report: &mut Report) {
    let edits = if plan.smoke { 3 } else { 12 };
    let documents = (plan.single_runs / edits).clamp(1, bodies.len());
    let (mut previews, mut renders) = (Side::default(), Side::default());
    let preview = |body: &[u8]| {
        let preview = engine.preview(template, body).expect("preview");
        assert!(!preview.pages.is_empty() && preview.issues.is_empty(), "a complete document");
        preview.phases
    };
    let render = |body: &[u8]| engine.render(template, body).expect("render").phases;
    for (document, body) in bodies.iter().take(documents).enumerate() {
        let versions = typed_versions(body, edits);
        if document % 2 == 0 {
            previews.pass(&versions, true, preview);
            renders.pass(&versions, false, render);
        } else {
            renders.pass(&versions, true, render);
            previews.pass(&versions, false, preview);
        }
    }
    let cpu_ms = |cpu: CpuTime| (cpu.user + cpu.system).as_secs_f64() * 1e3 / (documents * edits) as f64;
    let (preview_cpu_ms, render_cpu_ms) = (cpu_ms(previews.cpu), cpu_ms(renders.cpu));
    let (mut first_previews, mut first_renders) = (previews.first, renders.first);
    let (mut previews, mut renders) = (previews.after_edit, renders.after_edit);
    let (preview_ms, render_ms) = (previews.total_ms(), renders.total_ms());
    let (first_preview_ms, first_render_ms) = (first_previews.total_ms(), first_renders.total_ms());
    report.heading(&format!(
        "`{template}`, live preview while typing against PDF renders of the same versions (one thread)"
    ));
    report.line("| measure | value |\n|---|---|");
    report.line(format!("| documents × versions (one word typed each) | {documents} × {edits} |"));
    report.line(format!("| preview median, after an edit (SVG pages + issues) | {preview_ms:.1} ms |"));
    report.line(format!("| PDF render median, after an edit | {render_ms:.1} ms |"));
    report.line(format!("| preview time / PDF render time (target ≤ 0.8) | {:.2} |", preview_ms / render_ms));
    report.line(format!(
        "| after an edit, medians: Typst compile, preview / render | {:.2} / {:.2} ms |",
        previews.compile_ms(),
        renders.compile_ms()
    ));
    report.line(format!(
        "| after an edit, medians: drawing the SVG pages / PDF export | {:.2} / {:.2} ms |",
        previews.output_ms(),
        renders.output_ms()
    ));
    report.line(format!(
        "| first version, nothing of the document cached: preview / PDF render median | {first_preview_ms:.1} / {first_render_ms:.1} ms ({:.2}) |",
        first_preview_ms / first_render_ms
    ));
    report.line(format!(
        "| first version, medians: compile {:.2} / {:.2} ms, drawing / export {:.2} / {:.2} ms |",
        first_previews.compile_ms(),
        first_renders.compile_ms(),
        first_previews.output_ms(),
        first_renders.output_ms()
    ));
    report.line(format!(
        "| CPU per version, all threads (user + system): preview / PDF render | {preview_cpu_ms:.1} / {render_cpu_ms:.1} ms ({:.2}) |",
        preview_cpu_ms / render_cpu_ms
    ));
}

/// One side of the preview step (previews, or PDF renders of the same versions).
#[derive(Default)]
struct Side {
    after_edit: Timings,
    /// First versions, from the pass that sees a document first.
    first: Timings,
    cpu: CpuTime,
}

impl Side {
    /// Runs `job` on every version in order; its first version counts only on a `first_pass`.
    fn pass(&mut self, versions: &[Vec<u8>], first_pass: bool, job: impl Fn(&[u8]) -> Phases) {
        let cpu_before = cpu_time(std::process::id());
        for (version, body) in versions.iter().enumerate() {
            let started = Instant::now();
            let phases = job(body);
            let elapsed = started.elapsed();
            match (version, first_pass) {
                (0, true) => self.first.push(elapsed, phases),
                (0, false) => {}
                _ => self.after_edit.push(elapsed, phases),
            }
        }
        self.cpu = self.cpu + (cpu_time(std::process::id()) - cpu_before);
    }
}

/// Wall times of jobs and where they went (Typst's compile, then the PDF export or the drawing
/// of the SVG pages).
#[derive(Default)]
struct Timings {
    total: Vec<Duration>,
    compile: Vec<Duration>,
    output: Vec<Duration>,
}

impl Timings {
    fn push(&mut self, total: Duration, phases: Phases) {
        self.total.push(total);
        self.compile.push(phases.compile);
        self.output.push(phases.export);
    }

    fn total_ms(&mut self) -> f64 {
        median_ms(&mut self.total)
    }

    fn compile_ms(&mut self) -> f64 {
        median_ms(&mut self.compile)
    }

    fn output_ms(&mut self) -> f64 {
        median_ms(&mut self.output)
    }
}

fn median_ms(times: &mut [Duration]) -> f64 {
    times.sort();
    ms(percentile(times, 0.5))
}

/// `edits` versions of `body` as a secretary types into its longest text: the first is `body`
/// itself, each next one has one more word (the words of [`EXTRA`], over and over).
fn typed_versions(body: &[u8], edits: usize) -> Vec<Vec<u8>> {
    let document: Value = serde_json::from_slice(body).expect("a JSON document");
    let pointer = longest_text(&document, String::new()).expect("a text to type into").1;
    let mut typed = document.pointer(&pointer).and_then(Value::as_str).unwrap_or_default().to_string();
    let mut words = EXTRA.split_whitespace().cycle();
    (0..edits)
        .map(|version| {
            if version > 0 {
                typed.push(' ');
                typed.push_str(words.next().unwrap_or_default());
            }
            let mut document = document.clone();
            *document.pointer_mut(&pointer).expect("the text") = json!(typed);
            serde_json::to_vec(&document).unwrap()
        })
        .collect()
}

/// The length and pointer of the longest string in `value`, found under `pointer`.
fn longest_text(value: &Value, pointer: String) -> Option<(usize, String)> {
    match value {
        Value::String(text) => Some((text.chars().count(), pointer)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| longest_text(item, format!("{pointer}/{i}")))
            .max(),
        Value::Object(map) => map
            .iter()
            .filter_map(|(key, item)| {
                longest_text(item, format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1")))
            })
            .max(),
        _ => None,
    }
}

/// One document resolved and typeset: the whole time, the resolve part, and the result.
fn timed_render(engine: &Engine, template: &Template, body: &[u8]) -> (Duration, Duration, Rendered) {
    let started = Instant::now();
    let built = engine.resolve(&template.id, body).unwrap();
    let resolved = started.elapsed();
    let rendered = engine.typeset(template, built).unwrap();
    (started.elapsed(), resolved, rendered)
}

/// Every core busy with distinct documents; returns documents/s.
fn throughput(
    engine: &Engine,
    template: &str,
    bodies: &[Vec<u8>],
    plan: &Plan,
    workers: usize,
    report: &mut Report,
) -> f64 {
    let pages = AtomicUsize::new(0);
    let started = Instant::now();
    on_threads(workers, 0..plan.throughput_docs, |i| {
        let rendered = engine.render(template, &bodies[i % bodies.len()]).unwrap();
        pages.fetch_add(rendered.pages, Ordering::Relaxed);
    });
    let seconds = started.elapsed().as_secs_f64();
    let docs_per_second = plan.throughput_docs as f64 / seconds;
    report.line(format!(
        "| `{template}` throughput, {workers} threads | {docs_per_second:.1} documents/s, {:.0} pages/s |",
        pages.load(Ordering::Relaxed) as f64 / seconds
    ));
    docs_per_second
}

/// The throughput step re-run in fresh processes of this benchmark, as the peer runs: one process
/// on every core (its peak RSS is what vanban needs for the machine's throughput), one process
/// pinned to one core, and one pinned process per core at once, sharing nothing. Twice the
/// one-core figure is the most any design reaches on two cores; set against it, the in-process
/// figure shows what sharing one process (comemo's caches, the allocator, Typst's rayon pool)
/// costs, and the peak RSS of each shows what every process needs once and what a core adds.
/// Records each template's one-process peak RSS in `figures`.
fn processes(plan: &Plan, workers: usize, figures: &mut HashMap<&str, Figures>, report: &mut Report) {
    let benchmark = std::env::current_exe().expect("benchmark binary");
    // Documents/s and peak RSS (MB), each summed over processes run at once on `template`.
    let run = |template: &str, commands: Vec<Command>| -> (f64, f64) {
        let children: Vec<_> = commands
            .into_iter()
            .map(|mut command| {
                command
                    .arg("throughput")
                    .args((!plan.smoke).then_some("--bench"))
                    .env(ONLY_TEMPLATE, template)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("benchmark re-runs itself")
            })
            .collect();
        wait_with_peak_rss(children).into_iter().fold((0.0, 0.0), |(rate, peak), (output, child_peak)| {
            let child_rate = throughput_lines(&output).into_iter().map(|(_, rate)| rate).sum::<f64>();
            (rate + child_rate, peak + child_peak)
        })
    };
    let pinning = taskset_available();

    report.heading("Processes: one on every core, one pinned to one core, one pinned per core");
    report.line(format!(
        "| template | one process, {workers} threads | one process pinned to one core | {workers} pinned processes at once | in-process / separate |"
    ));
    report.line("|---|---|---|---|---|");
    let cell = |(rate, peak_mb): (f64, f64)| format!("{rate:.1} documents/s, peak RSS {peak_mb:.0} MB");
    for template in TEMPLATES {
        let shared = run(template, vec![Command::new(&benchmark)]);
        let figures = figures.entry(template).or_default();
        figures.peak_mb = Some(shared.1);
        let (one_core, separate, ratio) = if pinning {
            let alone = run(template, vec![pinned(0, &benchmark)]);
            let together = run(template, (0..workers).map(|core| pinned(core, &benchmark)).collect());
            (
                cell(alone),
                format!("{} ({:.2} × one core)", cell(together), together.0 / alone.0),
                figures.docs_per_s.map_or("–".to_owned(), |rate| format!("{:.2}", rate / together.0)),
            )
        } else {
            ("`taskset` not installed".to_owned(), "–".to_owned(), "–".to_owned())
        };
        report.line(format!("| `{template}` | {} | {one_core} | {separate} | {ratio} |", cell(shared)));
    }
    report.line(
        "\nEach process runs this benchmark's `throughput` step on one template, after generating its \
         inputs and warming up, as the peer's processes do. Peak RSS is the process's high-water \
         mark, summed over processes that run at once. In-process / separate: this run's \
         `throughput` step over the pinned processes at once.",
    );
}

/// Waits for `children`, sampling their peak RSS (VmHWM) while they run (an exited process has
/// none); returns each one's standard output and peak in MB.
fn wait_with_peak_rss(mut children: Vec<std::process::Child>) -> Vec<(String, f64)> {
    let mut peaks_kib = vec![0.0_f64; children.len()];
    let mut running = children.len();
    while running > 0 {
        running = 0;
        for (child, peak_kib) in children.iter_mut().zip(&mut peaks_kib) {
            let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
            // VmHWM only grows: its last reading before exit is the process's peak.
            if let Some(kib) = status_kib(&status, "VmHWM") {
                *peak_kib = peak_kib.max(kib);
            }
            match child.try_wait().expect("waits for the child") {
                Some(exit) => assert!(exit.success(), "child process failed"),
                None => running += 1,
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    children
        .iter_mut()
        .zip(peaks_kib)
        .map(|(child, peak_kib)| {
            let mut output = String::new();
            child.stdout.take().expect("piped").read_to_string(&mut output).expect("child's report");
            (output, peak_kib / 1024.0)
        })
        .collect()
}

/// `(template, documents/s)` of each throughput line in a report.
fn throughput_lines(report: &str) -> Vec<(String, f64)> {
    report
        .lines()
        .filter_map(|line| {
            let (template, rest) = line.strip_prefix("| `")?.split_once("` throughput, ")?;
            let figure = rest.split_once("| ")?.1.split_once(" documents/s")?.0;
            Some((template.to_owned(), figure.parse().ok()?))
        })
        .collect()
}

/// Whether processes can be pinned to cores here.
fn taskset_available() -> bool {
    Command::new("taskset").args(["-c", "0", "true"]).status().is_ok_and(|status| status.success())
}

/// `program` run pinned to `core`.
fn pinned(core: usize, program: &Path) -> Command {
    let mut command = Command::new("taskset");
    command.arg("-c").arg(core.to_string()).arg(program);
    command
}

/// Notes when the first byte arrives and counts the rest.
struct TimedSink {
    started: Instant,
    first_byte: Option<Duration>,
    bytes: usize,
}

impl Write for TimedSink {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.first_byte.get_or_insert_with(|| self.started.elapsed());
        self.bytes += data.len();
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A ward's month: `batch_cells` resolutions, request bytes to last zip byte.
fn batch(engine: &Engine, plan: &Plan, workers: usize, report: &mut Report) {
    let mut request = fixture("batch-resolutions.json");
    let examples = request["items"].as_array().unwrap().clone();
    let items: Vec<Value> = (0..plan.batch_cells)
        .map(|i| {
            let mut item = examples[i % examples.len()].clone();
            item["issuer"]["name"] = json!(format!("CHI BỘ SỐ {}", i + 1));
            item
        })
        .collect();
    request["items"] = json!(items);
    let body = serde_json::to_vec(&request).unwrap();
    let rss_before = rss_kib("VmRSS");
    let started = Instant::now();
    let prepared = engine.prepare_batch(&body, 1000).unwrap();
    let mut sink = TimedSink { started, first_byte: None, bytes: 0 };
    let manifest = engine.write_batch(prepared, &mut sink, &BatchControl::new(workers)).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    report.heading(&format!("`resolution` batch of {} cells to a zip ({workers} threads)", plan.batch_cells));
    report.line("| measure | value |\n|---|---|");
    report.line(format!("| request to last zip byte | {:.2} s |", seconds));
    report.line(format!("| first zip bytes after | {:.0} ms |", ms(sink.first_byte.unwrap_or_default())));
    report.line(format!("| documents/s | {:.1} |", manifest.items.len() as f64 / seconds));
    report.line(format!("| zip size | {:.1} MB |", sink.bytes as f64 / 1e6));
    report.line(format!(
        "| RSS before → peak (process high-water mark) | {:.0} MB → {:.0} MB |",
        rss_before / 1024.0,
        rss_kib("VmHWM") / 1024.0
    ));
}

/// A loopback server and 8 clients on keep-alive connections, each sending distinct minutes.
fn http_load(engine: &Arc<Engine>, bodies: &[Vec<u8>], plan: &Plan, workers: usize, report: &mut Report) {
    let config = HttpConfig::default();
    // The runtime `vanban serve` runs on: the blocking pool's size matters (BENCHMARKS.md, HTTP).
    let runtime = http::runtime(&config).unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    let service = Service::new(engine.clone(), &config).unwrap();
    runtime.spawn(http::serve(listener, service, std::future::pending(), Duration::ZERO));

    // The in-process reference and the HTTP clients take turns on the same documents, so that a
    // slow moment of a shared machine falls on both rather than on one of them.
    const ROUNDS: usize = 4;
    let per_round = plan.http_requests / ROUNDS;
    let (mut in_process_time, mut http_time) = (Duration::ZERO, Duration::ZERO);
    let errors = AtomicUsize::new(0);
    let latencies = std::sync::Mutex::new(Vec::new());
    for round in 0..ROUNDS {
        let requests = round * per_round..(round + 1) * per_round;
        let started = Instant::now();
        on_threads(workers, requests.clone(), |i| {
            engine.render("minutes", &bodies[i % bodies.len()]).unwrap();
        });
        in_process_time += started.elapsed();

        let next = AtomicUsize::new(requests.start);
        let started = Instant::now();
        std::thread::scope(|scope| {
            for _ in 0..HTTP_CLIENTS {
                scope.spawn(|| {
                    let mut client = HttpClient::connect(addr);
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= requests.end {
                            break;
                        }
                        let sent = Instant::now();
                        let (status, body) = client.post("/v1/render/minutes", &bodies[i % bodies.len()]);
                        let took = sent.elapsed();
                        if status != 200 || !body.starts_with(b"%PDF-") {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                        latencies.lock().unwrap().push(took);
                    }
                });
            }
        });
        http_time += started.elapsed();
    }
    let documents = (ROUNDS * per_round) as f64;
    let in_process = documents / in_process_time.as_secs_f64();
    let over_http = documents / http_time.as_secs_f64();
    let mut latencies = latencies.into_inner().unwrap();
    latencies.sort();
    report.heading(&format!("HTTP `POST /v1/render/minutes`, {HTTP_CLIENTS} clients on loopback"));
    report.line("| measure | value |\n|---|---|");
    report.line(format!("| throughput | {over_http:.1} documents/s |"));
    report.line(format!("| in-process throughput, same documents | {in_process:.1} documents/s |"));
    report.line(format!("| HTTP / in-process | {:.2} |", over_http / in_process));
    report.line(format!("| latency p50 | {:.0} ms |", ms(percentile(&latencies, 0.5))));
    report.line(format!("| latency p99 | {:.0} ms |", ms(percentile(&latencies, 0.99))));
    report.line(format!("| errors | {} |", errors.load(Ordering::Relaxed)));
    runtime.shutdown_timeout(Duration::from_secs(1));
}

/// RSS after many varied renders: flat memory means comemo eviction and file ids are bounded.
fn memory(
    engine: &Engine,
    inputs: &[(&str, Vec<Vec<u8>>)],
    plan: &Plan,
    workers: usize,
    report: &mut Report,
) {
    let (first, last) = plan.rss_renders;
    let every = first.max(last / 10);
    let render = |i: usize| {
        let (template, bodies) = &inputs[i % inputs.len()];
        engine.render(template, &bodies[(i / inputs.len()) % bodies.len()]).unwrap();
    };
    // One set of threads for the whole step, as a server's pool, sampling RSS after `first`
    // renders and every `every` renders, to tell a settling allocator from steady growth.
    let rendered = AtomicUsize::new(0);
    let samples = std::sync::Mutex::new(Vec::new());
    on_threads(workers, 0..last, |i| {
        render(i);
        let done = rendered.fetch_add(1, Ordering::Relaxed) + 1;
        if done == first || done.is_multiple_of(every) {
            samples.lock().unwrap().push((done, rss_kib("VmRSS") / 1024.0));
        }
    });
    let mut samples = samples.into_inner().unwrap();
    samples.sort_by_key(|&(done, _)| done);
    let at = |renders: usize| samples.iter().find(|&&(done, _)| done == renders).map_or(0.0, |&(_, mb)| mb);
    let (at_first, at_last) = (at(first), at(last));
    let highest = samples.iter().map(|&(_, mb)| mb).fold(0.0, f64::max);
    report.heading("Memory");
    report.line("| measure | value |\n|---|---|");
    report.line(format!("| RSS after {first} varied renders | {at_first:.0} MB |"));
    report.line(format!("| RSS after {last} varied renders | {at_last:.0} MB |"));
    report.line(format!("| growth | {:+.1} % |", (at_last / at_first - 1.0) * 100.0));
    let trail: Vec<String> =
        samples.iter().filter(|&&(done, _)| done > first).map(|(_, mb)| format!("{mb:.0}")).collect();
    report.line(format!("| RSS every {every} renders after the first {first} | {} MB |", trail.join(", ")));
    report.line(format!(
        "| highest of those | {highest:.0} MB ({:+.1} %) |",
        (highest / at_first - 1.0) * 100.0
    ));
    report.line(format!("| process peak RSS (whole benchmark) | {:.0} MB |", rss_kib("VmHWM") / 1024.0));
}

/// Whole-process `vanban render minutes …` of the bundled example.
fn cold_start(plan: &Plan, report: &mut Report) {
    let binary = server_binary();
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minutes.json");
    let output = std::env::temp_dir().join(format!("vanban-bench-{}.pdf", std::process::id()));
    let mut runs: Vec<Duration> = (0..plan.cold_runs)
        .map(|_| {
            let started = Instant::now();
            let status = std::process::Command::new(&binary)
                .args(["render", "minutes"])
                .arg(&input)
                .arg("-o")
                .arg(&output)
                .stderr(std::process::Stdio::null())
                .status()
                .expect("vanban runs");
            assert!(status.success());
            started.elapsed()
        })
        .collect();
    let _ = std::fs::remove_file(&output);
    runs.sort();
    report.heading("Cold start");
    report.line(format!(
        "`vanban render minutes tests/fixtures/minutes.json -o x.pdf`, whole process, median of {}: **{:.0} ms**",
        plan.cold_runs,
        ms(percentile(&runs, 0.5))
    ));
}

// ---------------------------------------------------------------------------
// A batch over HTTP against the peer (issue 20)
// ---------------------------------------------------------------------------

/// The size of the batch comparison with the peer.
struct Versus {
    /// Documents in the one batch request; each of the two peer processes takes half of them.
    documents: usize,
    /// Distinct documents, cycled through the batch (a ward's month: similar, never repeated
    /// within a few documents).
    distinct: usize,
    /// Rounds: vanban, then the peer, in turn.
    rounds: usize,
    /// Single documents per round, one after another in turns of [`SINGLES_PER_TURN`]: vanban over
    /// HTTP, the peer in process.
    singles: usize,
}

/// One round of [`batch_versus_peer`]: each side's figures, the peer's only where it ran.
struct Round {
    /// Documents/s of vanban's batch over HTTP and of the two peer processes at once.
    batch: (f64, Option<f64>),
    /// CPU time (user + system) per batch document: the server's, and both peers' together, ms.
    cpu_ms: (f64, Option<f64>),
    /// The system part of `cpu_ms`.
    system_ms: (f64, Option<f64>),
    /// Single-document median: vanban over HTTP, and the peer in process, ms.
    single_ms: (f64, Option<f64>),
    /// Single-document median of vanban in process (the first process of the ceiling), ms.
    single_in_process_ms: f64,
    /// The server's own time for those single documents (from `/metrics`, admission to the end
    /// of the render, without HTTP): the median over turns of each turn's mean, ms.
    single_inside_server_ms: f64,
    /// Documents/s and CPU per document (ms) of two vanban processes that share nothing, each
    /// typesetting its half in process: the most any design can get from this Typst on two cores.
    ceiling: (f64, f64),
    /// The machine's 1-minute load average after the round (`/proc/loadavg`).
    load: f64,
}

/// One template's figures from [`batch_versus_peer`].
struct VersusFigures {
    template: String,
    rounds: Vec<Round>,
    /// Peak RSS of the server, and of the two peer processes together (if run), MB.
    peak_mb: (f64, Option<f64>),
    /// Peak RSS of the two vanban processes of the ceiling together, MB.
    ceiling_peak_mb: f64,
}

/// Warm-up compiles of each peer process before it answers (as in the comparison in turns).
const PEER_WARMUP: usize = 12;

/// The comparison of issue 20, side by side in one run: a warm `vanban serve` process answers one
/// `POST /v1/batch` of `documents` documents (`distinct` cycled) over HTTP; then two warm peer
/// processes (`bench/peer.py --turns`) take half of the same resolved data each, at once; then
/// single documents one after another, vanban over HTTP against the peer in process, taking turns
/// of a few documents each. `rounds`
/// times, in turn, so a slow stretch of the machine falls on both. Also the CPU time each side
/// spent per document (user and system, from `/proc`: less sensitive than wall time to what else
/// the machine runs), and peak RSS of the server against the two peer processes together. Without
/// the peer (smoke run, or `typst` not installed) only vanban's figures are reported.
fn batch_versus_peer(
    engine: &Engine,
    template: &str,
    plan: &Plan,
    workers: usize,
    report: &mut Report,
) -> VersusFigures {
    let versus = &plan.versus;
    let bodies = varied_inputs(engine, template, versus.distinct);
    let items: Vec<Value> =
        (0..versus.documents).map(|i| serde_json::from_slice(&bodies[i % bodies.len()]).unwrap()).collect();
    let request = serde_json::to_vec(&json!({ "template": template, "items": items })).unwrap();
    let server = ServerProcess::start(workers);
    let mut client = HttpClient::connect(server.addr);
    let batch_over_http = |client: &mut HttpClient| {
        let started = Instant::now();
        let (status, zip) = client.post("/v1/batch", &request);
        let took = started.elapsed();
        assert_eq!(status, 200, "the batch is answered");
        assert_eq!(batch_ok_items(&zip), versus.documents, "every document is in the zip");
        took
    };
    let single_over_http = |client: &mut HttpClient, body: &[u8]| {
        let started = Instant::now();
        let (status, pdf) = client.post(&format!("/v1/render/{template}"), body);
        let took = started.elapsed();
        assert!(status == 200 && pdf.starts_with(b"%PDF-"), "a single document is answered");
        took
    };
    // Warm, as the peer is: one batch and a few single documents, not counted.
    batch_over_http(&mut client);
    for body in bodies.iter().take(3) {
        single_over_http(&mut client, body);
    }

    let data_dir = resolved_data(engine, template, &bodies);
    let mut peers: Vec<TurnProcess> = if plan.smoke {
        Vec::new()
    } else {
        (0..2).map_while(|_| TurnProcess::peer(template, &data_dir)).collect()
    };
    if peers.len() < 2 {
        peers.clear();
    }
    let bodies_file = data_dir.join("bodies.json");
    let parsed: Vec<Value> = bodies.iter().map(|body| serde_json::from_slice(body).unwrap()).collect();
    std::fs::write(&bodies_file, serde_json::to_vec(&parsed).unwrap()).unwrap();
    let mut ceiling: Vec<TurnProcess> = (0..2)
        .map(|_| TurnProcess::vanban(template, &bodies_file).expect("vanban takes turns in its own process"))
        .collect();
    // The peer's next document: its turns start after the warm-up, and one was asked to wait for it.
    let mut next = PEER_WARMUP + 2;
    let halves = [versus.documents.div_ceil(2), versus.documents / 2];
    let per_document = |spent: CpuTime| {
        let each = |d: Duration| ms(d) / versus.documents as f64;
        (each(spent.user + spent.system), each(spent.system))
    };

    let mut rounds = Vec::new();
    let mut server_rss = Vec::new();
    for _ in 0..versus.rounds {
        let before = cpu_time(server.child.id());
        let took = batch_over_http(&mut client);
        let ours = versus.documents as f64 / took.as_secs_f64();
        let our_cpu = per_document(cpu_time(server.child.id()) - before);
        server_rss.push(proc_status_kib(server.child.id(), "VmRSS") / 1024.0);

        // Two processes typeset one half each, at once: documents/s and CPU per document.
        let halves_at_once = |pair: &mut [TurnProcess]| {
            let before: Vec<_> = pair.iter().map(TurnProcess::cpu_time).collect();
            let started = Instant::now();
            for (process, documents) in pair.iter_mut().zip(halves) {
                process.send(documents);
            }
            for process in pair.iter_mut() {
                process.receive().expect("the process answers");
            }
            let took = started.elapsed();
            let spent = pair
                .iter()
                .zip(before)
                .map(|(process, before)| process.cpu_time() - before)
                .fold(CpuTime::default(), |a, b| a + b);
            (versus.documents as f64 / took.as_secs_f64(), per_document(spent))
        };
        let theirs = (!peers.is_empty()).then(|| halves_at_once(&mut peers));
        let (ceiling_rate, (ceiling_cpu, _)) = halves_at_once(&mut ceiling);
        next += halves[0];

        // Single documents in turns of a few, ours, the peer's and vanban's in process on the same
        // documents, so that a slow stretch of the VM falls on all (all of ours, then all of the
        // peer's, let such a stretch decide a round's ratio).
        let (mut ours_single, mut theirs_single, mut in_process_single) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut inside_server = Vec::new();
        for (turn, first) in (0..versus.singles).step_by(SINGLES_PER_TURN).enumerate() {
            let count = SINGLES_PER_TURN.min(versus.singles - first);
            // Each side goes first, second and third equally often: whoever follows another
            // side's work meets the caches and cores that work left.
            for side in (0..3).map(|k| (k + turn) % 3) {
                match side {
                    0 => {
                        let before = client.render_time(template);
                        ours_single.extend(
                            (first..first + count)
                                .map(|k| single_over_http(&mut client, &bodies[(next + k) % bodies.len()])),
                        );
                        let after = client.render_time(template);
                        inside_server.push((after.0 - before.0) * 1e3 / (after.1 - before.1));
                    }
                    1 => {
                        if let Some(peer) = peers.first_mut() {
                            theirs_single.extend(peer.ask(count).expect("the peer answers"));
                        }
                    }
                    _ => in_process_single
                        .extend(ceiling[0].ask(count).expect("vanban answers in its own process")),
                }
            }
        }
        in_process_single.sort_by(f64::total_cmp);
        inside_server.sort_by(f64::total_cmp);
        ours_single.sort();
        theirs_single.sort_by(f64::total_cmp);
        let theirs_single = (!theirs_single.is_empty()).then(|| theirs_single[theirs_single.len() / 2]);
        next += versus.singles;
        rounds.push(Round {
            batch: (ours, theirs.map(|(rate, _)| rate)),
            cpu_ms: (our_cpu.0, theirs.map(|(_, (cpu, _))| cpu)),
            system_ms: (our_cpu.1, theirs.map(|(_, (_, system))| system)),
            single_ms: (ms(percentile(&ours_single, 0.5)), theirs_single),
            single_in_process_ms: in_process_single[in_process_single.len() / 2],
            single_inside_server_ms: inside_server[inside_server.len() / 2],
            ceiling: (ceiling_rate, ceiling_cpu),
            load: load_average(),
        });
    }
    let peak_mb = (
        proc_status_kib(server.child.id(), "VmHWM") / 1024.0,
        (!peers.is_empty()).then(|| {
            peers.iter().map(|peer| proc_status_kib(peer.child.id(), "VmHWM")).sum::<f64>() / 1024.0
        }),
    );
    let ceiling_peak_mb =
        ceiling.iter().map(|process| proc_status_kib(process.child.id(), "VmHWM")).sum::<f64>() / 1024.0;
    drop(peers);
    drop(ceiling);
    let _ = std::fs::remove_dir_all(&data_dir);

    report.heading(&format!(
        "`{template}`: one batch of {} documents over HTTP against two peer processes",
        versus.documents
    ));
    report.line(format!(
        "A warm `vanban serve` ({workers} render slots) answers one `POST /v1/batch` of {} documents \
         ({} distinct, cycled); then two warm peer processes compile {} and {} of the same resolved \
         data at once; then {} single documents one after another, vanban over HTTP and the first \
         peer process in process, and the first process of the ceiling in process, in turns of \
         {SINGLES_PER_TURN} documents, each side first in a third of the turns (inside the server: its own time per render, from \
         `/metrics`). CPU per document: user + system time of the server, and of \
         both peer processes together (system time in brackets). Ceiling: two vanban processes \
         that share nothing typeset the same halves in process (no HTTP, no zip), the most any \
         design can get from this Typst on two cores. Load: the 1-minute load average after the \
         round.\n",
        versus.documents, versus.distinct, halves[0], halves[1], versus.singles
    ));
    report.line(
        "| round | vanban batch | peer, 2 processes | ratio | ceiling: vanban, 2 processes | ratio | vanban CPU per document | peer CPU per document | ceiling CPU per document | single median, vanban over HTTP | single median, peer | ratio | single median, vanban in process | ratio | single, inside the server | load |",
    );
    report.line("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let ratio =
        |(ours, theirs): (f64, Option<f64>)| theirs.map_or("–".into(), |t| format!("{:.2}", ours / t));
    let or_dash = |figure: Option<String>| figure.unwrap_or_else(|| "–".into());
    for (number, round) in rounds.iter().enumerate() {
        let cpu = |cpu: f64, system: f64| format!("{cpu:.1} ms ({system:.1} ms)");
        report.line(format!(
            "| {} | {:.1} documents/s | {} | {} | {:.1} documents/s | {} | {} | {} | {:.1} ms | {:.1} ms | {} | {} | {:.1} ms | {} | {:.1} ms | {:.1} |",
            number + 1,
            round.batch.0,
            or_dash(round.batch.1.map(|rate| format!("{rate:.1} documents/s"))),
            ratio(round.batch),
            round.ceiling.0,
            ratio((round.ceiling.0, round.batch.1)),
            cpu(round.cpu_ms.0, round.system_ms.0),
            or_dash(round.cpu_ms.1.zip(round.system_ms.1).map(|(c, s)| cpu(c, s))),
            round.ceiling.1,
            round.single_ms.0,
            or_dash(round.single_ms.1.map(|t| format!("{t:.1} ms"))),
            ratio(round.single_ms),
            round.single_in_process_ms,
            ratio((round.single_in_process_ms, round.single_ms.1)),
            round.single_inside_server_ms,
            round.load,
        ));
    }
    let trail: Vec<String> = server_rss.iter().map(|mb| format!("{mb:.0}")).collect();
    report.line(format!(
        "\nPeak RSS: server {:.0} MB{}, the two vanban processes of the ceiling {ceiling_peak_mb:.0} MB \
         together. Server RSS after each round's batch: {} MB.",
        peak_mb.0,
        peak_mb.1.map_or(String::new(), |peers| format!(", the two peer processes {peers:.0} MB together")),
        trail.join(", ")
    ));
    VersusFigures { template: template.to_string(), rounds, peak_mb, ceiling_peak_mb }
}

/// The headline: each template's median ratios over the rounds of [`batch_versus_peer`].
fn versus_summary(all: &[VersusFigures], report: &mut Report) {
    report.heading(
        "vanban / peer, batch over HTTP (targets: batch throughput ≥ 1.3, single document ≤ 0.9, peak RSS ≤ 0.7)",
    );
    report.line(
        "| template | batch throughput, median of rounds | ceiling (2 vanban processes) / peer | CPU per batch document, median of rounds | single document over HTTP, median of rounds | single document in process / peer | peak RSS | ceiling's peak RSS / peer's |",
    );
    report.line("|---|---|---|---|---|---|---|---|");
    let median_ratio = |pairs: Vec<(f64, Option<f64>)>| {
        let mut ratios: Vec<f64> =
            pairs.iter().filter_map(|&(ours, theirs)| Some(ours / theirs.filter(|t| *t > 0.0)?)).collect();
        ratios.sort_by(f64::total_cmp);
        ratios.get(ratios.len() / 2).map_or("– (no peer)".into(), |r| format!("**{r:.2}**"))
    };
    for figures in all {
        let each = |figure: fn(&Round) -> (f64, Option<f64>)| figures.rounds.iter().map(figure).collect();
        let of_peers = |mb: f64| {
            figures.peak_mb.1.map_or("– (no peer)".into(), |peers| {
                format!("{mb:.0} / {peers:.0} MB = **{:.2}**", mb / peers)
            })
        };
        report.line(format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |",
            figures.template,
            median_ratio(each(|round| round.batch)),
            median_ratio(each(|round| (round.ceiling.0, round.batch.1))),
            median_ratio(each(|round| round.cpu_ms)),
            median_ratio(each(|round| round.single_ms)),
            median_ratio(each(|round| (round.single_in_process_ms, round.single_ms.1))),
            of_peers(figures.peak_mb.0),
            of_peers(figures.ceiling_peak_mb),
        ));
    }
}

/// The 1-minute load average (`/proc/loadavg`); 0 where unavailable.
fn load_average() -> f64 {
    let loadavg = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    loadavg.split_whitespace().next().and_then(|load| load.parse().ok()).unwrap_or(0.0)
}

/// Single documents a side renders before the other takes its turn in the `versus` step.
const SINGLES_PER_TURN: usize = 4;

/// vanban in a process of its own, taking turns as `bench/peer.py --turns` does: after
/// [`PEER_WARMUP`] renders, each line `N` on stdin renders the next N of the request bodies in
/// `bodies_file` (a JSON array, cycled) in process and answers `{"ms": [per-document times]}`.
/// Two of these side by side share nothing, so they are the ceiling of any way of running this
/// Typst on two cores: what render worker processes could at best reach.
fn vanban_turns(template: &str, bodies_file: &Path) {
    let engine = Engine::new(&EngineConfig::default()).expect("bundled templates and fonts");
    let bodies: Vec<Value> =
        serde_json::from_slice(&std::fs::read(bodies_file).expect("bodies")).expect("JSON");
    let bodies: Vec<Vec<u8>> = bodies.iter().map(|body| serde_json::to_vec(body).unwrap()).collect();
    let mut next = 0;
    let mut render = || {
        let started = Instant::now();
        engine.render(template, &bodies[next % bodies.len()]).expect("the document renders");
        next += 1;
        ms(started.elapsed())
    };
    for _ in 0..PEER_WARMUP {
        render();
    }
    let mut stdout = std::io::stdout().lock();
    for line in std::io::stdin().lock().lines() {
        let Ok(documents) = line.unwrap_or_default().trim().parse::<usize>() else { break };
        let times: Vec<f64> = (0..documents).map(|_| render()).collect();
        if writeln!(stdout, "{}", json!({ "ms": times })).and_then(|()| stdout.flush()).is_err() {
            break;
        }
    }
}

/// A `vanban serve` process on a free loopback port; stopped when dropped.
struct ServerProcess {
    child: std::process::Child,
    addr: std::net::SocketAddr,
}

impl ServerProcess {
    fn start(workers: usize) -> Self {
        let addr =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port");
        let child = Command::new(server_binary())
            .args(["serve", "--addr", &addr.to_string(), "--workers", &workers.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("vanban serve starts");
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(started.elapsed() < Duration::from_secs(30), "vanban serve listens within 30 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        ServerProcess { child, addr }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A warm process that typesets the next N documents when asked, answering their times: the
/// peer (`bench/peer.py --turns`) or vanban in a process of its own ([`vanban_turns`]). Its input
/// closes when dropped, and it ends.
struct TurnProcess {
    child: std::process::Child,
    requests: Option<std::process::ChildStdin>,
    answers: BufReader<std::process::ChildStdout>,
}

impl TurnProcess {
    /// The peer on `template` over the resolved data in `data_dir`, warmed up; `None` if it
    /// cannot run.
    fn peer(template: &str, data_dir: &Path) -> Option<Self> {
        let mut command = peer_command(template, data_dir);
        command.args(["--turns", "--no-verify", "--warmup", &PEER_WARMUP.to_string()]);
        Self::start(command)
    }

    /// This benchmark's binary as [`vanban_turns`] over the request bodies in `bodies_file`.
    fn vanban(template: &str, bodies_file: &Path) -> Option<Self> {
        let mut command = Command::new(std::env::current_exe().ok()?);
        command.arg(VANBAN_TURNS).arg(template).arg(bodies_file);
        Self::start(command)
    }

    /// Starts `command` and waits until it has warmed up.
    fn start(mut command: Command) -> Option<Self> {
        let mut child =
            command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()?;
        let (requests, answers) = (child.stdin.take()?, BufReader::new(child.stdout.take()?));
        let mut process = TurnProcess { child, requests: Some(requests), answers };
        process.ask(1)?;
        Some(process)
    }

    fn send(&mut self, documents: usize) {
        let requests = self.requests.as_mut().expect("open until dropped");
        writeln!(requests, "{documents}").expect("the process takes requests");
    }

    /// The per-document times (ms) of the last request.
    fn receive(&mut self) -> Option<Vec<f64>> {
        let mut answer = String::new();
        self.answers.read_line(&mut answer).ok()?;
        let times: Value = serde_json::from_str(&answer).ok()?;
        Some(times["ms"].as_array()?.iter().filter_map(Value::as_f64).collect())
    }

    fn ask(&mut self, documents: usize) -> Option<Vec<f64>> {
        self.send(documents);
        self.receive()
    }

    fn cpu_time(&self) -> CpuTime {
        cpu_time(self.child.id())
    }
}

impl Drop for TurnProcess {
    fn drop(&mut self) {
        self.requests.take();
        let _ = self.child.wait();
    }
}

/// CPU time spent in user space and in the kernel.
#[derive(Clone, Copy, Default)]
struct CpuTime {
    user: Duration,
    system: Duration,
}

impl std::ops::Add for CpuTime {
    type Output = CpuTime;
    fn add(self, other: CpuTime) -> CpuTime {
        CpuTime { user: self.user + other.user, system: self.system + other.system }
    }
}

impl std::ops::Sub for CpuTime {
    type Output = CpuTime;
    fn sub(self, earlier: CpuTime) -> CpuTime {
        CpuTime {
            user: self.user.saturating_sub(earlier.user),
            system: self.system.saturating_sub(earlier.system),
        }
    }
}

/// The CPU time a process has used so far (`/proc/<pid>/stat`, all its threads).
fn cpu_time(pid: u32) -> CpuTime {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in brackets and may hold spaces: the state is
    // field 3 of proc(5), utime 14 and stime 15.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // SAFETY: sysconf reads a constant of the system.
    let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let seconds = |index: usize| {
        let ticks: f64 = fields.get(index).and_then(|field| field.parse().ok()).unwrap_or(0.0);
        Duration::from_secs_f64(ticks / ticks_per_second)
    };
    CpuTime { user: seconds(11), system: seconds(12) }
}

/// A `… kB` field of another process's `/proc/<pid>/status` in KiB; 0 where unavailable.
fn proc_status_kib(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status_kib(&status, field).unwrap_or(0.0)
}

/// How many items a batch zip's manifest lists as `ok` (0 if the zip or manifest is broken).
fn batch_ok_items(zip: &[u8]) -> usize {
    let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(zip)) else { return 0 };
    let Ok(entry) = archive.by_name("manifest.json") else { return 0 };
    let manifest: Value = serde_json::from_reader(entry).unwrap_or_default();
    manifest["items"].as_array().map_or(0, |items| items.iter().filter(|item| item["status"] == "ok").count())
}

/// The PyPI `typst` package on the same template and data (`bench/peer.py`), if installed:
/// its full report (latency, throughput with one process per core, memory), then single
/// documents timed in turns with vanban, in fresh pairs of processes ([`paired_in_fresh_processes`]).
fn peer(
    engine: &Engine,
    template: &str,
    bodies: &[Vec<u8>],
    plan: &Plan,
    report: &mut Report,
) -> Option<(Value, Option<Paired>)> {
    let data_dir = resolved_data(engine, template, bodies);
    report.heading(&format!("Peer: PyPI `typst` on `{template}`, same template and data"));
    let result = match run_peer(template, &data_dir) {
        Ok(peer) => {
            report.line("```json");
            report.line(serde_json::to_string_pretty(&peer).unwrap());
            report.line("```");
            Some((peer, paired_in_fresh_processes(template, plan, report)))
        }
        Err(why) => {
            report.line(format!("peer skipped: {why} (install it with `pip install typst`)"));
            None
        }
    };
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

/// A fresh folder holding the data vanban hands Typst for each of `bodies` (`vanban resolve`),
/// one `NNN.json` each, for the peer.
fn resolved_data(engine: &Engine, template: &str, bodies: &[Vec<u8>]) -> std::path::PathBuf {
    let data_dir = std::env::temp_dir().join(format!("vanban-peer-{template}-{}", std::process::id()));
    std::fs::create_dir_all(&data_dir).unwrap();
    for (i, body) in bodies.iter().enumerate() {
        let built = engine.resolve(template, body).unwrap();
        std::fs::write(data_dir.join(format!("{i:03}.json")), &built.data).unwrap();
    }
    data_dir
}

/// `bench/peer.py` on `template` over the resolved data in `data_dir`.
fn peer_command(template: &str, data_dir: &Path) -> Command {
    let python = std::env::var("VANBAN_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(python);
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/peer.py"))
        .args(["--template", template, "--inputs"])
        .arg(data_dir);
    command
}

/// The peer's full report (`bench/peer.py` over the resolved data in `data_dir`), as JSON.
fn run_peer(template: &str, data_dir: &Path) -> Result<Value, String> {
    let mut command = peer_command(template, data_dir);
    let output =
        command.output().map_err(|error| format!("{}: {error}", command.get_program().to_string_lossy()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(stderr.lines().last().unwrap_or("failed").to_string());
    }
    serde_json::from_slice(&output.stdout).map_err(|error| format!("peer output: {error}"))
}

/// Documents vanban, then the peer, typesets in one turn.
const TURN_DOCUMENTS: usize = 10;

/// vanban and the peer take turns of [`TURN_DOCUMENTS`] single documents each, on the same data in
/// the same order: the peer is a warmed `bench/peer.py --turns` process typesetting on request.
/// A slow stretch of a shared machine then falls on both, instead of on whichever separate step
/// it happens to meet.
fn paired_single(
    engine: &Engine,
    template: &str,
    bodies: &[Vec<u8>],
    data_dir: &Path,
    plan: &Plan,
    report: &mut Report,
) -> Option<Paired> {
    let mut peer = TurnProcess::peer(template, data_dir)?;
    let template_ref = engine.catalog().get(template).unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    // The peer's turns start after its warm-up and the one document `start` asks for; so do
    // vanban's.
    let mut next = PEER_WARMUP + 2;
    while ours.len() < plan.single_runs {
        for _ in 0..TURN_DOCUMENTS {
            ours.push(timed_render(engine, template_ref, &bodies[next % bodies.len()]).0);
            next += 1;
        }
        let times = peer.ask(TURN_DOCUMENTS)?;
        theirs.extend(times.into_iter().map(|ms| Duration::from_secs_f64(ms / 1e3)));
    }
    drop(peer);
    if theirs.is_empty() {
        return None;
    }
    ours.sort();
    theirs.sort();
    let (ours_ms, theirs_ms) = (ms(percentile(&ours, 0.5)), ms(percentile(&theirs, 0.5)));
    report.heading(&turns_heading(template));
    report.line("| measure | vanban | peer | ratio |\n|---|---|---|---|");
    report.line(format!(
        "| latency median ({} documents each, turns of {TURN_DOCUMENTS}) | {ours_ms:.2} ms | {theirs_ms:.2} ms | **{:.2}** |",
        ours.len(),
        ours_ms / theirs_ms
    ));
    let (ours_p90, theirs_p90) = (ms(percentile(&ours, 0.9)), ms(percentile(&theirs, 0.9)));
    report.line(format!(
        "| latency p90 | {ours_p90:.1} ms | {theirs_p90:.1} ms | {:.2} |",
        ours_p90 / theirs_p90
    ));
    Some(Paired { ours_ms, theirs_ms })
}

/// The report's heading over a comparison in turns, one pair or several.
fn turns_heading(template: &str) -> String {
    format!("`{template}`, one document at a time, vanban and the peer in turns")
}

/// Fresh pairs of processes that take turns on single documents.
const TURN_PAIRS: usize = 5;

/// [`paired_single`] in [`TURN_PAIRS`] fresh pairs of processes, each this benchmark re-run with
/// the `turns` step and its own peer. Where a process lands on a shared VM moves its figure more
/// than turns can even out: one pair at a time gave 0.83–1.01 for the same code within an hour
/// (BENCHMARKS.md). So the report lists every pair and takes the pair with the median ratio.
fn paired_in_fresh_processes(template: &str, plan: &Plan, report: &mut Report) -> Option<Paired> {
    let benchmark = std::env::current_exe().expect("benchmark binary");
    let pairs: Vec<Paired> = (0..TURN_PAIRS)
        .filter_map(|_| {
            let output = Command::new(&benchmark)
                .args(["turns", "--bench"])
                .env(ONLY_TEMPLATE, template)
                .stderr(Stdio::null())
                .output()
                .ok()?;
            output.status.success().then(|| medians_in_turns(&String::from_utf8_lossy(&output.stdout)))?
        })
        .collect();
    let ratio = |pair: &Paired| pair.ours_ms / pair.theirs_ms;
    let mut by_ratio: Vec<&Paired> = pairs.iter().collect();
    by_ratio.sort_by(|a, b| ratio(a).total_cmp(&ratio(b)));

    report.heading(&turns_heading(template));
    let Some(&&median) = by_ratio.get(by_ratio.len() / 2) else {
        report.line("No pair of processes finished the comparison (`--bench turns` failed).");
        return None;
    };
    report.line(format!(
        "Each pair: a fresh vanban process and a fresh, warmed peer process take turns of \
         {TURN_DOCUMENTS} documents over the same data, {} documents each.\n",
        plan.single_runs
    ));
    report.line("| pair | vanban median | peer median | ratio |\n|---|---|---|---|");
    for (i, pair) in pairs.iter().enumerate() {
        report.line(format!(
            "| {} | {:.1} ms | {:.1} ms | {:.2} |",
            i + 1,
            pair.ours_ms,
            pair.theirs_ms,
            ratio(pair)
        ));
    }
    report.line(format!(
        "| **median of {}** | {:.1} ms | {:.1} ms | **{:.2}** |",
        pairs.len(),
        median.ours_ms,
        median.theirs_ms,
        ratio(&median)
    ));
    Some(median)
}

/// The medians of a `turns` step's report (its `latency median` row).
fn medians_in_turns(report: &str) -> Option<Paired> {
    let row = report.lines().find(|line| line.starts_with("| latency median ("))?;
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    let ms = |cell: &str| cell.strip_suffix(" ms")?.parse().ok();
    Some(Paired { ours_ms: ms(cells.get(2)?)?, theirs_ms: ms(cells.get(3)?)? })
}

/// vanban's figures over the peer's, against issue 8's targets: single-document median (≤ 0.9;
/// from the separate steps and from turns taken with the peer, the fairer of the two on a noisy machine),
/// throughput of one process on every core over the peer's processes, one per core (≥ 1.3), and
/// that process's peak RSS over the sum of theirs (≤ 0.5).
fn ratios_to_peer(peers: &[(&str, Value)], figures: &HashMap<&str, Figures>, report: &mut Report) {
    if peers.is_empty() {
        return;
    }
    report.heading("vanban / peer (targets: median ≤ 0.9, throughput ≥ 1.3, peak memory ≤ 0.5)");
    report.line("| template | median | median, in turns | throughput | peak memory |\n|---|---|---|---|---|");
    for (template, peer) in peers {
        let Some(ours) = figures.get(template) else { continue };
        let peer_peak_mb = peer["throughput"]["worker_vm_hwm_kib"]
            .as_array()
            .map(|workers| workers.iter().filter_map(Value::as_f64).sum::<f64>() / 1024.0);
        let ratio = |ours: Option<f64>, theirs: Option<f64>, unit: &str| match (ours, theirs) {
            (Some(ours), Some(theirs)) if theirs > 0.0 => {
                format!("{ours:.1} / {theirs:.1} {unit} = **{:.2}**", ours / theirs)
            }
            _ => "–".to_owned(),
        };
        report.line(format!(
            "| `{template}` | {} | {} | {} | {} |",
            ratio(ours.median_ms, peer["latency"]["median_ms"].as_f64(), "ms"),
            ratio(ours.paired.as_ref().map(|p| p.ours_ms), ours.paired.as_ref().map(|p| p.theirs_ms), "ms"),
            ratio(ours.docs_per_s, peer["throughput"]["docs_per_s"].as_f64(), "documents/s"),
            ratio(ours.peak_mb, peer_peak_mb, "MB"),
        ));
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/// Runs `job(i)` for every `i` in `range` on `threads` threads, each taking the next index.
fn on_threads(threads: usize, range: std::ops::Range<usize>, job: impl Fn(usize) + Sync) {
    let next = AtomicUsize::new(range.start);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= range.end {
                        break;
                    }
                    job(i);
                }
            });
        }
    });
}

/// A field of `/proc/self/status` in KiB (`VmRSS`, `VmHWM`); 0 where unavailable.
fn rss_kib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status_kib(&status, field).unwrap_or(0.0)
}

/// A `… kB` field of a `/proc/<pid>/status` text.
fn status_kib(status: &str, field: &str) -> Option<f64> {
    status.lines().find_map(|line| {
        line.strip_prefix(field)?.strip_prefix(':')?.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines().find_map(|l| {
                l.strip_prefix("model name")?.split(':').nth(1).map(str::trim).map(String::from)
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpu}, {}", std::env::consts::OS)
}

/// The `vanban` binary the server and cold-start steps run: `VANBAN_BENCH_SERVER` when set
/// (`scripts/pgo-build.sh --bench` sets it to the binary it laid out with BOLT), else the one
/// Cargo built with this benchmark.
fn server_binary() -> std::path::PathBuf {
    std::env::var_os("VANBAN_BENCH_SERVER").map_or_else(|| env!("CARGO_BIN_EXE_vanban").into(), Into::into)
}

/// What the report's first line adds for binaries laid out by BOLT (`scripts/pgo-build.sh`),
/// read from the binaries themselves: the server's and this benchmark's.
fn bolt_layout() -> String {
    let laid_out = |path: &Path| elf_section_names(path).iter().any(|name| name == ".note.bolt_info");
    let server = laid_out(&server_binary());
    let benchmark = std::env::current_exe().is_ok_and(|path| laid_out(&path));
    match (server, benchmark) {
        (true, true) => " + BOLT".into(),
        (true, false) => " + BOLT (server only)".into(),
        (false, true) => " + BOLT (in-process sides only)".into(),
        (false, false) => String::new(),
    }
}

/// The section names of a 64-bit little-endian ELF file; empty for anything else. Reads only
/// the file header, the section headers and their name table (a few kilobytes), not the binary:
/// this process's peak RSS is a figure of the report.
fn elf_section_names(path: &Path) -> Vec<String> {
    use std::os::unix::fs::FileExt;
    let Ok(file) = std::fs::File::open(path) else { return Vec::new() };
    let read = |at: usize, length: usize| -> Option<Vec<u8>> {
        let mut bytes = vec![0; length];
        file.read_exact_at(&mut bytes, u64::try_from(at).ok()?).ok()?;
        Some(bytes)
    };
    let number = |bytes: &[u8], at: usize, width: usize| -> Option<usize> {
        let field = bytes.get(at..at + width)?;
        Some(field.iter().rev().fold(0usize, |value, byte| value << 8 | usize::from(*byte)))
    };
    let names = || -> Option<Vec<String>> {
        let elf = read(0, 64)?;
        if !elf.starts_with(b"\x7fELF\x02\x01") {
            return None;
        }
        let (header_size, count) = (number(&elf, 0x3a, 2)?, number(&elf, 0x3c, 2)?);
        let headers = read(number(&elf, 0x28, 8)?, header_size * count)?;
        let names_header = number(&elf, 0x3e, 2)? * header_size;
        let names =
            read(number(&headers, names_header + 0x18, 8)?, number(&headers, names_header + 0x20, 8)?)?;
        (0..count)
            .map(|index| {
                let name = names.get(number(&headers, index * header_size, 4)?..)?;
                let length = name.iter().position(|&byte| byte == 0)?;
                Some(String::from_utf8_lossy(&name[..length]).into_owned())
            })
            .collect()
    };
    names().unwrap_or_default()
}

fn date() -> String {
    let output = std::process::Command::new("date").arg("-u").arg("+%Y-%m-%d %H:%M UTC").output();
    output.ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

/// A minimal HTTP/1.1 keep-alive client for `Content-Length` responses.
struct HttpClient {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl HttpClient {
    fn connect(addr: std::net::SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).expect("connects");
        stream.set_nodelay(true).unwrap();
        HttpClient { reader: BufReader::new(stream.try_clone().unwrap()), writer: stream }
    }

    fn post(&mut self, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        self.request("POST", path, body)
    }

    fn get(&mut self, path: &str) -> (u16, Vec<u8>) {
        self.request("GET", path, b"")
    }

    /// The server's own time for `template`'s renders so far, from `/metrics`: (seconds, renders).
    fn render_time(&mut self, template: &str) -> (f64, f64) {
        let (status, text) = self.get("/metrics");
        assert_eq!(status, 200, "metrics are served");
        let value = |name: &str| {
            let series = format!("vanban_render_duration_seconds_{name}{{template=\"{template}\"}} ");
            String::from_utf8_lossy(&text)
                .lines()
                .find_map(|line| line.strip_prefix(&series)?.trim().parse().ok())
                .unwrap_or(0.0)
        };
        (value("sum"), value("count"))
    }

    fn request(&mut self, method: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        self.writer.write_all(head.as_bytes()).unwrap();
        self.writer.write_all(body).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let (mut length, mut chunked) = (0, false);
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.trim().eq_ignore_ascii_case("chunked");
                }
            }
        }
        if chunked {
            return (status, self.chunked_body());
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, body)
    }

    /// A streamed (chunked) body, such as a batch's zip.
    fn chunked_body(&mut self) -> Vec<u8> {
        let mut body = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let size = line.trim().split(';').next().and_then(|size| usize::from_str_radix(size, 16).ok());
            let size = size.expect("a chunk size");
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while line != "\r\n" && !line.is_empty() {
                    line.clear();
                    self.reader.read_line(&mut line).unwrap();
                }
                return body;
            }
            let start = body.len();
            body.resize(start + size, 0);
            self.reader.read_exact(&mut body[start..]).unwrap();
            line.clear();
            self.reader.read_line(&mut line).unwrap();
        }
    }
}
