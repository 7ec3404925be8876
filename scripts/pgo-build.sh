#!/usr/bin/env bash
# The release build vanban ships: profile-guided (PGO), then laid out by BOLT. An instrumented
# build renders every bundled example, a blank form of every template and the 24-cell batch;
# the release build uses the profile those renders recorded; then BOLT, a post-link optimiser,
# records the same renders on the linked binary and rewrites its machine code so that the code
# those renders run sits together. Typst is a compiler, and like rustc (which ships PGO + BOLT)
# it runs faster when its hot paths are known: PGO 15-20 % less CPU per document, BOLT about 5 %
# more (BENCHMARKS.md).
#
# Usage:
#   scripts/pgo-build.sh                  # the service binary; prints its path
#   scripts/pgo-build.sh --bench versus   # the benchmark (`cargo bench --bench vanban -- versus`)
#                                         # with the server and in-process sides built this way
#
# The benchmark is trained and built apart from the service binary: `cargo bench` builds the
# dependencies with the dev-dependencies' features, which renames their symbols, and a profile
# only applies to the symbols it was recorded from.
#
# Needs the Rust toolchain (llvm-profdata comes from rustup's `llvm-tools` component, added when
# missing) and llvm-bolt (Debian's `bolt-N` package, installed when missing where apt-get can;
# elsewhere the PGO binary ships without the BOLT layout, and the script says so). Everything
# goes under $VANBAN_PGO_DIR (default ~/.cache/vanban-pgo): the target dirs (each a full release
# build, 11-14 minutes on two cores), the profiles and the finished binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--bench" ]]; then
    shift
    kind=bench
    build=(cargo bench --locked --bench vanban --no-run)
else
    kind=service
    build=(cargo build --locked --release --bin vanban)
fi
pgo_dir="${VANBAN_PGO_DIR:-$HOME/.cache/vanban-pgo}/$kind"
raw="$pgo_dir/raw"
work="$pgo_dir/training"
bolt_bin=""

host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [[ ! -x "$profdata" ]]; then
    rustup component add llvm-tools
fi

# The training, run by the PGO-instrumented and then the BOLT-instrumented binary
# ("$instrumented"): what the service spends its time on. Every template's example and blank
# form (cold compiles, one process each) and a batch of 24 distinct resolutions (warm compiles,
# zip, merged PDF), which is where a ward office's time goes.
train_service() {
    rm -rf "$work"
    mkdir -p "$work"
    for example in templates/*/example.json; do
        template="$(basename "$(dirname "$example")")"
        "$instrumented" render "$template" "$example" -o "$work/$template.pdf"
        "$instrumented" blank "$template" -o "$work/$template-blank.pdf"
    done
    "$instrumented" batch tests/fixtures/batch-resolutions.json -o "$work/batch.zip"
}

# 1. Instrumented build. Build scripts and proc macros are instrumented too and write their
# own profiles while the build runs: those are dropped before training.
RUSTFLAGS="-Cprofile-generate=$raw" CARGO_TARGET_DIR="$pgo_dir/instrumented" "${build[@]}"
rm -rf "$raw"
mkdir -p "$raw"

# 2. Training.
instrumented="$pgo_dir/instrumented/release/vanban" train_service > /dev/null
"$profdata" merge -o "$pgo_dir/merged.profdata" "$raw"

# 3. Optimised build with the profile. Cargo sees RUSTFLAGS, not the file they name, so the
# profile's name carries its content hash: a new profile rebuilds, the same one does not.
# `--emit-relocs` keeps the linker's relocations in the binary: BOLT needs them to move code.
profile="$pgo_dir/vanban-$(sha256sum "$pgo_dir/merged.profdata" | cut -c1-16).profdata"
mv "$pgo_dir/merged.profdata" "$profile"
find "$pgo_dir" -maxdepth 1 -name 'vanban-*.profdata' ! -path "$profile" -delete
export RUSTFLAGS="-Cprofile-use=$profile -Clink-arg=-Wl,--emit-relocs"
export CARGO_TARGET_DIR="$pgo_dir/optimised"
"${build[@]}"

# 4. BOLT: the training again, on the linked binary instrumented by BOLT; then BOLT lays out
# its code by what the training ran (hot blocks together, hot functions together, cold code
# split off). Debian packages BOLT as `bolt-N` (binaries in /usr/lib/llvm-N/bin).
find_bolt() {
    local llvm_bolt
    llvm_bolt="$(command -v llvm-bolt || ls /usr/lib/llvm-*/bin/llvm-bolt 2> /dev/null | sort -V | tail -n 1)"
    bolt_bin="$(dirname "$llvm_bolt")"
    [[ -n "$llvm_bolt" && -x "$bolt_bin/merge-fdata" ]]
}
if ! find_bolt && command -v apt-get > /dev/null; then
    apt-get update -qq > /dev/null 2>&1 || true
    package="$(apt-cache pkgnames bolt- | grep -E '^bolt-[0-9]+$' | sort -t- -k2 -n | tail -n 1 || true)"
    if [[ -n "$package" ]]; then
        apt-get install -y -qq --no-install-recommends "$package" > /dev/null 2>&1 || true
    fi
