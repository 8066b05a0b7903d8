"""Deliveries to a real receiver: signed per Standard Webhooks (checked with the reference library), retried
with the same webhook-id, resumed after an outage, disabled after failing for long, never to private
addresses unless allowed, and never leaking a secret or the URL's credentials."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from factcheck import encryption, jobs
from factcheck.models import Job
from reviews import webhooks, workflow
from reviews.models import Event, WebhookDelivery, WebhookSubscription
from tests.factories import ClaimFactory, EditorFactory
from tests.webhooks.conftest import run_due

pytestmark = pytest.mark.django_db


def make_due():
    """Time passes: every queued job (a retry waiting for its turn) is due now."""
    Job.objects.filter(status=Job.Status.QUEUED).update(run_after=timezone.now())


def test_publishing_delivers_signed_events_the_reference_library_verifies(receiver, subscribe):
    subscription, secret = subscribe(receiver.url)
    claim = ClaimFactory(verified=True)
    assert run_due() == 2
    bodies = receiver.verified(secret)
    assert sorted(body["type"] for body in bodies) == ["claim.verified", "review.published"]
    # The same event as the feed shows it to everyone outside the newsroom.
    feed = {event["id"]: event for event in APIClient().get("/api/v1/events/").json()["results"]}
    for body in bodies:
        assert body == feed[body["id"]]
    assert {request.headers["webhook-id"] for request in receiver.requests} == {f"evt_{body['id']}" for body in bodies}
    published = next(body for body in bodies if body["type"] == "claim.verified")
    assert published["object"]["id"] == claim.pk and published["actor"] is None
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    assert {(d.status, d.attempts, d.response_code) for d in deliveries} == {("delivered", 1, 200)}
    assert all(d.duration_ms is not None and d.delivered_at for d in deliveries)


def test_a_public_subscription_gets_no_newsroom_events_and_a_newsroom_one_gets_them_with_the_actor(receiver, subscribe):
    public, _public_secret = subscribe(receiver.url + "/public")
    _newsroom, newsroom_secret = subscribe(receiver.url + "/newsroom", audience="newsroom", event_types=["*"])
    review = ClaimFactory(in_review=True, review__evidence=1).reviews.get()
    workflow.submit(review, by=review.author)  # a newsroom event only
    run_due()
    assert {request.path for request in receiver.requests} == {"/hooks/newsroom"}
    (submitted,) = receiver.verified(newsroom_secret)
    assert submitted["type"] == "review.submitted"
    assert submitted["actor"] == review.author.username and submitted["object"]["data"]["state"] == "submitted"
    assert not WebhookDelivery.objects.filter(subscription=public).exists()


def test_only_the_chosen_event_types_are_sent(receiver, subscribe):
    subscribe(receiver.url, event_types=["review.published"])
    ClaimFactory(verified=True)
    run_due()
    assert [request.headers["webhook-id"] for request in receiver.requests] == [
        f"evt_{Event.objects.get(type='review.published').pk}"
    ]


def test_a_failed_attempt_is_retried_after_seconds_with_the_same_webhook_id(receiver, subscribe):
    subscription, secret = subscribe(receiver.url, event_types=["review.published"])
    receiver.statuses = [500]
    ClaimFactory(verified=True)
    before = timezone.now()
    run_due()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("pending", 1, 500)
    assert delivery.error == "The receiver answered HTTP 500."
    assert before + timedelta(seconds=4) < delivery.next_attempt_at < timezone.now() + timedelta(seconds=6)
    assert run_due() == 0  # not due yet
    make_due()
    run_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == ("delivered", 2, 200)
    assert delivery.next_attempt_at is None and delivery.error == ""
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
    assert first.body == second.body
    receiver.verified(secret)  # both signatures check (each attempt signs its own timestamp)


def test_the_retry_schedule_starts_within_seconds_and_ends_after_hours():
    delays = [webhooks.deliver.retry_delay(n) for n in range(1, webhooks.deliver.max_attempts)]
    assert delays[0] <= timedelta(seconds=10)
    assert delays[-1] >= timedelta(hours=5)
    assert delays == sorted(delays)
    assert sum(delays, timedelta()) > timedelta(hours=12)


def test_deliveries_resume_after_the_receiver_was_down_for_an_hour(receiver, subscribe):
    subscription, _secret = subscribe(receiver.url, event_types=["review.published"])
    receiver.status = 503
    ClaimFactory(verified=True)
    started = timezone.now()
    run_due()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    # Attempts fail while the receiver is down; each retry waits longer.
    while delivery.next_attempt_at - started < timedelta(hours=1):
        make_due()
        run_due()
        delivery.refresh_from_db()
        assert delivery.status == "pending"
    assert delivery.attempts >= 4
    receiver.status = 200
    make_due()
    run_due()
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert len({request.headers["webhook-id"] for request in receiver.requests}) == 1
    subscription.refresh_from_db()
    assert subscription.active and subscription.consecutive_failures == 0 and subscription.failing_since is None


def test_a_delivery_fails_after_its_last_attempt(receiver, subscribe):
    subscription, _ = subscribe(receiver.url, event_types=["review.published"])
    receiver.status = 500
    ClaimFactory(verified=True)
    for _ in range(webhooks.deliver.max_attempts):
        make_due()
        run_due()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 7, None)
    assert Job.objects.get(name="reviews.deliver_webhook").status == Job.Status.FAILED
    assert len(receiver.requests) == 7


def test_a_subscription_failing_for_long_enough_is_disabled_with_the_reason(receiver, subscribe, settings):
    settings.FACTCHECK_WEBHOOK_DISABLE_AFTER_FAILURES = 3
    settings.FACTCHECK_WEBHOOK_DISABLE_AFTER_HOURS = 24
    subscription, _ = subscribe(receiver.url, event_types=["review.published"])
    receiver.status = 500
    for _ in range(3):
        ClaimFactory(verified=True)
    run_due()
    subscription.refresh_from_db()
    assert subscription.active and subscription.consecutive_failures == 3  # not failing for long yet
    WebhookSubscription.objects.filter(pk=subscription.pk).update(failing_since=timezone.now() - timedelta(days=2))
    make_due()
    run_due()
    subscription.refresh_from_db()
    assert not subscription.active and subscription.disabled_at
    assert "Disabled automatically" in subscription.disabled_reason
    assert "HTTP 500" in subscription.disabled_reason
    # What was still pending is not sent; new events make no deliveries.
    make_due()
    sent = len(receiver.requests)
    run_due()
    assert len(receiver.requests) == sent
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"failed"}
    ClaimFactory(verified=True)
    assert WebhookDelivery.objects.count() == 3


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, subscribe):
    subscription, _ = subscribe(receiver.url, event_types=["review.published"])
    receiver.statuses = [302]
    receiver.location = receiver.url.replace("/hooks", "/followed")
    ClaimFactory(verified=True)
    run_due()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == "pending" and delivery.response_code == 302
    assert "redirect" in delivery.error
    assert [request.path for request in receiver.requests] == ["/hooks"]


def test_a_worker_killed_mid_delivery_leaves_it_to_another_with_the_same_webhook_id(receiver, subscribe):
    subscription, secret = subscribe(receiver.url, event_types=["review.published"])
    ClaimFactory(verified=True)
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    # A worker claims the job and sends, then dies before recording anything.
    record = jobs.claim(worker="doomed")
    webhooks.send(delivery)
    Job.objects.filter(pk=record.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    assert run_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert [request.headers["webhook-id"] for request in receiver.requests] == [delivery.webhook_id] * 2
    receiver.verified(secret)


def test_a_receiver_on_a_private_address_is_refused_at_delivery_time(receiver, subscribe, settings):
    subscription, _ = subscribe(receiver.url, event_types=["review.published"])
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False
    ClaimFactory(verified=True)
    run_due()
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert delivery.status == "pending" and delivery.response_code is None and delivery.error
    assert receiver.requests == []


def test_no_secret_or_url_credentials_in_logs_errors_or_the_api(receiver, subscribe, settings, caplog):
    url = receiver.url.replace("http://", "http://bob:s3cretpass@") + "?token=tok3n"
    subscription, secret = subscribe(url, event_types=["review.published"])
    receiver.status = 500
    caplog.set_level(logging.DEBUG)
    ClaimFactory(verified=True)
    run_due()
    assert receiver.requests[0].headers["Authorization"].startswith("Basic ")
    receiver.status = 200
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False  # a refusal, too
    make_due()
    run_due()
    editor = EditorFactory()
    client = APIClient()
    client.force_authenticate(editor)
    shown = client.get(f"/api/v1/webhooks/{subscription.pk}/").content.decode()
    shown += client.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").content.decode()
    stored = " ".join(str(value) for value in WebhookDelivery.objects.values_list("error", "response_body"))
    stored += " ".join(Job.objects.values_list("error", flat=True))
    for text in (caplog.text, shown, stored):
        for leak in ("s3cretpass", "tok3n", secret, secret.removeprefix("whsec_")):
            assert leak not in text


def test_the_secret_is_stored_encrypted(subscribe, receiver):
    _subscription, secret = subscribe(receiver.url)
    stored = WebhookSubscription.objects.values_list("secret_encrypted", flat=True).get()
    assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert encryption.decrypt(stored) == secret


def test_after_a_rotation_both_secrets_sign_until_the_grace_ends(receiver, subscribe):
    subscription, old = subscribe(receiver.url, event_types=["review.published"])
    subscription, new = webhooks.rotate_secret(subscription, by=EditorFactory())
    ClaimFactory(verified=True)
    run_due()
    receiver.verified(old)
    receiver.verified(new)
    assert len(receiver.requests[0].headers["webhook-signature"].split(" ")) == 2
    WebhookSubscription.objects.filter(pk=subscription.pk).update(previous_secret_expires_at=timezone.now())
    ClaimFactory(verified=True)
    run_due()
    last = receiver.requests[-1]
    Webhook(new).verify(last.body, last.headers)
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(old).verify(last.body, last.headers)


def test_manual_redelivery_sends_the_same_webhook_id_again(receiver, subscribe):
    _subscription, _ = subscribe(receiver.url, event_types=["review.published"])
    ClaimFactory(verified=True)
    run_due()
    delivery = WebhookDelivery.objects.get()
    webhooks.redeliver(delivery, by=EditorFactory())
    delivery.refresh_from_db()
    assert delivery.status == "pending"
    run_due()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert [r.headers["webhook-id"] for r in receiver.requests] == [delivery.webhook_id] * 2


def test_a_rolled_back_change_delivers_nothing(receiver, subscribe):
    from django.db import transaction

    subscribe(receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        ClaimFactory(verified=True)
        raise RuntimeError("crash before the commit")
    assert not WebhookDelivery.objects.exists() and not Job.objects.exists()
    run_due()
    assert receiver.requests == []


def test_publishing_with_subscriptions_adds_a_fixed_number_of_queries(subscribe, receiver):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    editor = EditorFactory()

    def publish_one():
        review = ClaimFactory(in_review=True, review__evidence=1).reviews.get()
        workflow.submit(review, by=review.author)
        with CaptureQueriesContext(connection) as queries:
            workflow.publish(review, by=editor)
        return len(queries)

    without = publish_one()
    subscribe(receiver.url + "/first")
    with_one = publish_one()
    for n in range(4):
        subscribe(receiver.url + f"/{n}")
    # Two inserts (the deliveries, their jobs) per batch of events, whatever the number of subscribers.
    assert with_one == publish_one() <= without + 4
    assert WebhookDelivery.objects.count() == 2 + 2 * 5


def test_a_delivery_waiting_when_the_audience_becomes_public_is_not_sent(receiver, subscribe):
    subscription, _ = subscribe(receiver.url, audience="newsroom", event_types=["*"])
    review = ClaimFactory(in_review=True, review__evidence=1).reviews.get()
    workflow.submit(review, by=review.author)
    webhooks.update(subscription, audience="public", event_types=["*"], by=EditorFactory())
    run_due()
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "no longer asks" in delivery.error


def test_disabling_fails_what_was_waiting_and_enabling_again_sends_only_what_is_redelivered(receiver, subscribe):
    subscription, _ = subscribe(receiver.url, event_types=["review.published"])
    editor = EditorFactory()
    ClaimFactory(verified=True)
    webhooks.update(subscription, active=False, by=editor)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.error == "Not sent: the subscription was disabled."
    webhooks.update(subscription, active=True, by=editor)
    run_due()  # the old job finds it failed: nothing is sent
    assert receiver.requests == []
    webhooks.redeliver(delivery, by=editor)
    run_due()
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and len(receiver.requests) == 1
