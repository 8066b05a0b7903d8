"""A review's admin page: the workflow buttons each role sees in each state, what posting them does (the same as
the API for the same user and state), the context shown around the review, and a fixed number of queries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from claims.models import Claim
from reviews import workflow
from reviews.models import Evidence, Review
from tests.factories import SENTENCES, ClaimFactory, EditorFactory, EvidenceFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "author", "other_reviewer", "editor", "superuser"]
STATES = ["draft", "returned", "submitted", "published", "superseded"]
STEPS = ["submit", "publish", "return_to_draft", "start_correction"]
COMMENT = "Add a second, independent source."
BUTTON = re.compile(r'class="review-step review-step-(\w+)"')


class World:
    """One claim with a review in ``state`` written by ``author`` through the workflow, and the users around it."""

    def __init__(self, state):
        self.author = ReviewerFactory()
        self.editor = EditorFactory()
        claim = ClaimFactory(in_review=True, review__author=self.author, review__evidence=1)
        review = claim.reviews.get()
        if state != "draft":
            workflow.submit(review, by=self.author)
        if state == "returned":
            workflow.return_to_draft(review, by=self.editor, comment=COMMENT)
        if state in ("published", "superseded"):
            workflow.publish(review, by=self.editor)
        if state == "superseded":
            later = workflow.start_correction(review, by=self.editor)
            workflow.submit(later, by=self.editor)
            workflow.publish(later, by=self.editor)
        self.review = Review.objects.get(pk=review.pk)
        self.claim = Claim.objects.get(pk=claim.pk)
        self.users = {
            "anonymous": None,
            "outsider": UserFactory(),  # staff, in no newsroom group
            "author": self.author,
            "other_reviewer": ReviewerFactory(),
            "editor": self.editor,
            "superuser": UserFactory(is_superuser=True),
        }

    def admin(self, role):
        from django.test import Client

        client = Client()
        if self.users[role] is not None:
            client.force_login(self.users[role])
        return client

    def api(self, role):
        client = APIClient()
        if self.users[role] is not None:
            client.force_authenticate(self.users[role])
        return client

    def outcome(self):
        """What a step changed: the review's state and version, the claim's reviews and status."""
        review = Review.objects.get(pk=self.review.pk)
        claim = Claim.objects.get(pk=self.claim.pk)
        return review.state, review.version, claim.reviews.count(), claim.status


def page_url(review):
    return f"/admin/reviews/review/{review.pk}/change/"


def step_url(review, step):
    return f"/admin/reviews/review/{review.pk}/step/{step}/"


def api_step(world, role, step):
    """The API's answer to the same step: its status code."""
    client, review = world.api(role), world.review
    if step == "submit":
        return client.post(f"/api/v1/reviews/{review.pk}/submit/").status_code
    if step == "publish":
        return client.post(f"/api/v1/reviews/{review.pk}/publish/").status_code
    if step == "return_to_draft":
        return client.post(f"/api/v1/reviews/{review.pk}/return/", {"comment": COMMENT}, format="json").status_code
    # A correction is a new review of the claim (POST reviews/): of the claim's published review only.
    if review.state != Review.State.PUBLISHED:
        return None
    data = {"claim": world.claim.pk, "verdict": review.verdict, "summary": review.summary}
    return client.post("/api/v1/reviews/", data, format="json").status_code


def shown_buttons(world, role):
    """The step buttons the review's page shows ``role`` (none when the page does not open for them)."""
    response = world.admin(role).get(page_url(world.review))
    if response.status_code != 200:
        return None, response.status_code
    return BUTTON.findall(response.content.decode()), 200


