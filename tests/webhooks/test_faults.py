"""Webhook deliveries under faults, with workers in processes of their own: a worker killed mid-delivery,
the broker down while events happen, and delivery by Celery over real Redis and RabbitMQ."""

import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from factcheck import jobs
from factcheck.models import Job
from reviews.models import WebhookDelivery
from tests.factories import ClaimFactory
from tests.jobs.test_faults import BROKERS, broker_url, celery_worker, wait_until, worker_process

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RECEIVER_ALLOWED = {"FACTCHECK_WEBHOOK_ALLOW_PRIVATE": "1"}


def delivered():
    return not WebhookDelivery.objects.exclude(status=WebhookDelivery.Status.DELIVERED).exists()


def test_a_worker_killed_mid_delivery_leaves_it_to_another_which_sends_the_same_webhook_id(receiver, subscribe):
    _, secret = subscribe(receiver.url, event_types=["review.published"])
    receiver.delay = 5.0  # the first worker is killed while the receiver holds its request
    ClaimFactory(verified=True)
    first = worker_process(**RECEIVER_ALLOWED)
    try:
        wait_until(lambda: len(receiver.requests) == 1)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts == 0  # nothing recorded: its worker is gone

    receiver.delay = 0.0
    Job.objects.update(lease_expires_at=timezone.now() - timedelta(seconds=1))  # the lease has run out
    second = worker_process("--burst", **RECEIVER_ALLOWED)
    assert second.wait(60) == 0
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1
    assert [request.headers["webhook-id"] for request in receiver.requests] == [delivery.webhook_id] * 2
    assert len(receiver.verified(secret)) == 2


@pytest.mark.parametrize("broker", list(BROKERS))
def test_events_wait_while_the_broker_is_down_and_are_delivered_by_celery_once_it_is_back(
    broker,
    celery_engine,
    receiver,
    subscribe,
):
    _, secret = subscribe(receiver.url)
    ClaimFactory(verified=True)  # the broker is unreachable: publishing works, the jobs wait in the table
    assert WebhookDelivery.objects.count() == 2
    assert list(Job.objects.values_list("status", "relayed_at")) == [("queued", None)] * 2
    assert jobs.relay() == 0

    url = celery_engine(broker_url(broker))  # the broker is back; the worker's relay hands it the jobs
    with celery_worker(url, **RECEIVER_ALLOWED):
        wait_until(delivered)
        ClaimFactory(verified=True)  # relayed as its transaction commits
        wait_until(lambda: WebhookDelivery.objects.count() == 4 and delivered())
    bodies = receiver.verified(secret)
    assert len(bodies) == 4 and len({body["id"] for body in bodies}) == 4
