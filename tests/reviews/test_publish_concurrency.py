"""Two editors publishing at once, over two real database connections (PostgreSQL)."""

import threading

import pytest
from django.db import connection

from reviews import workflow
from reviews.models import Review
from tests.factories import ClaimFactory, EditorFactory, ReviewFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_editors_publishing_reviews_of_one_claim_leave_exactly_one_published():
    for _ in range(5):
        claim = ClaimFactory()
        reviews = [ReviewFactory(claim=claim, state="submitted") for _ in range(2)]
        editors = [EditorFactory(), EditorFactory()]
        barrier = threading.Barrier(2)
        errors = []

        def publish(review, editor, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                workflow.publish(review, by=editor)
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=publish, args=pair) for pair in zip(reviews, editors, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        states = sorted(Review.objects.filter(claim=claim).values_list("state", flat=True))
        assert states == ["published", "superseded"]
        claim.refresh_from_db()
        published = Review.objects.get(claim=claim, state="published")
        assert (claim.status, claim.verdict) == ("verified", published.verdict)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_with_the_same_version_let_exactly_one_win():
    review = ReviewFactory(state="draft")
    editors = [EditorFactory(), EditorFactory()]
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(editor, text):
        try:
            barrier.wait()
            workflow.update_review(Review.objects.get(pk=review.pk), {"summary": text}, by=editor, version=1)
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(editor, f"text {i}")) for i, editor in enumerate(editors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Conflict", "ok"]
    review.refresh_from_db()
    assert review.version == 2
