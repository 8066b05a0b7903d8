"""Exports of verified claims: schema.org ClaimReview JSON-LD, CSV and NDJSON, streamed.

A *verified* claim is one with a published review. ``exported_claims()`` reads them in id order, in
keyset batches of ``BATCH_SIZE``: three queries per batch (claims joined with their article and
published review; their tags; the review's evidence), as plain tuples, so the number of queries
grows only with the number of batches and memory holds one batch at a time. Each writer
(``write_claimreview``, ``write_datafeed``, ``write_csv``, ``write_ndjson``) takes an iterable of
``ExportedClaim`` and yields text chunks; the API, the ``export_claims`` command and the admin
all go through them.

Formats:

- ``claimreview``: a JSON array of ClaimReview objects (``application/ld+json``), one per line.
- ``datafeed``: the same ClaimReview objects in a schema.org ``DataFeed`` (``dataFeedElement`` of
  ``DataFeedItem``), the shape of Google's fact-check feed.
- ``csv``: one row per claim, columns ``CSV_COLUMNS``; UTF-8 with a byte-order mark so that
  spreadsheets detect the encoding; text cells whose first visible character is ``= + - @`` (or
  their fullwidth and small forms, ``＝`` …), or that start with a tab or carriage return, get a
  leading ``'`` so that a spreadsheet does not run them as formulas.
- ``ndjson``: one JSON object per line, exactly the body of ``GET /api/v1/claims/{id}/``.
"""

import csv
import io
import json
import re
from collections import namedtuple
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import CharField, Count, Exists, F, FilteredRelation, Func, Lookup, Max, OuterRef, Q
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from claims.api.filters import ClaimFilter, IsoDateTimeFilter
from claims.models import Claim
from reviews.models import RATING_VALUES, Evidence, Review

# Claims per batch: at 1,000 the three queries of each batch (planning, binding the ids) cost a
# tenth of an export's time; 2,000 were 0.5 s faster at a million claims, 5,000 0.6 s more, for
# 22 MB more memory. Two batches (one written, the next read) are an export's peak memory,
# whatever its size.
BATCH_SIZE = 2000
CHUNK_CHARS = 64 * 1024
DEFAULT_FORMAT = "claimreview"

CSV_COLUMNS = [
    "claim_id",
    "article_id",
    "article_title",
    "article_url",
    "claimant",
    "quote",
    "claim_reviewed",
    "verdict",
    "rating_text",
    "rating_value",
    "summary",
    "evidence_urls",
    "published_at",
    "review_url",
]
# OWASP "CSV injection": a spreadsheet runs a cell as a formula when it starts with = + - @, tab or
# carriage return, and skips leading blanks (spaces, line breaks, NBSP, zero-width characters) to
# find the sign, which may also be one of the characters that NFKC folds into = + - @ (fullwidth
# ＝ ＋ － ＠, small ﹦ ﹢ ﹣ ﹫, super- and subscript ⁺ ⁼ ₊ ₌, ⩵ ⩶ ﬩; tests/reviews/test_exports.py
# derives the list from unicodedata). One regular expression: as fast as the str.startswith it replaced.
FORMULA = re.compile(
    r"[\t\r]|[\s\u200b-\u200d\u2060\ufeff]*"
    r"[=+\-@\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20]"
)

ExportedClaim = namedtuple("ExportedClaim", ["detail", "article"])
ExportedClaim.__doc__ = """One verified claim: ``detail`` is the API's claim detail (a plain dict);
``article`` the article facts ClaimReview needs besides (publisher, author, published_at, language)."""

_CLAIM_COLUMNS = (
    "id",
    "article_id",
    "quote",
    "start",
    "end",
    "claim_reviewed",
    "claimant",
    "claimed_at",
    "check_worthiness",
    "status",
    "verdict",
    "created_at",
    "updated_at",
    "version",
    "article__title",
    "article__url",
    "article__publisher",
    "article__author",
    "article__published_at",
    "article__language",
    "published__id",
    "published__author__username",
    "published__verdict",
    "published__rating_text",
    "published__summary",
    "published__published_at",
)
_REVIEW_ID = _CLAIM_COLUMNS.index("published__id")
_DATETIMES = {"created_at", "updated_at", "article__published_at", "published__published_at"}
_CLAIM_DATES = {"claimed_at"}
_EVIDENCE_DATES = {"published_at", "accessed_at"}
_EVIDENCE_COLUMNS = (
    "review_id",
    "id",
    "url",
    "title",
    "publisher",
    "quote",
    "stance",
    "source_type",
    "published_at",
    "accessed_at",
    "archive_url",
    "added_by__username",
    "created_at",
    "updated_at",
)


