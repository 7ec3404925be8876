"""Schemathesis hooks for vanban's binary request bodies (loaded by scripts/schemathesis.sh).

Schemathesis has no serializer for PDF, spreadsheet or CSV bodies, so without one it cannot send
a request to `POST /v1/extract` (PDF) or the spreadsheet forms of `POST /v1/batch` at all. The
generated value (random bytes or text, per the schema's `contentMediaType`) is sent as it is;
the server must answer it with a documented status (422 not a PDF, unreadable workbook…).

`POST /v1/extract` takes only a PDF vanban wrote with `embed_data`, which no JSON Schema keyword
can describe, so no generated text is ever one. Its positive cases (data the server must accept)
are therefore such a PDF, made by the server under test before the run (VANBAN_EXTRACTABLE_PDF):
the success path and its response schema are checked; negative cases go as generated. Random and
mutated PDFs are the property test of tests/integration/embed.rs.

Minutes name their chair, secretary, speakers and attendance by member id, and each must be an
id of the document's own member list, which no JSON Schema keyword can say either: a generated
minutes document is nearly always refused with 422 (as it must be), and in some runs every one
of a phase is, which Schemathesis reports as "mostly rejected generated data". So the first and
every fourth positive case of each phase of the two minutes routes is the template's bundled
example, which must render; the others go as generated and must still be answered 2xx or 422.
"""

import collections
import itertools
import json
import os
from pathlib import Path

import schemathesis
from schemathesis import GenerationMode

BINARY_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/csv",
)


# The body of those positive cases: a string, as the schema says the body is (so Schemathesis
# still counts the case as positive), that the serializer below sends as the PDF.
EXTRACTABLE_PDF_BODY = "<a PDF vanban wrote with embed_data>"

with open(os.environ["VANBAN_EXTRACTABLE_PDF"], "rb") as file:
    EXTRACTABLE_PDF = file.read()


@schemathesis.hook("before_call").apply_to(method="POST", path="/v1/extract")
def send_extractable_pdf(ctx, case, **kwargs):
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        case.body = EXTRACTABLE_PDF_BODY


TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MINUTES_EXAMPLES = {
    f"/v1/render/{template}": json.loads((TEMPLATES / template / "example.json").read_text("utf-8"))
    for template in ("minutes", "thematic-minutes")
}
EXAMPLE_EVERY = 4
# Counted per route and phase: "mostly rejected" is judged per phase, and a phase may generate
# only a few positive cases, so the first of each phase is the example.
positive_minutes = collections.defaultdict(itertools.count)


@schemathesis.hook("before_call").apply_to(method="POST", path=list(MINUTES_EXAMPLES))
def send_minutes_example(ctx, case, **kwargs):
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return
    if next(positive_minutes[case.path, case.meta.phase.name]) % EXAMPLE_EVERY == 0:
        case.body = json.loads(json.dumps(MINUTES_EXAMPLES[case.path]))


@schemathesis.serializer(*BINARY_MEDIA_TYPES)
def as_bytes(ctx, value):
    if value == EXTRACTABLE_PDF_BODY:
        return EXTRACTABLE_PDF
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")
