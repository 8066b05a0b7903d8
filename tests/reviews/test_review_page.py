"""The public page of a published review, which the ClaimReview ``url`` points to."""

import json
import re

import pytest

from reviews import workflow
from tests.factories import EditorFactory, EvidenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def embedded_json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def test_published_review_page_shows_the_verdict_and_embeds_its_claimreview(client, settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://factcheck.example.org"
    evidence = EvidenceFactory(review__state="published", review__summary="Figures were </script><b>inflated</b>.")
    review = evidence.review
    response = client.get(f"/reviews/{review.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert review.rating_text in html
    assert review.claim.quote in html
    assert evidence.url in html
    assert "<b>inflated</b>" not in html, "the summary is escaped"
    data = embedded_json_ld(html)
    assert data["@type"] == "ClaimReview"
    assert data["url"] == f"https://factcheck.example.org/reviews/{review.id}/"
    assert data["reviewBody"] == review.summary


def test_unpublished_reviews_have_no_public_page(client):
    for state in ["draft", "submitted"]:
        review = ReviewFactory(state=state)
        assert client.get(f"/reviews/{review.id}/").status_code == 404
    assert client.get("/reviews/999999/").status_code == 404


def test_a_superseded_review_stays_readable_and_points_to_the_correction(client):
    old = ReviewFactory(state="published", verdict="true")
    new = ReviewFactory(claim=old.claim, state="submitted", verdict="false")
    EvidenceFactory(review=new)
    workflow.publish(new, by=EditorFactory())
    html = client.get(f"/reviews/{old.id}/").content.decode()
    assert "This review was corrected" in html
    assert f'href="/reviews/{new.id}/"' in html
    assert embedded_json_ld(html) is None
    assert embedded_json_ld(client.get(f"/reviews/{new.id}/").content.decode())["reviewRating"]["ratingValue"] == 1
