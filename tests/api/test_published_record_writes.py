"""The published record changes only through the workflow: the write side, through the API's routes.

What readers see of a verified claim (its quote and offsets, reviewed wording, claimant, date) and of
its article (title, url, publisher, author, date, language) changes only during a correction: a new
review of the claim, opened before the edit, that an editor publishes. Outside one, every role gets 409
with a message that says how; while one is open the edit is allowed, readers keep the published
record, and the correction's publication shows what changed.
"""

import pytest
from django.contrib.auth import get_user_model

from claims.models import Claim
from reviews import workflow
from reviews.models import Review
from tests.factories import SENTENCES, ArticleFactory, ClaimFactory, EditorFactory, ReviewerFactory
from tests.snapshots import nothing_changed
from tests.versions import if_match

pytestmark = pytest.mark.django_db

HOW_TO_CORRECT = "start a correction (a new review of the claim)"


def patch_claim(client, claim, **changes):
    version = Claim.objects.get(pk=claim.pk).version
    return client.patch(f"/api/v1/claims/{claim.pk}/", {**changes, "version": version}, format="json")


def open_correction(client, claim, **fields):
    """A correction of ``claim``: a new draft review, through the API."""
    body = {"claim": claim.pk, "verdict": "false", "summary": "Corrected.", **fields}
    response = client.post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 201, response.content
    return Review.objects.get(pk=response.json()["id"])


def publish(review, reviewer_client, editor_client):
    add = reviewer_client.post(
        f"/api/v1/reviews/{review.pk}/evidence/", {"url": f"https://example.org/fix/{review.pk}"}, format="json"
    )
    assert add.status_code == 201, add.content
    assert reviewer_client.post(f"/api/v1/reviews/{review.pk}/submit/").status_code == 200
    response = editor_client.post(f"/api/v1/reviews/{review.pk}/publish/")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def verified():
    return ClaimFactory(verified=True, claim_reviewed="Troops liberated 30 towns.", claimant="The president")


@pytest.fixture
def superuser_client(client_for):
    return client_for(get_user_model().objects.create_superuser("chief", "chief@example.org", "correct horse"))


@pytest.mark.parametrize("role", ["reviewer_client", "editor_client", "superuser_client"])
@pytest.mark.parametrize(
    "changes",
    [
        {"claim_reviewed": "Troops liberated 3 towns."},
        {"claimant": "Someone else"},
        {"claimed_at": "2020-01-01"},
        {"start": 0, "end": 6},
    ],
    ids=["claim_reviewed", "claimant", "claimed_at", "offsets"],
)
def test_nobody_changes_a_verified_claims_record_outside_a_correction(request, role, changes, verified):
    client = request.getfixturevalue(role)
    with nothing_changed():
        response = patch_claim(client, verified, **changes)
    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert HOW_TO_CORRECT in detail
    assert "an editor publish" in detail
    assert "readers keep seeing the published record" in detail
    assert next(iter(changes)) in detail


def test_a_verified_claims_quote_cannot_be_moved_to_another_sentence(editor_client, verified):
    sentence = next(text for text in SENTENCES if text != verified.quote)  # not the one it is on
    other = verified.article.body.index(sentence)
    response = patch_claim(editor_client, verified, start=other, end=other + len(sentence), quote=sentence)
    assert response.status_code == 409
    verified.refresh_from_db()
    assert verified.quote != sentence


def test_resending_the_published_values_is_not_a_change(reviewer_client, verified):
    response = patch_claim(
        reviewer_client,
        verified,
        claim_reviewed=verified.claim_reviewed,
        claimant=verified.claimant,
        quote=verified.quote,
        start=verified.start,
        end=verified.end,
        check_worthiness=0.3,
    )
    assert response.status_code == 200, response.content
    assert response.json()["check_worthiness"] == 0.3


def test_tags_are_not_part_of_the_record(reviewer_client, verified):
    response = patch_claim(reviewer_client, verified, tags=["kharkiv"])
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["kharkiv"]


def test_a_correction_opens_the_record_and_publishing_it_shows_the_change(reviewer_client, editor_client, verified):
    published = verified.reviews.get(state="published")
    correction = open_correction(reviewer_client, verified)
    response = patch_claim(reviewer_client, verified, claim_reviewed="Troops liberated 20 towns.")
    assert response.status_code == 200, response.content

    published.refresh_from_db()
    assert published.record["claim_reviewed"] == "Troops liberated 30 towns.", "readers keep the published record"
    reader_view = reviewer_client.get(f"/api/v1/reviews/{published.pk}/").json()
    assert reader_view["correction"] == []

    body = publish(correction, reviewer_client, editor_client)
    assert {"field": "claim_reviewed", "old": "Troops liberated 30 towns.", "new": "Troops liberated 20 towns."} in (
        body["correction"]
    )
    assert body["first_published_at"] == reader_view["first_published_at"]
    assert body["first_published_at"] < body["published_at"]
    correction.refresh_from_db()
    assert correction.record["claim_reviewed"] == "Troops liberated 20 towns."
    published.refresh_from_db()
    assert published.state == "superseded"
    assert published.record["claim_reviewed"] == "Troops liberated 30 towns."

    # Published again: the record is frozen until the next correction.
    assert patch_claim(reviewer_client, verified, claim_reviewed="Again.").status_code == 409


