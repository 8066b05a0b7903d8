"""Event ids grow in commit order, so a consumer polling ``events/?after=<last id>`` never skips an event
(``reviews.events``): two transactions interleaved over two real database connections (PostgreSQL)."""

import random
import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from reviews import events, workflow
from reviews.models import Event, EventType
from tests.factories import ClaimFactory, EditorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
WAIT = 10  # seconds: only reached when something is wrong


def polled_ids(client, after):
    """The ids of the events after ``after``, oldest first, every page."""
    response = client.get("/api/v1/events/", {"after": after, "page_size": 200})
    assert response.status_code == 200, response.content
    ids = [event["id"] for event in response.json()["results"]]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        ids += [event["id"] for event in response.json()["results"]]
    return ids


def newsroom_client():
    client = APIClient()
    client.force_authenticate(EditorFactory())
    return client


def submitted_review(claim, editor):
    review = workflow.create_review(claim, by=editor, verdict="false", summary="Wrong.")
    workflow.add_evidence(review, by=editor, url=f"https://example.org/{claim.pk}")
    return workflow.submit(review, by=editor)


def in_thread(target):
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def record_and_hold(claim, recorded, release, ids):
    """A transaction that records an event, then stays open until ``release`` (a slow request)."""
    with transaction.atomic():
        ids.extend(event.pk for event in events.record(EventType.CLAIM_CREATED, [claim]))
        recorded.set()
        assert release.wait(WAIT)


def test_a_transaction_that_records_later_waits_for_the_earlier_one_to_commit():
    editor = EditorFactory()
    poller = newsroom_client()
    first, second = ClaimFactory(), ClaimFactory()
    second_review = submitted_review(second, editor)
    start = max(Event.objects.values_list("pk", flat=True), default=0)
    recorded, release, first_ids = threading.Event(), threading.Event(), []
    slow, slow_errors = in_thread(lambda: record_and_hold(first, recorded, release, first_ids))
    assert recorded.wait(WAIT)
    published = threading.Event()

    def publish():
        workflow.publish(second_review, by=editor)
        published.set()

    fast, fast_errors = in_thread(publish)
    # The second transaction has done its work but cannot draw event ids while the first is open.
    assert not published.wait(0.5)
    assert polled_ids(poller, start) == []
    release.set()
    slow.join(WAIT)
    fast.join(WAIT)
    assert slow_errors == fast_errors == []
    second_ids = list(Event.objects.filter(pk__gt=start).exclude(pk__in=first_ids).values_list("pk", flat=True))
    assert max(first_ids) < min(second_ids)
    assert polled_ids(poller, start) == sorted(first_ids + second_ids)


def test_without_the_lock_a_poller_would_skip_an_event(monkeypatch):
    """The pitfall the lock prevents: the later id commits first, the poller moves past the earlier one."""
    monkeypatch.setattr(events, "take_commit_order_lock", lambda: None)
    poller = newsroom_client()
    first, second = ClaimFactory(), ClaimFactory()
    start = max(Event.objects.values_list("pk", flat=True), default=0)
    recorded, release, first_ids = threading.Event(), threading.Event(), []
    slow, errors = in_thread(lambda: record_and_hold(first, recorded, release, first_ids))
    assert recorded.wait(WAIT)
    with transaction.atomic():
        second_ids = [event.pk for event in events.record(EventType.CLAIM_CREATED, [second])]
    seen = polled_ids(poller, start)
    assert seen == second_ids and first_ids[0] < second_ids[0]
    release.set()
    slow.join(WAIT)
    assert errors == []
    assert polled_ids(poller, seen[-1]) == []  # the first event is never read: skipped


def test_a_poller_never_skips_an_event_among_many_interleaved_transactions():
    poller = newsroom_client()
    claims = [ClaimFactory() for _ in range(6)]
    start = max(Event.objects.values_list("pk", flat=True), default=0)
    done = threading.Event()
    written = []

    def writer(claim, seed):
        pause = random.Random(seed)
        for _ in range(4):
            with transaction.atomic():
                written.extend(event.pk for event in events.record(EventType.CLAIM_CREATED, [claim]))
                time.sleep(pause.uniform(0, 0.03))  # the transaction stays open a while after drawing its id

    threads = [in_thread(lambda claim=claim, seed=seed: writer(claim, seed)) for seed, claim in enumerate(claims)]
    seen, last = [], start

    def poll():
        nonlocal last
        while not done.is_set():
            new = polled_ids(poller, last)
            seen.extend(new)
            last = new[-1] if new else last

    poller_thread, poller_errors = in_thread(poll)
    for thread, errors in threads:
        thread.join(WAIT * 3)
        assert errors == []
    done.set()
    poller_thread.join(WAIT)
    assert poller_errors == []
    seen.extend(polled_ids(poller, last))
    assert len(written) == 24
    assert seen == sorted(written)  # every event, once, in order: none skipped
