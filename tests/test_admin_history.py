"""The admin's history pages: read-only for real, and no window onto what the user may not see.

Regression tests for issue #11: H2 (a POSTed history form reverted a claim or review), M1 (another
reviewer's draft, live or deleted, readable through its history pages), L3 (a 500 on a published
review's history form).
"""

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory

from claims.models import Claim
from factcheck.admin import HistoryAdmin
from reviews import workflow
from reviews.models import Review
from tests.factories import (
    ClaimFactory,
    EvidenceFactory,
    ReviewFactory,
    UserFactory,
)
from tests.snapshots import nothing_changed

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def history_urls(review):
    """The history list of ``review`` and the page of its first recorded state."""
    first = review.history.order_by("history_id").first()
    base = f"/admin/reviews/review/{review.pk}/history/"
    return base, f"{base}{first.history_id}/"


def deleted_history_urls(review_id):
    first = Review.history.filter(id=review_id).order_by("history_id").first()
    base = f"/admin/reviews/review/{review_id}/history/"
    return base, f"{base}{first.history_id}/"


@pytest.fixture
def verified_claim(editor):
    """A claim reviewed from candidate and published: its history holds its earlier states."""
    claim = ClaimFactory(status=Claim.Status.CANDIDATE, verified=True, review__verdict="false", review__editor=editor)
    assert (claim.status, claim.verdict) == ("verified", "false")
    return claim


@pytest.fixture
def their_draft(other_reviewer):
    review = ReviewFactory(author=other_reviewer, summary="Unpublished reasoning of another reviewer.")
    EvidenceFactory(review=review, title="Their secret source")
    return review


@pytest.fixture
def their_deleted_draft(other_reviewer):
    """A draft its author deleted: the review is gone, its history rows remain."""
    review = ReviewFactory(author=other_reviewer, summary="Deleted reasoning of another reviewer.")
    EvidenceFactory(review=review)
    review_id = review.pk
    workflow.delete_review(review, by=other_reviewer, version=review.version)
    assert not Review.objects.filter(pk=review_id).exists()
    assert Review.history.filter(id=review_id).exists()
    return review_id


# H2: the history form never writes


def test_posting_an_old_state_onto_a_verified_claim_is_refused_and_changes_nothing(verified_claim, reviewer):
    oldest = verified_claim.history.order_by("history_id").first()
    assert oldest.status == "candidate"
    client = logged_in(reviewer)
    with nothing_changed():
        response = client.post(
            f"/admin/claims/claim/{verified_claim.pk}/history/{oldest.history_id}/",
            {
                "article": verified_claim.article_id,
                "quote": verified_claim.quote,
                "start": verified_claim.start,
                "end": verified_claim.end,
                "claim_reviewed": "",
                "claimant": "Someone else",
                "check_worthiness": "0.1",
                "version": verified_claim.version,
                "_save": "Save",
            },
        )
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert "read-only" in response.json()["detail"]
    verified_claim.refresh_from_db()
    assert (verified_claim.status, verified_claim.verdict, verified_claim.claimant) == (
        "verified",
        "false",
        "The ministry",
    )


def test_posting_an_old_state_onto_a_published_review_is_a_405_not_a_500(editor):
    review = ReviewFactory(state=Review.State.SUBMITTED, verdict="true", summary="First take.")
    EvidenceFactory(review=review)
    workflow.publish(review, by=editor)
    review.refresh_from_db()
    _, first_state = history_urls(review)
    response = logged_in(editor).post(
        first_state, {"verdict": "false", "rating_text": "False", "summary": "Rewritten.", "version": review.version}
    )
    assert response.status_code == 405
    review.refresh_from_db()
    assert (review.state, review.verdict, review.summary) == ("published", "true", "First take.")


def test_posting_to_a_drafts_history_form_does_not_revert_it_even_for_its_author(reviewer):
    review = ReviewFactory(author=reviewer, summary="Old summary.")
    workflow.update_review(review, {"summary": "New summary."}, by=reviewer, version=review.version)
    review.refresh_from_db()
    _, first_state = history_urls(review)
    response = logged_in(reviewer).post(
        first_state, {"verdict": "false", "rating_text": "False", "summary": "Old summary.", "version": review.version}
    )
    assert response.status_code == 405
    review.refresh_from_db()
    assert review.summary == "New summary."


def test_the_history_list_answers_only_get_and_head(reviewer):
    claim = ClaimFactory()
    client = logged_in(reviewer)
    assert client.post(f"/admin/claims/claim/{claim.pk}/history/").status_code == 405
    assert client.head(f"/admin/claims/claim/{claim.pk}/history/").status_code == 200


def test_the_history_form_offers_no_revert_button_whatever_the_settings(reviewer, settings):
    settings.SIMPLE_HISTORY_REVERT_DISABLED = False
    review = ReviewFactory(author=reviewer)
    page = logged_in(reviewer).get(history_urls(review)[1])
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


