"""System checks: ``manage.py check --deploy`` refuses a secret key anyone can read in this repository."""

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


def register():
    """Register the checks of this module (called once, from the app's ``ready()``)."""
    checks.register(check_secret_key, checks.Tags.security, deploy=True)
