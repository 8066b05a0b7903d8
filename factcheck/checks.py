"""System checks: ``manage.py check --deploy`` refuses a secret key anyone can read in this repository,
and warns when the published review URLs would point at this machine rather than the public site."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Keys written in this repository, which settings.py refuses whenever debug is off: the old
# docker-compose default and the development key settings.py uses when debug is on.
PUBLISHED_SECRET_KEYS = frozenset(
    {
        "change-me-0b9f1c7e4d2a8f6b3e5c9a1d7f4b2e8c6a0d3f5b9e1c7a4",
        "dev-only-insecure-key-for-local-debug-runs-never-use-in-production-0123456789",
    }
)
# Placeholders a person may type or keep from an example.
PLACEHOLDER_MARKERS = ("change-me", "changeme", "insecure")
# Keys written in this repository for processes that run with debug off but serve no one: the test
# run (pyproject.toml), the image build's collectstatic (Dockerfile) and the benchmarks. The
# settings accept them so that those keep working; `check --deploy` refuses them.
TOOLING_SECRET_KEYS = frozenset(
    {
        "test-only-secret-key-9f3b7c2e1a6d4f8b0c5e7a9d2b4f6e8a1c3d5f7b9e",
        "build-only-key-not-used-at-runtime-7c1e9a4f2b8d6e3a5c0f9b7d1e4a2c8f",
        "bench-only-secret-key-7d1f0a9c3e5b8f2a4c6e8b0d2f4a6c8e0b2d4f6a8c",
    }
)
GENERATE_A_KEY = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def is_published_secret_key(key):
    """Whether ``key`` is one of this repository's example keys or reads like a placeholder."""
    return key.strip() in PUBLISHED_SECRET_KEYS or any(marker in key.lower() for marker in PLACEHOLDER_MARKERS)


def check_secret_key(app_configs, **kwargs):
    """``factcheck.E001``: the secret key is published (an example, a placeholder, a test key)."""
    key = settings.SECRET_KEY
    if is_published_secret_key(key) or key.strip() in TOOLING_SECRET_KEYS:
        return [
            checks.Error(
                "DJANGO_SECRET_KEY is a key published in this repository or a placeholder: anyone can "
                "forge sessions, password-reset links and signed values with it.",
                hint=f"Set DJANGO_SECRET_KEY to 50+ random characters: {GENERATE_A_KEY}",
                id="factcheck.E001",
            )
        ]
    return []


def unreachable_host(url):
    """Why readers elsewhere could not open ``url`` (a loopback, private or link-local address, ``localhost``,
    no host at all), or None. Names are not resolved: a check does not touch the network."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".").lower()
    except ValueError:
        return "is not a URL"
    if parts.scheme not in ("http", "https") or not host:
        return "is not an absolute http(s) URL"
    if host == "localhost" or host.endswith(".localhost"):
        return "names localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: assumed public
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    for kind in ("loopback", "unspecified", "link_local", "private", "reserved", "multicast"):
        if getattr(address, f"is_{kind}"):
            return f"is a {kind.replace('_', '-')} address"
    return None if address.is_global else "is not a public address"


def check_public_base_url(app_configs, **kwargs):
    """``factcheck.W001``: with debug off, the base of the public review URLs (ClaimReview ``url``, the
    exports, the organization's URL by default) is unset or an address only this network can reach."""
    if settings.DEBUG:
        return []
    url = settings.FACTCHECK_PUBLIC_BASE_URL
    reason = unreachable_host(url) if url else "is not set"
    if reason is None:
        return []
    return [
        checks.Warning(
            f"FACTCHECK_PUBLIC_BASE_URL ({url or 'empty'}) {reason}: every ClaimReview `url` in the exports "
            "and on the public pages points there, where readers and search engines cannot follow it "
            "(http://127.0.0.1:8000 is the default when the variable is not set).",
            hint="Set FACTCHECK_PUBLIC_BASE_URL to the public address of the site, e.g. https://factcheck.example.org",
            id="factcheck.W001",
        )
    ]


def check_webhook_targets(app_configs, **kwargs):
    """``factcheck.W002``: with debug off, webhooks may be sent to private addresses (an SSRF risk)."""
    if settings.DEBUG or not settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE:
        return []
    return [
        checks.Warning(
            "FACTCHECK_WEBHOOK_ALLOW_PRIVATE is on: webhook subscriptions may send requests to loopback, private "
            "and link-local addresses (this server, its network, the cloud metadata service) and over plain http.",
            hint="Unset it unless every editor who can subscribe is trusted with this network.",
            id="factcheck.W002",
        )
    ]


def register():
    """Register the checks of this module (called once, from the app's ``ready()``)."""
    checks.register(check_secret_key, checks.Tags.security, deploy=True)
    checks.register(check_public_base_url, checks.Tags.security, deploy=True)
    checks.register(check_webhook_targets, checks.Tags.security, deploy=True)