# M1: history pages show only what the object's own page would


def test_another_reviewers_draft_has_no_history_pages(their_draft, reviewer):
    client = logged_in(reviewer)
    for url in history_urls(their_draft):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Unpublished reasoning" not in response.content.decode()


def test_another_reviewers_deleted_draft_has_no_history_pages(their_deleted_draft, reviewer):
    client = logged_in(reviewer)
    for url in deleted_history_urls(their_deleted_draft):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Deleted reasoning" not in response.content.decode()


def test_a_staff_user_outside_the_newsroom_sees_no_drafts_history(their_draft, their_deleted_draft):
    client = logged_in(UserFactory())
    for url in [*history_urls(their_draft), *deleted_history_urls(their_deleted_draft)]:
        assert client.get(url).status_code == 404, url


def test_a_visible_reviews_url_does_not_open_a_hidden_drafts_history_row(their_draft, reviewer):
    mine = ReviewFactory(author=reviewer)
    hidden_row = their_draft.history.first().history_id
    response = logged_in(reviewer).get(f"/admin/reviews/review/{mine.pk}/history/{hidden_row}/")
    assert response.status_code == 404


def test_the_author_and_an_editor_see_a_drafts_history(their_draft, other_reviewer, editor):
    for user in (other_reviewer, editor):
        client = logged_in(user)
        history_list, first_state = history_urls(their_draft)
        assert client.get(history_list).status_code == 200
        page = client.get(first_state)
        assert page.status_code == 200
        assert "Unpublished reasoning of another reviewer." in page.content.decode()


def test_the_author_and_an_editor_see_a_deleted_drafts_history(their_deleted_draft, other_reviewer, editor):
    for user in (other_reviewer, editor):
        client = logged_in(user)
        history_list, first_state = deleted_history_urls(their_deleted_draft)
        assert client.get(history_list).status_code == 200
        page = client.get(first_state)
        assert page.status_code == 200
        assert "Deleted reasoning of another reviewer." in page.content.decode()


def test_a_submitted_review_and_a_claim_keep_their_history_pages_for_every_reviewer(verified_claim, reviewer):
    submitted = ReviewFactory(state=Review.State.SUBMITTED, summary="Waiting for an editor.")
    client = logged_in(reviewer)
    for url in history_urls(submitted):
        assert client.get(url).status_code == 200, url
    assert "Waiting for an editor." in client.get(history_urls(submitted)[1]).content.decode()
    oldest = verified_claim.history.order_by("history_id").first()
    assert client.get(f"/admin/claims/claim/{verified_claim.pk}/history/").status_code == 200
    page = client.get(f"/admin/claims/claim/{verified_claim.pk}/history/{oldest.history_id}/")
    assert page.status_code == 200
    assert verified_claim.quote in page.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/reviews/review/not-a-number/history/",
        "/admin/reviews/review/99999999999999999999999/history/",
        "/admin/reviews/review/{id}/history/not-a-number/",
        "/admin/reviews/review/{id}/history/99999999999999999999999/",
        "/admin/reviews/review/999999/history/1/",
        "/admin/claims/claim/not-a-number/history/1/",
    ],
)
def test_malformed_or_unknown_ids_in_history_urls_are_404_not_500(path, reviewer):
    review = ReviewFactory(author=reviewer)
    response = logged_in(reviewer).get(path.format(id=review.pk))
    assert response.status_code == 404


# One base class, so that a new model with history cannot forget these rules


def test_every_admin_of_a_model_with_history_uses_the_read_only_history_admin():
    with_history = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if hasattr(model._meta, "simple_history_manager_attribute")
    }
    assert {Claim, Review} <= set(with_history)
    for model, model_admin in with_history.items():
        assert isinstance(model_admin, HistoryAdmin), model


def test_a_deleted_objects_last_state_is_judged_exactly_as_the_live_object_would_be(reviewer, other_reviewer, editor):
    """HistoryAdmin.deleted_object_visible rests on this: ``visible_to`` filters history rows as it does the model."""
    users = [reviewer, other_reviewer, editor, UserFactory(), UserFactory(is_superuser=True)]
    objects = [
        *(ReviewFactory(author=reviewer, state=state) for state in Review.State.values),
        ClaimFactory(status=Claim.Status.CANDIDATE),
        ClaimFactory(verified=True),
    ]
    request = RequestFactory().get("/")
    seen = set()
    for obj in objects:
        model_admin = admin.site._registry[type(obj)]
        last_state = obj.history.filter(pk=obj.history.latest().pk)
        for user in users:
            request.user = user
            visible = type(obj).objects.visible_to(user).filter(pk=obj.pk).exists()
            assert model_admin.deleted_object_visible(request, last_state) == visible, (obj, user)
            seen.add(visible)
    assert seen == {True, False}
