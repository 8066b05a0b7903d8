"""Site-wide endpoints: health check and JSON error pages."""

import sys

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from factcheck.exceptions import OUTAGES, RETRY_AFTER_OUTAGE_SECONDS, outage_detail


@never_cache
@require_GET
def healthz(request):
    """Liveness and database readiness: 200 when a query succeeds, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": exc.__class__.__name__},
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "vendor": connection.vendor})


def not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def server_error(request):
    # Django calls this while handling the exception: a lost database or cache outside the API (admin,
    # middleware) is a 503 the client may retry, as in the API (factcheck.exceptions).
    exc = sys.exc_info()[1]
    if isinstance(exc, OUTAGES):
        response = JsonResponse({"detail": outage_detail(exc)}, status=503)
        response["Retry-After"] = RETRY_AFTER_OUTAGE_SECONDS
        return response
    return JsonResponse({"detail": "Internal server error."}, status=500)


def bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def permission_denied(request, exception=None):
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
