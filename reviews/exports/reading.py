"""The rows of an export: every verified claim with its published review, tags and evidence.

What readers see of the claim and its article comes from the published review's ``record`` (see
``reviews.record``), never from the live rows. ``exported_claims()`` reads them in id order, in
keyset batches of ``BATCH_SIZE``: four queries per batch (claims joined with their published
review; their tags; the review's evidence; the claims' published appearances), as plain tuples,
so the number of queries grows only with the number of batches and memory holds one batch at a
time. Every format writes the ``ExportedClaim`` records it yields.
"""

import json
from datetime import datetime
from functools import partial

from django.db import connections
from django.db.models import CharField, Count, F, FilteredRelation, Func, Lookup, Max, OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from claims.models import Claim, ClaimMatch
from factcheck.formats import iso_datetime
from reviews.exports.records import CLAIM_COLUMNS, EVIDENCE_COLUMNS, JSON_COLUMNS, REVIEW_ID, build
from reviews.models import Evidence, Review

# Claims per batch: at 1,000 the three queries of each batch (planning, binding the ids) cost a
# tenth of an export's time; 2,000 were 0.5 s faster at a million claims, 5,000 0.6 s more, for
# 22 MB more memory (with two batches in memory then). One batch is an export's peak memory, whatever
# its size.
BATCH_SIZE = 2000

DATETIME_COLUMNS = {"created_at", "updated_at", "published__published_at", "published__first_published_at"}


def exported_claims(queryset, *, batch_size=None):
    """Yield an ``ExportedClaim`` for every claim of ``queryset`` that has a published review, by id.

    Four queries per batch of ``batch_size`` claims (one more when the last batch is full), each
    holding only that batch: the query count and memory do not grow with the size of the export.
    """
    batch_size = batch_size or BATCH_SIZE
    column, render, render_text = datetime_reading(queryset.db)
    claim_columns = [read_column(name, column) for name in CLAIM_COLUMNS]
    evidence_columns = [column(name) if name in DATETIME_COLUMNS else name for name in EVIDENCE_COLUMNS]
    last_id = 0
    while True:
        claims = claim_rows(queryset, claim_columns, last_id, batch_size)
        if not claims:
            return
        tags = tag_rows(queryset.db, [row[0] for row in claims])
        evidence = evidence_rows(queryset.db, evidence_columns, [row[REVIEW_ID] for row in claims])
        appearances = appearance_rows(queryset.db, [row[0] for row in claims])
        yield from build(claims, tags, evidence, render, render_text, appearance_rows=appearances)
        if len(claims) < batch_size:
            return
        last_id = claims[-1][0]


def read_column(name, datetime_column):
    """How a column of ``CLAIM_COLUMNS`` is read: timestamps with ``datetime_column``, JSON as its text
    (parsed by orjson in ``build``, several times faster than the JSON field's own ``json.loads``)."""
    if name in DATETIME_COLUMNS:
        return datetime_column(name)
    if name in JSON_COLUMNS:
        return Cast(name, TextField())
    return name


def claim_rows(queryset, columns, last_id, limit):
    """The first ``limit`` claims of ``queryset`` after ``last_id`` that have a published review,
    joined with that review, in id order, as tuples of ``columns``."""
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


def appearance_rows(alias, claim_ids):
    """``(reviewed claim id, appearance id, its article id, its published record as JSON text)`` of the
    published appearances of these claims (``reviews.matches``), by appearance id."""
    rows = ClaimMatch.objects.using(alias).filter(
        AnyOf(F("reviewed_claim_id"), claim_ids), state=ClaimMatch.State.CONFIRMED, record__isnull=False
    )
    return list(
        rows.order_by("claim_id").values_list(
            "reviewed_claim_id", "claim_id", "claim__article_id", Cast("record", TextField())
        )
    )


def last_change(queryset):
    """``(count, last_modified)`` of the claims ``exported_claims(queryset)`` writes, in one aggregate query.

    What an export says about a claim changes only with the claim row (its tags, status, version) or
    its published review (a correction is a new published review, with a new record of the claim
    and its article; evidence is fixed once published) or its claimant entity (whose type and links
    ClaimReview shows live), so the newest ``updated_at`` of the three and
    the count (claims leaving the set) tell when it changed. An edit of the article reaches an export
    only with a correction. ``last_modified`` is None when there is nothing to export.
    """
    published = Q(reviews__state=Review.State.PUBLISHED)
    # An appearance confirmed, undone or published with its reviewed claim changes the claim's ClaimReview.
    matched = ClaimMatch.objects.filter(reviewed_claim=OuterRef("pk")).order_by().values("reviewed_claim")
    row = (
        queryset.annotate(
            published=FilteredRelation("reviews", condition=published),
            matched_at=Subquery(matched.annotate(last=Max("updated_at")).values("last")),
        )
        .filter(published__isnull=False)
        .aggregate(
            count=Count("pk"),
            claim=Max("updated_at"),
            review=Max("published__updated_at"),
            claimant=Max("claimant_entity__updated_at"),
            appearance=Max("matched_at"),
        )
    )
    changes = [row[name] for name in ("claim", "review", "claimant", "appearance") if row[name] is not None]
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

    Django loads a ``timestamptz`` with a Python loader (its own, over psycopg's pure-Python one),
    and the datetime is then formatted again in Python: about 6.5 µs a timestamp. Measured with
    bench/export.py at 100,000 claims (800,000 timestamps), that made exports 6.7-8.2× COPY
    instead of 2.7-3.6×, 5.4 s more CPU (bench/README.md); the database formats them in its own
    process for next to nothing. Dates load in C and are formatted in Python (about 7% of the reading).
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
    """``(column, render, render_text)``: how datetime columns are read and rendered. As text formatted
    by PostgreSQL when the export is in UTC (the usual case); else as datetimes Python renders in the
    current time zone. ``render_text`` renders the ISO 8601 UTC text of a record's timestamps: as is in
    UTC, else in the current time zone."""
    in_utc = timezone.get_current_timezone_name() == "UTC"
    render_text = _as_is if in_utc else partial(_iso_in_zone, zone=timezone.get_current_timezone())
    if connections[alias].vendor == "postgresql" and in_utc:
        return UTCTimestamp, _as_is, render_text
    return _as_is, partial(iso_datetime, zone=timezone.get_current_timezone()), render_text


def _as_is(value):
    return value


def _iso_in_zone(text, zone):
    return iso_datetime(datetime.fromisoformat(text), zone) if text else None
