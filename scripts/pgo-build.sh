#!/usr/bin/env bash
# A profile-guided (PGO) release build of vanban: build an instrumented binary, let it render
# every bundled example, a blank form of every template and the 24-cell batch, then build again
# with the profile those renders recorded. Typst is a compiler, and like rustc it runs faster
# when the compiler knows its hot branches: 15-20 % less CPU per document here (BENCHMARKS.md).
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
# Needs only the Rust toolchain: llvm-profdata comes from rustup's `llvm-tools` component,
# added when missing. Everything goes under $VANBAN_PGO_DIR (default ~/.cache/vanban-pgo): the
# target dirs (each a full release build, 11-14 minutes on two cores) and the profiles.
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

host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [[ ! -x "$profdata" ]]; then
    rustup component add llvm-tools
fi

# 1. Instrumented build. Build scripts and proc macros are instrumented too and write their
# own profiles while the build runs: those are dropped before training.
RUSTFLAGS="-Cprofile-generate=$raw" CARGO_TARGET_DIR="$pgo_dir/instrumented" "${build[@]}"
instrumented="$pgo_dir/instrumented/release/vanban"
rm -rf "$raw" "$work"
mkdir -p "$raw" "$work"

# 2. Training: what the service spends its time on. Every template's example and blank form
# (cold compiles, one process each) and a batch of 24 distinct resolutions (warm compiles, zip,
# merged PDF), which is where a ward office's time goes.
for example in templates/*/example.json; do
    template="$(basename "$(dirname "$example")")"
    "$instrumented" render "$template" "$example" -o "$work/$template.pdf"
    "$instrumented" blank "$template" -o "$work/$template-blank.pdf"
done
"$instrumented" batch tests/fixtures/batch-resolutions.json -o "$work/batch.zip"
"$profdata" merge -o "$pgo_dir/merged.profdata" "$raw"

# 3. Optimised build with the profile. Cargo sees RUSTFLAGS, not the file they name, so the
# profile's name carries its content hash: a new profile rebuilds, the same one does not.
profile="$pgo_dir/vanban-$(sha256sum "$pgo_dir/merged.profdata" | cut -c1-16).profdata"
mv "$pgo_dir/merged.profdata" "$profile"
find "$pgo_dir" -maxdepth 1 -name 'vanban-*.profdata' ! -path "$profile" -delete
export RUSTFLAGS="-Cprofile-use=$profile"
export CARGO_TARGET_DIR="$pgo_dir/optimised"
"${build[@]}"
if [[ "$kind" == bench ]]; then
    cargo bench --locked --bench vanban -- "$@"
fi
echo "$CARGO_TARGET_DIR/release/vanban"
