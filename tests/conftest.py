import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import EditorFactory, ReviewerFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` run only when the default database is PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Hashing test passwords with PBKDF2 would dominate the suite's run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_match_target_index():
    """Every test starts from an empty database; so does the in-memory index of match targets a process
    builds from it (``claims.matching``), or targets of earlier tests, under ids reused, would linger."""
    from claims import matching

    matching._index = matching.TargetIndex()


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def other_reviewer(db):
    return ReviewerFactory()


@pytest.fixture
def editor(db):
    return EditorFactory()


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def reviewer_client(reviewer):
    return _client(reviewer)


@pytest.fixture
def other_reviewer_client(other_reviewer):
    return _client(other_reviewer)


@pytest.fixture
def editor_client(editor):
    return _client(editor)


@pytest.fixture
def client_for():
    """``client_for(user)``: an API client authenticated as ``user`` (None: anonymous)."""
    return lambda user: _client(user) if user is not None else APIClient()
