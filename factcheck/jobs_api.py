"""The job resource: ``GET /api/v1/jobs/{id}/`` to poll a background job, ``download/`` for its file.

A job is visible to whoever started it and to superusers; to anyone else it does not exist (404).
(Every reviewer and editor is ``is_staff`` here, to work in the admin: staff alone sees no one else's.)
"""

import posixpath

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from factcheck import jobs
from factcheck.models import Job


class JobSerializer(serializers.ModelSerializer):
    """A background job: what it is, where it stands, and what it produced or why it failed."""

    url = serializers.SerializerMethodField(help_text="Poll this until `status` is `succeeded` or `failed`.")
    type = serializers.CharField(source="name", read_only=True, help_text="The job, e.g. `claims.extract_article`.")
    next_attempt_at = serializers.SerializerMethodField(
        help_text="While queued: not started before this time (a retry waits longer after each failure)."
    )
    result = serializers.JSONField(read_only=True, help_text="What the job produced, once finished (else null).")
    error = serializers.CharField(read_only=True, help_text="The last attempt's error; empty when none failed.")
    download_url = serializers.SerializerMethodField(help_text="Once succeeded, the file it wrote (exports).")

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "type",
            "status",
            "attempts",
            "max_attempts",
            "created_at",
            "started_at",
            "finished_at",
            "next_attempt_at",
            "result",
            "error",
            "download_url",
        ]
        read_only_fields = fields

    def get_url(self, record) -> str:
        return job_url(record, self.context["request"])

    def get_next_attempt_at(self, record) -> str | None:
        return serializers.DateTimeField().to_representation(record.run_after) if record.status == "queued" else None

    def get_download_url(self, record) -> str | None:
        if record.status != Job.Status.SUCCEEDED or not (record.result or {}).get("file"):
            return None
        return self.context["request"].build_absolute_uri(reverse("job-download", args=[record.pk]))


def job_url(record, request):
    """The absolute URL to poll ``record`` at (DRF's ``reverse`` would carry the request's ``?format=`` over)."""
    return request.build_absolute_uri(reverse("job-detail", args=[record.pk]))


def accepted(record, request):
    """202 for work left to a job: the job as ``GET jobs/{id}/`` shows it, ``Location`` its URL."""
    data = JobSerializer(record, context={"request": request}).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"], "Retry-After": "1"})


JOB_ACCEPTED = OpenApiResponse(
    JobSerializer, description="Left to a background job: poll `Location` (the job) until it has finished."
)


class JobViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Background jobs started through the API (long extractions, large imports, file exports).

    Poll a job until its ``status`` is ``succeeded`` (its ``result``; a ``download_url`` for a file)
    or ``failed`` (the ``error``). A job that fails is retried, with a growing delay, up to
    ``max_attempts`` times; ``next_attempt_at`` says when. Visible to whoever started it and to superusers.
    """

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the OpenAPI document is built without a user
            return Job.objects.none()
        user = self.request.user
        queryset = Job.objects.all()
        return queryset if user.is_superuser else queryset.filter(created_by=user)

    @extend_schema(
        responses={
            # The content type of the file the job wrote: the export formats' (reviews.exports.FORMATS).
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for content_type in ("application/ld+json", "text/csv", "application/x-ndjson")
            },
            404: OpenApiResponse(
                {"$ref": "#/components/schemas/Error"},
                description="No such job, not yours, not finished, or it wrote no file.",
            ),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file a finished job wrote (an export), as an attachment."""
        record = self.get_object()
        opened = jobs.result_file(record)
        if opened is None:
            raise NotFound("This job has no file to download (yet).")
        return FileResponse(
            opened,
            as_attachment=True,
            filename=posixpath.basename(record.result["file"]),
            content_type=record.result.get("content_type") or "application/octet-stream",
        )
