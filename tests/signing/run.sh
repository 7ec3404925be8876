#!/usr/bin/env bash
# Signed-ready check with a real client: renders the minutes and the resolution examples, signs
# each in the field vanban placed (`chu_tri`, `bi_thu`) with pyHanko and validates the signature.
# Then the same for minutes that carry their data (`embed_data`, PDF/A-3b with an attached file):
# signed and validated, the signed PDF still gives back exactly the request it was made from.
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

"$venv/bin/python" - tests/fixtures/minutes.json "$work/embedded.json" <<'EOF'
import json, sys
request = json.load(open(sys.argv[1], encoding="utf-8"))
request["embed_data"] = True
json.dump(request, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
EOF
"$vanban" render minutes "$work/embedded.json" -o "$work/embedded.pdf"
"$venv/bin/python" tests/signing/sign_and_validate.py "$work/embedded.pdf" chu_tri "$work/embedded-signed.pdf" | tail -n 1
"$vanban" extract "$work/embedded-signed.pdf" > "$work/extracted.json"
"$venv/bin/python" - "$work/embedded.json" "$work/extracted.json" "$work/embedded-signed.pdf" <<'EOF'
import json, sys
from pyhanko.pdf_utils.reader import PdfFileReader
def without_nulls(value):
    # `null` means absent: the PDF carries the normalised request, nulls dropped.
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value]
    return value
request = without_nulls(json.load(open(sys.argv[1], encoding="utf-8")))
extracted = json.load(open(sys.argv[2], encoding="utf-8"))
if extracted["template"] != "minutes" or extracted["data"] != request:
    sys.exit("the signed PDF does not give back the request it was made from")
with open(sys.argv[3], "rb") as f:
    root = PdfFileReader(f).root
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    if "/AF" not in root or "vanban-minutes.json" not in [str(names[i]) for i in range(0, len(names), 2)]:
        sys.exit("the signed PDF lost its associated file")
print("OK: the signed PDF carries its request as vanban-minutes.json and gives it back")
EOF
