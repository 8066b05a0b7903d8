"""Webhooks in the admin: editors add a subscription and are shown its secret once, rotate it, read the
delivery log of every subscription and send deliveries again; reviewers don't see any of it."""

import re

import pytest
from django.test import Client

from factcheck import encryption
from reviews.models import WebhookDelivery, WebhookSubscription
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory
from tests.webhooks.conftest import receiver, run_due  # noqa: F401 (the receiver fixture)

pytestmark = pytest.mark.django_db

LIST = "/admin/reviews/webhooksubscription/"


def admin_client(user):
    client = Client()
    client.force_login(user)
    return client


def add(client, url, **fields):
    form = {"name": "Partner app", "url": url, "audience": "public", "event_types": ["review.published"], **fields}
    return client.post(f"{LIST}add/", form)


def shown_secret(response):
    match = re.search(r'<code class="webhook-secret">(whsec_[^<]+)</code>', response.content.decode())
    return match and match.group(1)


def test_an_editor_adds_a_subscription_and_is_shown_its_secret_once(receiver):  # noqa: F811
    editor = admin_client(EditorFactory())
    url = receiver.url.replace("http://", "http://bob:hunter2@") + "?token=abc123"
    response = add(editor, url)
    assert response.status_code == 200, response.content.decode()[:2000]
    secret = shown_secret(response)
    assert secret, response.content.decode()
    subscription = WebhookSubscription.objects.get()
    assert encryption.decrypt(subscription.secret_encrypted) == secret
    for page in (editor.get(LIST), editor.get(f"{LIST}{subscription.pk}/change/")):
        text = page.content.decode()
        assert page.status_code == 200
        assert secret not in text and "abc123" not in text
    assert "hunter2" not in editor.get(LIST).content.decode()
    # Saved as shown (credentials masked), the stored URL is kept.
    form = {
        "name": "Renamed",
        "url": editor.get(f"{LIST}{subscription.pk}/change/").context["adminform"].form.initial["url"],
        "audience": "public",
        "event_types": ["review.published"],
        "active": "on",
    }
    assert editor.post(f"{LIST}{subscription.pk}/change/", form).status_code == 302
    subscription.refresh_from_db()
    assert subscription.name == "Renamed" and subscription.url == url


def test_a_private_receiver_or_newsroom_type_for_the_public_is_refused_on_the_form():
    editor = admin_client(EditorFactory())
    response = add(editor, "https://127.0.0.1/hooks")
    assert response.status_code == 200 and "public" in response.content.decode()
    response = add(editor, "https://127.0.0.1/hooks", event_types=["review.submitted"])
    assert "newsroom" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_rotating_the_secret_from_the_subscription_page(receiver):  # noqa: F811
    editor = admin_client(EditorFactory())
    first = shown_secret(add(editor, receiver.url))
    subscription = WebhookSubscription.objects.get()
    page = editor.get(f"{LIST}{subscription.pk}/change/").content.decode()
    assert f'action="{LIST}{subscription.pk}/rotate-secret/"' in page
    assert editor.get(f"{LIST}{subscription.pk}/rotate-secret/").status_code == 405
    second = shown_secret(editor.post(f"{LIST}{subscription.pk}/rotate-secret/"))
    assert second and second != first
    subscription.refresh_from_db()
    assert encryption.decrypt(subscription.secret_encrypted) == second


def test_disabling_from_the_form_records_who(receiver):  # noqa: F811
    editor_user = EditorFactory()
    editor = admin_client(editor_user)
    add(editor, receiver.url)
    subscription = WebhookSubscription.objects.get()
    form = {"name": "Partner app", "url": receiver.url, "audience": "public", "event_types": ["review.published"]}
    response = editor.post(f"{LIST}{subscription.pk}/change/", form)  # "active" unticked
    assert response.status_code == 302, response.content.decode()[:3000]
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_reason == f"Disabled by {editor_user.username}."


def test_the_delivery_log_and_sending_again(receiver):  # noqa: F811
    editor = admin_client(EditorFactory())
    add(editor, receiver.url)
    receiver.status = 500
    ClaimFactory(verified=True)
    run_due()
    delivery = WebhookDelivery.objects.get()
    page = editor.get("/admin/reviews/webhookdelivery/").content.decode()
    assert "review.published" in page and "500" in page and "The receiver answered HTTP 500." in page
    assert editor.get(f"/admin/reviews/webhookdelivery/{delivery.pk}/change/").status_code == 200
    receiver.status = 200
    response = editor.post(
        "/admin/reviews/webhookdelivery/", {"action": "redeliver", "_selected_action": [delivery.pk]}, follow=True
    )
    assert "will be sent again" in response.content.decode()
    run_due()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_reviewers_see_no_webhooks():
    reviewer = admin_client(ReviewerFactory())
    assert reviewer.get(LIST).status_code == 403
    assert reviewer.get("/admin/reviews/webhookdelivery/").status_code == 403
    assert "Webhook" not in reviewer.get("/admin/").content.decode()
