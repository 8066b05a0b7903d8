"""Recurring claims through the API: the match endpoints, what readers see of an appearance, and the exports."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, ClaimMatch
from reviews import matches, workflow
from tests.factories import SENTENCES, ArticleFactory, ClaimFactory, EditorFactory, ReviewerFactory

pytestmark = pytest.mark.django_db

PARAPHRASE = "Troops liberated more than 30 towns in two days, the president said."


@pytest.fixture
def reviewed(db):
    return ClaimFactory(sentence=1, verified=True)


@pytest.fixture
def appearance(db):
    """A claim on the same sentence in another article (accepted, no review)."""
    return ClaimFactory(sentence=1, status=Claim.Status.ACCEPTED)


def url(claim, suffix="match/"):
    return f"/api/v1/claims/{claim.pk}/{suffix}"


def body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


# --- the endpoints ------------------------------------------------------------------------------


def test_confirm_then_undo(reviewer_client, reviewed, appearance):
    response = reviewer_client.post(url(appearance), {"claim": reviewed.pk}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["state"] == "confirmed" and data["matched_to"] == reviewed.pk
    assert (data["status"], data["verdict"]) == ("verified", reviewed.verdict)
    assert data["decided_by"] and data["decided_at"]
    detail = reviewer_client.get(f"/api/v1/claims/{appearance.pk}/").json()
    assert detail["matched_to"] == reviewed.pk
    assert detail["published_review"]["id"] == reviewed.reviews.get(state="published").pk
    assert [a["claim"] for a in reviewer_client.get(f"/api/v1/claims/{reviewed.pk}/").json()["appearances"]] == [
        appearance.pk
    ]
    undone = reviewer_client.delete(url(appearance))
    assert undone.status_code == 200
    assert (undone.json()["state"], undone.json()["status"], undone.json()["matched_to"]) == (
        "withdrawn",
        "accepted",
        None,
    )
    assert reviewer_client.delete(url(appearance)).status_code == 409


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({}, 400),
        ({"claim": "1"}, 400),
        ({"claim": 0}, 400),
        ({"claim": 10**9}, 400),  # no such claim
        (None, 400),
    ],
)
def test_bad_input_is_a_400(reviewer_client, appearance, payload, status):
    response = reviewer_client.post(url(appearance), payload, format="json")
    assert response.status_code == status, response.content
    assert not ClaimMatch.objects.exists()


def test_conflicts_are_409s_and_unknown_claims_404(reviewer_client, reviewed, appearance):
    candidate = ClaimFactory(sentence=2)
    assert reviewer_client.post(url(appearance), {"claim": candidate.pk}, format="json").status_code == 409
    assert reviewer_client.post(url(reviewed), {"claim": appearance.pk}, format="json").status_code == 409
    assert reviewer_client.post(url(appearance), {"claim": appearance.pk}, format="json").status_code == 400
    assert (
        reviewer_client.post("/api/v1/claims/999999/match/", {"claim": reviewed.pk}, format="json").status_code == 404
    )
    assert reviewer_client.post(url(appearance, "match/reject/"), {}, format="json").status_code == 409


def test_only_the_newsroom_matches(anon, client_for, reviewed, appearance, editor_client):
    assert anon.post(url(appearance), {"claim": reviewed.pk}, format="json").status_code == 401
    outsider = client_for(__import__("tests.factories", fromlist=["UserFactory"]).UserFactory())
    assert outsider.post(url(appearance), {"claim": reviewed.pk}, format="json").status_code == 403
    assert outsider.delete(url(appearance)).status_code == 403
    assert anon.post(url(appearance, "match/reject/"), {}, format="json").status_code == 401
    assert editor_client.post(url(appearance), {"claim": reviewed.pk}, format="json").status_code == 200


def test_reject_a_suggestion(reviewer_client, reviewed):
    article = ArticleFactory(body=f"Another outlet. {PARAPHRASE}")
    created = reviewer_client.post("/api/v1/claims/", {"article": article.pk, "quote": PARAPHRASE}, format="json")
    claim_id = created.json()["id"]
    detail = reviewer_client.get(f"/api/v1/claims/{claim_id}/").json()
    suggestion = detail["match_suggestion"]
    assert suggestion["claim"] == reviewed.pk and suggestion["verdict"] == reviewed.verdict
    assert suggestion["quote"] == reviewed.quote and suggestion["score"] >= 0.8
    rejected = reviewer_client.post(f"/api/v1/claims/{claim_id}/match/reject/", {}, format="json")
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert reviewer_client.get(f"/api/v1/claims/{claim_id}/").json()["match_suggestion"] is None


# --- what readers see ---------------------------------------------------------------------------


def test_readers_see_an_appearance_once_its_twin_is_published_with_the_twins_review(anon, db):
    reviewer, editor = ReviewerFactory(), EditorFactory()
    twin = ClaimFactory(sentence=1, in_review=True)
    appearance = ClaimFactory(sentence=1, claimant="The president")
    matches.confirm_match(appearance, reviewed_claim_id=twin.pk, by=reviewer)
    assert anon.get(f"/api/v1/claims/{appearance.pk}/").status_code == 404  # its twin is in review
    review = twin.reviews.get()
    workflow.add_evidence(review, by=review.author, url="https://example.org/a")
    workflow.submit(review, by=review.author)
    workflow.publish(review, by=editor)
    detail = anon.get(f"/api/v1/claims/{appearance.pk}/").json()
    assert detail["status"] == "verified" and detail["matched_to"] == twin.pk
    assert detail["published_review"]["id"] == review.pk
    assert "match_suggestion" not in detail
    listed = {claim["id"]: claim for claim in anon.get("/api/v1/claims/").json()["results"]}
    assert listed[appearance.pk]["claimant"] == "The president"
    # Readers are served the published record: an edit while the twin has a correction open waits for it.
    workflow.create_review(twin, by=reviewer, verdict="false", summary="Again.")
    appearance.refresh_from_db()
    from claims import services

    services.update_claim(appearance, by=reviewer, claimant="Someone else", version=appearance.version)
    assert anon.get(f"/api/v1/claims/{appearance.pk}/").json()["claimant"] == "The president"
    listed = {claim["id"]: claim for claim in anon.get("/api/v1/claims/").json()["results"]}
    assert listed[appearance.pk]["claimant"] == "The president"
    assert [a["claim"] for a in anon.get(f"/api/v1/claims/{twin.pk}/").json()["appearances"]] == [appearance.pk]


def test_readers_lose_the_appearance_when_the_match_is_undone(anon, reviewed, appearance):
    reviewer = ReviewerFactory()
    matches.confirm_match(appearance, reviewed_claim_id=reviewed.pk, by=reviewer)
    assert anon.get(f"/api/v1/claims/{appearance.pk}/").status_code == 200
    matches.undo_match(appearance, by=reviewer)
    assert anon.get(f"/api/v1/claims/{appearance.pk}/").status_code == 404
    assert anon.get(f"/api/v1/claims/{reviewed.pk}/").json()["appearances"] == []


def test_the_claim_list_costs_the_same_with_appearances(anon, reviewed):
    def count():
        with CaptureQueriesContext(connection) as queries:
            assert anon.get("/api/v1/claims/").status_code == 200
        return len(queries)

    before = count()
    reviewer = ReviewerFactory()
    for _ in range(5):
        matches.confirm_match(ClaimFactory(sentence=1), reviewed_claim_id=reviewed.pk, by=reviewer)
    assert count() == before


# --- exports ------------------------------------------------------------------------------------


def test_exports_hold_one_claimreview_per_reviewed_claim_listing_every_appearance(anon, reviewed):
    reviewer = ReviewerFactory()
    early = ClaimFactory(sentence=1, article=ArticleFactory(published_at="2022-09-01T10:00:00Z"))
    late = ClaimFactory(sentence=1, article=ArticleFactory(published_at="2022-09-20T10:00:00Z"))
    for claim in (late, early):
        matches.confirm_match(claim, reviewed_claim_id=reviewed.pk, by=reviewer)
    reviews = json.loads(body(anon.get("/api/v1/exports/claims", {"format": "claimreview"})))
    assert len(reviews) == 1
    item = reviews[0]["itemReviewed"]
    assert [work["url"] for work in item["appearance"]] == [
        reviewed.article.url,
        early.article.url,
        late.article.url,
    ]
    assert item["firstAppearance"]["url"] == early.article.url
    rows = list(csv.DictReader(io.StringIO(body(anon.get("/api/v1/exports/claims", {"format": "csv"})))))
    assert len(rows) == 1 and rows[0]["appearance_urls"].split() == [early.article.url, late.article.url]
    (line,) = body(anon.get("/api/v1/exports/claims", {"format": "ndjson"})).splitlines()
    assert [a["claim"] for a in json.loads(line)["appearances"]] == [early.pk, late.pk]


def test_confirming_an_appearance_changes_the_exports_etag(anon, reviewed, appearance):
    before = anon.head("/api/v1/exports/claims")["ETag"]
    matches.confirm_match(appearance, reviewed_claim_id=reviewed.pk, by=ReviewerFactory())
    after = anon.head("/api/v1/exports/claims")["ETag"]
    assert before != after
    matches.undo_match(appearance, by=ReviewerFactory())
    assert anon.head("/api/v1/exports/claims")["ETag"] not in (after,)


def test_the_public_page_of_the_review_lists_the_appearances(client, reviewed, appearance):
    matches.confirm_match(appearance, reviewed_claim_id=reviewed.pk, by=ReviewerFactory())
    review = reviewed.reviews.get(state="published")
    page = client.get(f"/reviews/{review.pk}/").content.decode()
    assert appearance.article.title in page
    assert SENTENCES[1] in page


def test_readers_see_an_appearances_article_as_published(anon, reviewed, appearance):
    from claims import services

    matches.confirm_match(appearance, reviewed_claim_id=reviewed.pk, by=ReviewerFactory())
    title = appearance.article.title
    # Its record is frozen now; opening a correction of the twin lets the article change, readers wait.
    workflow.create_review(reviewed, by=ReviewerFactory(), verdict="false", summary="Again.")
    services.update_article(appearance.article, by=EditorFactory(), title="Renamed since")
    shown = anon.get(f"/api/v1/articles/{appearance.article_id}/").json()
    assert shown["title"] == title
    listed = {article["id"]: article for article in anon.get("/api/v1/articles/").json()["results"]}
    assert listed[appearance.article_id]["title"] == title


def test_the_newsroom_sees_match_decisions_in_the_claims_history_and_readers_do_not(
    anon, reviewer_client, reviewed, appearance
):
    matches.confirm_match(appearance, reviewed_claim_id=reviewed.pk, by=ReviewerFactory(username="rita"))
    entries = reviewer_client.get(f"/api/v1/claims/{appearance.pk}/history/").json()
    decided = [entry for entry in entries if entry["model"] == "match"]
    assert [(entry["user"], entry["reason"]) for entry in decided] == [("rita", "confirmed")]
    assert {"field": "state", "old": None, "new": "confirmed"} in decided[0]["changes"]
    assert [e["model"] for e in reviewer_client.get(f"/api/v1/claims/{reviewed.pk}/history/").json()].count(
        "match"
    ) == 1
    assert all(entry["model"] != "match" for entry in anon.get(f"/api/v1/claims/{appearance.pk}/history/").json())


@pytest.mark.parametrize("client_name", ["anon", "reviewer_client"])
def test_the_detail_of_a_reviewed_claim_costs_the_same_with_more_appearances(request, client_name, reviewed):
    client = request.getfixturevalue(client_name)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/claims/{reviewed.pk}/").status_code == 200
        return len(queries)

    reviewer = ReviewerFactory()
    matches.confirm_match(ClaimFactory(sentence=1), reviewed_claim_id=reviewed.pk, by=reviewer)
    count()  # the first request of a client reads what later ones find cached
    one = count()
    for _ in range(4):
        matches.confirm_match(ClaimFactory(sentence=1), reviewed_claim_id=reviewed.pk, by=reviewer)
    assert count() == one
    assert len(client.get(f"/api/v1/claims/{reviewed.pk}/").json()["appearances"]) == 5