fi
find_bolt || bolt_bin=""

# bolt_layout BINARY OUT TRAINING: writes BINARY laid out by BOLT to OUT, from what the
# function TRAINING runs with "$instrumented" naming the BOLT-instrumented copy.
bolt_layout() {
    local binary="$1" out="$2" training="$3" fdata="$pgo_dir/bolt-fdata"
    if [[ -z "$bolt_bin" ]]; then
        echo "llvm-bolt not found: $out is the profile-guided build without BOLT's layout" >&2
        install -m 0755 "$binary" "$out"
        return
    fi
    rm -rf "$fdata"
    mkdir -p "$fdata"
    "$bolt_bin/llvm-bolt" "$binary" -instrument -o "$out.instrumented" \
        -instrumentation-file="$fdata/profile" -instrumentation-file-append-pid > /dev/null
    instrumented="$out.instrumented" "$training" > /dev/null
    "$bolt_bin/merge-fdata" "$fdata"/*.fdata > "$pgo_dir/bolt.fdata" 2> /dev/null
    "$bolt_bin/llvm-bolt" "$binary" -o "$out.new" -data="$pgo_dir/bolt.fdata" \
        -reorder-blocks=ext-tsp -reorder-functions=hfsort -split-functions -split-all-cold \
        -split-eh -icf=1 -use-gnu-stack > /dev/null
    # Copied, not renamed: the page cache of the file as llvm-bolt wrote it is mapped in large
    # pages, which showed as 6-15 MB more resident memory in the server.
    install -m 0755 "$out.new" "$out"
    rm -rf "$out.new" "$out.instrumented" "$fdata" "$pgo_dir/bolt.fdata"
}
bolt_layout "$CARGO_TARGET_DIR/release/vanban" "$pgo_dir/vanban" train_service

if [[ "$kind" == bench ]]; then
    # The benchmark binary renders in process too (the ceiling, single documents): it gets its
    # own layout, trained by a smoke run of the step that renders there.
    bench_binary="$("${build[@]}" --message-format=json 2> /dev/null \
        | sed -n 's/.*"executable":"\([^"]*\/deps\/vanban-[^"]*\)".*/\1/p' | tail -n 1)"
    train_bench() {
        VANBAN_BENCH_SERVER="$pgo_dir/vanban" "$instrumented" versus
    }
    bolt_layout "$bench_binary" "$pgo_dir/vanban-bench" train_bench
    VANBAN_BENCH_SERVER="$pgo_dir/vanban" "$pgo_dir/vanban-bench" --bench "$@"
fi
echo "$pgo_dir/vanban"