class ExportFilter(ClaimFilter):
    """The claim list's filters without ``status``: an export holds verified claims only.

    ``updated_since`` also takes in claims whose review was published since: publishing a review
    with the same verdict as the one it supersedes leaves the claim row as it was, yet changes
    what the export says about it.
    """

    updated_since = IsoDateTimeFilter(
        method="filter_updated_since", label="Changed, or had a review published, at or after this time"
    )

    class Meta(ClaimFilter.Meta):
        fields = [name for name in ClaimFilter.Meta.fields if name != "status"]

    def filter_updated_since(self, queryset, name, value):
        published_since = Review.objects.filter(
            claim=OuterRef("pk"), state=Review.State.PUBLISHED, published_at__gte=value
        )
        return queryset.filter(Q(updated_at__gte=value) | Exists(published_since))


# Declared filters are inherited whatever Meta.fields says; drop the one that has no meaning here.
del ExportFilter.base_filters["status"]


def verified_claims():
    """Claims whose review is published (the status the workflow derives from it)."""
    return Claim.objects.filter(status=Claim.Status.VERIFIED)


def filter_claims(params, queryset=None):
    """``queryset`` (default: every verified claim) narrowed by the claim list's filters in ``params``.

    ``params`` is a ``QueryDict`` or a plain dict (a list value stands for a repeated parameter).
    Raises ``ValidationError`` naming the offending parameters when a value is invalid.
    """
    if not isinstance(params, MultiValueDict):
        params = MultiValueDict({k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in params.items()})
    filterset = ExportFilter(data=params, queryset=verified_claims() if queryset is None else queryset)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs


def exported_claims(queryset, *, batch_size=None):
    """Yield an ``ExportedClaim`` for every claim of ``queryset`` that has a published review, by id.

    Three queries per batch of ``batch_size`` claims (one more when the last batch is full), each
    holding only that batch: the query count and memory do not grow with the size of the export.
    Outside a transaction the next batch is read on a connection of its own while this one is
    written (the database works while Python does: 13% less time at a million claims); inside one,
    where another connection would not see the transaction's rows, batches are read in turn.
    """
    reader = _BatchReader(queryset, batch_size or BATCH_SIZE)
    if connections[queryset.db].in_atomic_block:
        last_id = 0
        while last_id is not None and (rows := reader.read(last_id)) is not None:
            yield from reader.build(rows)
            last_id = reader.next_after(rows)
        return
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-reader") as pool:
        try:
            pending = pool.submit(reader.read, 0)
            while pending is not None and (rows := pending.result()) is not None:
                last_id = reader.next_after(rows)
                pending = pool.submit(reader.read, last_id) if last_id is not None else None
                yield from reader.build(rows)
        finally:
            # The reader's thread opened a connection of its own: close it there.
            pool.submit(connections.close_all).result()


def last_change(queryset):
    """``(count, last_modified)`` of the claims ``exported_claims(queryset)`` writes, in one aggregate query.

    What an export says about a claim changes only with the claim, its article or its published
    review (a correction is a new published review; evidence is fixed once published), so the
    newest ``updated_at`` of the three and the count (claims leaving the set) tell when it changed.
    ``last_modified`` is None when there is nothing to export.
    """
    published = Q(reviews__state=Review.State.PUBLISHED)
    row = (
        queryset.annotate(published=FilteredRelation("reviews", condition=published))
        .filter(published__isnull=False)
        .aggregate(
            count=Count("pk"),
            claim=Max("updated_at"),
            article=Max("article__updated_at"),
            review=Max("published__updated_at"),
        )
    )
    changes = [row[name] for name in ("claim", "article", "review") if row[name] is not None]
    return row["count"], max(changes, default=None)


