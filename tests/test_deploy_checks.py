"""``manage.py check --deploy`` warns when the public review URLs point at no public site (factcheck.W001) and
when webhooks may reach private addresses (factcheck.W002)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from factcheck import checks
from factcheck.checks import check_public_base_url, unreachable_host


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:8000", "loopback"),
        ("http://127.8.9.10", "loopback"),
        ("http://[::1]:8000", "loopback"),
        ("http://[::ffff:127.0.0.1]", "loopback"),
        ("http://localhost:8000", "localhost"),
        ("http://LOCALHOST.", "localhost"),
        ("https://app.localhost", "localhost"),
        ("http://10.0.0.5", "private"),
        ("http://172.16.3.4:8000", "private"),
        ("http://192.168.1.10", "private"),
        ("http://[fd00::1]", "private"),
        ("http://169.254.169.254", "link-local"),
        ("http://[fe80::1]", "link-local"),
        ("http://0.0.0.0:8000", "unspecified"),
        ("http://100.64.0.1", "not a public address"),
        ("factcheck.example.org", "not an absolute http(s) URL"),
        ("ftp://factcheck.example.org", "not an absolute http(s) URL"),
        ("http://[not-an-address", "not a URL"),
    ],
)
def test_addresses_readers_elsewhere_cannot_reach_are_named(url, reason):
    assert reason in unreachable_host(url)


@pytest.mark.parametrize(
    "url", ["https://factcheck.example.org", "https://www.newsroom.example/fact-checks", "http://93.184.215.14"]
)
def test_public_sites_pass(url):
    assert unreachable_host(url) is None


@pytest.mark.parametrize("url", ["", "http://127.0.0.1:8000", "http://192.168.0.2"])
def test_the_check_warns_with_debug_off(settings, url):
    settings.DEBUG = False
    settings.FACTCHECK_PUBLIC_BASE_URL = url
    (warning,) = check_public_base_url(None)
    assert warning.id == "factcheck.W001"
    assert "FACTCHECK_PUBLIC_BASE_URL" in warning.msg
    assert "FACTCHECK_PUBLIC_BASE_URL" in warning.hint


def test_the_check_is_quiet_with_debug_on_or_a_public_site(settings):
    settings.DEBUG = True
    settings.FACTCHECK_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    assert check_public_base_url(None) == []
    settings.DEBUG = False
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://factcheck.example.org"
    assert check_public_base_url(None) == []


def test_the_check_runs_only_with_deploy(settings):
    settings.DEBUG = False
    settings.FACTCHECK_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    call_command("check", fail_level="WARNING")  # no W001 without --deploy
    with pytest.raises(SystemCheckError, match=r"factcheck\.W001"):
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])


def test_webhooks_allowed_to_private_addresses_are_a_deploy_warning(settings):
    settings.DEBUG = False
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://factcheck.example.org"
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False
    assert checks.check_webhook_targets(None) == []
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = True
    (warning,) = checks.check_webhook_targets(None)
    assert warning.id == "factcheck.W002" and "private" in warning.msg
    with pytest.raises(SystemCheckError, match=r"factcheck\.W002"):
        call_command("check", deploy=True, fail_level="WARNING", tags=["security"])
    settings.DEBUG = True
    assert checks.check_webhook_targets(None) == []
