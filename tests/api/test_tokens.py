"""API tokens: issued for a password, stored hashed, expiring, revocable, listed in the admin; login abuse is slowed."""

import io
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
LOGIN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def fresh_throttle_counters():
    """Throttle counters live in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, format="json", **extra)


def token_client(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_login_returns_a_token_and_its_expiry(anon, reviewer):
    response = log_in(anon, reviewer.username)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    expiry = timezone.datetime.fromisoformat(body["expiry"])
    expected = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert abs((expiry - expected).total_seconds()) < 60


def test_token_is_stored_only_as_a_hash(anon, reviewer):
    token = log_in(anon, reviewer.username).json()["token"]
    stored = AuthToken.objects.get(user=reviewer)
    assert stored.digest != token
    assert token not in stored.digest
    assert len(stored.digest) == 128  # SHA-512, hex
    assert not AuthToken.objects.filter(digest=token).exists()


def test_token_authenticates_api_requests_as_its_user(anon, reviewer):
    draft = ReviewFactory(author=reviewer)
    token = log_in(anon, reviewer.username).json()["token"]
    response = token_client(token).get(f"/api/v1/reviews/{draft.id}/")
    assert response.status_code == 200
    assert response.json()["author"] == reviewer.username


def test_each_login_issues_a_separate_token(anon, reviewer):
    first = log_in(anon, reviewer.username).json()["token"]
    second = log_in(anon, reviewer.username).json()["token"]
    assert first != second
    assert AuthToken.objects.filter(user=reviewer).count() == 2


@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-real-token",
        "Token ",
        "Token a b",
        "Token \x00",
        "Token \xff\xfe",
        "Token caf\xe9",
        "Token " + "x" * 10_000,
        "token lowercase-prefix",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/reviews/", "/api/v1/auth/token/revoke/", "/api/v1/auth/token/revoke-all/"])
def test_a_wrong_or_malformed_token_is_refused_with_a_json_401(header, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(path) if path == "/api/v1/reviews/" else client.post(path)
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer abc", "Invalid token."),
        ("Bearer", "No credentials provided"),
        ("Basic cmV2aWV3ZXI6c2VjcmV0", "Unsupported authorization scheme"),
        ("Negotiate abc", "Unsupported authorization scheme"),
        ("", "The Authorization header is empty"),
    ],
)
def test_another_scheme_or_no_token_is_a_401_never_the_anonymous_view(header, message):
    ReviewFactory(state="published")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/reviews/")
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"] == 'Token realm="api", Bearer realm="api"'
    # Without the header, the same request is the anonymous view.
    assert len(APIClient().get("/api/v1/reviews/").json()["results"]) == 1


def test_a_token_from_the_login_works_as_bearer_too(anon, reviewer):
    draft = ReviewFactory(author=reviewer)
    token = log_in(anon, reviewer.username).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get(f"/api/v1/reviews/{draft.id}/")
    assert response.status_code == 200
    assert response.json()["author"] == reviewer.username
    assert client.post("/api/v1/auth/token/revoke/").status_code == 204
    assert client.get(f"/api/v1/reviews/{draft.id}/").status_code == 401


def test_the_login_reads_no_authorization_header_so_an_expired_token_can_be_renewed(reviewer):
    _, expired = AuthToken.objects.create(user=reviewer, expiry=timedelta(seconds=-1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {expired}")
    assert client.get("/api/v1/reviews/").status_code == 401
    response = log_in(client, reviewer.username)
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert client.get("/api/v1/reviews/").status_code == 200


def test_the_schema_and_the_docs_refuse_a_wrong_header_in_json():
    for path in ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/"):
        response = APIClient().get(path, HTTP_AUTHORIZATION="Bearer wrong")
        assert response.status_code == 401, path
        assert response["Content-Type"] == "application/json", path
        assert response.json()["detail"] == "Invalid token.", path
        assert APIClient().get(path).status_code == 200, path


def test_the_openapi_document_declares_both_schemes_and_the_anonymous_reads():
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["tokenAuth"]["description"],
    }
    assert (schemes["bearerAuth"]["type"], schemes["bearerAuth"]["scheme"]) == ("http", "bearer")
    assert schemes["cookieAuth"]["in"] == "cookie"
    paths = schema["paths"]
    for path, method in [
        ("/api/v1/claims/", "get"),
        ("/api/v1/claims/{id}/", "get"),
        ("/api/v1/claims/{id}/history/", "get"),
        ("/api/v1/reviews/", "get"),
        ("/api/v1/articles/", "get"),
        ("/api/v1/evidence/{id}/", "get"),
        ("/api/v1/exports/claims", "get"),
        ("/api/v1/auth/token/", "post"),
    ]:
        assert {} in paths[path][method]["security"], (path, method)
    for path, method in [
        ("/api/v1/claims/", "post"),
        ("/api/v1/claims/{id}/", "patch"),
        ("/api/v1/reviews/{id}/", "delete"),
        ("/api/v1/reviews/{id}/publish/", "post"),
        ("/api/v1/auth/token/revoke/", "post"),
    ]:
        security = paths[path][method]["security"]
        assert {} not in security, (path, method)
        assert {"bearerAuth": []} in security and {"tokenAuth": []} in security, (path, method)
    for path_item in paths.values():
        for operation in path_item.values():
            if "security" in operation and operation["security"] != [{}]:
                assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]


def test_an_expired_token_is_refused_and_deleted(reviewer):
    instance, token = AuthToken.objects.create(user=reviewer, expiry=timedelta(seconds=-1))
    response = token_client(token).get("/api/v1/reviews/")
    assert response.status_code == 401
    assert not AuthToken.objects.filter(pk=instance.pk).exists()


def test_a_token_of_a_deactivated_user_is_refused(reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    reviewer.is_active = False
    reviewer.save()
    assert token_client(token).get("/api/v1/reviews/").status_code == 401


def test_revoking_a_token_logs_out_only_that_token(reviewer):
    _, revoked = AuthToken.objects.create(user=reviewer)
    _, kept = AuthToken.objects.create(user=reviewer)
    response = token_client(revoked).post("/api/v1/auth/token/revoke/")
    assert response.status_code == 204
    assert token_client(revoked).get("/api/v1/reviews/").status_code == 401
    assert token_client(revoked).post("/api/v1/auth/token/revoke/").status_code == 401
    assert token_client(kept).get("/api/v1/reviews/").status_code == 200


def test_revoking_all_tokens_leaves_other_users_tokens_alone(reviewer, other_reviewer):
    tokens = [AuthToken.objects.create(user=reviewer)[1] for _ in range(3)]
    _, others = AuthToken.objects.create(user=other_reviewer)
    response = token_client(tokens[0]).post("/api/v1/auth/token/revoke-all/")
    assert response.status_code == 204
    assert not AuthToken.objects.filter(user=reviewer).exists()
    for token in tokens:
        assert token_client(token).get("/api/v1/reviews/").status_code == 401
    assert token_client(others).get("/api/v1/reviews/").status_code == 200


# --- a password change revokes the user's tokens ---------------------------------------------

NEW_PASSWORD = "a brand new passphrase for the ministry"


def superuser_client():
    admin = get_user_model().objects.create_superuser("root-admin", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    return admin, client


def change_password_in_the_admin(client, user, password=NEW_PASSWORD):
    return client.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"usable_password": "true", "password1": password, "password2": password},
    )


def test_changing_a_password_in_the_admin_revokes_the_user_s_tokens(reviewer, other_reviewer):
    tokens = [AuthToken.objects.create(user=reviewer)[1] for _ in range(2)]
    _, others = AuthToken.objects.create(user=other_reviewer)
    _, client = superuser_client()
    response = change_password_in_the_admin(client, reviewer)
    assert response.status_code == 302, response.content
    for token in tokens:
        response = token_client(token).get("/api/v1/reviews/")
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}
    assert token_client(others).get("/api/v1/reviews/").status_code == 200
    # The new password gets a new token that works.
    new_token = log_in(APIClient(), reviewer.username, NEW_PASSWORD).json()["token"]
    assert token_client(new_token).get("/api/v1/reviews/").status_code == 200


def test_changing_one_s_own_password_in_the_admin_keeps_the_admin_session(reviewer):
    admin, client = superuser_client()
    _, token = AuthToken.objects.create(user=admin)
    assert change_password_in_the_admin(client, admin).status_code == 302
    assert token_client(token).get("/api/v1/reviews/").status_code == 401
    assert client.get("/admin/").status_code == 200


def test_disabling_password_login_in_the_admin_revokes_the_user_s_tokens(reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    _, client = superuser_client()
    # What the admin's "Disable password-based authentication" button posts.
    response = client.post(
        f"/admin/auth/user/{reviewer.pk}/password/", {"usable_password": "false", "unset-password": "1"}
    )
    assert response.status_code == 302, response.content
    reviewer.refresh_from_db()
    assert not reviewer.has_usable_password()
    assert token_client(token).get("/api/v1/reviews/").status_code == 401


def test_the_changepassword_command_revokes_the_user_s_tokens(reviewer, monkeypatch):
    _, token = AuthToken.objects.create(user=reviewer)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", reviewer.username, stdout=io.StringIO())
    assert token_client(token).get("/api/v1/reviews/").status_code == 401


def test_set_password_and_save_anywhere_revokes_the_user_s_tokens(reviewer, other_reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    _, others = AuthToken.objects.create(user=other_reviewer)
    user = get_user_model().objects.get(pk=reviewer.pk)
    user.set_password(NEW_PASSWORD)
    user.save()
    assert token_client(token).get("/api/v1/reviews/").status_code == 401
    assert AuthToken.objects.filter(user=other_reviewer).count() == 1
    assert token_client(others).get("/api/v1/reviews/").status_code == 200


def test_set_unusable_password_and_save_revokes_the_user_s_tokens(reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    reviewer.set_unusable_password()
    reviewer.save()
    assert token_client(token).get("/api/v1/reviews/").status_code == 401


def test_saving_a_user_without_changing_the_password_keeps_the_tokens(reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    reviewer.first_name = "Olena"
    reviewer.save()
    reviewer.save(update_fields=["last_login"])
    user = get_user_model().objects.get(pk=reviewer.pk)  # a fresh copy, as any other code path reads it
    user.email = "olena@example.org"
    user.save()
    assert token_client(token).get("/api/v1/reviews/").status_code == 200


def test_editing_a_user_in_the_admin_without_touching_the_password_keeps_the_tokens(reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    _, client = superuser_client()
    page = client.get(f"/admin/auth/user/{reviewer.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "groups"}
    data.update(
        {
            "first_name": "Olena",
            "groups": [group.pk for group in reviewer.groups.all()],
            "user_permissions": [],
            "date_joined_0": reviewer.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": reviewer.date_joined.strftime("%H:%M:%S"),
        }
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(f"/admin/auth/user/{reviewer.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    reviewer.refresh_from_db()
    assert reviewer.first_name == "Olena"
    assert token_client(token).get("/api/v1/reviews/").status_code == 200


def test_a_password_hash_upgrade_at_login_keeps_the_user_s_other_tokens(anon, reviewer):
    # A short salt makes Django re-hash the same password when it is next checked.
    reviewer.password = make_password(PASSWORD, salt="short", hasher="md5")
    reviewer.save()
    _, token = AuthToken.objects.create(user=reviewer)
    assert log_in(anon, reviewer.username).status_code == 200
    reviewer.refresh_from_db()
    assert "$short$" not in reviewer.password, "the hash was upgraded"
    assert token_client(token).get("/api/v1/reviews/").status_code == 200


def test_revoking_needs_a_token(anon, reviewer_client):
    assert anon.post("/api/v1/auth/token/revoke/").status_code == 401
    assert anon.post("/api/v1/auth/token/revoke-all/").status_code == 401


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "nobody", "password": PASSWORD},
        {"username": "", "password": ""},
        {"username": "reviewer"},
        {},
        {"username": ["reviewer"], "password": {"x": 1}},
        {"username": "a\x00b", "password": PASSWORD},
        {"username": "x" * 100_000, "password": "y" * 100_000},
    ],
)
def test_bad_credentials_get_a_json_400_and_no_token(anon, payload):
    ReviewerFactory(username="reviewer")
    response = anon.post(LOGIN, payload, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not AuthToken.objects.exists()


def test_login_wants_json(anon, reviewer):
    response = anon.post(LOGIN, f"username={reviewer.username}&password=x", content_type="text/plain")
    assert response.status_code == 415
    assert "detail" in response.json()


def test_wrong_password_gets_400_not_a_token(anon, reviewer):
    response = log_in(anon, reviewer.username, password="wrong")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not AuthToken.objects.exists()


def test_repeated_failed_logins_lock_the_account_out_for_that_client(anon, reviewer, other_reviewer):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert log_in(anon, reviewer.username, password="guess").status_code == 400
    locked = log_in(anon, reviewer.username, password="guess")
    assert locked.status_code == 429
    assert "Too many failed login attempts" in locked.json()["detail"]
    assert locked["Retry-After"]
    # Even the right password is refused now, and no token is issued.
    after = log_in(anon, reviewer.username)
    assert after.status_code == 429
    assert not AuthToken.objects.filter(user=reviewer).exists()
    # Another account from the same address is not affected.
    assert log_in(anon, other_reviewer.username).status_code == 200


def test_lockout_ends_after_the_cool_off(anon, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(anon, reviewer.username, password="guess")
    assert log_in(anon, reviewer.username).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert log_in(anon, reviewer.username).status_code == 200


def test_a_successful_login_resets_the_failure_count(anon, reviewer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(anon, reviewer.username, password="guess")
    assert log_in(anon, reviewer.username).status_code == 200
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(anon, reviewer.username, password="guess").status_code == 400


def test_login_endpoint_is_throttled(anon, reviewer, monkeypatch):
    # The test run sets generous rates; apply the production-sized limit for this test.
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "3/minute")
    for _ in range(3):
        assert log_in(anon, reviewer.username).status_code == 200
    throttled = log_in(anon, reviewer.username)
    assert throttled.status_code == 429
    assert "throttled" in throttled.json()["detail"].lower()
    assert int(throttled["Retry-After"]) > 0


def test_throttling_counts_per_client_address(reviewer, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "login", "2/minute")
    first, second = APIClient(REMOTE_ADDR="192.0.2.1"), APIClient(REMOTE_ADDR="192.0.2.2")
    for _ in range(2):
        assert log_in(first, reviewer.username).status_code == 200
    assert log_in(first, reviewer.username).status_code == 429
    assert log_in(second, reviewer.username).status_code == 200


def test_token_requests_are_throttled_per_user(reviewer, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "5/minute")
    _, token = AuthToken.objects.create(user=reviewer)
    client = token_client(token)
    statuses = [client.get("/api/v1/claims/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]


def test_tokens_are_listed_in_the_admin_without_the_secret(reviewer):
    _, token = AuthToken.objects.create(user=reviewer)
    admin = get_user_model().objects.create_superuser("root-admin", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    response = client.get("/admin/knox/authtoken/")
    assert response.status_code == 200
    page = response.content.decode()
    assert reviewer.username in page
    assert token not in page


def test_staff_can_revoke_a_token_in_the_admin(reviewer):
    instance, token = AuthToken.objects.create(user=reviewer)
    admin = get_user_model().objects.create_superuser("root-admin", "root@example.org", PASSWORD)
    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/knox/authtoken/",
        {"action": "delete_selected", "_selected_action": [instance.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert token_client(token).get("/api/v1/reviews/").status_code == 401


def test_reviewers_cannot_see_tokens_in_the_admin(reviewer):
    AuthToken.objects.create(user=ReviewerFactory())
    client = Client()
    client.force_login(reviewer)
    assert client.get("/admin/knox/authtoken/").status_code == 403


def test_a_user_s_expired_tokens_are_deleted_when_the_user_logs_in(anon, reviewer):
    expired, _ = AuthToken.objects.create(user=reviewer, expiry=timedelta(seconds=-1))
    valid, _ = AuthToken.objects.create(user=reviewer)
    assert log_in(anon, reviewer.username).status_code == 200
    assert not AuthToken.objects.filter(pk=expired.pk).exists()
    assert AuthToken.objects.filter(pk=valid.pk).exists()


@pytest.mark.parametrize(("role", "sees_candidates"), [("reviewer", True), ("editor", True), ("plain", False)])
def test_a_token_request_reads_token_user_and_roles_in_one_query(role, sees_candidates, django_assert_num_queries):
    from django.contrib.auth.models import Group

    from factcheck.roles import EDITORS, REVIEWERS
    from tests.factories import ClaimFactory, UserFactory

    user = UserFactory()
    if role != "plain":
        user.groups.add(Group.objects.get_or_create(name=REVIEWERS if role == "reviewer" else EDITORS)[0])
    ClaimFactory(status="candidate")
    _, token = AuthToken.objects.create(user=user)
    # The token with its user and roles, then the page of claims, then (but on PostgreSQL, where they
    # come with the claims) their tags.
    from django.db import connection

    tags_apart = sees_candidates and connection.vendor != "postgresql"
    with django_assert_num_queries(3 if tags_apart else 2):
        response = token_client(token).get("/api/v1/claims/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == (1 if sees_candidates else 0)
