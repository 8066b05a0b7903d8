"""Exports of verified claims: schema.org ClaimReview JSON-LD, CSV and NDJSON, streamed.

A *verified* claim is one with a published review. ``exported_claims()`` (``reading.py``) reads
them in id order, in batches, as ``ExportedClaim`` records; each format's writer takes an iterable
of them and yields text chunks. The API, the ``export_claims`` command and the admin all go
through them. The package:

- ``selection.py``: which claims (``verified_claims``, ``ExportFilter``, ``filter_claims``);
- ``reading.py``: their rows, batch by batch (``exported_claims``, ``last_change``);
- ``records.py``: the ``ExportedClaim`` built from those rows, the input of every format;
- ``claimreview.py``: ``claimreview``, a JSON array of ClaimReview objects (``application/ld+json``),
  one per line;
- ``datafeed.py``: ``datafeed``, the same ClaimReview objects in a schema.org ``DataFeed``
  (``dataFeedElement`` of ``DataFeedItem``), the shape of Google's fact-check feed;
- ``csv.py``: ``csv``, one row per claim, guarded against spreadsheet formulas;
- ``ndjson.py``: ``ndjson``, one JSON object per line, exactly the body of ``GET /api/v1/claims/{id}/``;
- ``jsontext.py``: the compact JSON and chunking the JSON formats share.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError  # what filter_claims raises

from reviews.exports.claimreview import claim_review, organization, review_url, review_urls, write_claimreview
from reviews.exports.csv import CSV_COLUMNS, csv_row, formula_like, write_csv
from reviews.exports.datafeed import write_datafeed
from reviews.exports.ndjson import write_ndjson
from reviews.exports.reading import BATCH_SIZE, exported_claims, last_change
from reviews.exports.records import ExportedClaim
from reviews.exports.selection import ExportFilter, filter_claims, verified_claims

__all__ = [
    "BATCH_SIZE",
    "CSV_COLUMNS",
    "DEFAULT_FORMAT",
    "FORMATS",
    "ExportFilter",
    "ExportFormat",
    "ExportedClaim",
    "ValidationError",
    "claim_review",
    "csv_row",
    "exported_claims",
    "filename",
    "filter_claims",
    "formula_like",
    "last_change",
    "organization",
    "review_url",
    "review_urls",
    "verified_claims",
    "write_claimreview",
    "write_csv",
    "write_datafeed",
    "write_ndjson",
]

DEFAULT_FORMAT = "claimreview"


@dataclass(frozen=True)
class ExportFormat:
    name: str
    content_type: str
    extension: str
    write: Callable
    description: str


FORMATS = {
    fmt.name: fmt
    for fmt in [
        ExportFormat(
            "claimreview",
            "application/ld+json",
            "jsonld",
            write_claimreview,
            "schema.org ClaimReview JSON-LD: a JSON array",
        ),
        ExportFormat(
            "datafeed",
            "application/ld+json",
            "jsonld",
            write_datafeed,
            "schema.org ClaimReview JSON-LD in a DataFeed (Google's fact-check feed form)",
        ),
        ExportFormat("csv", "text/csv; charset=utf-8", "csv", write_csv, "CSV, one row per claim"),
        ExportFormat(
            "ndjson", "application/x-ndjson", "ndjson", write_ndjson, "one claim detail (as the API has it) per line"
        ),
    ]
}


def filename(fmt):
    return f"verified-claims.{fmt.extension}"
