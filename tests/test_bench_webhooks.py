"""bench/webhooks.py: a tiny run of each measurement against its receivers in their own processes."""

import pytest

from bench import webhooks
from reviews.models import WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture
def receivers(settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = True
    with webhooks.Receiver(status=200) as answering, webhooks.Receiver(status=500) as failing:
        yield answering, failing


def test_throughput_delivers_every_event_and_counts_failed_first_attempts(receivers):
    answering, failing = receivers
    delivered = webhooks.throughput(events=3, url=answering.url, status=200)
    failed = webhooks.throughput(events=3, url=failing.url, status=500)
    for figures in (delivered, failed):
        assert figures["deliveries"] == 3 and figures["per_second"] > 0
        assert 0 <= figures["duration_p50"] <= figures["duration_p95"]
    assert not WebhookSubscription.objects.filter(active=True).exists()  # the next measurement starts alone


def test_publishing_alternates_between_no_subscription_and_active_ones(receivers):
    answering, _failing = receivers
    figures = webhooks.publishing(runs=2, subscriptions=2, url=answering.url)
    assert figures["deliveries_per_publication"] == 4
    assert figures["with"]["runs"] == figures["without"]["runs"] == 2
    # Fan-out's queries (subscriptions, deliveries, jobs) are in the timed request only when someone subscribes.
    assert figures["with"]["queries"] > figures["without"]["queries"]
    assert 0 < figures["without"]["p50"] <= figures["without"]["p95"]
