//! The command line: `render`, `blank`, `batch`, `resolve`, `extract`, `templates` and `serve`, each a thin
//! call into the
//! library. Output files are written to a temporary name and renamed, so a failure never leaves
//! a half-written file behind.
//!
//! Exit codes: 0 done; 1 a fault of the server side (templates, fonts, files, a bug); 2 the
//! input is refused, each problem printed as `pointer: message`, nothing written; 3 a batch
//! whose zip was written but skipped some items (each printed as `skipped: pointer: message`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::batch::BatchControl;
use crate::http::{self, HttpConfig};
use crate::{Engine, EngineConfig, Error, batch, fonts, input, spreadsheet};

/// Turn JSON into the official documents of a Party cell, as print-ready PDFs.
#[derive(Debug, Parser)]
#[command(name = "vanban", version)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render one document to PDF.
    Render {
        /// Template id, e.g. `minutes` (see `vanban templates`).
        template: String,
        /// Input JSON file, or `-` for standard input.
        input: PathBuf,
        /// Output PDF file, or `-` for standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Print a blank form to fill by hand: what `INPUT` gives (e.g. the cell's header, the
    /// meeting date and the member list) and dotted lines for everything else.
    Blank {
        /// Template id, e.g. `minutes`.
        template: String,
        /// Partial input JSON file, or `-` for standard input; none for a fully blank form.
        input: Option<PathBuf>,
        /// Output PDF file, or `-` for standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Print the data a template receives (validated, normalised, computed) as JSON, for
    /// previewing a template with standard Typst tooling.
    Resolve {
        /// Template id.
        template: String,
        /// Input JSON file, or `-` for standard input.
        input: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Print the request a PDF made with `"embed_data": true` carries, as
    /// `{"template", "version", "data"}`.
    Extract {
        /// The PDF, or `-` for standard input.
        input: PathBuf,
    },
    /// Render many documents of one template into a zip (see README: batch request), from a
    /// batch request in JSON or a spreadsheet (`.xlsx`, `.ods`, `.csv`).
    Batch {
        /// Batch request: JSON (`-` for standard input), or an `.xlsx`, `.ods` or `.csv` file.
        input: PathBuf,
        /// Output zip file, or `-` for standard output (not needed with `--dry-run`).
        #[arg(short, long, value_name = "FILE", required_unless_present = "dry_run")]
        output: Option<PathBuf>,
        /// Check everything, render nothing: print every problem (with its cell) as JSON.
        #[arg(long)]
        dry_run: bool,
        /// Template of a CSV file (a workbook names its own).
        #[arg(long)]
        template: Option<String>,
        /// Use the Unicode conversion of text detected as TCVN3 or VNI.
        #[arg(long)]
        convert_legacy: bool,
        /// Most items accepted.
        #[arg(long, env = "VANBAN_MAX_BATCH_ITEMS", default_value_t = batch::DEFAULT_MAX_ITEMS)]
        max_items: usize,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Write a template's workbook for batches (XLSX): blank, or filled from a batch request.
    Workbook {
        /// Template id.
        template: String,
        /// A batch request (JSON) to fill the workbook with, e.g. last month's.
        batch: Option<PathBuf>,
        /// Output XLSX file, or `-` for standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// List the available templates.
    Templates {
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// Run the HTTP service.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "VANBAN_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Largest accepted request body in bytes.
        #[arg(long, env = "VANBAN_MAX_BODY_BYTES", default_value_t = http::DEFAULT_MAX_BODY_BYTES)]
        max_body_bytes: usize,
        /// Renders at once (default: number of cores).
        #[arg(long, env = "VANBAN_WORKERS")]
        workers: Option<usize>,
        /// Requests that may wait for a render slot; beyond that the answer is 503.
        #[arg(long, env = "VANBAN_QUEUE", default_value_t = http::DEFAULT_QUEUE)]
        queue: usize,
        /// Longest time one render may take, waiting included (`30s`, `500ms`, `2m`); then 504.
        #[arg(long, env = "VANBAN_RENDER_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
        render_timeout: Duration,
        /// How long in-flight requests may run on after SIGTERM or Ctrl-C.
        #[arg(long, env = "VANBAN_SHUTDOWN_GRACE", default_value = "30s", value_parser = parse_duration)]
        shutdown_grace: Duration,
        /// Log format.
        #[arg(long, env = "VANBAN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
        log_format: LogFormat,
        /// Most items in one batch request.
        #[arg(long, env = "VANBAN_MAX_BATCH_ITEMS", default_value_t = batch::DEFAULT_MAX_ITEMS)]
        max_batch_items: usize,
        #[command(flatten)]
        engine: EngineArgs,
    },
}

/// Where templates and fonts come from.
#[derive(Debug, Args)]
pub struct EngineArgs {
    /// Serve this templates folder instead of the bundled templates.
    #[arg(long, env = "VANBAN_TEMPLATES", value_name = "DIR")]
    pub templates: Option<PathBuf>,
    /// Also load the fonts in this folder (e.g. a licensed Times New Roman).
    #[arg(long, env = "VANBAN_FONTS", value_name = "DIR")]
    pub fonts: Option<PathBuf>,
    /// Font family documents are set in.
    #[arg(long, env = "VANBAN_FONT_FAMILY", default_value = fonts::DEFAULT_FAMILY)]
    pub font_family: String,
}

impl EngineArgs {
    fn engine(&self) -> Result<Engine, Error> {
        Engine::new(&EngineConfig {
            templates: self.templates.clone(),
            fonts: self.fonts.clone(),
            font_family: self.font_family.clone(),
        })
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(error) => report(&error),
    }
}

/// Exit code of a batch whose zip was written without some of its items.
const EXIT_BATCH_SKIPPED: u8 = 3;

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Blank { template, input, output, engine } => {
            let engine = engine.engine()?;
            let body = match input {
                Some(input) => read_input(&input)?,
                None => b"{}".to_vec(),
            };
            let rendered = engine.blank_form(&template, &body)?;
            print_warnings(&rendered.warnings);
            print_template_warnings(&rendered.template_warnings);
            write_output(&output, &rendered.pdf)?;
        }
        Command::Render { template, input, output, engine } => {
            let engine = engine.engine()?;
            let rendered = engine.render(&template, &read_input(&input)?)?;
            print_warnings(&rendered.warnings);
            print_template_warnings(&rendered.template_warnings);
            write_output(&output, &rendered.pdf)?;
            if output != Path::new("-") {
                eprintln!("wrote {} ({} pages)", output.display(), rendered.pages);
            }
        }
        Command::Resolve { template, input, engine } => {
            let built = engine.engine()?.resolve(&template, &read_input(&input)?)?;
            print_warnings(&built.warnings);
            let value: serde_json::Value =
                serde_json::from_slice(&built.data).map_err(|e| Error::Internal(e.to_string()))?;
            let pretty = serde_json::to_string_pretty(&value).map_err(|e| Error::Internal(e.to_string()))?;
            println!("{pretty}");
        }
        Command::Extract { input } => {
            let extracted = crate::extract::extract(&read_input(&input)?)?;
            let pretty =
                serde_json::to_string_pretty(&extracted).map_err(|e| Error::Internal(e.to_string()))?;
            println!("{pretty}");
        }
        Command::Templates { engine } => {
            for template in engine.engine()?.catalog().templates() {
                println!("{:<18} {}", template.id, template.meta.title);
            }
        }
        Command::Workbook { template, batch, output, engine } => {
            let engine = engine.engine()?;
            let bytes = match batch {
                None => spreadsheet::template_workbook(engine.catalog(), engine.catalog().get(&template)?)?,
                Some(path) => {
                    let mut request = input::parse(&read_input(&path)?)?;
                    if let Some(object) = request.as_object_mut() {
                        object.entry("template").or_insert_with(|| template.clone().into());
                    }
                    if request.get("template").and_then(|t| t.as_str()) != Some(template.as_str()) {
                        return Err(Error::Invalid(vec![crate::Issue::error(
                            "/template",
                            "template_mismatch",
                            format!("the batch is not for template `{template}`"),
                        )]));
                    }
                    spreadsheet::export(engine.catalog(), &request)?
                }
            };
            write_output(&output, &bytes)?;
        }
        Command::Batch { input, output, dry_run, template, convert_legacy, max_items, engine } => {
            let engine = engine.engine()?;
            let data = read_input(&input)?;
            let imported = match spreadsheet::Format::from_path(&input) {
                Some(format) => {
                    let options =
                        spreadsheet::ImportOptions { template, convert_legacy, ..Default::default() };
                    Some(spreadsheet::import(engine.catalog(), &data, format, &options)?)
                }
                None => None,
            };
            if dry_run {
                let batch = match &imported {
                    Some(imported) => imported.batch.clone(),
                    None => input::parse(&data)?,
                };
                let report = spreadsheet::dry_run(&engine, &batch, imported.as_ref(), max_items)?;
                let json =
                    serde_json::to_string_pretty(&report).map_err(|e| Error::Internal(e.to_string()))?;
                println!("{json}");
                // The report is on standard output; the errors again on standard error, exit 2.
                let errors: Vec<_> =
                    report.problems.into_iter().filter(|p| p.severity == crate::Severity::Error).collect();
                return if errors.is_empty() { Ok(ExitCode::SUCCESS) } else { Err(Error::Invalid(errors)) };
            }
            let prepared = match &imported {
                Some(imported) => {
                    print_warnings(&imported.warnings);
                    spreadsheet::prepare(&engine, imported, max_items)?
                }
                None => engine.prepare_batch(&data, max_items)?,
            };
            let output = output.unwrap_or_else(|| PathBuf::from("-"));
            let manifest = write_atomically(&output, |out| {
                engine.write_batch(prepared, out, &BatchControl::new(http::default_workers()))
            })?;
            let skipped: Vec<_> =
                manifest.items.iter().filter(|i| i.status == batch::ItemStatus::Skipped).collect();
            for problem in skipped.iter().flat_map(|item| &item.problems) {
                eprintln!("skipped: {problem}");
            }
            eprintln!("{} documents, {} skipped", manifest.items.len() - skipped.len(), skipped.len());
            if !skipped.is_empty() {
                return Ok(ExitCode::from(EXIT_BATCH_SKIPPED));
            }
        }
        Command::Serve {
            addr,
            max_body_bytes,
            workers,
            queue,
            render_timeout,
            shutdown_grace,
            log_format,
            max_batch_items,
            engine,
        } => {
            init_logging(log_format);
            let engine = Arc::new(engine.engine()?);
            let config = HttpConfig {
                max_body_bytes,
                workers: workers.unwrap_or_else(http::default_workers),
                queue,
                render_timeout,
                max_batch_items,
            };
            serve(engine, &addr, &config, shutdown_grace)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Log lines as text for a terminal or as JSON for a log collector.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Logs to standard output at the levels `RUST_LOG` asks for (`info` by default), with colour
/// codes only when standard output is a terminal (a log file or collector gets plain text).
///
/// `RUST_LOG` is read as `tracing_subscriber::filter::Targets`: comma-separated `level` or
/// `target=level` directives (`warn`, `info,vanban=debug`). tracing-subscriber's `EnvFilter`
/// would also filter on span fields, but needs its `env-filter` feature (and a regex engine);
/// directives it alone understands are refused here with a message, and the default applies.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;

    let default = || Targets::new().with_default(LevelFilter::INFO);
    let filter = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.trim().is_empty() => directives.parse().unwrap_or_else(|e| {
            eprintln!("RUST_LOG=`{directives}` ignored ({e}); logging at info");
            default()
        }),
        _ => default(),
    };
    let layer =
        tracing_subscriber::fmt::layer().with_target(false).with_ansi(std::io::stdout().is_terminal());
    let registry = tracing_subscriber::registry();
    match format {
        LogFormat::Text => registry.with(layer.with_filter(filter)).init(),
        LogFormat::Json => {
            registry.with(layer.json().flatten_event(true).with_current_span(true).with_filter(filter)).init()
        }
    }
}

/// `30s`, `500ms`, `2m` or a plain number of seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) =
        text.find(|c: char| !c.is_ascii_digit() && c != '.').map_or((text, "s"), |i| text.split_at(i));
    let value: f64 =
        number.parse().map_err(|_| format!("`{text}` is not a duration like 30s, 500ms or 2m"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("`{text}`: the unit must be ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

fn serve(engine: Arc<Engine>, addr: &str, config: &HttpConfig, grace: Duration) -> Result<(), Error> {
    let runtime = http::runtime(config)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(%addr, workers = config.workers, queue = config.queue, "vanban listening");
        http::serve(listener, http::Service::new(engine, config)?, shutdown_signal(), grace).await?;
        tracing::info!("stopped");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    if path == Path::new("-") {
        let mut data = Vec::new();
        std::io::stdin().read_to_end(&mut data)?;
        Ok(data)
    } else {
        std::fs::read(path)
            .map_err(|e| Error::Io(std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))))
    }
}

fn write_output(path: &Path, data: &[u8]) -> Result<(), Error> {
    write_atomically(path, |out| Ok(out.write_all(data)?))
}

/// Writes next to the target under a temporary name, then renames: readers never see half a
/// file, and a failure leaves nothing behind. `-` writes to standard output.
fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, Error>,
) -> Result<T, Error> {
    if path == Path::new("-") {
        let mut stdout = std::io::stdout().lock();
        let value = write(&mut stdout)?;
        stdout.flush()?;
        return Ok(value);
    }
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temporary = path.with_file_name(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temporary).map_err(Error::from).and_then(|file| {
        let mut out = std::io::BufWriter::new(file);
        let value = write(&mut out)?;
        out.into_inner().map_err(|e| Error::Io(e.into_error()))?.sync_all()?;
        std::fs::rename(&temporary, path)?;
        Ok(value)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Typst's warnings about the template, for whoever maintains it.
fn print_template_warnings(warnings: &[crate::Diagnostic]) {
    for warning in warnings {
        eprintln!("template warning: {warning}");
    }
}

fn print_warnings(warnings: &[crate::Issue]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

/// Prints an error and picks the exit code: 2 for refused input, 1 for anything else.
fn report(error: &Error) -> ExitCode {
    match error {
        Error::Invalid(issues) => {
            eprintln!("error: {error}");
            for issue in issues {
                eprintln!("{issue}");
            }
        }
        other => eprintln!("error: {other}"),
    }
    if error.is_client_error() { ExitCode::from(2) } else { ExitCode::FAILURE }
}
