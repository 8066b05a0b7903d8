"""Recurring claims under concurrency, over real database connections (PostgreSQL): confirming a match while
an editor publishes the reviewed claim, and a review started on the appearance at the same time."""

import threading
from functools import partial

import pytest
from django.db import connection

from claims.models import Claim, ClaimMatch
from reviews import matches, workflow
from reviews.models import Review
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, ReviewFactory


def run_together(*calls):
    """Run ``calls`` in threads released at once; the exceptions they raised (None for a success), in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_confirming_while_the_twin_is_published_leaves_the_appearance_verified_with_its_record():
    for _ in range(5):
        twin = ClaimFactory(sentence=1)
        submitted = ReviewFactory(claim=twin, state="submitted")
        appearance = ClaimFactory(sentence=1)
        reviewer, editor = ReviewerFactory(), EditorFactory()
        outcomes = run_together(
            partial(matches.confirm_match, appearance, reviewed_claim_id=twin.pk, by=reviewer),
            partial(workflow.publish, submitted, by=editor),
        )
        assert outcomes == [None, None]
        appearance.refresh_from_db()
        twin.refresh_from_db()
        assert (appearance.status, appearance.verdict) == (Claim.Status.VERIFIED, twin.verdict)
        assert ClaimMatch.objects.get(claim=appearance).record["quote"] == appearance.quote


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_review_started_while_the_claim_is_matched_never_leaves_both():
    for _ in range(5):
        twin = ClaimFactory(sentence=1, verified=True)
        appearance = ClaimFactory(sentence=1, status=Claim.Status.ACCEPTED)
        reviewer, other = ReviewerFactory(), ReviewerFactory()
        outcomes = run_together(
            partial(matches.confirm_match, appearance, reviewed_claim_id=twin.pk, by=reviewer),
            partial(workflow.create_review, appearance, by=other, verdict="false"),
        )
        assert sum(outcome is None for outcome in outcomes) == 1, outcomes
        matched = ClaimMatch.objects.filter(claim=appearance, state=ClaimMatch.State.CONFIRMED).exists()
        reviewed = Review.objects.filter(claim=appearance).exists()
        assert matched != reviewed
