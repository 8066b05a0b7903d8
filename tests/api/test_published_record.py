"""Readers are served the published record: an edit of a verified claim or its article reaches the
claim list and detail, every export and the public page only when an editor publishes a correction,
which they then show as such (``dateModified``, "Updated on …")."""

import csv
import io
import json
import re
from datetime import date

import pytest

from claims.models import Article, Claim
from reviews.models import Review
from tests.factories import SENTENCES, ClaimFactory

pytestmark = pytest.mark.django_db

EXPORTS = "/api/v1/exports/claims"
OLD = {"claim_reviewed": "Russia lost 2,000 soldiers in three days", "claimant": "The ministry"}
NEW = {"claim_reviewed": "Russia lost 200 soldiers in three days", "claimant": "The defence ministry"}


def streamed(response):
    assert response.status_code == 200, response
    return b"".join(response.streaming_content).decode()


def ndjson(client):
    lines = streamed(client.get(EXPORTS, {"format": "ndjson"})).splitlines()
    return {line["id"]: line for line in map(json.loads, lines)}


def csv_rows(client):
    text = streamed(client.get(EXPORTS, {"format": "csv"}))
    return {row["claim_id"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))}


def claim_reviews(client):
    return {item["url"].rsplit("/", 2)[-2]: item for item in json.loads(streamed(client.get(EXPORTS)))}


def page(client, review_id):
    response = client.get(f"/reviews/{review_id}/")
    assert response.status_code == 200
    return response.content.decode()


def embedded_json_ld(html):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


@pytest.fixture
def published():
    """A verified claim (verdict false), published with ``OLD`` wording and claimant and a dated claim."""
    claim = ClaimFactory(
        sentence=0, claimed_at=date(2022, 9, 10), **OLD, verified=True, review__summary="Figures were inflated."
    )
    return claim, claim.reviews.get(state=Review.State.PUBLISHED)


def edit_during_a_correction(claim, reviewer_client):
    """Open a correction (a draft review of the verified claim) and edit the claim and its article.

    The rows are written directly: which API writes a verified claim accepts while a correction is
    open is the write side's business; whoever writes them, readers must not see it.
    """
    response = reviewer_client.post(
        "/api/v1/reviews/",
        {"claim": claim.pk, "verdict": "mostly_false", "summary": "Later figures: 200 soldiers."},
        format="json",
    )
    assert response.status_code == 201, response.content
    correction = response.json()["id"]
    body = claim.article.body
    start = body.index(SENTENCES[1])
    Claim.objects.filter(pk=claim.pk).update(
        **NEW, quote=SENTENCES[1], start=start, end=start + len(SENTENCES[1]), claimed_at=date(2022, 9, 11)
    )
    Article.objects.filter(pk=claim.article_id).update(title="Edited headline", url="https://attacker.example/")
    return correction


def publish(correction, reviewer_client, editor_client):
    evidence = {"url": "https://example.org/later-report", "title": "Later report", "stance": "refutes"}
    assert reviewer_client.post(f"/api/v1/reviews/{correction}/evidence/", evidence, format="json").status_code == 201
    assert reviewer_client.post(f"/api/v1/reviews/{correction}/submit/").status_code == 200
    response = editor_client.post(f"/api/v1/reviews/{correction}/publish/")
    assert response.status_code == 200, response.content
    return Review.objects.get(pk=correction)


