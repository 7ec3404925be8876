#!/usr/bin/env python3
"""Soak-test client for a running `vanban serve` (Python 3 standard library only).

Normally started by scripts/soak.sh, which launches the server on a free loopback port and
passes --base-url and --server-pid. It can also be pointed at a server you started yourself:

    python3 scripts/soak.py --base-url http://127.0.0.1:8080 --server-pid PID \
        --max-body-bytes 1048576 --duration 60 --concurrency 4

Each client thread opens a fresh connection per request and picks a request kind at random
(weights: --mix). Every response is checked against what that kind must return; anything
else is an "unexpected" result and makes the run fail. 503 (load shedding) is allowed for
every kind but counted separately, and must carry Retry-After.

Exit status: 0 pass, 1 fail (unexpected results, RSS check, server died), 2 setup error.
"""

import argparse
import copy
import http.client
import io
import json
import math
import os
import random
import signal
import socket
import sys
import threading
import time
import urllib.parse
import zipfile

# ---------------------------------------------------------------------------------------------
# Request kinds and what each must return.

DEFAULT_MIX = {
    "render_minutes": 26,  # valid minutes, varied per request → 200 %PDF-
    "render_resolution": 26,  # valid resolution, varied per request → 200 %PDF-
    "batch": 5,  # 5–24 items of batch-resolutions.json → 200 PK, complete zip
    "batch_abort": 2,  # batch, client hangs up after the first bytes → 200 PK
    "slow_upload": 5,  # valid resolution trickled in pieces over 2–4 s → 200 %PDF-
    "malformed_json": 9,  # → 400
    "oversized": 4,  # body > --max-body-bytes → 413
    "wrong_content_type": 4,  # text/plain → 415
    "unknown_template": 7,  # → 404
    "invalid_document": 12,  # schema / date / type errors → 422
}

EXPECTED = {
    "render_minutes": 200,
    "render_resolution": 200,
    "batch": 200,
    "batch_abort": 200,
    "slow_upload": 200,
    "malformed_json": 400,
    "oversized": 413,
    "wrong_content_type": 415,
    "unknown_template": 404,
    "invalid_document": 422,
}

VALID_RENDER_KINDS = ("render_minutes", "render_resolution")

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Lò", "Quàng", "Vi"]
MIDDLES = ["Văn", "Thị", "Minh", "Quốc", "Thu", "Ngọc", "Đức", "Thanh", "Hữu", "Xuân"]
GIVENS = ["Hùng", "Phương", "Hà", "Đức", "Ánh", "Nam", "Yến", "Khánh", "Thắng", "Lan", "Sơn", "Hạnh"]


def vn_name(rng):
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"


