"""No silent lost update: a change to a claim or a review names the version it read, or gets 428.

PATCH and PUT name it in ``If-Match`` (the ETag) or a ``version`` field; DELETE of a draft, which has
no body, in ``If-Match``. ``If-Match: *`` says "whatever it is now" on purpose. Evidence and articles
carry no version and are not concerned.
"""

import pytest
from django.test import Client

from claims.models import Claim
from reviews.models import Review
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory, ReviewFactory
from tests.snapshots import nothing_changed
from tests.versions import version_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(reviewer):
    review = ReviewFactory(author=reviewer, state="draft", summary="Before.")
    EvidenceFactory(review=review)
    return review


def assert_precondition_required(response, *, body=True):
    assert response.status_code == 428, response.content
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert "If-Match" in detail
    assert ('"version"' in detail) is body


@pytest.mark.parametrize("method", ["patch", "put"])
def test_editing_a_review_naming_no_version_is_a_428_and_changes_nothing(reviewer_client, draft, method):
    body = {"claim": draft.claim_id, "verdict": "false", "summary": "After."}
    with nothing_changed():
        response = getattr(reviewer_client, method)(f"/api/v1/reviews/{draft.pk}/", body, format="json")
    assert_precondition_required(response)


@pytest.mark.parametrize("method", ["patch", "put"])
def test_editing_a_claim_naming_no_version_is_a_428_and_changes_nothing(reviewer_client, method):
    claim = ClaimFactory(claimant="Before")
    body = {"article": claim.article_id, "start": claim.start, "end": claim.end, "claimant": "After"}
    with nothing_changed():
        response = getattr(reviewer_client, method)(f"/api/v1/claims/{claim.pk}/", body, format="json")
    assert_precondition_required(response)


def test_deleting_a_draft_naming_no_version_is_a_428_and_deletes_nothing(reviewer_client, draft):
    with nothing_changed():
        response = reviewer_client.delete(f"/api/v1/reviews/{draft.pk}/")
    assert_precondition_required(response, body=False)


def test_deleting_a_draft_with_its_etag_deletes_it_and_a_stale_etag_is_a_412(reviewer_client, draft):
    etag = reviewer_client.get(f"/api/v1/reviews/{draft.pk}/")["ETag"]
    edited = reviewer_client.patch(f"/api/v1/reviews/{draft.pk}/", {"summary": "Edited."}, HTTP_IF_MATCH=etag)
    assert edited.status_code == 200
    with nothing_changed():
        stale = reviewer_client.delete(f"/api/v1/reviews/{draft.pk}/", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "version" in stale.json()["detail"]
    assert reviewer_client.delete(f"/api/v1/reviews/{draft.pk}/", HTTP_IF_MATCH=edited["ETag"]).status_code == 204
    assert not Review.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({}, {"version": 1}, 200),
        ({"HTTP_IF_MATCH": '"1"'}, {}, 200),
        ({"HTTP_IF_MATCH": 'W/"1"'}, {}, 200),
        ({"HTTP_IF_MATCH": "*"}, {}, 200),  # on purpose: whatever the version is now
        ({"HTTP_IF_MATCH": "*"}, {"version": 1}, 200),
        ({"HTTP_IF_MATCH": "*"}, {"version": 7}, 409),
        ({"HTTP_IF_MATCH": '"1"'}, {"version": 1}, 200),
        ({"HTTP_IF_MATCH": '"1"'}, {"version": 2}, 409),  # they disagree
        ({"HTTP_IF_MATCH": '"7"'}, {}, 412),
        ({}, {"version": 7}, 409),
        ({"HTTP_IF_MATCH": "garbage"}, {}, 412),
        ({}, {}, 428),
    ],
)
def test_the_version_may_be_named_either_way(reviewer_client, draft, headers, body, status):
    assert version_of(draft) == 1
    response = reviewer_client.patch(f"/api/v1/reviews/{draft.pk}/", {"summary": "After.", **body}, **headers)
    assert response.status_code == status, response.content
    assert Review.objects.get(pk=draft.pk).summary == ("After." if status == 200 else "Before.")


