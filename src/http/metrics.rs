//! Prometheus metrics, exposed at `GET /metrics` in the text format: requests by route and
//! status, render durations by template, pages and batch items produced, queue depth, renders in
//! flight and process memory. Labels are routes and template ids only, never request content.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Upper bounds of the render duration histogram, in seconds.
const BUCKETS: [f64; 11] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The service's counters.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    render_seconds: Mutex<BTreeMap<String, Histogram>>,
    pages: AtomicU64,
    batch_items: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    /// Counts an answered request.
    pub fn request(&self, route: &str, status: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route.to_string(), status)).or_default() += 1;
        }
    }

    /// Records one document typeset with `template`.
    pub fn rendered(&self, template: &str, took: Duration, pages: usize) {
        self.pages.fetch_add(pages as u64, Ordering::Relaxed);
        let seconds = took.as_secs_f64();
        if let Ok(mut histograms) = self.render_seconds.lock() {
            let histogram = histograms.entry(template.to_string()).or_default();
            for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
                if seconds <= bound {
                    *count += 1;
                }
            }
            histogram.count += 1;
            histogram.sum += seconds;
        }
    }

    /// Counts a batch item by outcome (`ok`, `skipped`).
    pub fn batch_item(&self, status: &'static str) {
        if let Ok(mut items) = self.batch_items.lock() {
            *items.entry(status).or_default() += 1;
        }
    }

    /// Batch items produced so far with `status`.
    pub fn batch_items(&self, status: &str) -> u64 {
        self.batch_items.lock().map(|items| items.get(status).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// The text exposition, with the gauges read now.
    pub fn render(&self, queued: usize, in_flight: usize) -> String {
        let mut out = String::new();
        family(
            &mut out,
            "vanban_http_requests_total",
            "counter",
            "HTTP requests answered, by route and status.",
        );
        if let Ok(requests) = self.requests.lock() {
            for ((route, status), n) in requests.iter() {
                let _ =
                    writeln!(out, "vanban_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
            }
        }
        let name = "vanban_render_duration_seconds";
        family(&mut out, name, "histogram", "Time to produce one document, by template.");
        if let Ok(histograms) = self.render_seconds.lock() {
            for (template, h) in histograms.iter() {
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(out, "{name}_bucket{{template=\"{template}\",le=\"{bound}\"}} {count}");
                }
                let _ = writeln!(out, "{name}_bucket{{template=\"{template}\",le=\"+Inf\"}} {}", h.count);
                let _ = writeln!(out, "{name}_sum{{template=\"{template}\"}} {}", h.sum);
                let _ = writeln!(out, "{name}_count{{template=\"{template}\"}} {}", h.count);
            }
        }
        family(&mut out, "vanban_pages_rendered_total", "counter", "Pages of all documents produced.");
        let _ = writeln!(out, "vanban_pages_rendered_total {}", self.pages.load(Ordering::Relaxed));
        family(&mut out, "vanban_batch_items_total", "counter", "Batch items, by outcome.");
        for status in ["ok", "skipped"] {
            let _ =
                writeln!(out, "vanban_batch_items_total{{status=\"{status}\"}} {}", self.batch_items(status));
        }
        family(&mut out, "vanban_queue_depth", "gauge", "Requests waiting for a render slot.");
        let _ = writeln!(out, "vanban_queue_depth {queued}");
        family(&mut out, "vanban_renders_in_flight", "gauge", "Render slots in use.");
        let _ = writeln!(out, "vanban_renders_in_flight {in_flight}");
        if let Some(rss) = resident_memory_bytes() {
            family(&mut out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        out
    }
}

/// The `# HELP` and `# TYPE` lines of a metric family.
fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Resident set size from `/proc/self/statm` (Linux); `None` elsewhere.
fn resident_memory_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}