def assert_readers_see_the_old_record(anon, claim, review):
    article = claim.article
    listed = {item["id"]: item for item in anon.get("/api/v1/claims/").json()["results"]}[claim.pk]
    detail = anon.get(f"/api/v1/claims/{claim.pk}/").json()
    for shown in (listed, detail):
        assert shown["quote"] == SENTENCES[0]
        assert (shown["start"], shown["end"]) == (claim.start, claim.end)
        assert shown["claim_reviewed"] == OLD["claim_reviewed"]
        assert shown["claimant"] == OLD["claimant"]
        assert shown["claimed_at"] == "2022-09-10"
    assert (detail["article_title"], detail["article_url"]) == (article.title, article.url)
    assert detail["published_review"]["id"] == review.pk
    assert detail["published_review"]["date_modified"] is None
    assert detail["published_review"]["correction"] == []

    line = ndjson(anon)[claim.pk]
    assert line == detail, "NDJSON is the detail as an anonymous client gets it"
    row = csv_rows(anon)[str(claim.pk)]
    assert (row["quote"], row["claim_reviewed"], row["claimant"]) == (SENTENCES[0], *OLD.values())
    assert (row["article_title"], row["article_url"]) == (article.title, article.url)
    assert row["date_modified"] == ""
    item = claim_reviews(anon)[str(review.pk)]
    assert item["claimReviewed"] == OLD["claim_reviewed"]
    assert item["itemReviewed"]["author"]["name"] == OLD["claimant"]
    assert item["itemReviewed"]["appearance"]["url"] == article.url
    assert "dateModified" not in item

    html = page(anon, review.pk)
    assert OLD["claim_reviewed"] in html and SENTENCES[0] in html and article.title in html
    assert NEW["claim_reviewed"] not in html and "attacker.example" not in html and "Edited headline" not in html
    assert "Updated on" not in html
    assert embedded_json_ld(html) == item


def test_an_edit_during_an_open_correction_does_not_reach_readers(anon, reviewer_client, published):
    claim, review = published
    edit_during_a_correction(claim, reviewer_client)
    assert_readers_see_the_old_record(anon, claim, review)


def test_newsroom_members_see_the_live_rows_they_edit(anon, reviewer_client, published):
    claim, _ = published
    edit_during_a_correction(claim, reviewer_client)
    listed = {item["id"]: item for item in reviewer_client.get("/api/v1/claims/").json()["results"]}[claim.pk]
    detail = reviewer_client.get(f"/api/v1/claims/{claim.pk}/").json()
    for shown in (listed, detail):
        assert (shown["quote"], shown["claim_reviewed"], shown["claimant"]) == (SENTENCES[1], *NEW.values())
        assert shown["claimed_at"] == "2022-09-11"
    assert (detail["article_title"], detail["article_url"]) == ("Edited headline", "https://attacker.example/")
    # Exports are the published material, whoever asks.
    assert ndjson(reviewer_client)[claim.pk]["claim_reviewed"] == OLD["claim_reviewed"]


def test_the_similar_claims_of_readers_show_the_published_record(anon, reviewer_client, published):
    claim, _ = published
    other = ClaimFactory(sentence=0, verified=True)
    edit_during_a_correction(claim, reviewer_client)
    found = anon.get(f"/api/v1/claims/{other.pk}/similar/").json()
    shown = {match["claim"]["id"]: match["claim"] for match in found}
    if claim.pk in shown:  # still similar by its live text or not: what is shown is the record
        assert shown[claim.pk]["claim_reviewed"] == OLD["claim_reviewed"]
    found = anon.get("/api/v1/claims/similar/", {"text": "Russia lost 2,000 soldiers in three days"}).json()
    assert all(match["claim"]["quote"] == SENTENCES[0] for match in found)
    assert claim.pk in {match["claim"]["id"] for match in found}