class _BatchReader:
    """Reads the rows of one batch (claims, their tags, their evidence) and builds its ExportedClaims."""

    def __init__(self, queryset, batch_size):
        self.queryset, self.batch_size = queryset, batch_size
        column, self.render = _datetime_reading(queryset.db)
        date_column, self.render_date = _date_reading(queryset.db)

        def columns(names, dates):
            return [
                column(name) if name in _DATETIMES else date_column(name) if name in dates else name for name in names
            ]

        self.claim_columns = columns(_CLAIM_COLUMNS, _CLAIM_DATES)
        self.tag_rows = (
            Claim.tags.through.objects.using(queryset.db).order_by("tag__name").values_list("claim_id", "tag__name")
        )
        self.evidence_rows = (
            Evidence.objects.using(queryset.db).order_by("id").values_list(*columns(_EVIDENCE_COLUMNS, _EVIDENCE_DATES))
        )

    def read(self, last_id):
        """``(claims, tags, evidence)`` rows of the batch after ``last_id``, or ``None`` at the end."""
        # The bound is on both sides of the claim-review join, so that PostgreSQL starts both index
        # scans at last_id instead of reading every review before it (time quadratic in the size).
        published = Q(reviews__state=Review.State.PUBLISHED, reviews__claim_id__gt=last_id)
        batch = list(
            self.queryset.annotate(published=FilteredRelation("reviews", condition=published))
            .filter(published__isnull=False, pk__gt=last_id)
            .order_by("pk")
            .values_list(*self.claim_columns)[: self.batch_size]
        )
        if not batch:
            return None
        tags = list(self.tag_rows.filter(AnyOf(F("claim_id"), [row[0] for row in batch])))
        evidence = list(self.evidence_rows.filter(AnyOf(F("review_id"), [row[_REVIEW_ID] for row in batch])))
        return batch, tags, evidence

    def next_after(self, rows):
        """The last claim id of a full batch (the next batch starts after it); ``None`` after the last."""
        batch = rows[0]
        return batch[-1][0] if len(batch) == self.batch_size else None

    def build(self, rows):
        return _build(*rows, self.render, self.render_date)


