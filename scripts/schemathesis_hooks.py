"""Schemathesis hooks for vanban's binary request bodies (loaded by scripts/schemathesis.sh).

Schemathesis has no serializer for PDF, spreadsheet or CSV bodies, so without one it cannot send
a request to `POST /v1/extract` (PDF) or the spreadsheet forms of `POST /v1/batch` at all. The
generated value (random bytes or text, per the schema's `contentMediaType`) is sent as it is;
the server must answer it with a documented status (422 not a PDF, unreadable workbook…).
"""

import json

import schemathesis

BINARY_MEDIA_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/csv",
)


@schemathesis.serializer(*BINARY_MEDIA_TYPES)
def as_bytes(ctx, value):
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode("utf-8")