def test_a_published_correction_shows_the_new_record_and_says_what_changed(
    anon, reviewer_client, editor_client, published
):
    claim, first = published
    correction = publish(edit_during_a_correction(claim, reviewer_client), reviewer_client, editor_client)
    first.refresh_from_db()
    assert first.state == Review.State.SUPERSEDED

    listed = {item["id"]: item for item in anon.get("/api/v1/claims/").json()["results"]}[claim.pk]
    detail = anon.get(f"/api/v1/claims/{claim.pk}/").json()
    for shown in (listed, detail):
        assert (shown["quote"], shown["claim_reviewed"], shown["claimant"]) == (SENTENCES[1], *NEW.values())
        assert shown["claimed_at"] == "2022-09-11"
    assert (detail["article_title"], detail["article_url"]) == ("Edited headline", "https://attacker.example/")
    review = detail["published_review"]
    assert review["id"] == correction.pk
    first_published = anon.get(f"/api/v1/reviews/{correction.pk}/").json()  # only the current one is public
    assert review["published_at"] == first_published["published_at"]
    assert review["date_modified"] == review["published_at"]
    assert review["first_published_at"] != review["published_at"]
    assert review["first_published_at"] == first.published_at.isoformat().replace("+00:00", "Z")
    changed = {change["field"]: (change["old"], change["new"]) for change in review["correction"]}
    assert changed["verdict"] == ("false", "mostly_false")
    assert changed["claim_reviewed"] == (OLD["claim_reviewed"], NEW["claim_reviewed"])
    assert changed["article.url"] == (claim.article.url, "https://attacker.example/")

    assert ndjson(anon)[claim.pk] == detail
    row = csv_rows(anon)[str(claim.pk)]
    assert (row["quote"], row["claim_reviewed"], row["claimant"]) == (SENTENCES[1], *NEW.values())
    assert (row["first_published_at"], row["date_modified"]) == (review["first_published_at"], review["published_at"])
    assert row["published_at"] == review["published_at"]
    item = claim_reviews(anon)[str(correction.pk)]
    assert item["claimReviewed"] == NEW["claim_reviewed"]
    assert item["datePublished"] == review["first_published_at"]
    assert item["dateModified"] == review["published_at"]
    assert item["itemReviewed"]["appearance"]["url"] == "https://attacker.example/"
    feed = json.loads(streamed(anon.get(EXPORTS, {"format": "datafeed"})))
    (element,) = [e for e in feed["dataFeedElement"] if e["item"][0]["url"] == item["url"]]
    assert (element["dateCreated"], element["dateModified"]) == (item["datePublished"], item["dateModified"])

    html = page(anon, correction.pk)
    assert NEW["claim_reviewed"] in html and SENTENCES[1] in html and "Edited headline" in html
    assert "Updated on" in html
    assert "Verdict: False → Mostly false" in html
    assert "Reviewed wording changed" in html
    assert "Article URL changed" in html
    assert "Quoted passage changed" in html and "Position in the article" not in html
    assert "Claimant: The ministry → The defence ministry" in html
    data = embedded_json_ld(html)
    assert (data["datePublished"], data["dateModified"]) == (item["datePublished"], item["dateModified"])

    # The superseded page still shows what it published.
    old_html = page(anon, first.pk)
    assert "This review was corrected" in old_html
    assert OLD["claim_reviewed"] in old_html and SENTENCES[0] in old_html
    assert NEW["claim_reviewed"] not in old_html and "Edited headline" not in old_html


def test_a_correction_that_changes_only_the_verdict_keeps_the_record(anon, reviewer_client, editor_client, published):
    claim, _ = published
    response = reviewer_client.post(
        "/api/v1/reviews/", {"claim": claim.pk, "verdict": "mostly_false", "summary": "Revised."}, format="json"
    )
    correction = publish(response.json()["id"], reviewer_client, editor_client)
    html = page(anon, correction.pk)
    assert "Verdict: False → Mostly false" in html
    assert "Explanation changed" in html and "Evidence changed" in html
    assert "Reviewed wording changed" not in html
    assert anon.get(f"/api/v1/claims/{claim.pk}/").json()["claim_reviewed"] == OLD["claim_reviewed"]


def test_readers_see_the_article_as_published_until_the_correction_is(anon, reviewer_client, editor_client, published):
    claim, _ = published
    article = claim.article
    published_title, published_url = article.title, article.url
    correction = edit_during_a_correction(claim, reviewer_client)

    def shown_to(client):
        listed = {item["id"]: item for item in client.get("/api/v1/articles/").json()["results"]}[article.pk]
        detail = client.get(f"/api/v1/articles/{article.pk}/").json()
        assert (listed["title"], listed["url"]) == (detail["title"], detail["url"])
        return detail["title"], detail["url"]

    assert shown_to(anon) == (published_title, published_url)
    assert shown_to(reviewer_client) == ("Edited headline", "https://attacker.example/")
    publish(correction, reviewer_client, editor_client)
    assert shown_to(anon) == ("Edited headline", "https://attacker.example/")
