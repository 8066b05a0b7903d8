"""Background jobs of the reviews app: an export of the verified claims written to a file.

The streamed exports (``exports/claims``) stay as they are; a file export is for clients that would
rather fetch a finished file (and for the largest exports, which outlast a client's patience).
"""

import tempfile
import uuid
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage

from factcheck.jobs import JobFailed, job
from reviews import exports

EXPORTS_DIR = "exports"


def start_export(fmt, filters, *, by):
    """Queue an export of the verified claims matching ``filters`` (as on ``claims/``) in ``fmt``.

    Raises ``ValidationError`` at once, queueing nothing, for an invalid filter. The file's name is
    chosen now, so that a retried job writes the same file again rather than a second one.
    """
    exports.filter_claims(filters)
    name = f"{EXPORTS_DIR}/{uuid.uuid4().hex}/{exports.filename(fmt)}"
    return export_claims.enqueue(format=fmt.name, filters=filters, file=name, by=by)


@job("reviews.export_claims", max_attempts=3, lease=timedelta(hours=1))
def export_claims(*, format, filters, file):
    """Write the export to ``file`` in the default storage; its name, size and claim count."""
    fmt = exports.FORMATS.get(format)
    if fmt is None:
        raise JobFailed(f"Unknown export format {format!r}.")
    try:
        queryset = exports.filter_claims(filters)
    except ValidationError as exc:
        raise JobFailed(f"Invalid filters: {exc.message_dict}") from exc
    claims = 0

    def counted(rows):
        nonlocal claims
        for row in rows:
            claims += 1
            yield row

    with tempfile.TemporaryFile() as written:
        for chunk in fmt.write(counted(exports.exported_claims(queryset))):
            written.write(chunk.encode())
        size = written.tell()
        written.seek(0)
        default_storage.delete(file)  # a retry replaces what an earlier attempt left
        stored = default_storage.save(file, File(written, name=file))
    return {"file": stored, "format": fmt.name, "content_type": fmt.content_type, "bytes": size, "claims": claims}