class AnyOf(Lookup):
    """``column IN (ids)``, bound as a single parameter: an array on PostgreSQL, JSON on SQLite.

    Binding a thousand ids one parameter at a time cost more than running the query; a subquery
    instead of the list made PostgreSQL scan whole tables for every batch.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*params, list(self.rhs)]

    def as_sqlite(self, compiler, connection):
        # One JSON parameter: older SQLite builds allow only 999 parameters in a statement.
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(list(self.rhs))]


class UTCTimestamp(Func):
    """A datetime as DRF renders it in UTC (``2022-09-10T08:30:00.250000Z``, no ``.000000``),
    formatted by the database.

    Parsing every timestamp into a Python datetime only to format it again was most of an export's
    time; the database formats it in its own process, beside the one that writes the export.
    PostgreSQL and SQLite.
    """

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        utc = "%(expressions)s AT TIME ZONE 'UTC'"
        template = (
            f"CASE WHEN to_char({utc}, 'US') = '000000'"
            f' THEN to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS"Z"\')'
            f' ELSE to_char({utc}, \'YYYY-MM-DD"T"HH24:MI:SS.US"Z"\') END'
        )
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores aware datetimes as UTC text: "YYYY-MM-DD HH:MM:SS[.ffffff]".
        template = "(replace(%(expressions)s, ' ', 'T') || 'Z')"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class ISODate(Func):
    """A date as ISO 8601 text (``2022-09-10``), formatted by the database (SQLite stores it so)."""

    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        # As an expression, not a column: a column declared "date" comes back as a Python date.
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS text)", **extra_context)


def _datetime_reading(alias):
    """How datetime columns are read: as text from the database when the output is in UTC (the
    usual case), else as datetimes rendered in the current time zone by Python."""
    if connections[alias].vendor in ("postgresql", "sqlite") and timezone.get_current_timezone_name() == "UTC":
        return UTCTimestamp, _as_is
    return _as_is, partial(_datetime, zone=timezone.get_current_timezone())


def _date_reading(alias):
    """How date columns are read: as text from PostgreSQL and SQLite, else as dates Python formats."""
    if connections[alias].vendor in ("postgresql", "sqlite"):
        return ISODate, _as_is
    return _as_is, _date


def _as_is(value):
    return value


def _datetime(value, zone=None):
    """As DRF renders a datetime: ISO 8601 in the current time zone, ``Z`` for UTC."""
    if not value:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return value.isoformat() if value else None


def _build(batch, tag_rows, evidence_rows, render, render_date):
    """ExportedClaims of a batch of claim rows, with the tags and evidence of those claims."""
    tags = {row[0]: [] for row in batch}
    for claim_id, name in tag_rows:
        if claim_id in tags:  # a claim verified since the batch was read is in the next export
            tags[claim_id].append(name)
    evidence = {row[_REVIEW_ID]: [] for row in batch}
    for row in evidence_rows:
        if row[0] not in evidence:
            continue
        evidence[row[0]].append(
            {
                "id": row[1],
                "review": row[0],
                "url": row[2],
                "title": row[3],
                "publisher": row[4],
                "quote": row[5],
                "stance": row[6],
                "source_type": row[7],
                "published_at": render_date(row[8]),
                "accessed_at": render_date(row[9]),
                "archive_url": row[10],
                "added_by": row[11],
                "created_at": render(row[12]),
                "updated_at": render(row[13]),
            }
        )

    for row in batch:
        (
            claim_id,
            article_id,
            quote,
            start,
            end,
            claim_reviewed,
            claimant,
            claimed_at,
            check_worthiness,
            status,
            verdict,
            created_at,
            updated_at,
            version,
            article_title,
            article_url,
            article_publisher,
            article_author,
            article_published_at,
            article_language,
            review_id,
            review_author,
            review_verdict,
            rating_text,
            summary,
            published_at,
        ) = row
        detail = {
            "id": claim_id,
            "article": article_id,
            "quote": quote,
            "start": start,
            "end": end,
            "claim_reviewed": claim_reviewed,
            "claimant": claimant,
            "claimed_at": render_date(claimed_at),
            "check_worthiness": float(check_worthiness),
            "status": status,
            "verdict": verdict,
            "tags": tags[claim_id],
            "created_at": render(created_at),
            "updated_at": render(updated_at),
            "version": version,
            "article_title": article_title,
            "article_url": article_url,
            "published_review": {
                "id": review_id,
                "author": review_author,
                "verdict": review_verdict,
                "rating_text": rating_text,
                "rating_value": RATING_VALUES.get(review_verdict),
                "summary": summary,
                "published_at": render(published_at),
                "evidence": evidence[review_id],
            },
        }
        article = {
            "publisher": article_publisher,
            "author": article_author,
            "published_at": render(article_published_at),
            "language": article_language,
        }
        yield ExportedClaim(detail, article)


def review_url(claim_id, review_id):
    """The public page of a review, under ``FACTCHECK_PUBLIC_BASE_URL``.

    ``FACTCHECK_REVIEW_URL_TEMPLATE`` (``{base}``, ``{claim_id}``, ``{review_id}``) overrides the shape.
    """
    return review_urls()(claim_id=claim_id, review_id=review_id)


def review_urls():
    """``review_url`` with the settings read once, for use on every row of an export."""
    template = getattr(settings, "FACTCHECK_REVIEW_URL_TEMPLATE", "{base}/reviews/{review_id}/")
    return partial(template.format, base=settings.FACTCHECK_PUBLIC_BASE_URL.rstrip("/"))


def organization():
    """The publishing organisation: the ClaimReview ``author``."""
    return {
        "@type": "Organization",
        "name": settings.FACTCHECK_ORGANIZATION_NAME,
        "url": settings.FACTCHECK_ORGANIZATION_URL,
    }


def claim_review(claim, *, publisher=None, url=None):
    """The schema.org ClaimReview (a dict) of a claim's published review.

    ``publisher`` and ``url`` (from ``organization()`` and ``review_urls()``) save reading settings per claim.
    """
    detail, article = claim
    review = detail["published_review"]
    rating = {"@type": "Rating", "alternateName": review["rating_text"]}
    if review["rating_value"] is not None:
        rating.update(ratingValue=review["rating_value"], bestRating=5, worstRating=1)
    appearance = {"@type": "CreativeWork", "headline": detail["article_title"]}
    if detail["article_url"]:
        appearance["url"] = detail["article_url"]
    if article["published_at"]:
        appearance["datePublished"] = article["published_at"]
    if article["author"]:
        appearance["author"] = {"@type": "Person", "name": article["author"]}
    if article["publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": article["publisher"]}
    if article["language"]:
        appearance["inLanguage"] = article["language"]
    item = {"@type": "Claim"}
    if detail["claimant"]:
        item["author"] = {"@type": "Person", "name": detail["claimant"]}
    if detail["claimed_at"]:
        item["datePublished"] = detail["claimed_at"]
    item["appearance"] = appearance
    result = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": (url or review_urls())(claim_id=detail["id"], review_id=review["id"]),
        "claimReviewed": detail["claim_reviewed"] or detail["quote"],
        "author": publisher or organization(),
        "datePublished": review["published_at"],
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if review["summary"]:
        result["reviewBody"] = review["summary"]
    if review["evidence"]:
        result["citation"] = [_citation(evidence) for evidence in review["evidence"]]
    return result


def _citation(evidence):
    work = {"@type": "CreativeWork", "url": evidence["url"]}
    if evidence["title"]:
        work["name"] = evidence["title"]
    if evidence["publisher"]:
        work["publisher"] = {"@type": "Organization", "name": evidence["publisher"]}
    if evidence["published_at"]:
        work["datePublished"] = evidence["published_at"]
    return work


_json_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _dumps(value):
    """Compact JSON, non-ASCII as is: orjson (several times faster than ``json``, the largest share of an
    export's time), or ``json`` for the text orjson refuses (a lone surrogate SQLite let through)."""
    try:
        return orjson.dumps(value).decode()
    except orjson.JSONEncodeError:
        return _json_dumps(value)


def _chunks(pieces):
    """Join small strings into chunks of about ``CHUNK_CHARS``: fewer, larger writes."""
    buffer, size = [], 0
    for piece in pieces:
        buffer.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(buffer)
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer)


