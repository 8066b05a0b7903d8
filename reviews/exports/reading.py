"""The rows of an export: every verified claim with its article, published review, tags and evidence.

``exported_claims()`` reads them in id order, in keyset batches of ``BATCH_SIZE``: three queries
per batch (claims joined with their article and published review; their tags; the review's
evidence), as plain tuples, so the number of queries grows only with the number of batches and
memory holds one batch at a time. Every format writes the ``ExportedClaim`` records it yields.
"""

import json
from collections import namedtuple
from functools import partial

from django.db import connections
from django.db.models import CharField, Count, F, FilteredRelation, Func, Lookup, Max, Q
from django.utils import timezone

from claims.models import Claim
from reviews.models import RATING_VALUES, Evidence, Review

# Claims per batch: at 1,000 the three queries of each batch (planning, binding the ids) cost a
# tenth of an export's time; 2,000 were 0.5 s faster at a million claims, 5,000 0.6 s more, for
# 22 MB more memory. Two batches (one written, the next read) are an export's peak memory,
# whatever its size.
BATCH_SIZE = 2000

ExportedClaim = namedtuple("ExportedClaim", ["detail", "article"])
ExportedClaim.__doc__ = """One verified claim: ``detail`` is the API's claim detail (a plain dict);
``article`` the article facts ClaimReview needs besides (publisher, author, published_at, language)."""

CLAIM_COLUMNS = (
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
REVIEW_ID = CLAIM_COLUMNS.index("published__id")
DATETIME_COLUMNS = {"created_at", "updated_at", "article__published_at", "published__published_at"}
EVIDENCE_COLUMNS = (
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


def exported_claims(queryset, *, batch_size=None):
    """Yield an ``ExportedClaim`` for every claim of ``queryset`` that has a published review, by id.

    Three queries per batch of ``batch_size`` claims (one more when the last batch is full), each
    holding only that batch: the query count and memory do not grow with the size of the export.
    """
    batch_size = batch_size or BATCH_SIZE
    column, render = datetime_reading(queryset.db)
    claim_columns = [column(name) if name in DATETIME_COLUMNS else name for name in CLAIM_COLUMNS]
    evidence_columns = [column(name) if name in DATETIME_COLUMNS else name for name in EVIDENCE_COLUMNS]
    last_id = 0
    while True:
        claims = claim_rows(queryset, claim_columns, last_id, batch_size)
        if not claims:
            return
        tags = tag_rows(queryset.db, [row[0] for row in claims])
        evidence = evidence_rows(queryset.db, evidence_columns, [row[REVIEW_ID] for row in claims])
        yield from build(claims, tags, evidence, render)
        if len(claims) < batch_size:
            return
        last_id = claims[-1][0]


def claim_rows(queryset, columns, last_id, limit):
    """The first ``limit`` claims of ``queryset`` after ``last_id`` that have a published review,
    joined with their article and that review, in id order, as tuples of ``columns``."""
    # The bound is on both sides of the claim-review join, so that PostgreSQL starts both index
    # scans at last_id instead of reading every review before it (time quadratic in the size).
    published = Q(reviews__state=Review.State.PUBLISHED, reviews__claim_id__gt=last_id)
    return list(
        queryset.annotate(published=FilteredRelation("reviews", condition=published))
        .filter(published__isnull=False, pk__gt=last_id)
        .order_by("pk")
        .values_list(*columns)[:limit]
    )


def tag_rows(alias, claim_ids):
    """``(claim_id, tag name)`` of these claims, by tag name."""
    rows = Claim.tags.through.objects.using(alias).filter(AnyOf(F("claim_id"), claim_ids))
    return list(rows.order_by("tag__name").values_list("claim_id", "tag__name"))


def evidence_rows(alias, columns, review_ids):
    """The evidence of these reviews, by id, as tuples of ``columns``."""
    rows = Evidence.objects.using(alias).filter(AnyOf(F("review_id"), review_ids))
    return list(rows.order_by("id").values_list(*columns))


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
    formatted by PostgreSQL.

    Django parses a ``timestamptz`` into a datetime in Python (its own loader over psycopg's
    pure-Python one: about 6 µs a value), and a datetime is formatted again in Python. For the
    800,000 timestamps of 100,000 claims that was 5 s of CPU, the export's CPU time times 2.6
    (bench/README.md); formatted by the database, in its own process, they cost next to nothing.
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


def datetime_reading(alias):
    """``(column, render)``: how datetime columns are read and rendered. As text formatted by
    PostgreSQL when the export is in UTC (the usual case); else as datetimes Python renders in the
    current time zone."""
    if connections[alias].vendor == "postgresql" and timezone.get_current_timezone_name() == "UTC":
        return UTCTimestamp, _as_is
    return _as_is, partial(render_datetime, zone=timezone.get_current_timezone())


def _as_is(value):
    return value


def render_datetime(value, zone=None):
    """As DRF renders a datetime: ISO 8601 in ``zone`` (default: the current time zone), ``Z`` for UTC,
    no fraction when the microseconds are zero (``2024-02-03T04:05:06Z``)."""
    if not value:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def render_date(value):
    return value.isoformat() if value else None


def build(claims, tag_rows, evidence_rows, render):
    """ExportedClaims of a batch of claim rows, with the tags and evidence of those claims."""
    tags = {row[0]: [] for row in claims}
    for claim_id, name in tag_rows:
        if claim_id in tags:  # a claim verified since the batch was read is in the next export
            tags[claim_id].append(name)
    evidence = {row[REVIEW_ID]: [] for row in claims}
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

    for row in claims:
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
