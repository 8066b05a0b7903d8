"""Writes that race with the review workflow, made deterministic: one request is held at a chosen point
while another connection commits, then released. Nothing may be lost or overwritten, and nothing may
deadlock (PostgreSQL; the load test finds the same races by chance, these find them every time).
"""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from claims.models import Claim
from reviews import workflow
from reviews.models import Evidence, Review
from tests.factories import EditorFactory, EvidenceFactory, ReviewFactory
from tests.versions import if_match, version_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class Paused:
    """Run ``request()`` in a thread that stops when it calls ``module.name``, until released.

    The pause points are where a request has read (and validated) its copy of an object but not yet
    entered the transaction that writes it: the window another request can commit into.
    """

    def __init__(self, monkeypatch, module, name):
        self.reached, self.release = threading.Event(), threading.Event()
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            if threading.current_thread() is self.thread:
                self.reached.set()
                assert self.release.wait(20), "never released"
            return original(*args, **kwargs)

        monkeypatch.setattr(module, name, wrapper)
        self.thread = None
        self.response = None

    def start(self, request):
        def run():
            try:
                self.response = request()
            finally:
                connection.close()

        self.thread = threading.Thread(target=run)
        self.thread.start()
        assert self.reached.wait(20), "the request never reached the pause"

    def finish(self):
        self.release.set()
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self.response


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def in_other_connection(action):
    """Run ``action`` on a connection of its own (committed when it returns), as another request would."""
    outcome = {}

    def run():
        try:
            outcome["value"] = action()
        except Exception as exc:
            outcome["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    return outcome


def test_editing_a_claim_while_its_review_is_published_keeps_the_claim_verified(monkeypatch):
    from claims.api import views

    review = ReviewFactory(state="submitted")
    editor, publisher = EditorFactory(), EditorFactory()
    # Hold the claim edit after it has read and validated the claim, just before it writes.
    paused = Paused(monkeypatch, views.ClaimViewSet, "perform_update")
    version = version_of(review.claim)
    paused.start(
        lambda: client_for(editor).patch(f"/api/v1/claims/{review.claim_id}/", {"claimant": "A", "version": version})
    )
    outcome = in_other_connection(lambda: workflow.publish(Review.objects.get(pk=review.pk), by=publisher))
    response = paused.finish()

    assert "error" not in outcome, outcome
    assert response.status_code in (200, 409, 412), response.content
    claim = Claim.objects.get(pk=review.claim_id)
    assert (claim.status, claim.verdict) == ("verified", review.verdict)


def test_an_any_version_edit_racing_a_publish_never_unpublishes_the_review(monkeypatch):
    review = ReviewFactory(state="submitted")
    editor, publisher = EditorFactory(), EditorFactory()
    paused = Paused(monkeypatch, workflow, "update_review")
    paused.start(
        lambda: client_for(editor).patch(f"/api/v1/reviews/{review.pk}/", {"summary": "Late edit."}, HTTP_IF_MATCH="*")
    )
    outcome = in_other_connection(lambda: workflow.publish(Review.objects.get(pk=review.pk), by=publisher))
    response = paused.finish()

    assert "error" not in outcome, outcome
    review.refresh_from_db()
    assert review.state == "published"
    assert response.status_code == 409, response.content
    assert review.summary != "Late edit."


def test_evidence_cannot_be_added_to_a_review_published_meanwhile(monkeypatch):
    review = ReviewFactory(state="submitted")
    editor, publisher = EditorFactory(), EditorFactory()
    paused = Paused(monkeypatch, workflow, "add_evidence")
    paused.start(
        lambda: client_for(editor).post(f"/api/v1/reviews/{review.pk}/evidence/", {"url": "https://example.org/late"})
    )
    outcome = in_other_connection(lambda: workflow.publish(Review.objects.get(pk=review.pk), by=publisher))
    response = paused.finish()

    assert "error" not in outcome, outcome
    assert response.status_code == 409, response.content
    assert not Evidence.objects.filter(review=review, url="https://example.org/late").exists()


def test_a_draft_submitted_meanwhile_is_not_deleted(monkeypatch):
    review = ReviewFactory(state="draft")
    EvidenceFactory(review=review)
    author = review.author
    paused = Paused(monkeypatch, workflow, "delete_review")
    precondition = if_match(review)
    paused.start(lambda: client_for(author).delete(f"/api/v1/reviews/{review.pk}/", **precondition))
    outcome = in_other_connection(lambda: workflow.submit(Review.objects.get(pk=review.pk), by=author))
    response = paused.finish()

    assert "error" not in outcome, outcome
    assert response.status_code == 409, response.content
    assert Review.objects.get(pk=review.pk).state == "submitted"


def test_an_edit_and_a_publish_of_the_same_review_do_not_deadlock(monkeypatch):
    review = ReviewFactory(state="submitted")
    editor, publisher = EditorFactory(), EditorFactory()
    # Hold the edit after it has written the review row, before it commits.
    paused = Paused(monkeypatch, workflow, "_save")
    paused.start(
        lambda: client_for(editor).patch(
            f"/api/v1/reviews/{review.pk}/", {"summary": "Edited.", "version": review.version}
        )
    )
    publishing = threading.Thread(
        target=lambda: in_other_connection(lambda: workflow.publish(Review.objects.get(pk=review.pk), by=publisher))
    )
    publishing.start()
    publishing.join(1)  # the publish now waits for the edit's lock
    response = paused.finish()
    publishing.join(30)

    assert response.status_code == 200, response.content
    review.refresh_from_db()
    assert review.state == "published"
    assert review.summary == "Edited."
