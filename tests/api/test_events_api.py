"""Events (``reviews.events``) through the real routes: each type from the request that makes the change,
the feed ``events/`` as the newsroom and as anonymous clients see it, polling with ``after``, bad input."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from claims.models import Claim
from reviews import events, workflow
from reviews.models import Event
from tests.factories import SENTENCES, ArticleFactory, ClaimFactory, EditorFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
EVIDENCE = {"url": "https://example.org/report", "title": "Report", "stance": "refutes", "source_type": "official"}


def feed(client, **params):
    response = client.get(f"{API}/events/", params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def poll(client, after=0, **params):
    """Every event after ``after``, oldest first, following the ``next`` links."""
    response = client.get(f"{API}/events/", {"after": after, **params})
    assert response.status_code == 200, response.content
    events = response.json()["results"]
    while response.json()["next"]:
        response = client.get(response.json()["next"])
        events += response.json()["results"]
    return events


def submitted_review(client, claim, **fields):
    response = client.post(f"{API}/reviews/", {"claim": claim.pk, "verdict": "false", "summary": "Wrong.", **fields})
    assert response.status_code == 201, response.content
    review = response.json()
    assert client.post(f"{API}/reviews/{review['id']}/evidence/", EVIDENCE).status_code == 201
    assert client.post(f"{API}/reviews/{review['id']}/submit/").status_code == 200
    return review


def test_each_step_through_the_api_records_its_event(reviewer_client, editor_client, reviewer, editor):
    article = ArticleFactory()
    response = reviewer_client.post(f"{API}/claims/", {"article": article.pk, "quote": SENTENCES[0]})
    assert response.status_code == 201, response.content
    claim = Claim.objects.get(pk=response.json()["id"])
    review = submitted_review(reviewer_client, claim)
    assert editor_client.post(f"{API}/reviews/{review['id']}/return/", {"comment": "Cite it."}).status_code == 200
    assert reviewer_client.post(f"{API}/reviews/{review['id']}/submit/").status_code == 200
    claim.refresh_from_db()
    wording = {"claim_reviewed": SENTENCES[0], "version": claim.version}
    assert reviewer_client.patch(f"{API}/claims/{claim.pk}/", wording).status_code == 200
    assert editor_client.post(f"{API}/reviews/{review['id']}/publish/").status_code == 200
    correction = submitted_review(reviewer_client, claim, verdict="mostly_false")
    assert editor_client.post(f"{API}/reviews/{correction['id']}/publish/").status_code == 200
    appearance = ClaimFactory()
    assert reviewer_client.post(f"{API}/claims/{appearance.pk}/match/", {"claim": claim.pk}).status_code == 200

    events = poll(editor_client)
    seen = [(event["type"], event["object"]["type"], event["object"]["id"], event["actor"]) for event in events]
    assert seen == [
        ("claim.created", "claim", claim.pk, reviewer.username),
        ("review.submitted", "review", review["id"], reviewer.username),
        ("review.returned", "review", review["id"], editor.username),
        ("review.submitted", "review", review["id"], reviewer.username),
        ("claim.verified", "claim", claim.pk, editor.username),
        ("review.published", "review", review["id"], editor.username),
        ("review.submitted", "review", correction["id"], reviewer.username),
        ("claim.verified", "claim", claim.pk, editor.username),
        ("review.superseded", "review", review["id"], editor.username),
        ("review.published", "review", correction["id"], editor.username),
        ("claim.matched", "claim", appearance.pk, reviewer.username),
        ("claim.verified", "claim", appearance.pk, reviewer.username),
    ]
    # The object as the API showed it then: the claim verified false, then corrected to mostly false.
    verified = [event["object"]["data"] for event in events if event["type"] == "claim.verified"]
    assert [data["verdict"] for data in verified] == ["false", "mostly_false", "mostly_false"]
    assert verified[2]["matched_to"] == claim.pk
    published = next(event for event in events if event["type"] == "review.published")["object"]["data"]
    assert published == {**published, "id": review["id"], "state": "published", "published_by": editor.username}
    assert [item["url"] for item in published["evidence"]] == [EVIDENCE["url"]]
    returned = next(event for event in events if event["type"] == "review.returned")["object"]["data"]
    assert returned["editor_comment"] == "Cite it."
    assert all(event["created_at"].endswith("Z") for event in events)


def test_extraction_announces_every_claim_it_creates(reviewer_client):
    body = {"title": "Report", "body": "Report from the front. " + " ".join(SENTENCES)}
    response = reviewer_client.post(f"{API}/articles/", body)
    assert response.status_code == 201, response.content
    created = set(Claim.objects.filter(article=response.json()["id"]).values_list("pk", flat=True))
    assert created
    events = poll(reviewer_client, type="claim.created")
    assert {event["object"]["id"] for event in events} == created
    assert all(event["object"]["data"]["status"] == "candidate" for event in events)


def test_the_admins_bulk_publish_records_the_events(client, editor):
    editor.is_staff = True
    editor.save()
    claim = ClaimFactory()
    review = workflow.create_review(claim, by=editor, verdict="false", summary="Wrong.")
    workflow.add_evidence(review, by=editor, url="https://example.org/a")
    workflow.submit(review, by=editor)
    client.force_login(editor)
    response = client.post(
        "/admin/reviews/review/", {"action": "publish_reviews", "_selected_action": [review.pk]}, follow=True
    )
    assert response.status_code == 200
    # (The factory saves its claim directly, so there is no claim.created.)
    assert list(Event.objects.order_by("id").values_list("type", "object_id", "actor")) == [
        ("review.submitted", review.pk, editor.pk),
        ("claim.verified", claim.pk, editor.pk),
        ("review.published", review.pk, editor.pk),
    ]


def test_a_rolled_back_change_leaves_no_event(editor):
    claim = ClaimFactory(in_review=True)
    review = claim.reviews.get()
    workflow.add_evidence(review, by=editor, url="https://example.org/a")
    workflow.submit(review, by=editor)
    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.publish(review, by=editor)
        assert Event.objects.count() == before + 2  # claim.verified, review.published: written with the change
        raise RuntimeError("the request fails after publishing")
    assert Event.objects.count() == before
    review.refresh_from_db()
    assert review.state == "submitted"


def test_a_refused_step_records_nothing(editor_client):
    claim = ClaimFactory(in_review=True)
    review = claim.reviews.get()
    before = Event.objects.count()
    assert editor_client.post(f"{API}/reviews/{review.pk}/submit/").status_code == 400  # no evidence
    assert editor_client.post(f"{API}/reviews/{review.pk}/publish/").status_code == 409  # a draft
    assert Event.objects.count() == before


def test_anonymous_clients_see_only_published_work_as_it_was_published(anon, editor_client, reviewer_client, editor):
    claim = ClaimFactory(verified=True)  # claim.verified, review.published (and the newsroom's own events)
    first = claim.reviews.get()
    # A correction is open: the newsroom edits the claim; readers keep the published record.
    correction = submitted_review(reviewer_client, claim, verdict="mostly_false")
    claim.refresh_from_db()
    changed = {"claimant": "Someone else", "version": claim.version}
    assert reviewer_client.patch(f"{API}/claims/{claim.pk}/", changed).status_code == 200
    assert editor_client.post(f"{API}/reviews/{correction['id']}/return/", {"comment": "Not yet."}).status_code == 200

    events = poll(anon)
    assert [(event["type"], event["object"]["id"]) for event in events] == [
        ("claim.verified", claim.pk),
        ("review.published", first.pk),
    ]
    for event in events:
        assert event["actor"] is None
        assert "check_worthiness_reasons" not in event["object"]["data"]
        assert "editor_comment" not in event["object"]["data"]
    assert events[0]["object"]["data"]["claimant"] == "The ministry"
    assert feed(anon, type="review.submitted,review.returned,claim.created") == []
    # The newsroom sees its working events too, with who did what.
    newsroom = poll(editor_client)
    assert {"review.submitted", "review.returned"} <= {event["type"] for event in newsroom}
    assert all(event["actor"] for event in newsroom)

    # Publishing the correction: readers learn the new verdict, the old review superseded, and the new claimant.
    assert reviewer_client.post(f"{API}/reviews/{correction['id']}/submit/").status_code == 200
    assert editor_client.post(f"{API}/reviews/{correction['id']}/publish/").status_code == 200
    later = poll(anon, after=events[-1]["id"])
    assert [(event["type"], event["object"]["id"]) for event in later] == [
        ("claim.verified", claim.pk),
        ("review.superseded", first.pk),
        ("review.published", correction["id"]),
    ]
    assert later[0]["object"]["data"]["claimant"] == "Someone else"
    assert later[0]["object"]["data"]["verdict"] == "mostly_false"


def test_the_feed_is_newest_first_and_oldest_first_after_an_event(editor_client):
    for _ in range(3):
        ClaimFactory(verified=True)
    ids = list(Event.objects.order_by("id").values_list("pk", flat=True))
    assert [event["id"] for event in feed(editor_client)] == ids[::-1]
    assert [event["id"] for event in poll(editor_client, after=ids[1], page_size=2)] == ids[2:]
    assert [event["id"] for event in poll(editor_client, after=ids[-1])] == []
    only = feed(editor_client, type="review.published, claim.verified")
    assert {event["type"] for event in only} == {"review.published", "claim.verified"}
    assert len(feed(editor_client, type="review.published")) == 3


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "review.deleted"}, "type"),
        ({"type": "review.published,nope"}, "type"),
        ({"type": ""}, "type"),
        ({"type": " , "}, "type"),
        ({"after": "abc"}, "after"),
        ({"after": "-1"}, "after"),
        ({"after": "1.5"}, "after"),
        ({"after": ""}, "after"),
        ({"after": "9" * 40}, "after"),
        ({"after": "\x00"}, "after"),
        ({"after": "999999"}, "after"),
    ],
)
def test_bad_parameters_are_400s_naming_the_parameter(editor_client, anon, params, field):
    ClaimFactory(verified=True)
    for client in (editor_client, anon):
        response = client.get(f"{API}/events/", params)
        assert response.status_code == 400, response.content
        assert field in response.json()


def test_after_a_newsroom_event_is_refused_to_anonymous_clients(anon, editor_client):
    ClaimFactory(verified=True)
    newsroom_only = feed(editor_client, type="review.submitted")[0]["id"]
    assert anon.get(f"{API}/events/", {"after": newsroom_only}).status_code == 400
    assert editor_client.get(f"{API}/events/", {"after": newsroom_only}).status_code == 200
    assert anon.get(f"{API}/events/", {"cursor": "garbage"}).status_code == 404


def test_events_are_read_only(editor_client):
    assert editor_client.post(f"{API}/events/", {}).status_code == 405
    assert editor_client.get(f"{API}/events/1/").status_code == 404


@pytest.mark.parametrize("client_name", ["anon", "editor_client"])
def test_event_feed_queries_are_constant(request, client_name, django_assert_max_num_queries):
    client = request.getfixturevalue(client_name)
    editor = EditorFactory()
    ClaimFactory(verified=True, review__editor=editor)

    def queries(url):
        client.get(url)
        with django_assert_max_num_queries(8) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries), len(response.json()["results"])

    small, shown = queries(f"{API}/events/?page_size=2")
    assert shown == 2
    for _ in range(6):
        ClaimFactory(verified=True)
    large, shown = queries(f"{API}/events/?page_size=12")
    assert shown == 12
    assert large == small
    after = Event.objects.filter(type="claim.verified").order_by("id").values_list("pk", flat=True).first()
    with_after, _ = queries(f"{API}/events/?page_size=12&type=claim.verified,review.published&after={after}")
    assert with_after == small + 1  # the check that `after` names an event


def test_an_event_keeps_the_object_as_it_was(editor_client, anon):
    verified = ClaimFactory(verified=True)
    newsroom, public = feed(editor_client, type="claim.verified"), feed(anon, type="claim.verified")
    assert newsroom[0]["object"]["data"]["claimant"] == public[0]["object"]["data"]["claimant"] == "The ministry"
    Claim.objects.filter(pk=verified.pk).update(claimant="Changed later")
    assert feed(editor_client, type="claim.verified") == newsroom
    assert feed(anon, type="claim.verified") == public


def test_the_feed_is_throttled_like_other_reads(monkeypatch, editor):
    cache.clear()
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "2/minute")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/minute")
    anon, member = APIClient(REMOTE_ADDR="192.0.2.1"), APIClient(REMOTE_ADDR="192.0.2.2")
    member.force_authenticate(editor)
    for client in (anon, member):
        statuses = [client.get(f"{API}/events/").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
    cache.clear()


def test_recording_adds_a_fixed_number_of_queries_to_publishing(editor_client, editor, monkeypatch):
    """claim.verified: the claim drawn once for both audiences, the lock, the insert; review.published: the
    review and its evidence, the lock, the insert; each also reads the webhook subscriptions. Appearances are
    drawn with the claim (one query for all)."""
    reviews = []
    for _ in range(2):
        claim = ClaimFactory()
        review = workflow.create_review(claim, by=editor, verdict="false", summary="Wrong.")
        for n in range(3):
            workflow.add_evidence(review, by=editor, url=f"https://example.org/{claim.pk}/{n}")
        reviews.append(workflow.submit(review, by=editor))
    counts = []
    for review, recording in zip(reviews, (True, False), strict=True):
        if not recording:
            monkeypatch.setattr(events, "record", lambda *args, **kwargs: [])
        with CaptureQueriesContext(connection) as captured:
            assert editor_client.post(f"{API}/reviews/{review.pk}/publish/").status_code == 200
        counts.append(len(captured.captured_queries))
    # PostgreSQL also takes the lock (one query per record).
    added = 8 if connection.vendor == "sqlite" else 9
    assert counts[0] - counts[1] == added