class Payloads:
    """Builds request bodies; every valid body differs from the last (counter + random)."""

    def __init__(self, fixtures, max_body_bytes):
        def load(name):
            with open(os.path.join(fixtures, name), encoding="utf-8") as f:
                return json.load(f)

        self.minutes = load("minutes.json")
        self.resolution = load("resolution.json")
        self.batch = load("batch-resolutions.json")
        # Valid JSON, comfortably over the limit (2 MiB for the 1 MiB soak.sh sets).
        pad = max(2 * max_body_bytes, max_body_bytes + 1024 * 1024)
        self.oversized = b'{"padding":"' + b"x" * pad + b'"}'

    @staticmethod
    def encode(doc):
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")

    def minutes_doc(self, n, rng):
        d = copy.deepcopy(self.minutes)
        d["issuer"]["name"] = f"CHI BỘ TỔ DÂN PHỐ {n}"
        date = f"2026-11-{rng.randint(1, 28):02d}"
        d["issue_date"] = date
        d["meeting"]["date"] = date
        # Rename a member who is neither chair nor secretary (ids stay, so references hold).
        keep = {d["meeting"]["chair"]["member_id"], d["meeting"]["secretary"]["member_id"]}
        others = [m for m in d["members"] if m["member_id"] not in keep]
        if others:
            rng.choice(others)["full_name"] = vn_name(rng)
        if d.get("discussion"):
            item = rng.choice(d["discussion"])
            item["text"] = f"{item['text']} (Ý kiến bổ sung lượt {n}.)"
        d["conclusion"] = f"{d['conclusion']} Ghi chú kiểm thử số {n}."
        return d

    def resolution_doc(self, n, rng):
        d = copy.deepcopy(self.resolution)
        d["issuer"]["name"] = f"CHI BỘ TỔ DÂN PHỐ {n}"
        d["number"]["seq"] = n % 999 + 1
        date = f"2026-11-{rng.randint(1, 28):02d}"
        d["issue_date"] = date
        d["meeting_date"] = date
        strength = rng.choice(d["results"]["strengths"])
        strength["text"] = f"{strength['text']} Lượt kiểm thử {n}: {rng.randint(1, 10**6)} lượt tham gia."
        d["signer"]["full_name"] = vn_name(rng)
        return d

    def batch_doc(self, n, rng, count):
        d = copy.deepcopy(self.batch)
        items = rng.sample(d["items"], count)
        for k, item in enumerate(items):
            item.setdefault("issuer", {})["name"] = f"CHI BỘ SOAK {n} - {k + 1}"
            item.setdefault("number", {})["seq"] = (n + k) % 999 + 1
        d["items"] = items
        return d

    def malformed(self, n, rng):
        valid = self.encode(self.resolution_doc(n, rng))
        choices = [
            valid[: rng.randint(1, len(valid) - 2)],  # truncated
            b'{"issuer": {"name": "CHI B\xe1\xbb\x98",}',  # trailing comma
            b"not json at all",
            b'{"a": 1',  # unterminated object
            b"",
            b'{"issue_date": "2026-11-0' + str(n % 10).encode() + b'" "x": 1}',  # missing comma
            b'{"a":"\xff\xfe"}',  # invalid UTF-8
        ]
        return rng.choice(choices)

    def invalid(self, n, rng):
        d = self.resolution_doc(n, rng)
        how = rng.randrange(6)
        if how == 0:
            d["issue_date"] = f"2026-13-{rng.randint(32, 99)}"
        elif how == 1:
            del d["issuer"]
        elif how == 2:
            d["number"]["seq"] = "mười tám"
        elif how == 3:
            d["meeting_date"] = "hôm nay"
        elif how == 4:
            return "resolution", b"[]"
        else:
            d = self.minutes_doc(n, rng)
            d["issue_date"] = "2026-02-30"
            return "minutes", self.encode(d)
        return "resolution", self.encode(d)


# ---------------------------------------------------------------------------------------------
# HTTP


class Outcome:
    __slots__ = ("kind", "status", "latency", "problem", "retry_after")

    def __init__(self, kind, status, latency, problem=None, retry_after=None):
        self.kind = kind
        self.status = status  # int, or "ERR:<what>" for transport failures
        self.latency = latency
        self.problem = problem  # None when the response is as expected
        self.retry_after = retry_after


