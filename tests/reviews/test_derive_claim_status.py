"""The workflow's pure rules: the status a claim's reviews imply, and the version each path leaves a review at."""

import pytest

from claims.models import Claim
from reviews import workflow
from reviews.models import Review, Verdict
from reviews.workflow import derive_claim_status, review_version
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory

S = Claim.Status

# (status before, published verdict, has a draft or submitted review) -> (status, verdict)
CASES = [
    # A published review makes the claim verified with its verdict, whatever else there is.
    (S.ACCEPTED, Verdict.FALSE, False, (S.VERIFIED, Verdict.FALSE)),
    (S.ACCEPTED, Verdict.TRUE, True, (S.VERIFIED, Verdict.TRUE)),
    (S.IN_REVIEW, Verdict.MIXED, False, (S.VERIFIED, Verdict.MIXED)),
    (S.VERIFIED, Verdict.MOSTLY_TRUE, True, (S.VERIFIED, Verdict.MOSTLY_TRUE)),
    (S.CANDIDATE, Verdict.UNVERIFIABLE, False, (S.VERIFIED, Verdict.UNVERIFIABLE)),
    # Otherwise a draft or submitted review puts it in review, without a verdict.
    (S.ACCEPTED, None, True, (S.IN_REVIEW, "")),
    (S.CANDIDATE, None, True, (S.IN_REVIEW, "")),
    (S.IN_REVIEW, None, True, (S.IN_REVIEW, "")),
    (S.VERIFIED, None, True, (S.IN_REVIEW, "")),
    # With no review left in play, a claim in review or verified goes back to accepted...
    (S.IN_REVIEW, None, False, (S.ACCEPTED, "")),
    (S.VERIFIED, None, False, (S.ACCEPTED, "")),
    # ...and a triage status stays as it is.
    (S.CANDIDATE, None, False, (S.CANDIDATE, "")),
    (S.ACCEPTED, None, False, (S.ACCEPTED, "")),
    (S.DISMISSED, None, False, (S.DISMISSED, "")),
]


@pytest.mark.parametrize(("status", "published_verdict", "active", "expected"), CASES)
def test_derive_claim_status_follows_the_reviews(status, published_verdict, active, expected):
    assert derive_claim_status(status, published_verdict, active) == expected


def test_the_cases_cover_every_claim_status():
    assert {status for status, *_ in CASES} == set(S.values)


@pytest.mark.parametrize(
    ("state", "times_returned", "version"),
    [
        (Review.State.DRAFT, 0, 1),
        (Review.State.DRAFT, 1, 3),
        (Review.State.SUBMITTED, 0, 2),
        (Review.State.SUBMITTED, 1, 4),
        (Review.State.PUBLISHED, 0, 3),
        (Review.State.SUPERSEDED, 0, 4),
    ],
)
def test_review_version_counts_one_bump_per_workflow_step(state, times_returned, version):
    assert review_version(state, times_returned=times_returned) == version


@pytest.mark.django_db
def test_review_version_is_the_version_the_workflow_leaves():
    """Walks every step through the real workflow, so ``review_version`` cannot drift from it."""
    reviewer, editor = ReviewerFactory(), EditorFactory()
    claim = ClaimFactory()

    def written(by=reviewer):
        review = workflow.create_review(claim, by=by, verdict=Verdict.FALSE, summary="The data say otherwise.")
        workflow.add_evidence(review, by=by, url="https://example.org/data", title="Data")
        assert review.version == review_version(Review.State.DRAFT)
        return review

    first = written()
    workflow.submit(first, by=reviewer)
    first.refresh_from_db()
    assert first.version == review_version(Review.State.SUBMITTED)
    workflow.return_to_draft(first, by=editor, comment="Add a second source.")
    first.refresh_from_db()
    assert first.version == review_version(Review.State.DRAFT, times_returned=1)
    workflow.submit(first, by=reviewer)
    workflow.publish(first, by=editor)
    first.refresh_from_db()
    assert first.version == review_version(Review.State.PUBLISHED, times_returned=1)

    second = written()
    workflow.submit(second, by=reviewer)
    workflow.publish(second, by=editor)
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.version == review_version(Review.State.PUBLISHED)
    assert first.version == review_version(Review.State.SUPERSEDED, times_returned=1)
    claim.refresh_from_db()
    assert (claim.status, claim.verdict) == derive_claim_status(S.IN_REVIEW, second.verdict, False)
