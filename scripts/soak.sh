#!/usr/bin/env bash
# Soak test for `vanban serve`: start the server on a free loopback port, drive it with a
# mixed, varied load for a fixed time, check every response, watch the server's memory, and
# stop the server again whatever happens.
#
# Usage:
#   scripts/soak.sh [--duration SECONDS] [--concurrency C] [--max-requests N] [--no-rss-check]
#                   [other options of scripts/soak.py: --warmup S, --rss-tolerance F, --mix K=W,..,
#                    --request-timeout S, --seed N, --json-report FILE, -v]
#
#   scripts/soak.sh --duration 30 --concurrency 4 --no-rss-check   # short CI run
#   scripts/soak.sh --duration 600 --concurrency 8                  # release acceptance
#
# Defaults: --duration 600, --concurrency 8, no request cap. The run stops by itself when the
# time is up or the cap is reached; requests still in flight then are finished (each is bounded
# by --request-timeout, default 120 s).
#
# Load mix (each valid body is different: issuer name, dates, names and text change per
# request, so the run measures typesetting and not only caches):
#   render_minutes / render_resolution  valid renders            → 200, body starts %PDF-
#   batch        5–24 items of tests/fixtures/batch-resolutions.json → 200, complete zip (PK),
#                one PDF per item, manifest all ok
#   batch_abort  a batch the client hangs up on after 2 bytes   → 200 (exercises cancellation)
#   slow_upload  a valid body sent in 8–16 pieces over 2–4 s    → 200 %PDF-
#   malformed_json → 400, oversized (2 MiB against a 1 MiB limit) → 413,
#   wrong_content_type → 415, unknown_template → 404, invalid_document → 422.
# 503 with Retry-After is allowed for every kind (deliberate load shedding) and counted apart;
# any other status, transport error, timeout, bad body, or 503 without Retry-After is
# "unexpected" and fails the run.
#
# Memory: VmRSS of the server (from /proc/PID/status) is sampled every second; the report gives
# it at start, after warm-up (10% of the run, at least min(30 s, half the run); or 10% of
# --max-requests) and at the end, and the run fails when end RSS exceeds warm-up RSS by more
# than 20%. Use --no-rss-check for short runs, where warm-up means little.
#
# After the load: /healthz must answer 200, /readyz 200, the
# /metrics gauges vanban_queue_depth and vanban_renders_in_flight must come back to 0 (a leaked
# render slot shows here), and one more render of each template must succeed. The script also
# stops the server with SIGTERM and fails if it takes more than 10 s, and fails on any
# "panicked" line in the server log.
#
# Environment:
#   VANBAN_BIN           server binary (default: ${CARGO_TARGET_DIR:-$HOME/.cache/vanban-target}
#                        /release/vanban, else .../debug/vanban)
#   SOAK_MAX_BODY_BYTES  the server's body limit for the run (default 1048576)
#   SOAK_LOG             where the server's log goes (default: a temporary file, kept on failure)
#   VANBAN_WORKERS, VANBAN_QUEUE, VANBAN_RENDER_TIMEOUT, VANBAN_FONTS, ... are read by the
#                        server as usual; e.g. VANBAN_QUEUE=2 makes the run exercise 503 shedding.
#                        (VANBAN_ADDR and VANBAN_MAX_BODY_BYTES are overridden.)
#
# Exit status: 0 pass; 1 unexpected results, RSS growth, server crash or slow shutdown;
# 2 setup problem (no binary, server would not start).
set -euo pipefail

# One { } block: bash parses it whole before running it, so editing or checking out this file
# during a long run cannot change what the running script does next.
{
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

for arg in "$@"; do
    case "$arg" in
        -h | --help)
            sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
            exit 0
            ;;
    esac
done

command -v python3 >/dev/null || { echo "soak: python3 is required" >&2; exit 2; }

