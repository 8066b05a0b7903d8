"""``manage.py prune``: finished jobs (and their export files) and finished webhook deliveries past their
retention are deleted, pending work never; events only when asked, never one a delivery still waits for;
and the events feed goes on for a poller whose last event was pruned."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from factcheck.models import Job
from reviews.models import Event, WebhookDelivery
from tests.factories import ClaimFactory, EditorFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - timedelta(days=400)


def prune(*args):
    out = StringIO()
    call_command("prune", *args, stdout=out)
    return out.getvalue()


def test_finished_jobs_past_retention_go_with_their_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    name = default_storage.save("exports/old/claims.csv", ContentFile(b"id\n1\n"))
    old_export = Job.objects.create(
        name="reviews.export_claims", status="succeeded", finished_at=LONG_AGO, result={"file": name}
    )
    old_failure = Job.objects.create(name="claims.extract_article", status="failed", finished_at=LONG_AGO)
    recent = Job.objects.create(name="claims.extract_article", status="succeeded", finished_at=timezone.now())
    waiting = Job.objects.create(name="claims.extract_article", status="queued", run_after=LONG_AGO)
    assert "2 jobs (1 files)" in prune()
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not default_storage.exists(name)
    assert not Job.objects.filter(pk__in=[old_export.pk, old_failure.pk]).exists()


def old_deliveries(receiver_url="https://93.184.215.14/hooks"):
    from reviews import webhooks

    subscription, _ = webhooks.subscribe(name="App", url=receiver_url, event_types=["*"], by=EditorFactory())
    ClaimFactory(verified=True)  # claim.verified and review.published: two deliveries
    delivered, pending = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=delivered.pk).update(status="delivered", delivered_at=LONG_AGO)
    WebhookDelivery.objects.update(created_at=LONG_AGO)
    Event.objects.update(created_at=LONG_AGO)
    return subscription, delivered, pending


def test_finished_deliveries_past_retention_go_and_pending_ones_stay():
    _, delivered, pending = old_deliveries()
    assert "1 deliveries" in prune("--jobs-days", "0")
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [pending.pk]
    assert not WebhookDelivery.objects.filter(pk=delivered.pk).exists()


def test_events_are_kept_unless_asked_and_never_one_a_delivery_waits_for():
    _, _, pending = old_deliveries()
    fresh = ClaimFactory(verified=True)
    count = Event.objects.count()
    assert "events" not in prune()  # FACTCHECK_KEEP_EVENTS_DAYS is 0: kept
    assert Event.objects.count() == count
    old = set(Event.objects.filter(created_at=LONG_AGO).values_list("pk", flat=True))
    assert f"{len(old) - 1} events" in prune("--events-days", "30")
    left = set(Event.objects.values_list("pk", flat=True))
    assert left & old == {pending.event_id}  # the one a delivery still waits to send
    assert Event.objects.filter(object_id=fresh.pk, type="claim.verified").exists()


def test_the_feed_goes_on_after_the_last_event_read_was_pruned():
    ClaimFactory(verified=True)
    first = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    Event.objects.update(created_at=LONG_AGO)
    ClaimFactory(verified=True)
    prune("--events-days", "30")
    response = APIClient().get("/api/v1/events/", {"after": first[-1]})
    assert response.status_code == 200, response.content
    public = Event.objects.filter(public_data__isnull=False).order_by("pk").values_list("pk", flat=True)
    assert [event["id"] for event in response.json()["results"]] == list(public)
    assert APIClient().get("/api/v1/events/", {"after": 10**9}).status_code == 400  # not an event kept


def test_nothing_is_deleted_when_everything_is_kept():
    Job.objects.create(name="claims.extract_article", status="failed", finished_at=LONG_AGO)
    assert prune("--jobs-days", "0", "--deliveries-days", "0") == "Pruned: nothing (everything is kept).\n"
    assert Job.objects.count() == 1


def test_a_negative_retention_is_refused():
    with pytest.raises(CommandError, match="number of days"):
        prune("--jobs-days", "-1")
