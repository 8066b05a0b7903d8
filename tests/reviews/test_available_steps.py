"""``workflow.available_steps`` and the checks behind it: a step is offered exactly when the step itself would
be taken (data it still lacks aside); ``start_correction``; steps refused on a stale copy."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from factcheck.exceptions import Conflict
from reviews import workflow
from reviews.models import Evidence, Review
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSALS = (PermissionDenied, workflow.InvalidTransition, ValidationError)


def _review(state, author, editor):
    claim = ClaimFactory(in_review=True, review__author=author, review__evidence=1)
    review = claim.reviews.get()
    if state != "draft":
        workflow.submit(review, by=author)
    if state in ("published", "superseded"):
        workflow.publish(review, by=editor)
    if state == "superseded":
        later = workflow.start_correction(review, by=editor)
        workflow.submit(later, by=editor)
        workflow.publish(later, by=editor)
    return Review.objects.select_related("claim").get(pk=review.pk)


def _take(step, review, user):
    options = {"comment": "Needs a source."} if step == "return_to_draft" else {}
    getattr(workflow, step)(review, by=user, **options)


@pytest.mark.parametrize("state", ["draft", "submitted", "published", "superseded"])
@pytest.mark.parametrize("role", ["outsider", "author", "other_reviewer", "editor"])
@pytest.mark.parametrize("step", ["submit", "publish", "return_to_draft", "start_correction"])
def test_a_step_is_available_exactly_when_taking_it_succeeds(state, role, step):
    author, editor = ReviewerFactory(), EditorFactory()
    users = {"outsider": UserFactory(), "author": author, "other_reviewer": ReviewerFactory(), "editor": editor}
    review = _review(state, author, editor)
    offered = step in [s.name for s in workflow.available_steps(review, users[role])]
    try:
        _take(step, review, users[role])
    except REFUSALS:
        taken = False
    else:
        taken = True
    assert offered == taken


def test_what_a_draft_lacks_is_listed_with_the_step_not_hidden():
    author = ReviewerFactory()
    review = workflow.create_review(ClaimFactory(), by=author, verdict="false")
    [submit] = workflow.available_steps(review, author)
    assert submit.name == "submit"
    assert submit.missing == (
        "Write a summary explaining the verdict before submitting.",
        "Attach at least one piece of evidence before submitting.",
    )
    with pytest.raises(ValidationError) as refused:
        workflow.submit(review, by=author)
    assert set(refused.value.message_dict) == {"summary", "evidence"}


def test_publish_lists_the_claims_missing_reviewed_wording():
    author, editor = ReviewerFactory(), EditorFactory()
    review = _review("submitted", author, editor)
    review.claim.claim_reviewed = ""
    review.claim.save(update_fields=["claim_reviewed"])
    steps = {step.name: step.missing for step in workflow.available_steps(review, editor)}
    assert steps["publish"] == ("The claim has no reviewed wording: set the claim's claim_reviewed before publishing.",)
    assert steps["return_to_draft"] == ()


def test_start_correction_opens_a_draft_prefilled_from_the_published_review():
    author, editor, corrector = ReviewerFactory(), EditorFactory(), ReviewerFactory()
    published = _review("published", author, editor)
    workflow.add_evidence(
        workflow.start_correction(published, by=editor), by=editor, url="https://example.org/x"
    )  # another correction, with more evidence: not this one's business
    correction = workflow.start_correction(published, by=corrector, version=published.version)
    assert (correction.state, correction.author, correction.verdict, correction.summary, correction.rating_text) == (
        "draft",
        corrector,
        published.verdict,
        published.summary,
        published.rating_text,
    )
    copied = list(correction.evidence.values("url", "stance", "added_by"))
    assert copied == [
        {"url": e.url, "stance": e.stance, "added_by": corrector.pk} for e in Evidence.objects.filter(review=published)
    ]
    published.refresh_from_db()
    assert published.state == "published"
    # Published unchanged, the correction lists nothing changed.
    workflow.submit(correction, by=corrector)
    workflow.publish(correction, by=editor)
    correction.refresh_from_db()
    assert correction.correction == []


def test_only_a_published_review_is_corrected():
    author, editor = ReviewerFactory(), EditorFactory()
    superseded = _review("superseded", author, editor)
    with pytest.raises(workflow.InvalidTransition, match="Correct the claim's published review"):
        workflow.start_correction(superseded, by=editor)


@pytest.mark.parametrize("step", ["submit", "publish", "return_to_draft", "start_correction"])
def test_a_step_taken_on_a_stale_copy_is_refused_and_changes_nothing(step):
    author, editor = ReviewerFactory(), EditorFactory()
    state = {"submit": "draft", "start_correction": "published"}.get(step, "submitted")
    review = _review(state, author, editor)
    by = author if step == "submit" else editor
    options = {"comment": "Needs a source."} if step == "return_to_draft" else {}
    with pytest.raises(Conflict):
        getattr(workflow, step)(review, by=by, version=review.version - 1, **options)
    after = Review.objects.get(pk=review.pk)
    assert (after.state, after.version) == (review.state, review.version)
    assert Review.objects.filter(claim=review.claim).count() == 1
