#!/usr/bin/env python3
"""Benchmark the peer: the `typst` Python binding (PyPI `typst`, Typst 0.15) rendering the same
templates over the same data vanban's templates receive.

The peer is what a Python user would write: one `typst.Compiler` per process, reused for every
document, the template folder on disk (a private temporary copy of templates/, so concurrent
workers never share a data file), fonts from fonts/ only, PDF/A-2b with the document's date as
creation timestamp (vanban's defaults). The per-document data is fed in one of two ways
(--feed):
  file    (default) write <tmp root>/data.json, then compile the template's main.typ; the
          binding's world re-reads and re-hashes files changed since the previous compile;
  memory  pass input={"main.typ": <template source>, "data.json": <data bytes>}: both served
          from memory (main at /main.typ; /lib/vanban.typ is read from the root on disk).
Either way, before measuring, two different documents are compiled and their PDFs (and, if
pdftotext is installed, their texts) must differ, and compiling the first again must give the
first text back: the compiler really sees each document's data.

Inputs: --inputs DIR, a folder written by bench/make_inputs.py (DIR/data/*.json + manifest.json
with each document's date and vanban's page count) or any folder of *.json files as printed by
`vanban resolve`.

Measures (warm: after --warmup compiles in the measuring process):
  latency      --compiles compiles cycling over the N inputs, one process: median, p90, mean,
               min, max of the per-document time (data hand-over + compile + PDF export), and
               of the compile call alone;
  pages        pages per document (parsed from the PDF), checked against vanban's if known;
  phases       (unless --no-phases) per document: compile only (Compiler.query, layout without
               export) on fresh data, and export ~= compile(pdf) - query on the now-memoized
               document;
  throughput   --procs processes, each with its own Compiler (warmed), released together by a
               barrier, --throughput-docs documents in total: docs/s over the wall time;
  memory       peak RSS (VmHWM) of the latency worker and of each throughput worker.
Results: one JSON object on stdout, a human summary on stderr.

--turns: no measuring of its own; for a caller that times itself and the peer in turns (vanban's
benchmark). After --warmup compiles, each line "N" on stdin compiles the next N documents
(cycling from document warmup + 1, as the latency measure does) and answers one JSON line
{"ms": [per-document times]} on stdout; end of input ends the process.

Note: Typst memoizes (comemo); the binding evicts entries unused for 10 compiles after each
compile (vanban: entries unused over the last 2–4 jobs, see src/typeset.rs), so cycling over N >= ~12 distinct documents measures documents whose own
results are no longer cached, while the shared template/library work stays warm, as in a
long-running service.

Usage:
  python3 bench/peer.py --template minutes --inputs /tmp/vanban-bench-inputs/minutes
"""

import argparse
import datetime
import glob
import json
import math
import multiprocessing as mp
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib

import typst

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# ---------------------------------------------------------------- inputs

def load_inputs(path):
    """[(id, data bytes, date 'YYYY-MM-DD' or None, vanban pages or None)]"""
    manifest_path = os.path.join(path, "manifest.json")
    docs = []
    if os.path.exists(manifest_path):
        for e in json.load(open(manifest_path, encoding="utf-8")):
            with open(os.path.join(path, e["data"]), "rb") as f:
                docs.append((e["id"], f.read(), e.get("date"), e.get("pages")))
    else:
        folder = os.path.join(path, "data") if os.path.isdir(os.path.join(path, "data")) else path
        for p in sorted(glob.glob(os.path.join(folder, "*.json"))):
            with open(p, "rb") as f:
                docs.append((os.path.splitext(os.path.basename(p))[0], f.read(), None, None))
    if not docs:
        sys.exit(f"no inputs in {path}")
    for doc in docs:
        json.loads(doc[1])  # fail early on a broken file
    return docs