class Client:
    def __init__(self, base_url, timeout):
        u = urllib.parse.urlsplit(base_url)
        self.host = u.hostname
        self.port = u.port or 80
        self.timeout = timeout

    def request(self, path, body, content_type="application/json", pieces=None, abort_after=None,
                method="POST"):
        """Returns (status, headers, body_bytes, send_error). Raises OSError/HTTPException
        on transport failure. `pieces`: list of (bytes, sleep_before) for a trickled upload."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            if body is not None:
                conn.putheader("Content-Type", content_type)
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            send_error = None
            try:
                if pieces is not None:
                    for chunk, pause in pieces:
                        if pause:
                            time.sleep(pause)
                        conn.send(chunk)
                elif body:
                    view = memoryview(body)
                    for off in range(0, len(body), 64 * 1024):
                        conn.send(view[off: off + 64 * 1024])
            except (BrokenPipeError, ConnectionResetError) as e:
                # A server may answer (e.g. 413) and close before the body is all sent.
                send_error = e
            resp = conn.getresponse()
            if abort_after is not None:
                data = resp.read(abort_after)
            else:
                data = resp.read()
            return resp.status, resp.headers, data, send_error
        finally:
            conn.close()


def check_pdf(data):
    if not data.startswith(b"%PDF-"):
        return f"body is not a PDF (starts {data[:16]!r})"
    return None


def check_zip(data, expected_items):
    if not data.startswith(b"PK"):
        return f"body is not a zip (starts {data[:16]!r})"
    if expected_items is None:
        return None
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        names = z.namelist()
        pdfs = [n for n in names if n.lower().endswith(".pdf")]
        if len(pdfs) != expected_items:
            return f"zip holds {len(pdfs)} PDFs, expected {expected_items}"
        for name in pdfs:
            with z.open(name) as f:
                if f.read(5) != b"%PDF-":
                    return f"zip entry {name} is not a PDF"
        if "manifest.json" in names:
            manifest = json.loads(z.read("manifest.json"))
            bad = [i for i in manifest.get("items", []) if i.get("status") != "ok"]
            if bad:
                return f"manifest lists {len(bad)} item(s) not ok"
        bad_crc = z.testzip()
        if bad_crc:
            return f"zip entry {bad_crc} fails its CRC"
    except (zipfile.BadZipFile, ValueError, KeyError, EOFError) as e:
        return f"incomplete or corrupt zip: {e}"
    return None


class Soak:
    def __init__(self, args):
        self.args = args
        self.client = Client(args.base_url, args.request_timeout)
        self.payloads = Payloads(args.fixtures, args.max_body_bytes)
        self.mix = parse_mix(args.mix)
        self.kinds = list(self.mix)
        self.weights = [self.mix[k] for k in self.kinds]
        self.lock = threading.Lock()
        self.issued = 0
        self.outcomes = []
        self.start = None
        self.deadline = None
        self.stop = threading.Event()
        self.sampler = None

    # -- one request of each kind -----------------------------------------------------------

    def run_one(self, kind, n, rng):
        p = self.payloads
        pieces = None
        abort_after = None
        content_type = "application/json"
        zip_items = None
        if kind == "render_minutes":
            path, body = "/v1/render/minutes", p.encode(p.minutes_doc(n, rng))
        elif kind == "render_resolution":
            path, body = "/v1/render/resolution", p.encode(p.resolution_doc(n, rng))
        elif kind in ("batch", "batch_abort"):
            count = rng.randint(5, min(24, len(p.batch["items"])))
            path, body = "/v1/batch", p.encode(p.batch_doc(n, rng, count))
            if kind == "batch":
                zip_items = count
            else:
                abort_after = 2
        elif kind == "slow_upload":
            path, body = "/v1/render/resolution", p.encode(p.resolution_doc(n, rng))
            total = rng.uniform(2.0, 4.0)
            parts = rng.randint(8, 16)
            size = -(-len(body) // parts)
            pieces = [(body[o: o + size], total / parts if o else 0.0) for o in range(0, len(body), size)]
        elif kind == "malformed_json":
            path, body = rng.choice(["/v1/render/resolution", "/v1/render/minutes", "/v1/batch"]), p.malformed(n, rng)
        elif kind == "oversized":
            path, body = rng.choice(["/v1/render/resolution", "/v1/batch"]), p.oversized
        elif kind == "wrong_content_type":
            path, body = "/v1/render/minutes", p.encode(p.minutes_doc(n, rng))
            content_type = rng.choice(["text/plain", "application/x-www-form-urlencoded"])
        elif kind == "unknown_template":
            path, body = f"/v1/render/no-such-template-{n}", p.encode(p.resolution_doc(n, rng))
        elif kind == "invalid_document":
            template, body = p.invalid(n, rng)
            path = f"/v1/render/{template}"
        else:
            raise ValueError(kind)

        t0 = time.monotonic()
        try:
            status, headers, data, send_error = self.client.request(
                path, body, content_type=content_type, pieces=pieces, abort_after=abort_after)
        except socket.timeout:
            return Outcome(kind, "ERR:timeout", time.monotonic() - t0,
                           f"no response within {self.args.request_timeout}s (hang?)")
        except (OSError, http.client.HTTPException) as e:
            return Outcome(kind, f"ERR:{type(e).__name__}", time.monotonic() - t0, f"transport: {e!r}")
        latency = time.monotonic() - t0

        if status == 503:
            ra = headers.get("Retry-After")
            if ra is None:
                return Outcome(kind, status, latency, "503 without Retry-After")
            try:
                retry = float(ra)
            except ValueError:
                retry = 1.0
            return Outcome(kind, status, latency, None, retry_after=retry)

        expected = EXPECTED[kind]
        if status != expected:
            snippet = data[:200].decode("utf-8", "replace")
            return Outcome(kind, status, latency, f"expected {expected}, got {status}: {snippet}")
        problem = None
        if expected == 200:
            ctype = headers.get("Content-Type", "")
            if kind in ("batch", "batch_abort"):
                problem = check_zip(data, zip_items)
                if not problem and not ctype.startswith("application/zip"):
                    problem = f"Content-Type {ctype!r}, expected application/zip"
            else:
                problem = check_pdf(data)
                if not problem and not ctype.startswith("application/pdf"):
                    problem = f"Content-Type {ctype!r}, expected application/pdf"
        elif send_error is not None and kind != "oversized":
            problem = f"server closed the connection while the body was sent: {send_error!r}"
        return Outcome(kind, status, latency, problem)

    # -- driving ----------------------------------------------------------------------------

    def next_ticket(self):
        with self.lock:
            if self.stop.is_set() or time.monotonic() >= self.deadline:
                return None
            if self.args.max_requests and self.issued >= self.args.max_requests:
                return None
            self.issued += 1
            return self.issued

    def worker(self, index):
        rng = random.Random(self.args.seed * 1000 + index)
        while True:
            n = self.next_ticket()
            if n is None:
                return
            kind = rng.choices(self.kinds, self.weights)[0]
            try:
                out = self.run_one(kind, n, rng)
            except Exception as e:  # a bug in this script must not look like a pass
                out = Outcome(kind, "ERR:client-bug", 0.0, f"soak client error: {e!r}")
            with self.lock:
                self.outcomes.append(out)
                done = len(self.outcomes)
                if self.args.verbose and out.problem:
                    print(f"  ! {out.kind} #{n}: {out.problem}", file=sys.stderr, flush=True)
            s = self.sampler
            if s is not None and s.warm is None and s.warmup_requests and done >= s.warmup_requests:
                s.take()  # the warm-up point by request count, without waiting for the next tick
            if out.retry_after is not None:
                # Honour shedding, but briefly: the run is time-boxed.
                time.sleep(min(out.retry_after, 2.0))

    def completed(self):
        with self.lock:
            return len(self.outcomes)


# ---------------------------------------------------------------------------------------------
# Server process sampling


def proc_sample(pid):
    """{rss_kb, threads, fds} of a live process, or None."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    out = {}
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            out["rss_kb"] = int(line.split()[1])
        elif line.startswith("Threads:"):
            out["threads"] = int(line.split()[1])
    try:
        out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        out["fds"] = None
    return out if "rss_kb" in out else None


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie (our parent has not reaped it yet) is dead for our purposes.
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Sampler(threading.Thread):
    def __init__(self, pid, soak, warmup_seconds, warmup_requests, interval=1.0):
        super().__init__(daemon=True)
        self.pid = pid
        self.soak = soak
        self.warmup_seconds = warmup_seconds
        self.warmup_requests = warmup_requests
        self.interval = interval
        self.timeline = []  # (elapsed_s, completed_requests, sample)
        self.warm = None  # (elapsed_s, completed_requests, sample)
        self.peak_kb = 0
        self.halt = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        while not self.halt.is_set():
            self.take()
            self.halt.wait(self.interval)

    def take(self):
        with self.lock:
            return self._take()

    def _take(self):
        s = proc_sample(self.pid)
        if s is None:
            return None
        elapsed = time.monotonic() - self.soak.start
        done = self.soak.completed()
        self.peak_kb = max(self.peak_kb, s["rss_kb"])
        self.timeline.append((elapsed, done, s))
        if self.warm is None and (elapsed >= self.warmup_seconds
                                  or (self.warmup_requests and done >= self.warmup_requests)):
            self.warm = (elapsed, done, s)
        return s


