"""Rate limits keyed on the real client address, with counters in the cache every worker shares.

``client_ip`` is the one notion of "the client's address": DRF's throttles and django-axes's
lock-out (``AXES_CLIENT_IP_CALLABLE``) both use it, so a client cannot escape one of them by
forging ``X-Forwarded-For``. It reads that header only as far as ``NUM_PROXIES`` trusted proxies
(``FACTCHECK_NUM_PROXIES``) vouch for it; with none, it is ``REMOTE_ADDR``.
"""

import ipaddress

from rest_framework import throttling


def client_ip(request):
    """The client's IP address: DRF's reading under ``NUM_PROXIES``, or ``REMOTE_ADDR`` if that is not an IP.

    ``request`` is a Django or DRF request. The result always parses as an IP address (or is None
    when the server gave no ``REMOTE_ADDR``), so it fits axes's IP column and a cache key.
    """
    address = throttling.BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        # Only a misconfigured NUM_PROXIES (more proxies than the request passed) lets the client
        # pick this value; fall back to the peer rather than keying on whatever it wrote.
        return request.META.get("REMOTE_ADDR")


class ClientAddressMixin:
    def get_ident(self, request):
        return client_ip(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """Anonymous requests, per client address (scope ``anon``)."""


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """Authenticated requests, per user (scope ``user``).

    DRF's also counts anonymous requests per address; ``AnonRateThrottle`` does that at a lower
    rate already, and each count is a read and a write of the shared cache (2.6 ms on PostgreSQL).
    """

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    """The view's ``throttle_scope``, per user or client address (the login endpoint's ``login``)."""


class ExportAnonRateThrottle(AnonRateThrottle):
    """Anonymous exports, per client address: each one holds a worker for the whole stream."""

    scope = "export_anon"


class ExportUserRateThrottle(UserRateThrottle):
    """Authenticated exports, per user; anonymous ones are left to ``ExportAnonRateThrottle``."""

    scope = "export_user"
