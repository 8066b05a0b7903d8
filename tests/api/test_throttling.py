"""Throttles and the login lock-out count the real client: a forged X-Forwarded-For escapes neither.

Red-team finding M3: DRF keyed its throttles on the client-supplied ``X-Forwarded-For`` and kept the
counters in per-process memory, so rotating the header gave unlimited password guesses. The suite
runs on a per-process cache (pyproject.toml); the ``database_cache`` fixture (tests/api/conftest.py)
switches a test to the deployed default, the database cache every worker shares.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client as django_client
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from factcheck.throttling import client_ip
from tests.factories import ReviewFactory
from tests.test_settings import REAL_KEY, load_settings

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/api/v1/auth/token/"
EXPORT = "/api/v1/exports/claims"
PEER = "198.51.100.10"  # REMOTE_ADDR: the address the connection really comes from


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    """Counters in the per-process cache outlive a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def rate(monkeypatch, scope, value):
    """Apply a production-sized limit (the test run sets generous ones)."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, value)


def client(forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return APIClient(REMOTE_ADDR=PEER, headers=headers)


def log_in(api_client, username, password=PASSWORD):
    return api_client.post(LOGIN, {"username": username, "password": password}, format="json")


def forged(number):
    return f"203.0.113.{number}"


def cached_throttle_keys():
    table = connection.ops.quote_name(django_settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key FROM {table}")
        return [key for (key,) in cursor.fetchall()]


# --- the client address --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("num_proxies", "forwarded_for", "expected"),
    [
        pytest.param(0, None, PEER, id="no-proxy-no-header"),
        pytest.param(0, "203.0.113.1", PEER, id="no-proxy-header-ignored"),
        pytest.param(1, None, PEER, id="one-proxy-no-header"),
        pytest.param(1, "203.0.113.1", "203.0.113.1", id="one-proxy"),
        pytest.param(1, "192.0.2.66, 203.0.113.1", "203.0.113.1", id="one-proxy-forged-left-part"),
        pytest.param(2, "192.0.2.66, 203.0.113.1, 10.0.0.2", "203.0.113.1", id="two-proxies"),
        pytest.param(1, "2001:db8::1", "2001:db8::1", id="ipv6"),
        pytest.param(1, "not-an-address", PEER, id="garbage-falls-back-to-the-peer"),
        pytest.param(1, "x" * 5000, PEER, id="huge-falls-back-to-the-peer"),
    ],
)
def test_the_client_address_trusts_only_as_many_forwarded_addresses_as_there_are_proxies(
    settings, num_proxies, forwarded_for, expected
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": num_proxies}
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PEER, headers=headers)
    assert client_ip(request) == expected


def test_the_throttles_and_the_lock_out_use_the_same_client_address():
    rest = django_settings.REST_FRAMEWORK
    assert rest["NUM_PROXIES"] == 0  # the default: X-Forwarded-For is ignored
    assert rest["DEFAULT_THROTTLE_CLASSES"] == [
        "factcheck.throttling.AnonRateThrottle",
        "factcheck.throttling.UserRateThrottle",
    ]
    assert django_settings.AXES_CLIENT_IP_CALLABLE == "factcheck.throttling.client_ip"


# --- rotating X-Forwarded-For (finding M3) -------------------------------------------------------


def test_rotating_x_forwarded_for_does_not_reset_the_login_throttle(monkeypatch):
    rate(monkeypatch, "login", "3/minute")
    # Failed guesses for different usernames, so that only the throttle can stop them.
    statuses = [log_in(client(forged(n)), f"guess-{n}", "wrong").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert "throttled" in log_in(client(forged(9)), "guess-9", "wrong").json()["detail"].lower()


def test_rotating_x_forwarded_for_does_not_reset_the_anonymous_throttle(monkeypatch):
    rate(monkeypatch, "anon", "3/minute")
    statuses = [client(forged(n)).get("/api/v1/claims/").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert int(client(forged(9)).get("/api/v1/claims/")["Retry-After"]) > 0


def test_rotating_x_forwarded_for_does_not_escape_the_login_lock_out(reviewer):
    for n in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client(forged(n)), reviewer.username, "wrong").status_code == 400
    assert log_in(client(forged(98)), reviewer.username, "wrong").status_code == 429  # the limit-th failure
    locked = log_in(client(forged(99)), reviewer.username)
    assert locked.status_code == 429
    assert "failed login" in locked.json()["detail"]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PEER}


def test_other_addresses_are_not_throttled_for_one_clients_requests(monkeypatch):
    rate(monkeypatch, "anon", "2/minute")
    first, second = APIClient(REMOTE_ADDR="192.0.2.1"), APIClient(REMOTE_ADDR="192.0.2.2")
    assert [first.get("/api/v1/claims/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/claims/").status_code == 200


def test_anonymous_requests_are_counted_once_by_the_anonymous_rate(monkeypatch):
    rate(monkeypatch, "user", "1/minute")  # for authenticated clients only
    rate(monkeypatch, "anon", "3/minute")
    assert [client().get("/api/v1/claims/").status_code for _ in range(4)] == [200, 200, 200, 429]


# --- behind a proxy (FACTCHECK_NUM_PROXIES=1) ----------------------------------------------------


def test_behind_one_proxy_the_right_most_address_is_throttled_whatever_the_client_adds(monkeypatch, behind_one_proxy):
    rate(monkeypatch, "login", "2/minute")
    # The proxy appends the address it saw; whatever the client wrote before it is ignored.
    statuses = [log_in(client(f"{forged(n)}, 192.0.2.1"), f"guess-{n}", "wrong").status_code for n in range(3)]
    assert statuses == [400, 400, 429]
    # Another client behind the same proxy has its own count.
    assert log_in(client(f"{forged(1)}, 192.0.2.2"), "guess-x", "wrong").status_code == 400


def test_behind_one_proxy_the_anonymous_throttle_counts_each_client(monkeypatch, behind_one_proxy):
    rate(monkeypatch, "anon", "2/minute")
    statuses = [client(f"{forged(n)}, 192.0.2.1").get("/api/v1/claims/").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert client("192.0.2.2").get("/api/v1/claims/").status_code == 200


def test_behind_one_proxy_the_lock_out_counts_the_right_most_address(reviewer, behind_one_proxy):
    for n in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client(f"{forged(n)}, 192.0.2.1"), reviewer.username, "wrong").status_code == 400
    assert log_in(client(f"{forged(98)}, 192.0.2.1"), reviewer.username, "wrong").status_code == 429
    assert log_in(client(f"{forged(99)}, 192.0.2.1"), reviewer.username).status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.1"}
    # The lock-out is per username and address: the same user from elsewhere still logs in.
    assert log_in(client("192.0.2.2"), reviewer.username).status_code == 200


# --- the shared cache ----------------------------------------------------------------------------


def test_the_counters_live_in_the_database_cache_unless_redis_is_configured(monkeypatch):
    default = load_settings(monkeypatch, DJANGO_SECRET_KEY=REAL_KEY)["CACHES"]["default"]
    assert default["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert default["LOCATION"] == "factcheck_cache"
    redis = load_settings(monkeypatch, DJANGO_SECRET_KEY=REAL_KEY, FACTCHECK_CACHE_URL="redis://127.0.0.1:6379/0")
    assert redis["CACHES"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("FACTCHECK_CACHE_URL", "memcached://127.0.0.1:11211"),
        ("FACTCHECK_NUM_PROXIES", "-1"),
        ("FACTCHECK_MAX_CONCURRENT_EXPORTS", "0"),
    ],
)
def test_a_setting_that_would_break_throttling_refuses_to_start(monkeypatch, variable, value):
    with pytest.raises(ImproperlyConfigured, match=variable):
        load_settings(monkeypatch, DJANGO_SECRET_KEY=REAL_KEY, **{variable: value})


def test_the_proxy_count_and_the_export_limits_are_read_from_the_environment(monkeypatch):
    values = load_settings(
        monkeypatch,
        DJANGO_SECRET_KEY=REAL_KEY,
        FACTCHECK_NUM_PROXIES="2",
        FACTCHECK_MAX_CONCURRENT_EXPORTS="3",
        FACTCHECK_THROTTLE_EXPORT_ANON="5/hour",
    )
    assert values["REST_FRAMEWORK"]["NUM_PROXIES"] == 2
    assert values["FACTCHECK_MAX_CONCURRENT_EXPORTS"] == 3
    assert values["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]["export_anon"] == "5/hour"
    defaults = load_settings(monkeypatch, DJANGO_SECRET_KEY=REAL_KEY)
    assert defaults["REST_FRAMEWORK"]["NUM_PROXIES"] == 0
    assert defaults["FACTCHECK_MAX_CONCURRENT_EXPORTS"] == 1


def test_with_the_database_cache_rotating_x_forwarded_for_still_gets_429(monkeypatch, database_cache):
    rate(monkeypatch, "login", "3/minute")
    statuses = [log_in(client(forged(n)), f"guess-{n}", "wrong").status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    # The counter is a row every worker reads, keyed on the peer's address.
    assert [key for key in cached_throttle_keys() if "throttle_login" in key] == [f":1:throttle_login_{PEER}"]


# --- exports have a scope of their own (finding M4) ----------------------------------------------


def test_anonymous_exports_have_a_stricter_throttle_than_other_reads(monkeypatch):
    rate(monkeypatch, "export_anon", "2/minute")
    ReviewFactory(state="published")
    anon = client()
    assert [anon.get(EXPORT, {"format": "ndjson"}).status_code for _ in range(3)] == [200, 200, 429]
    throttled = anon.get(EXPORT)
    assert throttled["Content-Type"] == "application/json"
    assert int(throttled["Retry-After"]) > 0
    # Other reads have their own, larger budget.
    assert anon.get("/api/v1/claims/").status_code == 200


def test_authenticated_exports_are_throttled_per_user(monkeypatch, reviewer_client, editor_client):
    rate(monkeypatch, "export_user", "2/minute")
    rate(monkeypatch, "export_anon", "1/minute")  # not applied to authenticated clients
    ReviewFactory(state="published")
    assert [reviewer_client.get(EXPORT).status_code for _ in range(3)] == [200, 200, 429]
    assert editor_client.get(EXPORT).status_code == 200


def test_the_export_throttle_does_not_reset_when_x_forwarded_for_rotates(monkeypatch, database_cache):
    rate(monkeypatch, "export_anon", "2/minute")
    ReviewFactory(state="published")
    statuses = [client(forged(n)).get(EXPORT, {"format": "csv"}).status_code for n in range(3)]
    assert statuses == [200, 200, 429]


UNREACHABLE_REDIS = {  # nothing listens on port 1: every use of the cache fails
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def test_an_unreachable_redis_cache_is_a_503_the_client_may_retry_not_a_500():
    with override_settings(CACHES=UNREACHABLE_REDIS):  # the throttle's count is the first use
        response = client().get("/api/v1/claims/")

    assert response.status_code == 503
    assert response.json() == {"detail": "The cache is unavailable; try again shortly."}
    assert response["Retry-After"] == "5"


def test_an_unreachable_redis_cache_in_the_admin_is_a_json_503_not_a_500(editor):
    browser = django_client(raise_request_exception=False)
    browser.force_login(editor)

    with override_settings(CACHES=UNREACHABLE_REDIS):  # the claim list's filter choices are cached
        response = browser.get("/admin/claims/claim/", REMOTE_ADDR=PEER)

    assert response.status_code == 503
    assert response.json() == {"detail": "The cache is unavailable; try again shortly."}
    assert response["Retry-After"] == "5"