def test_a_version_in_the_body_of_a_delete_is_not_read(reviewer_client, draft):
    """DELETE has no body in HTTP's eyes: only If-Match names the version (README, OpenAPI document)."""
    response = reviewer_client.delete(f"/api/v1/reviews/{draft.pk}/", {"version": 1}, format="json")
    assert_precondition_required(response, body=False)


def test_evidence_and_articles_carry_no_version_and_need_none(reviewer_client, draft):
    evidence = draft.evidence.get()
    assert reviewer_client.patch(f"/api/v1/evidence/{evidence.pk}/", {"title": "New"}).status_code == 200
    assert reviewer_client.delete(f"/api/v1/evidence/{evidence.pk}/").status_code == 204
    article = ArticleFactory()
    assert reviewer_client.patch(f"/api/v1/articles/{article.pk}/", {"title": "New"}).status_code == 200


def test_the_openapi_document_says_where_a_version_is_required():
    paths = Client().get("/api/v1/schema/?format=json").json()["paths"]
    for path, method in [
        ("/api/v1/claims/{id}/", "put"),
        ("/api/v1/claims/{id}/", "patch"),
        ("/api/v1/reviews/{id}/", "put"),
        ("/api/v1/reviews/{id}/", "patch"),
        ("/api/v1/reviews/{id}/", "delete"),
    ]:
        operation = paths[path][method]
        assert {"412", "428"} <= set(operation["responses"]), (path, method)
        header = next(p for p in operation["parameters"] if p["name"] == "If-Match")
        assert header["in"] == "header"
        assert header["required"] is (method == "delete"), (path, method)
    for path, method in [
        ("/api/v1/evidence/{id}/", "patch"),
        ("/api/v1/evidence/{id}/", "delete"),
        ("/api/v1/articles/{id}/", "patch"),
        ("/api/v1/reviews/", "post"),
        ("/api/v1/reviews/{id}/submit/", "post"),
    ]:
        assert "428" not in paths[path][method]["responses"], (path, method)


# --- the admin carries the version it opened ------------------------------------------------------


def change_form(review, **data):
    return {
        "verdict": "false",
        "summary": "Mine",
        "rating_text": "False",
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
        "evidence-MIN_NUM_FORMS": "0",
        "evidence-MAX_NUM_FORMS": "1000",
        **data,
    }


def test_the_admin_change_form_carries_the_version_and_saves_with_it(reviewer):
    review = ReviewFactory(author=reviewer, verdict="true")
    client = Client()
    client.force_login(reviewer)
    page = client.get(f"/admin/reviews/review/{review.pk}/change/").content.decode()
    assert 'name="version" value="1"' in page
    response = client.post(f"/admin/reviews/review/{review.pk}/change/", change_form(review, version="1"))
    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.summary, review.version) == ("Mine", 2)


def test_an_admin_form_without_its_version_is_refused_not_a_500(reviewer):
    review = ReviewFactory(author=reviewer, summary="Theirs")
    claim = ClaimFactory()
    client = Client()
    client.force_login(reviewer)
    with nothing_changed():
        response = client.post(f"/admin/reviews/review/{review.pk}/change/", change_form(review, version=""))
        claim_response = client.post(
            f"/admin/claims/claim/{claim.pk}/change/",
            {"claim_reviewed": "x", "claimant": "y", "claimed_at": "2022-09-10", "check_worthiness": "0.5"},
        )
    assert response.status_code == 200
    assert "does not say which version" in response.content.decode()
    assert claim_response.status_code == 200
    assert "does not say which version" in claim_response.content.decode()
    assert Claim.objects.get(pk=claim.pk).claimant == claim.claimant


def test_the_admin_deletes_a_draft_as_it_is_when_confirmed(reviewer, draft):
    client = Client()
    client.force_login(reviewer)
    response = client.post(f"/admin/reviews/review/{draft.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Review.objects.filter(pk=draft.pk).exists()
