"""The ClaimReview export as an aggregator reads it: Google's rules, the claimant typed, claimReviewed required."""

import json

import pytest

from claims import claimants
from claims.models import Claim, Verdict
from reviews import workflow
from reviews.models import Review
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, ReviewerFactory
from tests.reviews.google_claimreview import problems

pytestmark = pytest.mark.django_db


def export(client, fmt="claimreview", **params):
    query = "&".join(f"{name}={value}" for name, value in {"format": fmt, **params}.items())
    response = client.get(f"/api/v1/exports/claims?{query}")
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def verified_by(name, **kwargs):
    claim = ClaimFactory(claimant="", verified=True, **kwargs)
    if name:
        entity = claimants.resolve(name)
        Claim.objects.filter(pk=claim.pk).update(claimant_entity=entity, claimant=entity.name)
        review = Review.objects.get(claim=claim, state=Review.State.PUBLISHED)
        review.record = {**review.record, "claimant": entity.name}
        review.save(update_fields=["record"])
    claim.refresh_from_db()
    return claim


def test_every_exported_claimreview_meets_googles_rules(anon):
    editor = EditorFactory()
    putin = verified_by("President Vladimir Putin", review__verdict=Verdict.FALSE)
    ministry = verified_by("Russian Defence Ministry", review__verdict=Verdict.MOSTLY_FALSE)
    party = verified_by("Labour Party", review__verdict=Verdict.UNVERIFIABLE)
    nobody = verified_by("", review__verdict=Verdict.TRUE, article=ArticleFactory(url=None))
    claimants.update_claimant(
        putin.claimant_entity, same_as=["https://www.wikidata.org/wiki/Q7747"], version=1, by=editor
    )
    items = export(anon)
    assert len(items) == 4
    urls = {c.pk: c.article.url for c in (putin, ministry, party, nobody)}
    for item, claim in zip(items, [putin, ministry, party, nobody], strict=True):  # exported by id
        known = [urls[claim.pk]] if urls[claim.pk] else []
        assert problems(item, article_urls=known) == [], item
    authors = {item["itemReviewed"].get("author", {}).get("name"): item["itemReviewed"].get("author") for item in items}
    assert authors["Vladimir Putin"] == {
        "@type": "Person",
        "name": "Vladimir Putin",
        "sameAs": ["https://www.wikidata.org/wiki/Q7747"],
    }
    assert authors["Russian Defence Ministry"] == {
        "@type": "GovernmentOrganization",
        "name": "Russian Defence Ministry",
    }
    assert authors["Labour Party"] == {"@type": "Organization", "name": "Labour Party"}
    assert None in authors  # no claimant, no author
    feed = export(anon, "datafeed")
    for element in feed["dataFeedElement"]:
        assert problems(element["item"][0]) == []


def test_claim_reviewed_is_the_reviewed_wording(anon):
    claim = verified_by("Kremlin")
    Claim.objects.filter(pk=claim.pk).update(claim_reviewed="Russia lost 2,000 soldiers in three days")
    (item,) = export(anon)
    assert item["claimReviewed"] == claim.claim_reviewed  # the published wording, not the raw quote
    assert item["claimReviewed"] != claim.quote or claim.claim_reviewed == claim.quote


def test_the_validator_catches_what_google_refuses(anon):
    verified_by("Kremlin")
    (good,) = export(anon)
    assert problems(good) == []
    broken = [
        {**good, "claimReviewed": ""},
        {**good, "claimReviewed": "False"},
        {**good, "url": "/reviews/1/"},
        {**good, "reviewRating": {"@type": "Rating", "ratingValue": 1, "bestRating": 5, "worstRating": 1}},
        {**good, "reviewRating": {**good["reviewRating"], "ratingValue": 7}},
        {**good, "reviewRating": {"@type": "Rating", "alternateName": "False", "ratingValue": 1}},
        {**good, "author": {"@type": "Person", "name": "Someone"}},
        {**good, "datePublished": "yesterday"},
        {**good, "@context": "https://example.org"},
        {**good, "itemReviewed": {**good["itemReviewed"], "author": {"@type": "Thing", "name": "X"}}},
        {**good, "itemReviewed": {**good["itemReviewed"], "author": {"@type": "Person", "name": ""}}},
        {**good, "itemReviewed": {"@type": "Claim"}},
    ]
    for item in broken:
        assert problems(item), item


def test_publishing_needs_the_reviewed_wording(reviewer_client, editor_client):
    claim = ClaimFactory(claim_reviewed="")
    reviewer = ReviewerFactory()
    review = workflow.create_review(claim, by=reviewer, verdict=Verdict.FALSE, summary="Wrong.")
    workflow.add_evidence(review, by=reviewer, url="https://example.org/a", title="A")
    workflow.submit(review, by=reviewer)
    response = editor_client.post(f"/api/v1/reviews/{review.pk}/publish/")
    assert response.status_code == 400
    assert "claim_reviewed" in response.json()
    review.refresh_from_db()
    claim.refresh_from_db()
    assert (review.state, claim.status) == (Review.State.SUBMITTED, Claim.Status.IN_REVIEW)
    claim.claim_reviewed = "Russia lost 2,000 soldiers"
    claim.save(update_fields=["claim_reviewed"])
    assert editor_client.post(f"/api/v1/reviews/{review.pk}/publish/").status_code == 200


def test_an_edit_of_the_claimant_changes_the_exports_etag(anon):
    claim = verified_by("Kremlin")
    url = "/api/v1/exports/claims?format=claimreview"
    first = anon.get(url)
    b"".join(first.streaming_content)
    assert anon.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    claimants.update_claimant(
        claim.claimant_entity, same_as=["https://www.wikidata.org/wiki/Q1631051"], version=1, by=EditorFactory()
    )
    second = anon.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200  # what the export says changed: its validators change too
    (item,) = json.loads(b"".join(second.streaming_content))
    assert item["itemReviewed"]["author"]["sameAs"] == ["https://www.wikidata.org/wiki/Q1631051"]
