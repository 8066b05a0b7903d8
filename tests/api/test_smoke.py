import pytest

from tests.factories import ClaimFactory, EvidenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def test_anonymous_sees_only_verified_claims(anon):
    verified = ReviewFactory(state="published").claim
    ClaimFactory()
    response = anon.get("/api/v1/claims/")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [verified.id]


def test_claim_detail_has_published_review_and_evidence(anon):
    evidence = EvidenceFactory(review__state="published")
    claim = evidence.review.claim
    body = anon.get(f"/api/v1/claims/{claim.id}/").json()
    assert body["status"] == "verified"
    assert body["published_review"]["evidence"][0]["url"] == evidence.url