# --- Buttons × roles × states: shown exactly when the API would take the step, and doing what it does ------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("step", STEPS)
def test_a_button_is_shown_and_works_exactly_when_the_api_takes_the_step(role, state, step):
    # Two identical worlds: the page and its button in one, the API in the other.
    on_page, through_api = World(state), World(state)
    buttons, status = shown_buttons(on_page, role)
    before = on_page.outcome()

    api_status = api_step(through_api, role, step)
    api_took_it = api_status in (200, 201)

    assert (buttons is not None and step in buttons) == api_took_it, (buttons, api_status)

    response = on_page.admin(role).post(
        step_url(on_page.review, step), {"version": on_page.review.version, "comment": COMMENT}
    )
    assert response.status_code in (302, 403, 404), response.status_code
    after, api_after = on_page.outcome(), through_api.outcome()
    if api_took_it:
        assert after != before
        assert after == api_after, "the button does what the API does"
    else:
        assert after == before, "a refused step changes nothing"
        assert api_after == before
    if status == 200:
        assert response.status_code == 302  # back to a page that says what happened
    if role == "anonymous":
        assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_review_page_in_each_state(role, state):
    world = World(state)
    buttons, status = shown_buttons(world, role)
    if role == "anonymous":
        assert status == 302  # to the login page
    elif role == "outsider":
        assert status == 403
    elif role == "other_reviewer" and state in ("draft", "returned"):
        assert status == 302  # another reviewer's draft does not exist for them (the admin's redirect)
    else:
        assert status == 200
        assert "publish" not in buttons or role in ("editor", "superuser")
        assert "return_to_draft" not in buttons or role in ("editor", "superuser")


def test_a_reviewer_never_sees_publish_or_return():
    for state in STATES:
        world = World(state)
        for role in ("author", "other_reviewer"):
            buttons, _status = shown_buttons(world, role)
            assert not {"publish", "return_to_draft"} & set(buttons or [])


def test_get_on_a_step_url_is_405_and_changes_nothing():
    world = World("submitted")
    before = world.outcome()
    for step in STEPS:
        assert world.admin("editor").get(step_url(world.review, step)).status_code == 405
    assert world.outcome() == before


def test_an_unknown_step_or_review_is_404():
    world = World("submitted")
    client = world.admin("editor")
    assert client.post(step_url(world.review, "delete"), {"version": world.review.version}).status_code == 404
    assert client.post("/admin/reviews/review/999999/step/publish/", {"version": 1}).status_code == 404


def test_a_stale_page_changes_nothing_and_says_so():
    world = World("submitted")
    opened_at = world.review.version
    Review.objects.filter(pk=world.review.pk).update(summary="Changed by another editor.", version=opened_at + 1)
    response = world.admin("editor").post(step_url(world.review, "publish"), {"version": opened_at}, follow=True)
    assert response.status_code == 200
    assert "changed since you opened its page" in response.content.decode()
    assert Review.objects.get(pk=world.review.pk).state == "submitted"


@pytest.mark.parametrize("version", ["", "abc", "-1", "99999999999999999999999"])
def test_a_step_posted_without_a_readable_version_changes_nothing(version):
    world = World("submitted")
    before = world.outcome()
    response = world.admin("editor").post(step_url(world.review, "publish"), {"version": version}, follow=True)
    assert response.status_code == 200
    assert "Nothing was changed" in response.content.decode()
    assert world.outcome() == before


def test_returning_needs_a_comment_and_shows_it_as_a_callout_with_who_and_when():
    world = World("submitted")
    client = world.admin("editor")
    refused = client.post(step_url(world.review, "return_to_draft"), {"version": world.review.version}, follow=True)
    assert "Say what the author should change." in refused.content.decode()
    assert Review.objects.get(pk=world.review.pk).state == "submitted"
    client.post(step_url(world.review, "return_to_draft"), {"version": world.review.version, "comment": COMMENT})
    assert Review.objects.get(pk=world.review.pk).state == "draft"

    html = world.admin("author").get(page_url(world.review)).content.decode()
    callout = html[html.index('class="review-callout"') :]
    callout = callout[: callout.index("</section>")]
    assert COMMENT in callout
    assert f"Returned to you by {world.editor.username} on " in callout
    assert 'class="readonly">' + COMMENT not in html  # not a read-only field among others


