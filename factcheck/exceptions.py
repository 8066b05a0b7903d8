"""One JSON error shape for every failure the API can meet."""

import logging

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # redis-py is needed only when the shared cache is Redis
    CACHE_OUTAGES = ()
else:
    CACHE_OUTAGES = (RedisConnectionError, RedisTimeoutError)

# A service every request needs (the database; the cache holding throttle counters) could not be reached:
# the client may retry, so it is a 503 with Retry-After, never a 500.
OUTAGES = (OperationalError, InterfaceError, *CACHE_OUTAGES)
RETRY_AFTER_OUTAGE_SECONDS = "5"


class ConflictError(Exception):
    """Base of the apps' errors for a request that clashes with the object's current state: the API answers 409.

    The apps subclass it (``reviews.workflow.InvalidTransition``), so this module imports no app.
    """


class Conflict(exceptions.APIException):
    """The request is valid but clashes with the object's current state (409)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """An ``If-Match`` precondition did not hold: the client's copy is stale (412)."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it; fetch it again."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    """A change to a versioned object names no version: it could overwrite someone else's (428)."""

    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        'Name the version you read: send the If-Match header with its ETag (e.g. If-Match: "3") '
        'or a "version" field in the body.'
    )
    default_code = "precondition_required"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "service_unavailable"


def outage_detail(exc):
    """What a client is told when ``exc`` (one of ``OUTAGES``) ended its request."""
    if isinstance(exc, CACHE_OUTAGES):
        return "The cache is unavailable; try again shortly."
    return ServiceUnavailable.default_detail


def exception_handler(exc, context):
    """DRF's handler, plus the apps' conflicts (409), Django validation errors (400), oversized bodies (413)
    and a lost database (503)."""
    if isinstance(exc, ConflictError):
        exc = Conflict(str(exc))
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, RequestDataTooBig):
        return Response({"detail": "Request body is too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    elif isinstance(exc, OUTAGES):
        logger.warning("service unavailable: %s", exc)
        exc = ServiceUnavailable(outage_detail(exc))
    elif isinstance(exc, DatabaseError):
        # Validation should have caught this; refuse the write rather than answer 500.
        logger.exception("database refused a write")
        exc = Conflict("The database refused this change: it would break an invariant.")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, ServiceUnavailable):
        response["Retry-After"] = RETRY_AFTER_OUTAGE_SECONDS
    if response is not None:
        answer_in_json(context["request"])
    return response


def answer_in_json(request):
    """Errors are JSON even from a view that renders something else (the schema's YAML, the docs' HTML);
    the browsable API (debug only) keeps its HTML page."""
    renderer = getattr(request, "accepted_renderer", None)
    if renderer is not None and renderer.format not in ("json", "api"):
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
