"""``webhooks/`` through the real routes: who may manage subscriptions (editors and administrators), the
secret shown once, refused receivers and event types, disabling and enabling, rotation, the delivery log
and redelivery."""

import pytest
from django.utils import timezone
from standardwebhooks import Webhook

from factcheck import encryption
from reviews import webhooks
from reviews.models import WebhookDelivery, WebhookSubscription
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, UserFactory
from tests.webhooks.conftest import receiver, run_due  # noqa: F401 (the receiver fixture)

pytestmark = pytest.mark.django_db

API = "/api/v1/webhooks/"
RECEIVER = "https://hooks.example.com/factcheck"


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    """hooks.example.com resolves to a public address (no DNS here); other names don't resolve."""
    import socket

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port or 443))]
        if host == "private.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", port or 443))]
        if host in ("127.0.0.1", "localhost", "::1") or host.replace(".", "").isdigit():
            return real(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def create(client, **fields):
    body = {"name": "Partner app", "url": RECEIVER, "event_types": ["review.published"], **fields}
    return client.post(API, body, format="json")


def test_an_editor_subscribes_and_is_shown_the_secret_once(editor_client, editor):
    response = create(editor_client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and len(body["secret"]) > 40
    assert response["Location"].endswith(f"{API}{body['id']}/")
    assert body["audience"] == "public" and body["active"] and body["created_by"] == editor.username
    shown = editor_client.get(f"{API}{body['id']}/").json()
    assert "secret" not in shown and body["secret"] not in str(editor_client.get(API).json())
    stored = WebhookSubscription.objects.get()
    assert body["secret"] not in stored.secret_encrypted
    assert encryption.decrypt(stored.secret_encrypted) == body["secret"]


def test_administrators_subscribe_too_but_staff_status_alone_is_not_enough(client_for):
    assert create(client_for(UserFactory(is_superuser=True))).status_code == 201
    assert create(client_for(UserFactory(is_staff=True)), url=RECEIVER + "/2").status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "reader", "reviewer"])
def test_only_editors_and_staff_see_or_manage_webhooks(client_for, who, editor_client):
    user = {"anonymous": None, "reader": UserFactory(is_staff=False), "reviewer": ReviewerFactory()}[who]
    client = client_for(user)
    existing = create(editor_client).json()["id"]
    expected = 401 if user is None else 403
    assert create(client).status_code in (expected, 403)
    assert client.get(API).status_code in (expected, 403)
    assert client.get(f"{API}{existing}/deliveries/").status_code in (expected, 403)
    assert client.post(f"{API}{existing}/rotate-secret/").status_code in (expected, 403)
    assert client.delete(f"{API}{existing}/").status_code in (expected, 403)
    assert WebhookSubscription.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "https"),
        ("https://127.0.0.1/x", "public"),
        ("https://localhost/x", "public"),
        ("https://[::1]/x", "public"),
        ("https://169.254.169.254/latest/meta-data", "public"),
        ("https://private.example.com/x", "public"),
        ("https://nowhere.invalid/x", "resolve"),
        ("ftp://hooks.example.com/x", "https"),
        ("not a url", ""),
        ("", ""),
    ],
)
def test_a_receiver_that_is_not_public_https_is_refused(editor_client, url, message):
    response = create(editor_client, url=url)
    assert response.status_code == 400, response.content
    assert message in " ".join(response.json()["url"]).lower()
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"event_types": []}, "event_types"),
        ({"event_types": ["review.deleted"]}, "event_types"),
        ({"event_types": "review.published"}, "event_types"),
        ({"event_types": ["review.submitted"]}, "event_types"),  # newsroom-only, public audience
        ({"audience": "everyone"}, "audience"),
        ({"name": ""}, "name"),
        ({"active": False}, "active"),
    ],
)
def test_bad_subscriptions_are_refused_with_the_field_named(editor_client, fields, field):
    response = create(editor_client, **fields)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not WebhookSubscription.objects.exists()


def test_a_newsroom_subscription_may_ask_for_newsroom_events(editor_client):
    response = create(editor_client, audience="newsroom", event_types=["review.submitted", "claim.created"])
    assert response.status_code == 201, response.content
    assert response.json()["event_types"] == ["claim.created", "review.submitted"]


def test_credentials_in_the_receiver_url_are_never_shown(editor_client):
    url = "https://bob:hunter2@hooks.example.com/in?token=abc123&x=1"
    response = create(editor_client, url=url)
    assert response.status_code == 201, response.content
    for shown in (response.json(), editor_client.get(API).json()):
        text = str(shown)
        assert "hunter2" not in text and "abc123" not in text
    assert "hooks.example.com/in" in response.json()["url"]
    assert WebhookSubscription.objects.get().url == url  # kept, to deliver


def test_disabling_and_enabling_again(editor_client, editor):
    created = create(editor_client).json()
    response = editor_client.patch(f"{API}{created['id']}/", {"active": False}, format="json")
    assert response.status_code == 200, response.content
    assert not response.json()["active"] and response.json()["disabled_reason"] == f"Disabled by {editor.username}."
    WebhookSubscription.objects.update(consecutive_failures=9, failing_since=timezone.now())
    response = editor_client.patch(f"{API}{created['id']}/", {"active": True}, format="json")
    body = response.json()
    assert body["active"] and body["disabled_reason"] == "" and body["disabled_at"] is None
    assert body["consecutive_failures"] == 0 and body["failing_since"] is None


