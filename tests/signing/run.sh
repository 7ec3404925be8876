#!/usr/bin/env bash
# Signed-ready check with a real client: renders the minutes and the resolution examples, signs
# each in the field vanban placed (`chu_tri`, `bi_thu`) with pyHanko and validates the signature.
# Run by .ci/run after the tests; needs python3 with venv and network access to PyPI once.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv="${VANBAN_PYHANKO_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/vanban-pyhanko}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/signing/requirements.txt

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vanban-target}"
cargo build --quiet
vanban="$CARGO_TARGET_DIR/debug/vanban"

for case in "minutes chu_tri" "resolution bi_thu"; do
    set -- $case
    "$vanban" render "$1" "tests/fixtures/$1.json" -o "$work/$1.pdf"
    "$venv/bin/python" tests/signing/sign_and_validate.py "$work/$1.pdf" "$2" "$work/$1-signed.pdf" | tail -n 1
done