def test_a_returned_comment_longer_than_the_api_accepts_is_refused():
    world = World("submitted")
    response = world.admin("editor").post(
        step_url(world.review, "return_to_draft"), {"version": world.review.version, "comment": "x" * 5001}, follow=True
    )
    assert "Nothing was changed" in response.content.decode()
    assert Review.objects.get(pk=world.review.pk).state == "submitted"


def test_submit_is_shown_disabled_with_what_the_draft_lacks_and_a_forced_post_is_refused():
    world = World("draft")
    Evidence.objects.filter(review=world.review).delete()
    Review.objects.filter(pk=world.review.pk).update(summary="")
    html = world.admin("author").get(page_url(world.review)).content.decode()
    form = html[html.index('class="review-step review-step-submit"') :]
    form = form[: form.index("</form>")]
    assert "disabled" in form
    assert "Write a summary explaining the verdict before submitting." in form
    assert "Attach at least one piece of evidence before submitting." in form

    response = world.admin("author").post(step_url(world.review, "submit"), {"version": 1}, follow=True)
    assert "Nothing was changed" in response.content.decode()
    assert "Write a summary" in response.content.decode()
    assert Review.objects.get(pk=world.review.pk).state == "draft"


def test_publish_is_shown_disabled_while_the_claim_has_no_reviewed_wording():
    world = World("submitted")
    Claim.objects.filter(pk=world.claim.pk).update(claim_reviewed="")
    html = world.admin("editor").get(page_url(world.review)).content.decode()
    form = html[html.index('class="review-step review-step-publish"') :]
    form = form[: form.index("</form>")]
    assert "disabled" in form
    assert "The claim has no reviewed wording" in form
    response = world.admin("editor").post(
        step_url(world.review, "publish"), {"version": world.review.version}, follow=True
    )
    assert "The claim has no reviewed wording" in response.content.decode()
    assert Review.objects.get(pk=world.review.pk).state == "submitted"


def test_a_submitted_review_tells_its_reviewer_it_waits_for_an_editor():
    world = World("submitted")
    html = world.admin("author").get(page_url(world.review)).content.decode()
    assert "waiting for an editor" in html
    assert 'name="_save"' not in html
    assert 'name="summary"' not in html


def test_a_published_review_reads_as_a_document_and_offers_a_correction():
    world = World("published")
    html = world.admin("editor").get(page_url(world.review)).content.decode()
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert 'class="review-panel review-panel-document"' in html
    assert "The published record" in html
    assert f'href="/reviews/{world.review.pk}/"' in html
    assert "Start a correction" in html
    assert "Readers keep seeing this review until an editor publishes the correction" in html


def test_starting_a_correction_prefills_a_new_draft_and_leaves_the_published_review_alone():
    world = World("published")
    EvidenceFactory(review=world.review, stance=Evidence.Stance.CONTEXT, url="https://example.org/context")
    client = world.admin("editor")
    response = client.post(step_url(world.review, "start_correction"), {"version": world.review.version})
    correction = Review.objects.exclude(pk=world.review.pk).get(claim=world.claim)
    assert response["Location"] == page_url(correction)
    assert (correction.state, correction.author, correction.verdict, correction.summary) == (
        "draft",
        world.editor,
        world.review.verdict,
        world.review.summary,
    )
    assert sorted(correction.evidence.values_list("url", flat=True)) == sorted(
        world.review.evidence.values_list("url", flat=True)
    )
    assert Review.objects.get(pk=world.review.pk).state == "published"
    html = client.get(page_url(correction)).content.decode()
    assert "Correction started" in html
    assert f'It is a correction of <a href="{page_url(world.review)}">review {world.review.pk}</a>' in html
    published_page = client.get(page_url(world.review)).content.decode()
    assert "A correction is open" in published_page


def test_a_superseded_review_points_to_the_review_readers_see_now():
    world = World("superseded")
    current = Review.objects.get(claim=world.claim, state="published")
    html = world.admin("author").get(page_url(world.review)).content.decode()
    assert f'readers now see <a href="{page_url(current)}">review {current.pk}</a>' in html
    assert 'class="review-step' not in html


