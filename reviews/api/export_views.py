"""``GET /api/v1/exports/claims``: every verified claim, streamed as ClaimReview, CSV or NDJSON.

An export holds a worker for its whole stream, so it is guarded three ways: a throttle scope of its
own (``export_anon``, ``export_user``), an ``ETag``/``Last-Modified`` that lets a client that has
the current data get a 304 instead of the stream, and at most ``FACTCHECK_MAX_CONCURRENT_EXPORTS``
streams at once across all workers (slots in the shared cache); beyond that, 503 with Retry-After.
"""

import hashlib
import itertools
import json
import threading
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from factcheck.exceptions import PreconditionFailed
from factcheck.jobs_api import JOB_ACCEPTED, accepted
from factcheck.throttling import ExportAnonRateThrottle, ExportUserRateThrottle
from reviews import exports
from reviews import jobs as review_jobs

# A slot outlives a crashed worker by at most this long; a live stream renews it as it goes.
SLOT_SECONDS = 60
RETRY_AFTER_SECONDS = 15


class ExportsBusy(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Too many exports are running; retry after `Retry-After` seconds."
    default_code = "exports_busy"
    wait = RETRY_AFTER_SECONDS  # DRF's exception handler turns this into Retry-After


class ExportSlot:
    """One of ``FACTCHECK_MAX_CONCURRENT_EXPORTS`` places in the shared cache, held by one export's stream."""

    def __init__(self, key, holder):
        self.key, self.holder = key, holder
        self.released = False

    @classmethod
    def take(cls):
        """A free slot, now held by the caller, or None when every slot is held."""
        holder = uuid.uuid4().hex
        for number in range(settings.FACTCHECK_MAX_CONCURRENT_EXPORTS):
            key = f"export-slot:{number}"
            if cache.add(key, holder, SLOT_SECONDS):  # atomic: one of two racing workers wins
                return cls(key, holder)
        return None

    def held(self, chunks):
        """``chunks``, renewing the slot while they are written, and releasing it after the last one."""
        renewed = time.monotonic()
        for chunk in chunks:
            yield chunk
            if time.monotonic() - renewed > SLOT_SECONDS / 3:
                cache.touch(self.key, SLOT_SECONDS)
                renewed = time.monotonic()
        # Before the server ends the response: a client that has read it all finds the slot free.
        self.release()

    def release(self):
        """Free the slot (once; later calls do nothing), now or as soon as the cache can be reached."""
        if self.released:
            return
        self.released = True
        try:
            self._free()
        except Exception:  # the cache's own errors: DatabaseError, redis.ConnectionError
            # The database went away mid-export: free the slot when it is back, so that exports
            # resume with everything else instead of a minute later, when the slot would lapse.
            threading.Thread(target=self._free_when_possible, name="export-slot", daemon=True).start()

    def _free(self):
        # A slot that lapsed (a write stalled for a minute) may be someone else's by now: leave theirs.
        if cache.get(self.key) == self.holder:
            cache.delete(self.key)

    def _free_when_possible(self):
        for _ in range(SLOT_SECONDS):
            time.sleep(1)
            try:
                self._free()
                return
            except Exception:
                continue
            finally:
                connections.close_all()  # this thread's own connection: a broken one is not reused


class ExportResponse(StreamingHttpResponse):
    """A streamed export that gives its slot back when the server closes it, if the stream has not:
    the client left, or the server never read it."""

    def __init__(self, *args, slot, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot = slot

    def close(self):
        try:
            self.slot.release()
        finally:
            super().close()


def export_response(fmt, queryset, *, headers=None, slot=None):
    """The claims of ``queryset`` that have a published review, streamed in ``fmt`` (an
    ``exports.FORMATS`` value) as an attachment named by ``exports.filename(fmt)``.

    The first batch is read before the response is returned: when the database is down the caller
    answers with an error (a JSON 503 from the API), not a broken stream. With a ``slot`` (an
    ``ExportSlot``) the stream holds it while it is written and gives it back when the response is
    closed; the caller releases it if this raises.
    """
    claims = exports.exported_claims(queryset)
    first = list(itertools.islice(claims, 1))
    chunks = fmt.write(itertools.chain(first, claims))
    if slot is None:
        response = StreamingHttpResponse(chunks, content_type=fmt.content_type, headers=headers)
    else:
        response = ExportResponse(slot.held(chunks), content_type=fmt.content_type, headers=headers, slot=slot)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
    return response


def export_etag(fmt, params, count, last_modified):
    """A weak ETag for an export: the data's state, the request and the settings the output depends on.

    Weak because ``datafeed`` stamps the time of writing, and because equal data is all it promises.
    """
    state = [
        fmt.name,
        sorted(params.lists()),
        count,
        last_modified.isoformat() if last_modified else None,
        timezone.get_current_timezone_name(),
        settings.FACTCHECK_PUBLIC_BASE_URL,
        settings.FACTCHECK_ORGANIZATION_NAME,
        settings.FACTCHECK_ORGANIZATION_URL,
        settings.FACTCHECK_REVIEW_URL_TEMPLATE,
    ]
    digest = hashlib.sha256(json.dumps(state).encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _typed(name):
    return {"type": "string", "enum": [name]}


def _thing(type_name, required, **properties):
    """A schema.org object schema: its ``@type`` and ``properties``; other properties may be added."""
    return {
        "type": "object",
        "properties": {"@type": _typed(type_name), **properties},
        "required": ["@type", *required],
    }


TEXT = {"type": "string"}
DATE_TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
URL = {"type": "string", "format": "uri"}

# The JSON-LD the ``claimreview`` and ``datafeed`` exports write (``reviews/exports/claimreview.py``,
# ``datafeed.py``), as components of the OpenAPI document (added by ``add_export_schemas``).
EXPORT_SCHEMAS = {
    "ClaimReviewOrganization": _thing("Organization", ["name"], name=TEXT, url=TEXT),
    "ClaimReviewPerson": _thing("Person", ["name"], name=TEXT),
    # The claimant (``itemReviewed.author``), typed by its entity (claims.Claimant.type), with its links.
    "ClaimReviewClaimant": {
        "type": "object",
        "properties": {
            "@type": {"type": "string", "enum": ["Person", "Organization", "GovernmentOrganization"]},
            "name": TEXT,
            "sameAs": {"type": "array", "items": URL},
        },
        "required": ["@type", "name"],
    },
    "ClaimReviewRating": _thing(
        "Rating",
        ["alternateName"],
        alternateName=TEXT,
        ratingValue={"type": "integer", "minimum": 1, "maximum": 5},
        bestRating={"type": "integer", "enum": [5]},
        worstRating={"type": "integer", "enum": [1]},
    ),
    "ClaimReviewAppearance": _thing(
        "CreativeWork",
        ["headline"],
        headline=TEXT,
        url=URL,
        datePublished=DATE_TIME,
        author=_ref("ClaimReviewPerson"),
        publisher=_ref("ClaimReviewOrganization"),
        inLanguage=TEXT,
    ),
    "ClaimReviewCitation": _thing(
        "CreativeWork", ["url"], url=URL, name=TEXT, publisher=_ref("ClaimReviewOrganization"), datePublished=DATE
    ),
    "ClaimReviewClaim": _thing(
        "Claim",
        ["appearance"],
        author=_ref("ClaimReviewClaimant"),
        datePublished=DATE,
        # One article; a recurring claim (reviews.matches) lists every article, with the earliest.
        appearance={
            "oneOf": [
                _ref("ClaimReviewAppearance"),
                {"type": "array", "items": _ref("ClaimReviewAppearance"), "minItems": 2},
            ]
        },
        firstAppearance=_ref("ClaimReviewAppearance"),
    ),
    "ClaimReview": {
        **_thing(
            "ClaimReview",
            ["@context", "url", "claimReviewed", "author", "datePublished", "reviewRating", "itemReviewed"],
            url=URL,
            claimReviewed=TEXT,
            author=_ref("ClaimReviewOrganization"),
            datePublished=DATE_TIME,
            dateModified=DATE_TIME,
            reviewRating=_ref("ClaimReviewRating"),
            itemReviewed=_ref("ClaimReviewClaim"),
            reviewBody=TEXT,
            citation={"type": "array", "items": _ref("ClaimReviewCitation")},
        ),
        "description": "A published review as schema.org ClaimReview (JSON-LD).",
    },
    "ClaimReviewDataFeedItem": _thing(
        "DataFeedItem",
        ["dateCreated", "url", "item"],
        dateCreated=DATE_TIME,
        url=URL,
        item={"type": "array", "items": _ref("ClaimReview"), "minItems": 1, "maxItems": 1},
    ),
    "ClaimReviewDataFeed": {
        **_thing(
            "DataFeed",
            ["@context", "name", "url", "publisher", "dateModified", "dataFeedElement"],
            name=TEXT,
            url=TEXT,
            publisher=_ref("ClaimReviewOrganization"),
            dateModified=DATE_TIME,
            dataFeedElement={"type": "array", "items": _ref("ClaimReviewDataFeedItem")},
        ),
        "description": "The ClaimReview objects in a schema.org DataFeed, the shape of Google's fact-check feed.",
    },
}
for _schema in (EXPORT_SCHEMAS["ClaimReview"], EXPORT_SCHEMAS["ClaimReviewDataFeed"]):
    _schema["properties"]["@context"] = _typed("https://schema.org")

EXPORT_ETAG = {
    "description": "Changes when the exported data does; send it back in `If-None-Match` for a 304.",
    "required": True,
    "schema": {"type": "string", "pattern": '^W/"[0-9a-f]+"$'},
}
EXPORT_LAST_MODIFIED = {
    "description": "The newest change to the exported claims (absent when there are none); for `If-Modified-Since`.",
    "required": False,
    "schema": {"type": "string"},
}


def add_export_schemas(result, generator, request, public):
    """drf-spectacular postprocessing hook: the ClaimReview components, and the export's cache headers."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in EXPORT_SCHEMAS.items():
        schemas.setdefault(name, schema)
    for path_item in result.get("paths", {}).values():
        operation = path_item.get("get", {})
        if operation.get("operationId") != "exports_claims":
            continue
        for code in ("200", "304"):
            headers = operation["responses"][code].setdefault("headers", {})
            headers.setdefault("ETag", EXPORT_ETAG)
            headers.setdefault("Last-Modified", EXPORT_LAST_MODIFIED)
    return result


class ExportNegotiation(BaseContentNegotiation):
    """``?format=`` names the export format here, not a DRF renderer, and ``Accept`` picks nothing:
    the export sets its own content type; JSON is only for errors."""

    def select_parser(self, request, parsers):
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type


class ClaimExportView(generics.GenericAPIView):
    """Stream every verified claim with its published review and evidence, oldest first.

    ``format``: ``claimreview`` (default; a JSON-LD array of schema.org ClaimReview), ``datafeed``
    (the same in a schema.org DataFeed, as Google's fact-check feed), ``csv`` (one row per claim)
    or ``ndjson`` (one claim per line, as ``claims/{id}/`` returns it). Filters as on ``claims/``;
    use ``updated_since`` for incremental sync. Anonymous clients may export.

    Send the ``ETag`` back in ``If-None-Match`` (or ``Last-Modified`` in ``If-Modified-Since``) to
    get 304 when nothing exported has changed. While too many exports run at once: 503 with
    ``Retry-After``.
    """

    queryset = exports.verified_claims()
    filter_backends = [DjangoFilterBackend]
    filterset_class = exports.ExportFilter
    pagination_class = None
    permission_classes = [AllowAny]  # published material only, whoever asks
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ExportNegotiation
    throttle_classes = [ExportAnonRateThrottle, ExportUserRateThrottle]

    @extend_schema(
        operation_id="exports_claims",
        filters=True,
        parameters=[
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=list(exports.FORMATS),
                default=exports.DEFAULT_FORMAT,
                description="; ".join(f"`{fmt.name}`: {fmt.description}" for fmt in exports.FORMATS.values()),
            )
        ],
        responses={
            (200, "application/ld+json"): OpenApiResponse(
                {"oneOf": [{"type": "array", "items": _ref("ClaimReview")}, _ref("ClaimReviewDataFeed")]},
                description="`claimreview`: an array of ClaimReview; `datafeed`: a DataFeed of them",
            ),
            (200, "text/csv"): OpenApiResponse(
                {"type": "string"},
                description="`csv`: UTF-8 with a byte-order mark, a header row, then one row per claim. Columns: "
                + ", ".join(exports.CSV_COLUMNS),
            ),
            (200, "application/x-ndjson"): OpenApiResponse(
                {"type": "string"},
                description="`ndjson`: one JSON object per line, each a `ClaimDetail` (as `GET /claims/{id}/` has it)",
            ),
            (400, "application/json"): OpenApiResponse(
                _ref("ValidationError"), description="Unknown format or invalid filter"
            ),
            304: OpenApiResponse(description="Not modified: `If-None-Match` or `If-Modified-Since` still holds"),
            (412, "application/json"): OpenApiResponse(
                _ref("Error"), description="`If-Match` or `If-Unmodified-Since` no longer holds"
            ),
            (503, "application/json"): OpenApiResponse(
                _ref("Error"),
                description="Too many exports running (or the database is unavailable): retry after `Retry-After`",
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        name = request.query_params.get("format", exports.DEFAULT_FORMAT)
        fmt = exports.FORMATS.get(name)
        if fmt is None:
            raise ValidationError(
                {"format": [f"Unknown export format {name!r}; use one of: {', '.join(exports.FORMATS)}."]}
            )
        queryset = self.filter_queryset(self.get_queryset())
        count, last_modified = exports.last_change(queryset)
        headers = {
            "ETag": export_etag(fmt, request.query_params, count, last_modified),
            # Published material, the same for every client: any cache may keep it, but must ask
            # again each time (one aggregate query and a 304 when unchanged), so corrections show at once.
            "Cache-Control": "public, no-cache",
        }
        if last_modified is not None:
            headers["Last-Modified"] = http_date(last_modified.timestamp())
        conditional = get_conditional_response(
            request, etag=headers["ETag"], last_modified=last_modified and int(last_modified.timestamp())
        )
        if conditional is not None and conditional.status_code == status.HTTP_412_PRECONDITION_FAILED:
            raise PreconditionFailed("The export has changed since the version named in the precondition.")
        if conditional is not None:
            for name, value in headers.items():
                conditional[name] = value
            return conditional
        if request.method == "HEAD":
            # The headers only: no reason to run the export, nor to hold a slot.
            response = StreamingHttpResponse((), content_type=fmt.content_type, headers=headers)
            response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
            return response
        return self.stream(fmt, queryset, headers)

    def stream(self, fmt, queryset, headers):
        """The export as a response holding an export slot until it is closed; 503 when none is free."""
        slot = ExportSlot.take()
        if slot is None:
            raise ExportsBusy()
        try:
            return export_response(fmt, queryset, headers=headers, slot=slot)
        except BaseException:
            slot.release()
            raise


class ClaimExportFileView(APIView):
    """Write the export to a file by a background job, rather than stream it (any signed-in client).

    The same ``format`` and filters as ``exports/claims``, in the query string. 202 with the job to
    poll; once it has succeeded its ``download_url`` serves the file to whoever started it.
    """

    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ExportNegotiation  # ``format`` is the export's

    @extend_schema(
        operation_id="exports_claims_file",
        request=None,
        filters=False,
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(exports.FORMATS), default=exports.DEFAULT_FORMAT),
            OpenApiParameter(
                "filters",
                OpenApiTypes.OBJECT,
                style="form",
                explode=True,
                description="The claim filters of `exports/claims` (`verdict`, `article`, `updated_since`, …).",
            ),
        ],
        responses={202: JOB_ACCEPTED, 400: OpenApiResponse(_ref("ValidationError"))},
    )
    def post(self, request):
        name = request.query_params.get("format", exports.DEFAULT_FORMAT)
        fmt = exports.FORMATS.get(name)
        if fmt is None:
            raise ValidationError(
                {"format": [f"Unknown export format {name!r}; use one of: {', '.join(exports.FORMATS)}."]}
            )
        filters = {key: request.query_params.getlist(key) for key in request.query_params if key != "format"}
        try:
            record = review_jobs.start_export(fmt, filters, by=request.user)
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from exc
        return accepted(record, request)