def _json_list(head, items, tail):
    yield head
    separator = "\n"
    for item in items:
        yield separator
        yield _dumps(item)
        separator = ",\n"
    yield "\n" + tail if separator != "\n" else tail


def write_claimreview(claims):
    """A JSON array of ClaimReview objects, one per line."""
    publisher, url = organization(), review_urls()
    return _chunks(_json_list("[", (claim_review(claim, publisher=publisher, url=url) for claim in claims), "]\n"))


def write_datafeed(claims):
    """The ClaimReview objects in a schema.org DataFeed, as Google's fact-check feed has them."""
    publisher, url = organization(), review_urls()
    head = _dumps(
        {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "name": f"{settings.FACTCHECK_ORGANIZATION_NAME} fact checks",
            "url": settings.FACTCHECK_PUBLIC_BASE_URL,
            "publisher": publisher,
            "dateModified": _datetime(timezone.now()),
        }
    )
    items = (
        {
            "@type": "DataFeedItem",
            "dateCreated": review["datePublished"],
            "url": review["url"],
            "item": [review],
        }
        for review in (claim_review(claim, publisher=publisher, url=url) for claim in claims)
    )
    return _chunks(_json_list(head[:-1] + ',"dataFeedElement":[', items, "]}\n"))


def write_ndjson(claims):
    """One claim detail (as ``GET /api/v1/claims/{id}/`` returns it) per line."""
    return _chunks(_dumps(claim.detail) + "\n" for claim in claims)


def formula_like(text):
    """Whether a spreadsheet could run ``text`` as a formula (see ``FORMULA``)."""
    return FORMULA.match(text) is not None


def _guard(text):
    """Keep a spreadsheet from running a cell as a formula: a leading ``'`` makes it text."""
    return "'" + text if formula_like(text) else text


def csv_row(claim, url):
    """The ``CSV_COLUMNS`` cells of a claim, text neutralised against formula injection."""
    detail = claim.detail
    review = detail["published_review"]
    return [
        detail["id"],
        detail["article"],
        _guard(detail["article_title"]),
        _guard(detail["article_url"] or ""),
        _guard(detail["claimant"]),
        _guard(detail["quote"]),
        _guard(detail["claim_reviewed"]),
        review["verdict"],
        _guard(review["rating_text"]),
        "" if review["rating_value"] is None else review["rating_value"],
        _guard(review["summary"]),
        _guard(" ".join(evidence["url"] for evidence in review["evidence"])),
        review["published_at"],
        _guard(url(claim_id=detail["id"], review_id=review["id"])),
    ]


def write_csv(claims, rows_per_chunk=500):
    """A header and one row per claim; UTF-8 with a byte-order mark, RFC 4180 quoting and line ends."""
    url = review_urls()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    rows = []
    for claim in claims:
        rows.append(csv_row(claim, url))
        if len(rows) == rows_per_chunk:
            writer.writerows(rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            rows.clear()
    writer.writerows(rows)
    yield buffer.getvalue()


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