# --- Context -----------------------------------------------------------------------------------------


def test_the_page_shows_the_claim_in_its_article_its_claimant_and_evidence_by_stance():
    world = World("submitted")
    EvidenceFactory(review=world.review, stance=Evidence.Stance.SUPPORTS, title="A supporting source")
    html = world.admin("editor").get(page_url(world.review)).content.decode()
    assert f"<mark>{world.claim.quote}</mark>" in html
    assert "Supports the claim</h3>" in html and "A supporting source" in html
    assert "Refutes the claim</h3>" in html
    assert f'href="/admin/claims/claim/{world.claim.pk}/change/"' in html


def test_the_claimant_links_to_its_admin_page():
    from claims import claimants

    world = World("draft")
    entity = claimants.create_claimant(name="Ministry of Defence", by=world.editor)
    Claim.objects.filter(pk=world.claim.pk).update(claimant_entity=entity, claimant=entity.name)
    html = world.admin("author").get(page_url(world.review)).content.decode()
    assert f'<a href="/admin/claims/claimant/{entity.pk}/change/">Ministry of Defence</a>' in html


def test_other_reviews_of_the_claim_are_listed_only_when_the_user_may_see_them():
    world = World("published")
    hidden_draft = workflow.create_review(world.claim, by=ReviewerFactory(), verdict="true")
    html = world.admin("author").get(page_url(world.review)).content.decode()
    assert f"review {hidden_draft.pk}</a>" not in html
    html = world.admin("editor").get(page_url(world.review)).content.decode()
    assert f"review {hidden_draft.pk}</a>" in html


def test_similar_verified_claims_are_shown_with_their_verdict():
    world = World("draft")
    sentence = SENTENCES.index(world.claim.quote)
    twin = ClaimFactory(sentence=sentence, verified=True, review__verdict="mostly_false")
    unverified = ClaimFactory(sentence=sentence)
    html = world.admin("author").get(page_url(world.review)).content.decode()
    similar = html[html.index("Similar claims already verified") :]
    similar = similar[: similar.index("</section>")]
    assert f'href="/admin/claims/claim/{twin.pk}/change/"' in similar
    assert "Mostly false" in similar
    assert f'href="/admin/claims/claim/{unverified.pk}/change/"' not in similar


# --- A fixed number of queries ------------------------------------------------------------------------


def _page_queries(client, review):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page_url(review))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _add_context(world, count):
    for _ in range(count):
        EvidenceFactory(review=world.review)
        ClaimFactory(sentence=SENTENCES.index(world.claim.quote), verified=True)
        workflow.create_review(world.claim, by=world.author, verdict="false")


@pytest.mark.parametrize(("state", "role"), [("draft", "author"), ("submitted", "editor"), ("published", "editor")])
def test_the_review_page_costs_the_same_queries_with_more_evidence_reviews_and_similar_claims(state, role):
    world = World(state)
    client = world.admin(role)
    _add_context(world, 1)
    few = _page_queries(client, world.review)
    _add_context(world, 6)
    many = _page_queries(client, world.review)
    html = client.get(page_url(world.review)).content.decode()
    assert html.count("similarity ") == 5  # SIMILAR_CLAIMS of the 7 found
    others = html[html.index("Other reviews of this claim") :]
    assert others[: others.index("</section>")].count("<tr>") == 1 + 7
    assert len(many) == len(few), "\n".join(many)


def test_a_published_review_shows_its_summary_once_on_its_page_and_in_full_on_its_history_pages():
    world = World("published")
    client = world.admin("editor")
    page = client.get(page_url(world.review)).content.decode()
    assert "field-summary" not in page  # in the document panel instead
    assert page.count(world.review.summary) == 1
    row = world.review.history.order_by("history_id").last()
    history = client.get(f"/admin/reviews/review/{world.review.pk}/history/{row.history_id}/").content.decode()
    assert "field-summary" in history and "field-verdict" in history