def test_a_submitted_correction_keeps_the_record_open(reviewer_client, editor_client, verified):
    correction = open_correction(reviewer_client, verified)
    reviewer_client.post(f"/api/v1/reviews/{correction.pk}/evidence/", {"url": "https://example.org/x"}, format="json")
    assert reviewer_client.post(f"/api/v1/reviews/{correction.pk}/submit/").status_code == 200
    assert patch_claim(editor_client, verified, claimant="The defence ministry").status_code == 200


def test_deleting_the_correction_freezes_the_record_again(reviewer_client, verified):
    correction = open_correction(reviewer_client, verified)
    assert reviewer_client.delete(f"/api/v1/reviews/{correction.pk}/", **if_match(correction)).status_code == 204
    assert patch_claim(reviewer_client, verified, claimant="Someone else").status_code == 409


def test_claims_not_yet_verified_are_edited_freely(reviewer_client):
    claim = ClaimFactory(in_review=True)
    assert patch_claim(reviewer_client, claim, claimant="Someone else").status_code == 200


# --- Articles ---------------------------------------------------------------------------------------


def test_the_article_of_a_verified_claim_is_frozen_outside_a_correction(editor_client, verified):
    article = verified.article
    with nothing_changed():
        response = editor_client.patch(
            f"/api/v1/articles/{article.pk}/", {"url": "https://attacker.example.net/"}, format="json"
        )
    assert response.status_code == 409, response.content
    detail = response.json()["detail"]
    assert "url" in detail
    assert str(verified.pk) in detail
    assert "readers keep seeing the published record" in detail


def test_resending_an_articles_values_is_not_a_change(reviewer_client, verified):
    article = verified.article
    body = {"title": article.title, "url": article.url, "publisher": article.publisher, "language": "en"}
    response = reviewer_client.patch(f"/api/v1/articles/{article.pk}/", body, format="json")
    assert response.status_code == 200, response.content


def test_an_article_changes_only_while_every_verified_claim_of_it_has_a_correction(
    reviewer_client, editor_client, verified
):
    article = verified.article
    second = ClaimFactory(article=article, sentence=(SENTENCES.index(verified.quote) + 1) % 4, verified=True)
    ClaimFactory(article=article, sentence=(SENTENCES.index(verified.quote) + 2) % 4)  # not verified: no matter
    first_fix = open_correction(reviewer_client, verified)
    response = editor_client.patch(f"/api/v1/articles/{article.pk}/", {"title": "Corrected title"}, format="json")
    assert response.status_code == 409
    assert f"claim(s) {second.pk} have none" in response.json()["detail"]

    second_fix = open_correction(reviewer_client, second)
    old_title = article.title
    response = editor_client.patch(f"/api/v1/articles/{article.pk}/", {"title": "Corrected title"}, format="json")
    assert response.status_code == 200, response.content

    body = publish(first_fix, reviewer_client, editor_client)
    assert {"field": "article.title", "old": old_title, "new": "Corrected title"} in body["correction"]
    assert second.reviews.get(state="published").record["article"]["title"] == old_title
    # The other claim's correction is still open, but this one's record is frozen again: so is the article.
    assert editor_client.patch(f"/api/v1/articles/{article.pk}/", {"title": "Third"}, format="json").status_code == 409
    publish(second_fix, reviewer_client, editor_client)
    assert second.reviews.get(state="published").record["article"]["title"] == "Corrected title"


def test_articles_without_verified_claims_are_edited_freely(reviewer_client):
    article = ClaimFactory(in_review=True).article
    response = reviewer_client.patch(f"/api/v1/articles/{article.pk}/", {"title": "Renamed"}, format="json")
    assert response.status_code == 200


# --- The review representation ---------------------------------------------------------------------


def test_reviews_show_when_the_claim_was_first_published_and_what_they_corrected(
    reviewer_client, editor_client, anon, verified
):
    first = verified.reviews.get(state="published")
    body = anon.get(f"/api/v1/reviews/{first.pk}/").json()
    assert body["correction"] == []
    assert body["first_published_at"] == body["published_at"]

    correction = open_correction(reviewer_client, verified, verdict="mostly_false", summary="Revised.")
    draft = reviewer_client.get(f"/api/v1/reviews/{correction.pk}/").json()
    assert (draft["first_published_at"], draft["correction"]) == (None, [])
    published = publish(correction, reviewer_client, editor_client)
    fields = {change["field"]: (change["old"], change["new"]) for change in published["correction"]}
    assert fields["verdict"] == ("false", "mostly_false")
    assert fields["summary"][1] == "Revised."
    assert anon.get(f"/api/v1/reviews/{correction.pk}/").json()["correction"] == published["correction"]


def test_the_schema_types_the_correction_items(anon):
    document = anon.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schemas = document["components"]["schemas"]
    review = schemas["Review"]["properties"]
    assert review["first_published_at"]["format"] == "date-time"
    assert review["correction"]["items"] == {"$ref": "#/components/schemas/Change"}
    change = schemas["Change"]["properties"]
    for side in ("old", "new"):
        assert [branch["type"] for branch in change[side]["anyOf"]] == ["string", "number", "boolean", "array"]
        assert "nullable" not in change[side], "nullable beside oneOf has no type to apply to"


def test_the_rule_holds_for_any_caller_of_the_services(verified):
    """The admin and the commands call the same services: the rule is not the API's."""
    from claims import services

    with pytest.raises(workflow.RecordFrozen):
        services.update_claim(verified, by=EditorFactory(), claimant="Someone else")
    with pytest.raises(workflow.RecordFrozen):
        services.update_article(verified.article, by=ReviewerFactory(), publisher="Other")
    article = ArticleFactory()
    assert services.update_article(article, publisher="Other").publisher == "Other"
