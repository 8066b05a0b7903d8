"""The change history of a claim, its reviews and their evidence."""

import pytest

from reviews import workflow
from tests.factories import ClaimFactory, EvidenceFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def changes_of(entry):
    return {change["field"]: (change["old"], change["new"]) for change in entry["changes"]}


def test_history_records_who_changed_which_field_from_what_to_what(reviewer_client, reviewer):
    claim = ClaimFactory(claimant="Old name")
    response = reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"claimant": "New name"})
    assert response.status_code == 200
    history = reviewer_client.get(f"/api/v1/claims/{claim.id}/history/").json()
    last = history[-1]
    assert last["model"] == "claim"
    assert last["action"] == "changed"
    assert last["user"] == reviewer.username
    assert changes_of(last) == {"claimant": ("Old name", "New name")}


def test_history_covers_the_whole_workflow_in_time_order(reviewer_client, editor_client, reviewer, editor):
    claim = ClaimFactory(status="accepted")
    review_id = reviewer_client.post(
        "/api/v1/reviews/", {"claim": claim.id, "verdict": "false", "summary": "No."}
    ).json()["id"]
    reviewer_client.post(
        f"/api/v1/reviews/{review_id}/evidence/", {"url": "https://example.org/a", "stance": "refutes"}, format="json"
    )
    reviewer_client.post(f"/api/v1/reviews/{review_id}/submit/")
    editor_client.post(f"/api/v1/reviews/{review_id}/publish/")

    history = reviewer_client.get(f"/api/v1/claims/{claim.id}/history/").json()
    timeline = [(e["model"], e["action"], e["reason"], e["user"]) for e in history]
    assert timeline[-6:] == [
        ("review", "created", "created", reviewer.username),
        ("claim", "changed", "status follows reviews", reviewer.username),
        ("evidence", "created", "added", reviewer.username),
        ("review", "changed", "submitted", reviewer.username),
        ("review", "changed", "published", editor.username),
        ("claim", "changed", "status follows reviews", editor.username),
    ]
    published = history[-2]
    assert changes_of(published)["state"] == ("submitted", "published")
    assert changes_of(history[-1])["status"] == ("in_review", "verified")
    assert [e["at"] for e in history] == sorted(e["at"] for e in history)


def test_admin_style_bulk_actions_are_recorded_per_object(editor):
    reviews = [ReviewFactory(state="submitted") for _ in range(3)]
    for review in reviews:
        workflow.publish(review, by=editor)
    for review in reviews:
        states = list(review.history.order_by("history_date").values_list("state", flat=True))
        assert states[-1] == "published"


def test_public_history_hides_unpublished_review_work(anon, reviewer_client, reviewer):
    published = ReviewFactory(state="published", author=reviewer)
    ReviewFactory(claim=published.claim, state="draft", author=reviewer, summary="secret draft")
    public = anon.get(f"/api/v1/claims/{published.claim_id}/history/").json()
    assert all(entry["model"] != "review" or entry["object_id"] == published.id for entry in public)
    assert "secret draft" not in str(public)
    own = reviewer_client.get(f"/api/v1/claims/{published.claim_id}/history/").json()
    assert "secret draft" in str(own)


def test_other_reviewers_drafts_stay_out_of_history(other_reviewer_client, reviewer):
    draft = ReviewFactory(state="draft", author=reviewer, summary="my private draft")
    EvidenceFactory(review=draft, title="private source")
    history = other_reviewer_client.get(f"/api/v1/claims/{draft.claim_id}/history/").json()
    assert "my private draft" not in str(history)
    assert "private source" not in str(history)


def test_deleted_draft_evidence_leaves_a_trace(reviewer_client, reviewer):
    review = ReviewFactory(state="draft", author=reviewer)
    evidence = EvidenceFactory(review=review)
    assert reviewer_client.delete(f"/api/v1/evidence/{evidence.id}/").status_code == 204
    history = reviewer_client.get(f"/api/v1/claims/{review.claim_id}/history/").json()
    assert ("evidence", evidence.id, "deleted") in {(e["model"], e["object_id"], e["action"]) for e in history}


def test_history_of_an_invisible_claim_is_404_for_the_public(anon):
    claim = ClaimFactory()
    assert anon.get(f"/api/v1/claims/{claim.id}/history/").status_code == 404


def test_tag_changes_are_in_the_history(reviewer_client):
    claim = ClaimFactory()
    reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"tags": ["a", "b"]}, format="json")
    reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"tags": ["b"]}, format="json")
    history = reviewer_client.get(f"/api/v1/claims/{claim.id}/history/").json()
    tag_changes = [changes_of(e)["tags"] for e in history if "tags" in changes_of(e)]
    assert tag_changes[0][1] == ["a", "b"]
    assert tag_changes[-1] == (["a", "b"], ["b"])
    assert all(e["changes"] for e in history)