# ---------------------------------------------------------------------------------------------
# Report


def percentile(values, q):
    if not values:
        return None
    v = sorted(values)  # nearest rank
    k = max(0, min(len(v) - 1, math.ceil(q / 100.0 * len(v)) - 1))
    return v[k]


def ms(x):
    return "-" if x is None else f"{x * 1000:.0f} ms"


def mib(kb):
    return "-" if kb is None else f"{kb / 1024:.1f} MiB"


def parse_mix(text):
    if not text:
        return dict(DEFAULT_MIX)
    mix = {}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        name = name.strip()
        if name not in EXPECTED:
            raise SystemExit(f"soak: unknown kind {name!r} in --mix (kinds: {', '.join(EXPECTED)})")
        mix[name] = float(weight) if weight else 1.0
    return {k: w for k, w in mix.items() if w > 0}


def post_checks(soak):
    """After the load: is the server still healthy, ready, idle and able to render?
    Returns (lines, failures)."""
    client, lines, failures = soak.client, [], []

    def get(path):
        try:
            status, _headers, data, _ = client.request(path, None, method="GET")
            return status, data
        except (OSError, http.client.HTTPException) as e:
            return f"ERR:{type(e).__name__}", b""

    status, _ = get("/healthz")
    lines.append(f"GET /healthz         {status}")
    if status != 200:
        failures.append(f"/healthz answered {status} after the run")
    status, _ = get("/readyz")
    lines.append(f"GET /readyz          {status}")
    if status != 200:
        failures.append(f"/readyz answered {status} after the run")
    # Gauges must come back to zero: a leaked render slot or queue place shows here. A batch the
    # client hung up on may still be winding down, so allow a few seconds.
    end = time.monotonic() + 10
    while True:
        status, data = get("/metrics")
        gauges = {}
        if status == 200:
            for line in data.decode("utf-8", "replace").splitlines():
                name, _, value = line.partition(" ")
                if name in ("vanban_queue_depth", "vanban_renders_in_flight"):
                    try:
                        gauges[name] = float(value)
                    except ValueError:
                        pass
        if status != 200 or not any(gauges.values()) or time.monotonic() >= end:
            break
        time.sleep(0.5)
    if status == 200:
        shown = "  ".join(f"{k}={v:g}" for k, v in sorted(gauges.items())) or "(no queue/in-flight gauges)"
        lines.append(f"GET /metrics         200  {shown}")
        if any(gauges.values()):
            failures.append(f"server not idle after the run: {shown}")
    else:
        lines.append(f"GET /metrics         {status}")
        failures.append(f"/metrics answered {status} after the run")
    rng = random.Random(0)
    for kind in VALID_RENDER_KINDS:
        out = soak.run_one(kind, 10**6 + len(lines), rng)
        lines.append(f"final {kind:<17} {out.status}  {ms(out.latency)}" + (f"  {out.problem}" if out.problem else ""))
        if out.problem or out.status != 200:
            failures.append(f"final {kind} after the run: {out.status} {out.problem or ''}".strip())
    return lines, failures