def timestamp_of(date):
    """The document's date at 00:00 UTC, as vanban stamps its PDFs (and sets `today`)."""
    if not date:
        return 1795305600  # 2026-11-22
    d = datetime.date.fromisoformat(date)
    return int(datetime.datetime(d.year, d.month, d.day, tzinfo=datetime.timezone.utc).timestamp())


# ---------------------------------------------------------------- PDF helpers (stdlib only)

PAGE_RE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
STREAM_RE = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def pdf_pages(pdf):
    n = len(PAGE_RE.findall(pdf))
    if n:
        return n
    # Page objects inside compressed object streams.
    for body in STREAM_RE.findall(pdf):
        try:
            n += len(PAGE_RE.findall(zlib.decompress(body)))
        except zlib.error:
            pass
    return n


def pdf_text(pdf):
    """Text via pdftotext if installed (verification only, never timed); else None."""
    if not shutil.which("pdftotext"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdftotext", f.name, "-"], capture_output=True).stdout.decode("utf-8", "replace")


def vm_hwm_kib():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# ---------------------------------------------------------------- the peer

class Peer:
    """One reused typst.Compiler over a private copy of the templates folder."""

    def __init__(self, cfg):
        self.cfg = cfg
        t0 = time.perf_counter()
        self.tmp = tempfile.mkdtemp(prefix="vanban-peer-")
        self.root = os.path.join(self.tmp, "templates")
        shutil.copytree(cfg["templates"], self.root, ignore=shutil.ignore_patterns("data.json"))
        self.main_path = os.path.join(self.root, cfg["template"], "main.typ")
        self.data_path = os.path.join(self.root, "data.json")
        with open(self.main_path, "rb") as f:
            self.main_source = f.read()
        # The data file must exist before the first compile in file mode.
        with open(self.data_path, "wb") as f:
            f.write(b"{}")
        # vanban serves /request.json as `null` unless a request asks for `embed_data`; the shared
        # library reads it (and attaches nothing when it is null), so the peer serves the same.
        with open(os.path.join(self.root, "request.json"), "wb") as f:
            f.write(b"null")
        self.compiler = typst.Compiler(
            self.main_path if cfg["feed"] == "file" else None,
            root=self.root,
            font_paths=[cfg["fonts"]],
            ignore_system_fonts=True,
        )
        self.setup_s = time.perf_counter() - t0
        self.standards = [s for s in cfg["pdf_standard"].split("+") if s and s != "none"]

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def feed(self, data):
        """Hands the document's data to the compiler. Returns the `input` argument for compile."""
        if self.cfg["feed"] == "file":
            with open(self.data_path, "wb") as f:
                f.write(data)
            return None
        return {"main.typ": self.main_source, "data.json": data}

    def render(self, doc):
        """(pdf, seconds for feed+compile, seconds for compile call alone)"""
        _, data, date, _ = doc
        t0 = time.perf_counter()
        inp = self.feed(data)
        t1 = time.perf_counter()
        pdf = self.compiler.compile(input=inp, format="pdf", pdf_standards=self.standards,
                                    timestamp=timestamp_of(date))
        t2 = time.perf_counter()
        return pdf, t2 - t0, t2 - t1

    def layout_only(self, doc):
        """Compile without export (query). Only valid right after feed() in file mode."""
        t0 = time.perf_counter()
        self.compiler.query("<vanban-signature>")
        return time.perf_counter() - t0


def verify(peer, docs):
    """The compiler must see each document's own data."""
    if len(docs) < 2:
        return {"checked": False}
    a1, _, _ = peer.render(docs[0])
    b, _, _ = peer.render(docs[1])
    a2, _, _ = peer.render(docs[0])
    if a1 == b:
        raise SystemExit("verification failed: two different inputs gave the same PDF")
    ta1, tb, ta2 = pdf_text(a1), pdf_text(b), pdf_text(a2)
    if ta1 is not None:
        if ta1 == tb:
            raise SystemExit("verification failed: two different inputs gave the same text")
        if ta1 != ta2:
            raise SystemExit("verification failed: the same input gave different texts")
    if a1 != a2:
        # Deterministic in practice (same timestamp, ident derived from the document).
        print("note: the same input gave byte-different PDFs", file=sys.stderr)
    return {"checked": True, "pdf_differs": True, "text_checked": ta1 is not None,
            "same_input_same_pdf": a1 == a2}


def summarize(xs):
    xs = sorted(xs)
    if not xs:
        return None
    def pct(p):
        # nearest-rank percentile
        k = max(0, min(len(xs) - 1, math.ceil(p / 100 * len(xs)) - 1))
        return xs[k]
    ms = lambda s: round(s * 1000, 2)
    return {"n": len(xs), "median_ms": ms(statistics.median(xs)), "p90_ms": ms(pct(90)),
            "mean_ms": ms(statistics.fmean(xs)), "min_ms": ms(xs[0]), "max_ms": ms(xs[-1])}


# ---------------------------------------------------------------- workers (own process each)

def latency_worker(cfg, docs, queue):
    peer = Peer(cfg)
    try:
        t0 = time.perf_counter()
        first_pdf, _, _ = peer.render(docs[0])
        first_s = time.perf_counter() - t0
        check = verify(peer, docs) if cfg["verify"] else {"checked": False}
        for i in range(cfg["warmup"]):
            peer.render(docs[(i + 1) % len(docs)])
        rss_before = vm_hwm_kib()

        # Start with the first document not compiled yet, so no measured document is one whose
        # own results are still memoized from verification / warm-up.
        start = cfg["warmup"] + 1
        total, compile_only, pages = [], [], {}
        for i in range(cfg["compiles"]):
            doc = docs[(start + i) % len(docs)]
            pdf, t_all, t_compile = peer.render(doc)
            total.append(t_all)
            compile_only.append(t_compile)
            if doc[0] not in pages:
                pages[doc[0]] = (pdf_pages(pdf), len(pdf))

        phases = None
        if cfg["phases"] and cfg["feed"] == "file":
            layout, export, full = [], [], []
            for i in range(min(cfg["compiles"], 4 * len(docs))):
                doc = docs[(i + 7) % len(docs)]
                peer.feed(doc[1])
                t_layout = peer.layout_only(doc)          # fresh data: full layout, no export
                t_hit = peer.layout_only(doc)             # memoized layout
                _, _, t_pdf = peer.render(doc)            # memoized layout + PDF export
                layout.append(t_layout)
                export.append(max(0.0, t_pdf - t_hit))
                full.append(t_pdf)
            phases = {"layout_no_export": summarize(layout), "export_estimate": summarize(export),
                      "note": "layout = Compiler.query on fresh data; export = compile(pdf) - query, both on memoized layout"}

        queue.put({
            "setup_s": round(peer.setup_s, 4),
            "first_compile_ms": round(first_s * 1000, 1),
            "verify": check,
            "latency": summarize(total),
            "compile_call": summarize(compile_only),
            "pages": pages,
            "phases": phases,
            "vm_hwm_kib_after_warmup": rss_before,
            "vm_hwm_kib": vm_hwm_kib(),
            "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        })
    finally:
        peer.close()


def serve_turns(cfg, docs):
    peer = Peer(cfg)
    try:
        for i in range(cfg["warmup"] + 1):
            peer.render(docs[i % len(docs)])
        next_doc = cfg["warmup"] + 1
        for line in sys.stdin:
            times = []
            for _ in range(int(line)):
                _, t_all, _ = peer.render(docs[next_doc % len(docs)])
                times.append(round(t_all * 1000, 3))
                next_doc += 1
            print(json.dumps({"ms": times}), flush=True)
    finally:
        peer.close()


def throughput_worker(cfg, docs, index, count, barrier, queue):
    peer = Peer(cfg)
    try:
        # Each worker warms up on its own slice and then goes on from there (no memoized repeat).
        offset = index * len(docs) // cfg["procs"]
        for i in range(cfg["warmup"]):
            peer.render(docs[(offset + i) % len(docs)])
        offset += cfg["warmup"]
        barrier.wait()
        start = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
        for i in range(count):
            peer.render(docs[(offset + i) % len(docs)])
        end = time.perf_counter()
        queue.put({"index": index, "start": start, "end": end, "docs": count,
                   "vm_hwm_kib": vm_hwm_kib(),
                   "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss})
    finally:
        peer.close()


def run_latency(ctx, cfg, docs):
    queue = ctx.Queue()
    p = ctx.Process(target=latency_worker, args=(cfg, docs, queue))
    p.start()
    result = queue.get()
    p.join()
    if p.exitcode:
        sys.exit(f"latency worker failed (exit {p.exitcode})")
    return result


def run_throughput(ctx, cfg, docs):
    procs, total = cfg["procs"], cfg["throughput_docs"]
    counts = [total // procs + (1 if i < total % procs else 0) for i in range(procs)]
    barrier, queue = ctx.Barrier(procs), ctx.Queue()
    workers = [ctx.Process(target=throughput_worker, args=(cfg, docs, i, counts[i], barrier, queue))
               for i in range(procs)]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
        if w.exitcode:
            sys.exit(f"throughput worker failed (exit {w.exitcode})")
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return {
        "procs": procs,
        "docs": sum(r["docs"] for r in results),
        "wall_s": round(wall, 3),
        "docs_per_s": round(sum(r["docs"] for r in results) / wall, 2),
        "per_worker_docs_per_s": [round(r["docs"] / (r["end"] - r["start"]), 2) for r in
                                  sorted(results, key=lambda r: r["index"])],
        "worker_vm_hwm_kib": [r["vm_hwm_kib"] for r in sorted(results, key=lambda r: r["index"])],
        "worker_ru_maxrss_kib": [r["ru_maxrss_kib"] for r in sorted(results, key=lambda r: r["index"])],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--template", required=True, help="template id (folder under --templates)")
    ap.add_argument("--inputs", required=True, help="folder from make_inputs.py (or of resolved *.json)")
    ap.add_argument("--templates", default=os.path.join(REPO, "templates"))
    ap.add_argument("--fonts", default=os.path.join(REPO, "fonts"))
    ap.add_argument("--feed", choices=["file", "memory"], default="file")
    ap.add_argument("--pdf-standard", default="a-2b",
                    help="as vanban's pdf_standard: a-2b (default), a-2a+ua-1, none")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--compiles", type=int, default=200, help="latency: compiles, cycling over the inputs")
    ap.add_argument("--procs", type=int, default=2, help="throughput: worker processes")
    ap.add_argument("--throughput-docs", type=int, default=200, help="throughput: documents in total")
    ap.add_argument("--no-phases", dest="phases", action="store_false")
    ap.add_argument("--no-verify", dest="verify", action="store_false")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--turns", action="store_true", help="compile on request from stdin (see above)")
    args = ap.parse_args()

    docs = load_inputs(args.inputs)
    if len(docs) < 12:
        print(f"warning: only {len(docs)} inputs; with fewer than ~12 the binding's memo cache "
              "(evicts after 10 compiles) still holds each document's results when it comes round again",
              file=sys.stderr)
    cfg = {"template": args.template, "templates": os.path.abspath(args.templates),
           "fonts": os.path.abspath(args.fonts), "feed": args.feed,
           "pdf_standard": args.pdf_standard, "warmup": args.warmup, "compiles": args.compiles,
           "procs": args.procs, "throughput_docs": args.throughput_docs,
           "phases": args.phases, "verify": args.verify}
    if args.turns:
        serve_turns(cfg, docs)
        return
    ctx = mp.get_context("spawn")
    load_before = os.getloadavg()

    lat = run_latency(ctx, cfg, docs)
    thr = None if args.skip_throughput else run_throughput(ctx, cfg, docs)

    page_counts = [p for p, _ in lat["pages"].values()]
    vanban_pages = {d[0]: d[3] for d in docs if d[3] is not None}
    mismatches = {i: {"peer": lat["pages"][i][0], "vanban": vanban_pages[i]}
                  for i in lat["pages"] if i in vanban_pages and lat["pages"][i][0] != vanban_pages[i]}
    result = {
        "peer": "typst-py",
        "typst_py_version": getattr(typst, "__version__", None),
        "python": platform.python_version(),
        "template": args.template,
        "inputs": len(docs),
        "feed": args.feed,
        "pdf_standard": args.pdf_standard,
        "cpus": os.cpu_count(),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "setup_s": lat["setup_s"],
        "first_compile_ms": lat["first_compile_ms"],
        "warmup": args.warmup,
        "latency": lat["latency"],
        "compile_call": lat["compile_call"],
        "phases": lat["phases"],
        "pages": {"min": min(page_counts), "max": max(page_counts),
                  "mean": round(statistics.fmean(page_counts), 2),
                  "distinct_docs": len(page_counts),
                  "checked_against_vanban": len([i for i in lat["pages"] if i in vanban_pages]),
                  "mismatches_vs_vanban": mismatches},
        "pdf_bytes_mean": round(statistics.fmean(b for _, b in lat["pages"].values())),
        "single_process_docs_per_s": round(1000 / lat["latency"]["mean_ms"], 2),
        "throughput": thr,
        "rss": {"latency_worker_vm_hwm_kib": lat["vm_hwm_kib"],
                "latency_worker_vm_hwm_kib_after_warmup": lat["vm_hwm_kib_after_warmup"],
                "latency_worker_ru_maxrss_kib": lat["ru_maxrss_kib"],
                "throughput_workers_vm_hwm_kib": thr["worker_vm_hwm_kib"] if thr else None},
        "verify": lat["verify"],
    }
    print(json.dumps(result, indent=1))

    L, P = result["latency"], result["pages"]
    lines = [
        f"peer typst-py {result['typst_py_version']} · {args.template} · {len(docs)} inputs · feed={args.feed} · {args.pdf_standard}",
        f"  setup {result['setup_s'] * 1000:.0f} ms, first compile {result['first_compile_ms']:.0f} ms",
        f"  latency (warm, {L['n']} docs): median {L['median_ms']:.1f} ms, p90 {L['p90_ms']:.1f} ms "
        f"(mean {L['mean_ms']:.1f}, min {L['min_ms']:.1f}, max {L['max_ms']:.1f})",
        f"  pages/doc {P['min']}-{P['max']} (mean {P['mean']})"
        + (f", vs vanban: {len(P['mismatches_vs_vanban'])} mismatches of {P['checked_against_vanban']}"
           if P["checked_against_vanban"] else ""),
    ]
    if result["phases"]:
        ph = result["phases"]
        lines.append(f"  phases: layout {ph['layout_no_export']['median_ms']:.1f} ms median, "
                     f"export ~{ph['export_estimate']['median_ms']:.1f} ms median")
    if thr:
        lines.append(f"  throughput {thr['procs']} procs: {thr['docs_per_s']:.1f} docs/s "
                     f"({thr['docs']} docs in {thr['wall_s']:.2f} s; single process {result['single_process_docs_per_s']:.1f} docs/s)")
    lines.append(f"  peak RSS: latency worker {lat['vm_hwm_kib'] / 1024:.0f} MiB"
                 + (", throughput workers " + ", ".join(f"{k / 1024:.0f}" for k in thr["worker_vm_hwm_kib"]) + " MiB" if thr else ""))
    lines.append(f"  load average before {result['loadavg_before'][0]}, after {result['loadavg_after'][0]} ({result['cpus']} CPUs)")
    print("\n".join(lines), file=sys.stderr)


if __name__ == "__main__":
    main()
