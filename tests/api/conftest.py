import pytest
from django.core.management import call_command

from tests.test_settings import REAL_KEY, load_settings


@pytest.fixture
def database_cache(db, settings, monkeypatch):
    """The cache a deployment gets without FACTCHECK_CACHE_URL (a table in the database), for one test.

    The suite runs on a per-process cache (pyproject.toml), so that query counts are the endpoints' own.
    """
    with monkeypatch.context() as env:
        settings.CACHES = load_settings(env, DJANGO_SECRET_KEY=REAL_KEY)["CACHES"]
    # The test database was made for the suite's cache: make the table as deployments do.
    call_command("createcachetable", verbosity=0)
    return settings.CACHES["default"]