def wait_ready(client, pid, seconds):
    end = time.monotonic() + seconds
    last = None
    while time.monotonic() < end:
        if pid and not alive(pid):
            return f"server process {pid} exited before it was ready"
        try:
            conn = http.client.HTTPConnection(client.host, client.port, timeout=2)
            conn.request("GET", "/healthz")
            resp = conn.getresponse()
            resp.read()
            conn.close()
            if resp.status == 200:
                return None
            last = f"/healthz answered {resp.status}"
        except (OSError, http.client.HTTPException) as e:
            last = repr(e)
        time.sleep(0.1)
    return f"server not ready after {seconds}s ({last})"


def main():
    ap = argparse.ArgumentParser(description="Soak-test a running vanban server.")
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--server-pid", type=int, default=0, help="for RSS sampling (0: no sampling)")
    ap.add_argument("--max-body-bytes", type=int, default=1048576,
                    help="the server's body limit; oversized bodies are made larger")
    ap.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    ap.add_argument("--max-requests", type=int, default=0, help="stop after N requests (0: no cap)")
    ap.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    ap.add_argument("--warmup", type=float, default=None,
                    help="seconds before the warm-up RSS sample (default: 10%% of the run, at least "
                         "min(30 s, half the run))")
    ap.add_argument("--rss-tolerance", type=float, default=0.20,
                    help="end RSS may exceed warm-up RSS by this fraction (default 0.20)")
    ap.add_argument("--no-rss-check", action="store_true", help="report RSS but do not fail on it")
    ap.add_argument("--request-timeout", type=float, default=120.0,
                    help="client socket timeout per request, seconds; exceeding it counts as a hang")
    ap.add_argument("--mix", default="", help="kind=weight,... (default: built-in mix)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "tests", "fixtures"))
    ap.add_argument("--ready-timeout", type=float, default=60.0)
    ap.add_argument("--json-report", default="", help="also write the report as JSON to this file")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each unexpected result as it happens")
    args = ap.parse_args()
    if args.duration <= 0 or args.concurrency < 1 or args.max_requests < 0:
        ap.error("--duration must be > 0, --concurrency >= 1, --max-requests >= 0")

    soak = Soak(args)
    pid = args.server_pid

    problem = wait_ready(soak.client, pid, args.ready_timeout)
    if problem:
        print(f"soak: {problem}", file=sys.stderr)
        return 2

    warmup = args.warmup
    if warmup is None:
        warmup = max(0.10 * args.duration, min(30.0, args.duration / 2))
    warmup_requests = int(args.max_requests * 0.10) if args.max_requests else 0

    start_sample = proc_sample(pid) if pid else None
    soak.start = time.monotonic()
    soak.deadline = soak.start + args.duration
    sampler = Sampler(pid, soak, warmup, warmup_requests) if pid else None
    soak.sampler = sampler
    if sampler:
        sampler.start()

    # SIGTERM / SIGINT: stop issuing requests, let in-flight ones finish briefly, report, fail.
    interrupted = []

    def on_signal(signum, _frame):
        if not interrupted:
            interrupted.append(signal.Signals(signum).name)
            print(f"soak: {interrupted[0]}: stopping; finishing in-flight requests", file=sys.stderr, flush=True)
        soak.stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    print(f"soak: {args.base_url} pid={pid or '-'} duration={args.duration:g}s "
          f"max_requests={args.max_requests or '-'} concurrency={args.concurrency} warm-up={warmup:g}s",
          flush=True)
    threads = [threading.Thread(target=soak.worker, args=(i,), daemon=True) for i in range(args.concurrency)]
    for t in threads:
        t.start()

    # Progress every ~10% of the run; also notice a dead server early.
    hard_end = soak.deadline + args.request_timeout + 30
    next_progress = soak.start + max(5.0, args.duration / 10)
    server_died = False
    stop_grace_end = None
    while any(t.is_alive() for t in threads) and time.monotonic() < hard_end:
        time.sleep(0.2)
        now = time.monotonic()
        if pid and not alive(pid):
            server_died = True
            soak.stop.set()
        if soak.stop.is_set() and stop_grace_end is None:
            stop_grace_end = now + 15
            hard_end = min(hard_end, stop_grace_end)
        if now >= next_progress:
            next_progress = now + max(5.0, args.duration / 10)
            s = proc_sample(pid) if pid else None
            print(f"  t={now - soak.start:5.0f}s requests={soak.completed():6d} "
                  f"rss={mib(s and s['rss_kb'])}", flush=True)
    hung_threads = sum(1 for t in threads if t.is_alive())
    wall = time.monotonic() - soak.start

    end_sample = proc_sample(pid) if pid else None
    if sampler:
        sampler.halt.set()
        sampler.join(timeout=5)
        if end_sample:
            sampler.peak_kb = max(sampler.peak_kb, end_sample["rss_kb"])
    if pid and not alive(pid):
        server_died = True

    with soak.lock:
        outcomes = list(soak.outcomes)
    checks = ([], []) if (server_died or interrupted) else post_checks(soak)
    return report(args, outcomes, wall, start_sample, sampler, end_sample, server_died, hung_threads, warmup,
                  interrupted[0] if interrupted else None, checks)


def report(args, outcomes, wall, start_sample, sampler, end_sample, server_died, hung_threads, warmup,
           interrupted=None, checks=([], [])):
    by_kind = {}
    by_status = {}
    matrix = {}
    unexpected = []
    shed = 0
    for o in outcomes:
        by_kind[o.kind] = by_kind.get(o.kind, 0) + 1
        by_status[str(o.status)] = by_status.get(str(o.status), 0) + 1
        matrix.setdefault(o.kind, {}).setdefault(str(o.status), 0)
        matrix[o.kind][str(o.status)] += 1
        if o.status == 503 and o.problem is None:
            shed += 1
        if o.problem:
            unexpected.append(o)

    valid_lat = [o.latency for o in outcomes if o.kind in VALID_RENDER_KINDS and o.status == 200 and not o.problem]
    failures = []
    lines = []
    w = lines.append
    w("")
    w("=" * 72)
    w("vanban soak report")
    w("=" * 72)
    w(f"wall time            {wall:.1f} s (requested {args.duration:g} s"
      f"{', max ' + str(args.max_requests) + ' requests' if args.max_requests else ''})")
    w(f"concurrency          {args.concurrency}")
    w(f"total requests       {len(outcomes)}  ({len(outcomes) / wall if wall else 0:.1f} req/s)")
    w("")
    w(f"{'kind':<20}{'count':>7}  {'expect':>6}  {'p50':>8}  {'p99':>8}  {'max':>8}  statuses")
    for kind in EXPECTED:
        if kind not in by_kind:
            continue
        lat = [o.latency for o in outcomes if o.kind == kind and not str(o.status).startswith("ERR")]
        st = " ".join(f"{s}×{c}" for s, c in sorted(matrix[kind].items()))
        w(f"{kind:<20}{by_kind[kind]:>7}  {EXPECTED[kind]:>6}  {ms(percentile(lat, 50)):>8}  "
          f"{ms(percentile(lat, 99)):>8}  {ms(max(lat) if lat else None):>8}  {st}")
    w("")
    w("by status            " + "  ".join(f"{s}: {c}" for s, c in sorted(by_status.items())))
    w(f"shed (503 + Retry-After, allowed)   {shed}")
    w(f"unexpected                          {len(unexpected)}")
    if unexpected:
        failures.append(f"{len(unexpected)} unexpected result(s)")
        seen = {}
        for o in unexpected:
            key = (o.kind, str(o.status), (o.problem or "")[:120])
            seen[key] = seen.get(key, 0) + 1
        for (kind, status, problem), count in sorted(seen.items(), key=lambda kv: -kv[1])[:20]:
            w(f"  {count:>5} × {kind} → {status}: {problem}")
    w("")
    w(f"valid renders (minutes + resolution, 200): n={len(valid_lat)}  "
      f"p50={ms(percentile(valid_lat, 50))}  p99={ms(percentile(valid_lat, 99))}")
    if not valid_lat:
        failures.append("no valid render succeeded")
    w("")

    rss_result = "skipped (no server pid)"
    start_kb = start_sample and start_sample["rss_kb"]
    warm = sampler.warm if sampler else None
    warm_kb = warm[2]["rss_kb"] if warm else None
    end_kb = end_sample and end_sample["rss_kb"]
    if args.server_pid:
        w(f"server RSS  start    {mib(start_kb)}"
          + (f"   threads={start_sample['threads']} fds={start_sample['fds']}" if start_sample else ""))
        if warm:
            w(f"            warm-up  {mib(warm_kb)}   at t={warm[0]:.0f}s after {warm[1]} requests"
              f"   threads={warm[2]['threads']} fds={warm[2]['fds']}")
        else:
            w(f"            warm-up  -   (run ended before the {warmup:g}s warm-up point)")
        w(f"            end      {mib(end_kb)}"
          + (f"   threads={end_sample['threads']} fds={end_sample['fds']}" if end_sample else ""))
        w(f"            peak     {mib(sampler.peak_kb if sampler else None)}")
        if warm_kb and end_kb:
            growth = (end_kb - warm_kb) / warm_kb
            within = end_kb <= warm_kb * (1 + args.rss_tolerance)
            rss_result = (f"{'PASS' if within else 'FAIL'}: end is {growth:+.1%} vs warm-up "
                          f"(limit +{args.rss_tolerance:.0%})")
            if not within and not args.no_rss_check:
                failures.append("RSS grew beyond tolerance after warm-up")
        else:
            missing = "warm-up" if not warm_kb else "end"
            rss_result = (f"FAIL: no {missing} sample" if not args.no_rss_check
                          else f"not measurable (no {missing} sample)")
            if not args.no_rss_check:
                failures.append("RSS check impossible (run shorter than warm-up? use --no-rss-check)")
        if args.no_rss_check:
            rss_result += " (informational: --no-rss-check)"
        w(f"RSS check            {rss_result}")
        if sampler and len(sampler.timeline) >= 2:
            # A coarse trend: ~10 points across the run.
            tl = sampler.timeline
            step = max(1, len(tl) // 10)
            pts = tl[::step] + ([tl[-1]] if (len(tl) - 1) % step else [])
            w("RSS trend            " + "  ".join(f"{t:.0f}s:{s['rss_kb'] / 1024:.0f}" for t, _, s in pts) + "  (MiB)")
    if server_died:
        failures.append("the server process exited during the run")
        w("SERVER PROCESS EXITED DURING THE RUN")
    if checks[0]:
        w("")
        w("after the run")
        for line in checks[0]:
            w("  " + line)
        failures.extend(checks[1])
    if interrupted:
        failures.append(f"interrupted by {interrupted}")
        w(f"INTERRUPTED by {interrupted}: partial run")
    elif hung_threads:
        failures.append(f"{hung_threads} client thread(s) still waiting at the hard time limit")
        w(f"{hung_threads} client thread(s) still blocked at the hard time limit (server hang?)")
    w("")
    w("RESULT: " + ("PASS" if not failures else "FAIL — " + "; ".join(failures)))
    w("=" * 72)
    print("\n".join(lines), flush=True)

    if args.json_report:
        data = {
            "wall_seconds": wall,
            "total": len(outcomes),
            "by_kind": by_kind,
            "by_status": by_status,
            "by_kind_status": matrix,
            "shed_503": shed,
            "unexpected": [{"kind": o.kind, "status": str(o.status), "problem": o.problem} for o in unexpected],
            "valid_render_p50_ms": (percentile(valid_lat, 50) or 0) * 1000,
            "valid_render_p99_ms": (percentile(valid_lat, 99) or 0) * 1000,
            "rss_kb": {"start": start_kb, "warmup": warm_kb, "end": end_kb,
                       "peak": sampler.peak_kb if sampler else None},
            "rss_check": rss_result,
            "server_died": server_died,
            "failures": failures,
            "pass": not failures,
        }
        with open(args.json_report, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
