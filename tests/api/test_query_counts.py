"""The number of SQL queries of every list endpoint does not grow with the page size."""

import pytest

from claims.models import Tag
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory, ReviewFactory
from tests.versions import version_of

pytestmark = pytest.mark.django_db


def queries_for(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # warm up per-user caches (group membership) shared by the test client
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()


def make_verified_claims(count, tags=("war", "kharkiv")):
    for claim in ClaimFactory.create_batch(count, verified=True, review__evidence=2):
        claim.tags.set(Tag.objects.for_names(tags))


@pytest.mark.parametrize("client_name", ["anon", "reviewer_client"])
def test_claim_list_queries_are_constant(request, client_name, django_assert_max_num_queries):
    client = request.getfixturevalue(client_name)
    make_verified_claims(2)
    small, body = queries_for(client, "/api/v1/claims/?page_size=2", django_assert_max_num_queries, 10)
    assert len(body["results"]) == 2
    make_verified_claims(10)
    large, body = queries_for(client, "/api/v1/claims/?page_size=12", django_assert_max_num_queries, 10)
    assert len(body["results"]) == 12
    assert large == small


def test_claim_list_with_every_filter_is_constant(reviewer_client, django_assert_max_num_queries):
    make_verified_claims(3)
    url = "/api/v1/claims/?status=verified&verdict=false&claimant=ministry&tag=war&updated_since=2000-01-01T00:00:00Z"
    small, _ = queries_for(reviewer_client, url + "&page_size=1", django_assert_max_num_queries, 10)
    large, body = queries_for(reviewer_client, url + "&page_size=3", django_assert_max_num_queries, 10)
    assert len(body["results"]) == 3
    assert large == small


def test_article_list_queries_are_constant(reviewer_client, django_assert_max_num_queries):
    for _ in range(2):
        ArticleFactory()
    small, _ = queries_for(reviewer_client, "/api/v1/articles/?page_size=2", django_assert_max_num_queries, 6)
    for _ in range(10):
        ArticleFactory()
    large, body = queries_for(reviewer_client, "/api/v1/articles/?page_size=12", django_assert_max_num_queries, 6)
    assert len(body["results"]) == 12
    assert large == small


def test_public_article_list_queries_are_constant(anon, django_assert_max_num_queries):
    make_verified_claims(2)
    small, _ = queries_for(anon, "/api/v1/articles/?page_size=2", django_assert_max_num_queries, 6)
    make_verified_claims(8)
    large, body = queries_for(anon, "/api/v1/articles/?page_size=10", django_assert_max_num_queries, 6)
    assert len(body["results"]) == 10
    assert large == small


@pytest.mark.parametrize("client_name", ["anon", "reviewer_client", "editor_client"])
def test_review_list_queries_are_constant(request, client_name, django_assert_max_num_queries):
    client = request.getfixturevalue(client_name)
    make_verified_claims(2)
    small, _ = queries_for(client, "/api/v1/reviews/?page_size=2", django_assert_max_num_queries, 10)
    make_verified_claims(10)
    large, body = queries_for(client, "/api/v1/reviews/?page_size=12", django_assert_max_num_queries, 10)
    assert len(body["results"]) == 12
    assert large == small


def test_review_evidence_list_queries_are_constant(reviewer_client, reviewer, django_assert_max_num_queries):
    review = ReviewFactory(author=reviewer)
    EvidenceFactory(review=review)
    small, _ = queries_for(reviewer_client, f"/api/v1/reviews/{review.id}/evidence/", django_assert_max_num_queries, 8)
    for _ in range(10):
        EvidenceFactory(review=review)
    large, body = queries_for(
        reviewer_client, f"/api/v1/reviews/{review.id}/evidence/", django_assert_max_num_queries, 8
    )
    assert len(body) == 11
    assert large == small


def test_history_queries_do_not_grow_with_the_number_of_changes(editor_client, editor, django_assert_max_num_queries):
    claim = ClaimFactory()
    editor_client.patch(
        f"/api/v1/claims/{claim.id}/", {"claimant": "A", "tags": ["x"], "version": version_of(claim)}, format="json"
    )
    EvidenceFactory(review=ReviewFactory(claim=claim, state="draft"))
    small, _ = queries_for(editor_client, f"/api/v1/claims/{claim.id}/history/", django_assert_max_num_queries, 10)
    for i in range(5):
        editor_client.patch(
            f"/api/v1/claims/{claim.id}/",
            {"claimant": f"B{i}", "tags": [f"t{i}"], "version": version_of(claim)},
            format="json",
        )
        review = ReviewFactory(claim=claim, state="draft")
        EvidenceFactory(review=review)
    large, body = queries_for(editor_client, f"/api/v1/claims/{claim.id}/history/", django_assert_max_num_queries, 10)
    assert len(body) > 15
    assert large == small


def test_claim_detail_queries_do_not_grow_with_evidence(anon, django_assert_max_num_queries):
    review = ClaimFactory(verified=True).reviews.get()
    small, _ = queries_for(anon, f"/api/v1/claims/{review.claim_id}/", django_assert_max_num_queries, 8)
    for _ in range(10):
        EvidenceFactory(review=review)
    large, body = queries_for(anon, f"/api/v1/claims/{review.claim_id}/", django_assert_max_num_queries, 8)
    assert len(body["published_review"]["evidence"]) == 11
    assert large == small
