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
"""

import json
import os

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


@schemathesis.hook.apply_to(method="POST", path="/v1/extract")
def before_call(ctx, case, **kwargs):
    if case.meta is not None and case.meta.generation.mode == GenerationMode.POSITIVE:
        case.body = EXTRACTABLE_PDF_BODY


@schemathesis.serializer(*BINARY_MEDIA_TYPES)
def as_bytes(ctx, value):
    if value == EXTRACTABLE_PDF_BODY:
        return EXTRACTABLE_PDF
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")