def test_changing_the_url_or_types_is_checked_like_creating(editor_client):
    created = create(editor_client).json()
    url = f"{API}{created['id']}/"
    assert editor_client.patch(url, {"url": "https://10.0.0.1/x"}, format="json").status_code == 400
    assert editor_client.patch(url, {"event_types": ["claim.created"]}, format="json").status_code == 400
    response = editor_client.patch(url, {"audience": "newsroom", "event_types": ["claim.created"]}, format="json")
    assert response.status_code == 200, response.content
    assert editor_client.patch(url, {"secret_encrypted": "x"}, format="json").json()["event_types"] == ["claim.created"]
    assert editor_client.put(url, {"name": "x"}, format="json").status_code == 405


def test_rotating_the_secret_answers_a_new_one(editor_client):
    created = create(editor_client).json()
    response = editor_client.post(f"{API}{created['id']}/rotate-secret/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != created["secret"]
    assert body["previous_secret_expires_at"]


def test_deleting_a_subscription(editor_client):
    created = create(editor_client).json()
    assert editor_client.delete(f"{API}{created['id']}/").status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_the_delivery_log_and_redelivery(editor_client, receiver):  # noqa: F811
    response = create(editor_client, url=receiver.url)
    assert response.status_code == 201, response.content
    created = response.json()
    receiver.statuses = [500]
    ClaimFactory(verified=True)
    run_due()
    log = editor_client.get(created["deliveries_url"]).json()["results"]
    assert len(log) == 1
    (entry,) = log
    assert entry["status"] == "pending" and entry["response_code"] == 500 and entry["attempts"] == 1
    assert entry["event_type"] == "review.published" and entry["webhook_id"] == f"evt_{entry['event']}"
    assert entry["next_attempt_at"] and entry["duration_ms"] is not None
    assert editor_client.get(created["deliveries_url"], {"status": "delivered"}).json()["results"] == []
    assert editor_client.get(created["deliveries_url"], {"status": "lost"}).status_code == 400

    response = editor_client.post(entry["redeliver_url"])
    assert response.status_code == 202, response.content
    run_due()
    (entry,) = editor_client.get(created["deliveries_url"]).json()["results"]
    assert entry["status"] == "delivered" and entry["attempts"] == 2 and entry["next_attempt_at"] is None
    for request in receiver.requests:
        assert request.headers["webhook-id"] == entry["webhook_id"]
        Webhook(created["secret"]).verify(request.body, request.headers)


def test_redelivering_for_a_disabled_subscription_or_another_subscription_is_refused(editor_client, receiver):  # noqa: F811
    first = create(editor_client, url=receiver.url).json()
    other = create(editor_client, url=receiver.url + "/other").json()
    ClaimFactory(verified=True)
    run_due()
    delivery = WebhookDelivery.objects.filter(subscription_id=first["id"]).get()
    assert editor_client.post(f"{API}{other['id']}/deliveries/{delivery.pk}/redeliver/").status_code == 404
    editor_client.patch(f"{API}{first['id']}/", {"active": False}, format="json")
    response = editor_client.post(f"{API}{first['id']}/deliveries/{delivery.pk}/redeliver/")
    assert response.status_code == 400 and "enable it" in str(response.json())


def test_list_queries_are_constant(editor_client, django_assert_max_num_queries):
    create(editor_client)
    editor_client.get(API)
    with django_assert_max_num_queries(8) as small:
        assert len(editor_client.get(API).json()["results"]) == 1
    for n in range(6):
        webhooks.subscribe(name=f"App {n}", url=f"{RECEIVER}/{n}", event_types=["*"], by=EditorFactory())
    with django_assert_max_num_queries(8) as large:
        assert len(editor_client.get(API).json()["results"]) == 7
    assert len(large.captured_queries) == len(small.captured_queries)


def test_delivery_log_queries_are_constant(editor_client, receiver, django_assert_max_num_queries):  # noqa: F811
    created = create(editor_client, url=receiver.url).json()
    ClaimFactory(verified=True)
    run_due()
    editor_client.get(created["deliveries_url"])
    with django_assert_max_num_queries(8) as small:
        assert len(editor_client.get(created["deliveries_url"]).json()["results"]) == 1
    for _ in range(5):
        ClaimFactory(verified=True)
    run_due()
    with django_assert_max_num_queries(8) as large:
        assert len(editor_client.get(created["deliveries_url"]).json()["results"]) == 6
    assert len(large.captured_queries) == len(small.captured_queries)


def test_sending_back_the_masked_url_keeps_the_stored_one(editor_client):
    url = "https://bob:hunter2@hooks.example.com/in?token=abc123"
    created = create(editor_client, url=url).json()
    response = editor_client.patch(f"{API}{created['id']}/", {"url": created["url"], "name": "Renamed"}, format="json")
    assert response.status_code == 200, response.content
    assert WebhookSubscription.objects.get().url == url
