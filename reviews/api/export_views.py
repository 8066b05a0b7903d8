"""``GET /api/v1/exports/claims``: every verified claim, streamed as ClaimReview, CSV or NDJSON."""

import itertools

from django.http import StreamingHttpResponse
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer

from reviews import exports


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
    """

    queryset = exports.verified_claims()
    filter_backends = [DjangoFilterBackend]
    filterset_class = exports.ExportFilter
    pagination_class = None
    permission_classes = [AllowAny]  # published material only, whoever asks
    renderer_classes = [JSONRenderer]
    content_negotiation_class = ExportNegotiation

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
                {"oneOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}]},
                description="`claimreview` (array) or `datafeed` (DataFeed)",
            ),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="Columns: " + ", ".join(exports.CSV_COLUMNS)
            ),
            (200, "application/x-ndjson"): OpenApiResponse(OpenApiTypes.STR, description="One claim detail per line"),
            (400, "application/json"): OpenApiResponse(
                OpenApiTypes.OBJECT, description="Unknown format or invalid filter"
            ),
        },
    )
    def get(self, request, *args, **kwargs):
        name = request.query_params.get("format") or exports.DEFAULT_FORMAT
        fmt = exports.FORMATS.get(name)
        if fmt is None:
            raise ValidationError(
                {"format": [f"Unknown export format {name!r}; use one of: {', '.join(exports.FORMATS)}."]}
            )
        claims = exports.exported_claims(self.filter_queryset(self.get_queryset()))
        if request.method == "HEAD":
            claims = ()  # the headers only: no reason to run the export
        else:
            # Read the first batch now: if the database is down the client gets a JSON 503, not a broken stream.
            first = list(itertools.islice(claims, 1))
            claims = itertools.chain(first, claims)
        response = StreamingHttpResponse(fmt.write(claims), content_type=fmt.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exports.filename(fmt)}"'
        response["Cache-Control"] = "no-store"
        return response