target="${CARGO_TARGET_DIR:-$HOME/.cache/vanban-target}"
find_bin() {
    if [[ -n "${VANBAN_BIN:-}" ]]; then
        echo "$VANBAN_BIN"
    elif [[ -x "$target/release/vanban" ]]; then
        echo "$target/release/vanban"
    else
        echo "$target/debug/vanban"
    fi
}
# The binary may be in the middle of being rebuilt: give it a few seconds to reappear.
bin="$(find_bin)"
for _ in $(seq 1 15); do
    [[ -x "$bin" ]] && break
    sleep 1
    bin="$(find_bin)"
done
[[ -x "$bin" ]] || { echo "soak: no server binary at $bin (set VANBAN_BIN)" >&2; exit 2; }

max_body="${SOAK_MAX_BODY_BYTES:-1048576}"
log="${SOAK_LOG:-$(mktemp -t vanban-soak.XXXXXX.log)}"
server_pid=""
client_pid=""
status=0

stop_server() {
    [[ -n "$server_pid" ]] || return 0
    if kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        local waited=0
        while kill -0 "$server_pid" 2>/dev/null && ((waited < 100)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "soak: server $server_pid did not stop within 10 s of SIGTERM; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
            status=1
        else
            echo "soak: server stopped $((waited * 100)) ms after SIGTERM"
        fi
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
}

on_exit() {
    local rc=$?
    ((rc > status)) && status=$rc
    stop_server
    if [[ -s "$log" ]]; then
        local plain
        plain="$(sed 's/\x1b\[[0-9;]*m//g' "$log")"
        local errors warns panics
        errors=$(grep -c ' ERROR ' <<<"$plain" || true)
        warns=$(grep -c ' WARN ' <<<"$plain" || true)
        panics=$(grep -c 'panicked' <<<"$plain" || true)
        if ((panics > 0 && status == 0)); then
            status=1
        fi
        local kept=" (removed)"
        if ((status != 0)) || [[ -n "${SOAK_LOG:-}" ]]; then kept=""; fi
        echo "soak: server log $log$kept: ${errors} ERROR, ${warns} WARN, ${panics} panic line(s)"
        if ((errors + panics > 0)); then
            grep -E ' ERROR |panicked' <<<"$plain" | sort | uniq -c | sort -rn | head -n 10 | sed 's/^/  /'
        fi
    fi
    if ((status == 0)) && [[ -z "${SOAK_LOG:-}" ]]; then
        rm -f "$log"
    fi
    exit "$status"
}
# On INT/TERM: let the client stop and print its (failing) partial report, then stop the server.
on_signal() {
    if [[ -n "$client_pid" ]] && kill -0 "$client_pid" 2>/dev/null; then
        kill -TERM "$client_pid" 2>/dev/null || true
        wait "$client_pid" 2>/dev/null || true
    fi
    exit "$1"
}
trap on_exit EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Another process may take the port between our probe and the server's bind: retry a few times.
for attempt in 1 2 3 4 5; do
    port="$(free_port)"
    echo "soak: starting $bin on 127.0.0.1:$port (max body $max_body bytes; log $log)"
    NO_COLOR=1 "$bin" serve --addr "127.0.0.1:$port" --max-body-bytes "$max_body" >"$log" 2>&1 &
    server_pid=$!
    sleep 0.3
    if kill -0 "$server_pid" 2>/dev/null; then
        break
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    if ! grep -qi 'address.*in use' "$log"; then
        echo "soak: the server exited at start:" >&2
        tail -n 20 "$log" >&2
        exit 2
    fi
done
[[ -n "$server_pid" ]] || { echo "soak: could not find a free port" >&2; exit 2; }

# In the background so that a signal to this script is handled at once (see on_signal).
python3 "$here/soak.py" \
    --base-url "http://127.0.0.1:$port" \
    --server-pid "$server_pid" \
    --max-body-bytes "$max_body" \
    --fixtures "$here/../tests/fixtures" \
    "$@" &
client_pid=$!
set +e
wait "$client_pid"
status=$?
set -e
client_pid=""
exit "$status"
}
