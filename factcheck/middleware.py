"""Request guards that must run before any view parses a body."""

from django.conf import settings
from django.http import JsonResponse


class RequestSizeLimitMiddleware:
    """Refuse request bodies over ``FACTCHECK_MAX_REQUEST_BYTES`` with 413, before reading them.

    DRF parsers read the stream directly, bypassing Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``, so the
    limit is applied here to every request from the declared length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return JsonResponse({"detail": "Content-Length header is not a number."}, status=400)
        limit = settings.FACTCHECK_MAX_REQUEST_BYTES
        if length > limit:
            return JsonResponse({"detail": f"Request body is {length} bytes; the limit is {limit} bytes."}, status=413)
        return self.get_response(request)
