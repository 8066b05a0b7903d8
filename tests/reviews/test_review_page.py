"""The public page of a published review, which the ClaimReview ``url`` points to."""

import json
import re

import pytest
from django.utils.html import escape

from claims.models import Verdict
from reviews import record, workflow
from reviews.views import quoted
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, EvidenceFactory, ReviewFactory

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


@pytest.mark.parametrize(
    "quote",
    [
        "“We took 30 towns in two days.”",
        '"We took 30 towns in two days."',
        "«We took 30 towns in two days.»",
        "‘We took 30 towns in two days.’",
        "He said: “We took 30 towns in two days.”",
        "“We took 30 towns,” he said.",
    ],
)
def test_a_quote_already_in_quotation_marks_is_not_wrapped_in_more(client, quote):
    article = ArticleFactory(body=f"Report. {quote} More text.")
    start = article.body.index(quote)
    claim = ClaimFactory(article=article, start=start, end=start + len(quote), quote=quote, verified=True)
    html = client.get(f"/reviews/{claim.reviews.get().pk}/").content.decode()
    blockquote = re.search(r"<blockquote>(.*?)<br>", html, re.S).group(1)
    assert blockquote == escape(quote)
    assert "““" not in html and "””" not in html


def test_a_plain_quote_and_evidence_excerpt_are_shown_in_quotation_marks(client):
    claim = ClaimFactory(sentence=0, verified=True)
    html = client.get(f"/reviews/{claim.reviews.get().pk}/").content.decode()
    assert f"<blockquote>“{claim.quote}”<br>" in html
    assert "<small>“The figure was 200, not 2,000.”</small>" in html


def test_quoted_wraps_only_text_without_quotation_marks():
    assert quoted("Prices rose.") == "“Prices rose.”"
    assert quoted("“Prices rose.”") == "“Prices rose.”"
    assert quoted("„Preise stiegen“") == "„Preise stiegen“"


def test_a_correction_is_described_in_words():
    correction = [
        {"field": "quote", "old": "a", "new": "b"},
        {"field": "start", "old": 1, "new": 2},
        {"field": "end", "old": 2, "new": 3},
        {"field": "claim_reviewed", "old": "", "new": "x"},
        {"field": "article.url", "old": None, "new": "https://example.org/"},
        {"field": "verdict", "old": "false", "new": "mostly_false"},
        {"field": "claimant", "old": "", "new": "The ministry"},
    ]
    assert record.describe(correction, dict(Verdict.choices)) == [
        "Quoted passage changed",
        "Reviewed wording changed",
        "Article URL changed",
        "Verdict: False → Mostly false",
        "Claimant: (none) → The ministry",
    ]
    assert record.describe([{"field": "end", "old": 5, "new": 6}]) == ["Position in the article changed"]
