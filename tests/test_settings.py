"""Production settings: the deploy check is clean, weak or published secrets refuse to start, TLS behind a proxy."""

import os
import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from factcheck import checks

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "factcheck" / "settings.py"
REAL_KEY = secrets.token_urlsafe(60)


def production_env(**overrides):
    """The environment of a production process: nothing inherited from the test run but the basics."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "FACTCHECK_")) and name != "DATABASE_URL"
    }
    env.update({"DJANGO_DEBUG": "0", "DJANGO_SETTINGS_MODULE": "factcheck.settings"})
    env.update(overrides)
    return {name: value for name, value in env.items() if value is not None}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=production_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(monkeypatch, **env):
    """Execute settings.py afresh under ``env`` and return its names (the running settings stay as they are)."""
    for name in list(os.environ):
        if name.startswith(("DJANGO_", "FACTCHECK_")):
            monkeypatch.delenv(name)
    for name, value in production_env(**env).items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_deploy_check_reports_nothing_in_production():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=REAL_KEY,
        FACTCHECK_PUBLIC_BASE_URL="https://factcheck.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:8000", "http://10.1.2.3", "http://localhost:8000"])
def test_deploy_check_warns_when_review_urls_would_point_at_this_machine(url):
    result = manage("check", "--deploy", DJANGO_SECRET_KEY=REAL_KEY, FACTCHECK_PUBLIC_BASE_URL=url)
    assert result.returncode == 0, "a warning, not an error: the server still starts"
    assert "factcheck.W001" in result.stderr
    assert "FACTCHECK_PUBLIC_BASE_URL" in result.stderr
    assert "factcheck.W001" not in manage("check", DJANGO_SECRET_KEY=REAL_KEY, FACTCHECK_PUBLIC_BASE_URL=url).stderr


def test_app_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short-but-random-1f9c", id="too-short"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(50), id="django-insecure-prefix"),
        pytest.param("x" * 64, id="one-character-repeated"),
        pytest.param(" " * 64, id="blank"),
    ],
)
def test_app_refuses_a_weak_secret_key(monkeypatch, key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        load_settings(monkeypatch, DJANGO_SECRET_KEY=key)


OLD_COMPOSE_DEFAULT_KEY = "change-me-0b9f1c7e4d2a8f6b3e5c9a1d7f4b2e8c6a0d3f5b9e1c7a4"


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(OLD_COMPOSE_DEFAULT_KEY, id="docker-compose-default"),
        pytest.param(
            "dev-only-insecure-key-for-local-debug-runs-never-use-in-production-0123456789", id="settings-dev-key"
        ),
        pytest.param("change-me-" + secrets.token_urlsafe(50), id="change-me-placeholder"),
        pytest.param("CHANGEME" + secrets.token_urlsafe(50), id="changeme-placeholder"),
    ],
)
def test_app_refuses_a_secret_key_published_in_the_repository(monkeypatch, key):
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY is an example key"):
        load_settings(monkeypatch, DJANGO_SECRET_KEY=key)


def test_a_server_with_the_old_compose_key_refuses_to_start():
    result = manage("check", DJANGO_SECRET_KEY=OLD_COMPOSE_DEFAULT_KEY)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is an example key published in this repository" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_deploy_check_fails_on_a_published_key_even_with_debug_on():
    result = manage("check", "--deploy", DJANGO_DEBUG="1", DJANGO_SECRET_KEY=OLD_COMPOSE_DEFAULT_KEY)
    assert result.returncode != 0
    assert "factcheck.E001" in result.stderr


@pytest.mark.parametrize("key", sorted(checks.TOOLING_SECRET_KEYS))
def test_deploy_check_fails_on_the_keys_of_the_tests_the_image_build_and_the_benchmarks(key):
    assert manage("check", DJANGO_SECRET_KEY=key).returncode == 0, "these runs must still start"
    result = manage("check", "--deploy", DJANGO_SECRET_KEY=key)
    assert result.returncode != 0
    assert "factcheck.E001" in result.stderr


def test_every_key_written_in_the_repository_is_known_to_the_check():
    written = {
        ROOT / "pyproject.toml": r"DJANGO_SECRET_KEY=([\w-]+)",
        ROOT / "Dockerfile": r"DJANGO_SECRET_KEY=([\w-]+)",
        ROOT / "bench" / "export.py": r'\["DJANGO_SECRET_KEY"\] = "([\w-]+)"',
        SETTINGS_FILE: r'SECRET_KEY = "([\w-]+)"',
    }
    for path, pattern in written.items():
        keys = re.findall(pattern, path.read_text())
        assert keys, path
        for key in keys:
            assert key in checks.TOOLING_SECRET_KEYS | checks.PUBLISHED_SECRET_KEYS, (path, key)


def test_a_random_key_passes_the_secret_key_check(settings):
    settings.SECRET_KEY = REAL_KEY
    assert checks.check_secret_key(None) == []


def test_debug_runs_need_no_secret_key(monkeypatch):
    values = load_settings(monkeypatch, DJANGO_DEBUG="1")
    assert values["SECRET_KEY"]
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0


def test_production_defaults_are_secure(monkeypatch):
    values = load_settings(monkeypatch, DJANGO_SECRET_KEY=REAL_KEY)
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert "SECURE_PROXY_SSL_HEADER" not in values
    assert "rest_framework.renderers.BrowsableAPIRenderer" not in values["REST_FRAMEWORK"]["DEFAULT_RENDERER_CLASSES"]


def test_tls_settings_are_configurable_for_a_terminating_proxy(monkeypatch):
    values = load_settings(
        monkeypatch,
        DJANGO_SECRET_KEY=REAL_KEY,
        DJANGO_SECURE_PROXY_SSL_HEADER="1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_SECURE_HSTS_PRELOAD="0",
        DJANGO_SECURE_COOKIES="1",
        DJANGO_ALLOWED_HOSTS="factcheck.example.org, api.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://factcheck.example.org",
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["ALLOWED_HOSTS"] == ["factcheck.example.org", "api.example.org"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://factcheck.example.org"]


@pytest.fixture
def behind_tls_proxy(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_except_the_health_check(behind_tls_proxy):
    client = Client()
    response = client.get("/api/v1/claims/", headers={"X-Forwarded-Proto": "http"})
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/api/v1/claims/"
    assert client.get("/healthz", headers={"X-Forwarded-Proto": "http"}).status_code == 200


@pytest.mark.django_db
def test_https_responses_carry_the_security_headers(behind_tls_proxy):
    response = Client().get("/api/v1/claims/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_session_and_csrf_cookies_are_secure_and_session_cookie_is_http_only(behind_tls_proxy, editor):
    # What the proxy forwards: the public host name and the scheme the browser used.
    client = Client(enforce_csrf_checks=True, headers={"Host": "localhost", "X-Forwarded-Proto": "https"})
    login_page = client.get("/admin/login/")
    assert login_page.status_code == 200
    csrf_cookie = client.cookies["csrftoken"]
    assert csrf_cookie["secure"]
    response = client.post(
        "/admin/login/",
        {"username": editor.username, "password": "correct horse battery staple", "next": "/admin/"},
        headers={"X-CSRFToken": csrf_cookie.value, "Referer": "https://localhost/admin/login/"},
    )
    assert response.status_code == 302, response.content
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"]
    assert session_cookie["httponly"]
