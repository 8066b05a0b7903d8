"""The admin as reviewers and editors use it: claims with their position, the review workflow."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from claims.models import Claim
from reviews import workflow
from reviews.models import Evidence, Review
from tests.factories import (
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EvidenceFactory,
    ReviewerFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_admin(client):
    user = ReviewerFactory()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def editor_admin(client):
    user = EditorFactory()
    client.force_login(user)
    client.user = user
    return client


def test_reviewer_sees_the_seed_claims_with_claimant_quote_position_and_status(reviewer_admin):
    call_command("load_seed", verbosity=0)
    page = reviewer_admin.get("/admin/claims/claim/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Volodymyr Zelensky" in html
    assert "his troops had liberated more than 30 towns in two days" in html
    assert "Accepted" in html
    filtered = reviewer_admin.get(
        "/admin/claims/claim/", {"claimant": "Volodymyr Zelensky", "status__exact": "accepted"}
    )
    assert "30 towns" in filtered.content.decode()
    assert "2,000" not in filtered.content.decode()
    searched = reviewer_admin.get("/admin/claims/claim/", {"q": "Kupiansk"})
    assert "entered the city of Kupiansk" in searched.content.decode()
    assert "30 towns" not in searched.content.decode()


def test_claim_page_highlights_the_quote_in_the_article(reviewer_admin):
    claim = ClaimFactory()
    html = reviewer_admin.get(f"/admin/claims/claim/{claim.id}/change/").content.decode()
    assert f"<mark>{claim.quote}</mark>" in html


def test_reviewer_cannot_open_the_users_admin(reviewer_admin):
    assert reviewer_admin.get("/admin/auth/user/").status_code == 403


def test_reviewer_does_not_see_other_reviewers_drafts_in_the_admin(reviewer_admin):
    mine = ReviewFactory(author=reviewer_admin.user, summary="my draft")
    theirs = ReviewFactory(summary="their draft")
    html = reviewer_admin.get("/admin/reviews/review/").content.decode()
    assert f"/admin/reviews/review/{mine.id}/change/" in html
    assert f"/admin/reviews/review/{theirs.id}/change/" not in html
    assert reviewer_admin.get(f"/admin/reviews/review/{theirs.id}/change/").status_code == 302


def test_reviewer_drafts_a_review_with_evidence_inline(reviewer_admin):
    claim = ClaimFactory()
    response = reviewer_admin.post(
        "/admin/reviews/review/add/",
        {
            "claim": claim.id,
            "verdict": "false",
            "rating_text": "",
            "summary": "Contradicted by the statistics office.",
            "version": "",
            "evidence-TOTAL_FORMS": "1",
            "evidence-INITIAL_FORMS": "0",
            "evidence-MIN_NUM_FORMS": "0",
            "evidence-MAX_NUM_FORMS": "1000",
            "evidence-0-url": "https://stats.example.org/x",
            "evidence-0-title": "Statistics",
            "evidence-0-stance": "refutes",
            "evidence-0-source_type": "official",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    review = Review.objects.get()
    assert (review.author, review.state, review.rating_text) == (reviewer_admin.user, "draft", "False")
    assert Evidence.objects.get().added_by == reviewer_admin.user
    claim.refresh_from_db()
    assert claim.status == "in_review"
    assert review.history.first().history_user == reviewer_admin.user


def test_admin_refuses_a_stale_edit(reviewer_admin):
    review = ReviewFactory(author=reviewer_admin.user)
    Review.objects.filter(pk=review.pk).update(version=2, summary="Someone else's")
    response = reviewer_admin.post(
        f"/admin/reviews/review/{review.id}/change/",
        {
            "verdict": "false",
            "summary": "Mine",
            "rating_text": "False",
            "version": "1",
            "evidence-TOTAL_FORMS": "0",
            "evidence-INITIAL_FORMS": "0",
            "evidence-MIN_NUM_FORMS": "0",
            "evidence-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "Someone else changed this" in response.content.decode()
    review.refresh_from_db()
    assert review.summary == "Someone else's"


def test_submit_and_publish_actions_use_the_workflow_rules(reviewer_admin, client):
    review = ReviewFactory(author=reviewer_admin.user)
    EvidenceFactory(review=review)
    reviewer_admin.post("/admin/reviews/review/", {"action": "submit_reviews", "_selected_action": [review.id]})
    review.refresh_from_db()
    assert review.state == "submitted"
    reviewer_admin.post("/admin/reviews/review/", {"action": "publish_reviews", "_selected_action": [review.id]})
    review.refresh_from_db()
    assert review.state == "submitted", "reviewers cannot publish, even from the admin"

    editor = EditorFactory()
    client.force_login(editor)
    client.post("/admin/reviews/review/", {"action": "publish_reviews", "_selected_action": [review.id]})
    review.refresh_from_db()
    review.claim.refresh_from_db()
    assert review.state == "published"
    assert review.claim.status == "verified"
    assert review.history.first().history_user == editor


def test_return_action_asks_for_a_comment_then_returns(editor_admin):
    review = ReviewFactory(state="submitted")
    form = editor_admin.post("/admin/reviews/review/", {"action": "return_reviews", "_selected_action": [review.id]})
    assert form.status_code == 200
    assert "What should the author change?" in form.content.decode()
    editor_admin.post(
        "/admin/reviews/review/",
        {"action": "return_reviews", "_selected_action": [review.id], "apply": "1", "comment": "Needs a source."},
    )
    review.refresh_from_db()
    assert (review.state, review.editor_comment) == ("draft", "Needs a source.")


def test_published_reviews_are_read_only_in_the_admin(editor_admin):
    review = ReviewFactory(state="published")
    html = editor_admin.get(f"/admin/reviews/review/{review.id}/change/").content.decode()
    assert 'name="summary"' not in html
    assert editor_admin.post(f"/admin/reviews/review/{review.id}/delete/", {"post": "yes"}).status_code == 403
    assert Review.objects.filter(pk=review.pk).exists()


def test_dismiss_action_is_for_editors_only(reviewer_admin):
    claim = ClaimFactory(status="candidate")
    reviewer_admin.post("/admin/claims/claim/", {"action": "dismiss_claims", "_selected_action": [claim.id]})
    claim.refresh_from_db()
    assert claim.status == "candidate"
    reviewer_admin.post("/admin/claims/claim/", {"action": "accept_claims", "_selected_action": [claim.id]})
    claim.refresh_from_db()
    assert claim.status == "accepted"


def test_claim_history_is_visible_in_the_admin(reviewer_admin):
    claim = ClaimFactory()
    assert reviewer_admin.get(f"/admin/claims/claim/{claim.id}/history/").status_code == 200


def test_article_admin_refuses_a_duplicate_body_and_a_body_change_under_claims(editor_admin):
    claim = ClaimFactory()
    form = {"title": "Copy", "body": claim.article.body, "language": "en", "url": ""}
    response = editor_admin.post("/admin/claims/article/add/", form)
    assert response.status_code == 200
    assert "already stored as article" in response.content.decode()
    response = editor_admin.post(
        f"/admin/claims/article/{claim.article_id}/change/", {**form, "title": "Same", "body": "Rewritten."}
    )
    assert response.status_code == 200
    assert "cannot change once claims" in response.content.decode()


def test_article_admin_adds_an_article_without_a_url(editor_admin):
    response = editor_admin.post(
        "/admin/claims/article/add/",
        {"title": "No link", "body": "The mayor said 40 buses were added.", "language": "en", "url": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from claims.models import Article

    assert Article.objects.get().url is None


# Issue #13: the published record changes only through the workflow, in the admin as in the API.


def claim_form(claim, **changes):
    """The claim change form as the admin posts it (article is read-only on this page)."""
    claim.refresh_from_db()
    form = {
        "quote": claim.quote,
        "start": claim.start,
        "end": claim.end,
        "claim_reviewed": claim.claim_reviewed,
        "claimant": claim.claimant,
        "claimed_at": claim.claimed_at.isoformat() if claim.claimed_at else "",
        "check_worthiness": claim.check_worthiness,
        "version": claim.version,
    }
    return {**form, **changes}


def test_a_claim_cannot_be_moved_to_another_article_in_the_admin(reviewer_admin):
    claim = ClaimFactory()
    other = ArticleFactory(body=claim.article.body + " More.")
    html = reviewer_admin.get(f"/admin/claims/claim/{claim.id}/change/").content.decode()
    assert 'name="article"' not in html
    response = reviewer_admin.post(
        f"/admin/claims/claim/{claim.id}/change/", claim_form(claim, article=other.id, claimant="Edited")
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim.refresh_from_db()
    assert (claim.article_id, claim.claimant) == (claim.article.id, "Edited")
    assert claim.article_id != other.id
    assert claim.history.first().history_user == reviewer_admin.user


def test_a_verified_claims_record_is_read_only_in_the_admin_with_how_to_correct_it(editor_admin):
    claim = ClaimFactory(verified=True, claimant="The ministry")
    html = editor_admin.get(f"/admin/claims/claim/{claim.id}/change/").content.decode()
    for field in ("quote", "start", "end", "claim_reviewed", "claimant", "claimed_at"):
        assert f'name="{field}"' not in html, field
    assert 'name="check_worthiness"' in html
    assert "start a correction" in html
    assert f"/admin/reviews/review/add/?claim={claim.id}" in html
    response = editor_admin.post(f"/admin/claims/claim/{claim.id}/change/", claim_form(claim, claimant="Hijacked"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.claimant == "The ministry"


def test_a_correction_opens_the_record_in_the_admin(reviewer_admin):
    claim = ClaimFactory(verified=True)
    workflow.create_review(claim, by=reviewer_admin.user, verdict="false", summary="Corrected.")
    html = reviewer_admin.get(f"/admin/claims/claim/{claim.id}/change/").content.decode()
    assert 'name="claimant"' in html
    assert "start a correction" not in html
    response = reviewer_admin.post(f"/admin/claims/claim/{claim.id}/change/", claim_form(claim, claimant="Corrected"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.claimant == "Corrected"
    assert claim.reviews.get(state="published").record["claimant"] == "The ministry"


def test_a_form_opened_during_a_correction_is_refused_once_it_was_published(reviewer_admin):
    claim = ClaimFactory(verified=True)
    correction = workflow.create_review(claim, by=reviewer_admin.user, verdict="false", summary="Corrected.")
    form = claim_form(claim, claimant="Too late")
    workflow.add_evidence(correction, by=reviewer_admin.user, url="https://example.org/fix")
    workflow.submit(correction, by=reviewer_admin.user)
    workflow.publish(correction, by=EditorFactory())
    form["version"] = Claim.objects.get(pk=claim.pk).version  # the verdict did not change: same version
    response = reviewer_admin.post(f"/admin/claims/claim/{claim.id}/change/", form, follow=True)
    text = response.content.decode()
    assert "Nothing was changed" in text
    assert "start a correction" in text
    assert "changed successfully" not in text
    claim.refresh_from_db()
    assert claim.claimant == "The ministry"


def test_an_articles_record_is_read_only_in_the_admin_while_a_verified_claim_has_no_correction(editor_admin):
    claim = ClaimFactory(verified=True)
    article = claim.article
    html = editor_admin.get(f"/admin/claims/article/{article.id}/change/").content.decode()
    assert 'name="title"' not in html
    assert 'name="url"' not in html
    assert "start a correction" in html
    form = {"title": "Hijacked", "url": "https://attacker.example.net/", "body": article.body, "language": "en"}
    assert editor_admin.post(f"/admin/claims/article/{article.id}/change/", form).status_code == 302
    article.refresh_from_db()
    assert article.title != "Hijacked"

    workflow.create_review(claim, by=editor_admin.user, verdict="false", summary="Corrected.")
    response = editor_admin.post(f"/admin/claims/article/{article.id}/change/", {**form, "title": "Corrected"})
    assert response.status_code == 302, response.content.decode()[:3000]
    article.refresh_from_db()
    assert article.title == "Corrected"


def test_a_published_review_opens_as_a_document_and_a_post_says_nothing_changed(editor_admin):
    review = ReviewFactory(state="published", summary="As published.")
    html = editor_admin.get(f"/admin/reviews/review/{review.id}/change/").content.decode()
    assert 'name="_save"' not in html
    assert 'name="_continue"' not in html
    response = editor_admin.post(
        f"/admin/reviews/review/{review.id}/change/",
        {"verdict": "true", "summary": "Rewritten.", "version": review.version},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nothing was changed" in text
    assert "write a new review of the claim" in text
    assert "changed successfully" not in text
    review.refresh_from_db()
    assert review.summary == "As published."


def test_users_are_shown_by_name_without_a_link_to_whoever_cannot_open_the_user_admin(reviewer_admin, client):
    from claims import services

    author = ReviewerFactory()
    review = ClaimFactory(verified=True, review__author=author).reviews.get()  # evidence added by the author
    Claim.objects.filter(pk=review.claim_id).update(created_by=author)
    services.update_claim(review.claim, by=author, check_worthiness=0.2, version=review.claim.version)
    pages = [
        f"/admin/reviews/review/{review.id}/change/",
        f"/admin/reviews/review/{review.id}/history/",
        f"/admin/reviews/review/{review.id}/history/{review.history.first().history_id}/",
        f"/admin/claims/claim/{review.claim_id}/change/",
        f"/admin/claims/claim/{review.claim_id}/history/",
    ]
    for page in pages:
        response = reviewer_admin.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert author.username in html, page
        assert "/admin/auth/user/" not in html, page
    superuser = get_user_model().objects.create_superuser("chief", "chief@example.org", "correct horse")
    client.force_login(superuser)
    for page in (pages[0], pages[3], pages[4]):
        assert f"/admin/auth/user/{author.pk}/change/" in client.get(page).content.decode(), page


def test_a_claim_added_in_the_admin_is_created_by_the_claim_rules(reviewer_admin):
    article = ArticleFactory()
    quote = article.body.split(". ", 1)[1].split(".")[0] + "."
    start = article.body.index(quote)
    response = reviewer_admin.post(
        "/admin/claims/claim/add/",
        {
            "article": article.id,
            "quote": quote,
            "start": start,
            "end": start + len(quote),
            "claim_reviewed": "",
            "claimant": "The ministry",
            "claimed_at": "",
            "check_worthiness": "0.7",
            "tags": [],
            "version": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    claim = Claim.objects.get(article=article)
    assert (claim.quote, claim.created_by, claim.status) == (quote, reviewer_admin.user, "candidate")
    assert claim.claimed_at == article.published_at.date(), "defaults to the article's date, as in the API"
    assert claim.history.get().history_user == reviewer_admin.user


@pytest.mark.django_db(transaction=True)
def test_a_frozen_articles_form_is_refused_outside_a_test_transaction_too(client):
    """The admin checks before its own transaction starts; the rule's row locks need one (PostgreSQL)."""
    editor = EditorFactory()
    client.force_login(editor)
    article = ClaimFactory(verified=True).article
    form = {"title": "Hijacked", "url": article.url, "body": article.body, "language": "en"}
    response = client.post(f"/admin/claims/article/{article.id}/change/", form, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    article.refresh_from_db()
    assert article.title != "Hijacked"


def test_setting_a_claims_score_by_hand_in_the_admin_clears_the_extractors_reasons(reviewer_admin):
    claim = ClaimFactory(check_worthiness=0.73, check_worthiness_reasons=["number", "named source"])
    kept = reviewer_admin.post(f"/admin/claims/claim/{claim.id}/change/", claim_form(claim, claimant="Edited"))
    assert kept.status_code == 302
    claim.refresh_from_db()
    assert (claim.claimant, claim.check_worthiness_reasons) == ("Edited", ["number", "named source"])
    changed = reviewer_admin.post(f"/admin/claims/claim/{claim.id}/change/", claim_form(claim, check_worthiness="0.9"))
    assert changed.status_code == 302
    claim.refresh_from_db()
    assert (claim.check_worthiness, claim.check_worthiness_reasons) == (0.9, [])
    assert "—" in reviewer_admin.get(f"/admin/claims/claim/{claim.id}/change/").content.decode()
