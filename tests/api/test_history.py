"""The change history of a claim, its reviews and their evidence."""

import json
import re

import pytest

from reviews import workflow
from reviews.history import NEWSROOM_FIELDS, PUBLIC_FIELDS, RECORD_ENTRY_FIELDS
from tests.factories import ClaimFactory, EvidenceFactory, ReviewFactory
from tests.versions import version_of

pytestmark = pytest.mark.django_db


def changes_of(entry):
    return {change["field"]: (change["old"], change["new"]) for change in entry["changes"]}


def test_history_records_who_changed_which_field_from_what_to_what(reviewer_client, reviewer):
    claim = ClaimFactory(claimant="Old name")
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"claimant": "New name", "version": version_of(claim)}
    )
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
    assert timeline[-7:] == [
        ("review", "created", "created", reviewer.username),
        ("claim", "changed", "status follows reviews", reviewer.username),
        ("evidence", "created", "added", reviewer.username),
        ("review", "changed", "submitted", reviewer.username),
        ("review", "changed", "published", editor.username),
        ("record", "changed", f"published with review {review_id}", editor.username),
        ("claim", "changed", "status follows reviews", editor.username),
    ]
    published = history[-3]
    assert changes_of(published)["state"] == ("submitted", "published")
    assert changes_of(history[-2])["quote"] == (None, claim.quote)
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
    reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"tags": ["a", "b"], "version": version_of(claim)}, format="json"
    )
    reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"tags": ["b"], "version": version_of(claim)}, format="json")
    history = reviewer_client.get(f"/api/v1/claims/{claim.id}/history/").json()
    tag_changes = [changes_of(e)["tags"] for e in history if "tags" in changes_of(e)]
    assert tag_changes[0][1] == ["a", "b"]
    assert tag_changes[-1] == (["a", "b"], ["b"])
    assert all(e["changes"] for e in history)


# Finding M2 (issue #11): the public history leaked internal material. The helpers below drive the
# real workflow through the API, so the history holds exactly what a newsroom would leave in it.


def write_review(client, claim, **fields):
    body = {"claim": claim.id, "verdict": "false", "summary": "No.", **fields}
    response = client.post("/api/v1/reviews/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def add_evidence(client, review_id, **fields):
    body = {"url": "https://example.org/source", "stance": "refutes", **fields}
    response = client.post(f"/api/v1/reviews/{review_id}/evidence/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def edit_review(client, review_id, **changes):
    version = client.get(f"/api/v1/reviews/{review_id}/").json()["version"]
    response = client.patch(f"/api/v1/reviews/{review_id}/", {**changes, "version": version}, format="json")
    assert response.status_code == 200, response.content


def step(client, review_id, action, **body):
    response = client.post(f"/api/v1/reviews/{review_id}/{action}/", body, format="json")
    assert response.status_code == 200, response.content


def history_text(client, claim_id):
    response = client.get(f"/api/v1/claims/{claim_id}/history/")
    assert response.status_code == 200, response.content
    return response.content.decode()


@pytest.fixture
def returned_then_published(reviewer_client, editor_client):
    """A review that went draft → submitted → returned with a comment → reworked → published."""
    claim = ClaimFactory(status="accepted")
    review_id = write_review(reviewer_client, claim, summary="First rough try.")
    add_evidence(reviewer_client, review_id, url="https://example.org/kept", title="Kept source")
    dropped = add_evidence(reviewer_client, review_id, url="https://internal.example.org/leak", title="Dropped memo")
    step(reviewer_client, review_id, "submit")
    step(editor_client, review_id, "return", comment="Internal: the memo is off the record.")
    assert reviewer_client.delete(f"/api/v1/evidence/{dropped}/").status_code == 204
    edit_review(reviewer_client, review_id, summary="Official figures contradict the statement.")
    step(reviewer_client, review_id, "submit")
    step(editor_client, review_id, "publish")
    return claim, review_id


def test_public_history_does_not_show_the_editors_return_comment(anon, returned_then_published):
    claim, _ = returned_then_published
    text = history_text(anon, claim.id)
    assert "off the record" not in text
    assert "editor_comment" not in text
    assert "returned to draft" not in text


def test_public_history_does_not_show_evidence_deleted_before_publication(anon, returned_then_published):
    claim, _ = returned_then_published
    text = history_text(anon, claim.id)
    assert "https://internal.example.org/leak" not in text
    assert "Dropped memo" not in text
    assert "https://example.org/kept" in text


def test_public_history_names_no_user_by_id_or_by_name(anon, reviewer, editor, returned_then_published):
    claim, _ = returned_then_published
    text = history_text(anon, claim.id)
    for field in ("author_id", "published_by_id", "added_by_id", "created_by_id"):
        assert field not in text
    assert set(re.findall(r'"(\w+_id)"', text)) <= {"object_id", "article_id", "review_id"}
    assert reviewer.username not in text
    assert editor.username not in text
    assert {entry["user"] for entry in json.loads(text)} == {None}


def test_public_history_hides_draft_stage_edits_of_a_review(anon, returned_then_published):
    claim, _ = returned_then_published
    history = json.loads(history_text(anon, claim.id))
    assert "First rough try" not in str(history)
    review_states = [changes_of(e).get("state") for e in history if e["model"] == "review"]
    assert review_states == [(None, "published")]
    assert "submitted" not in str(history)


def test_public_history_shows_the_review_and_evidence_as_published(anon, returned_then_published):
    claim, review_id = returned_then_published
    history = json.loads(history_text(anon, claim.id))
    (review,) = [e for e in history if e["model"] == "review"]
    assert review["object_id"] == review_id
    assert review["reason"] == "published"
    published = changes_of(review)
    assert published["verdict"] == (None, "false")
    assert published["summary"] == (None, "Official figures contradict the statement.")
    assert published["published_at"][1] is not None
    (evidence,) = [e for e in history if e["model"] == "evidence"]
    assert changes_of(evidence)["url"] == (None, "https://example.org/kept")
    assert changes_of(evidence)["title"] == (None, "Kept source")
    assert changes_of(evidence)["review_id"] == (None, review_id)
    assert evidence["at"] == review["at"]
    claim_entries = [changes_of(e) for e in history if e["model"] == "claim"]
    assert claim_entries[0]["status"] == (None, "verified")
    (published_record,) = [e for e in history if e["model"] == "record"]
    assert published_record["object_id"] == review_id
    assert published_record["at"] == review["at"]
    assert changes_of(published_record)["quote"] == (None, claim.quote)
    assert changes_of(published_record)["article.title"] == (None, claim.article.title)


def test_public_history_hides_claim_edits_made_before_publication(anon, reviewer_client, editor_client):
    claim = ClaimFactory(status="accepted")
    version = reviewer_client.get(f"/api/v1/claims/{claim.id}/").json()["version"]
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"claim_reviewed": "Working wording", "version": version}, format="json"
    )
    assert response.status_code == 200, response.content
    version = response.json()["version"]
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"claim_reviewed": "Published wording", "version": version}, format="json"
    )
    assert response.status_code == 200, response.content
    review_id = write_review(reviewer_client, claim)
    add_evidence(reviewer_client, review_id)
    step(reviewer_client, review_id, "submit")
    step(editor_client, review_id, "publish")
    text = history_text(anon, claim.id)
    assert "Working wording" not in text
    assert "Published wording" in text
    assert "Working wording" in history_text(reviewer_client, claim.id)


def test_public_history_shows_a_correction_superseding_the_published_review(anon, editor_client, reviewer_client):
    first = ReviewFactory(state="published", summary="The original verdict.")
    second = write_review(reviewer_client, first.claim, verdict="mostly_false", summary="The correction.")
    add_evidence(reviewer_client, second, url="https://example.org/correction")
    step(reviewer_client, second, "submit")
    step(editor_client, second, "publish")
    history = json.loads(history_text(anon, first.claim_id))
    reviews = [(e["object_id"], changes_of(e).get("state")) for e in history if e["model"] == "review"]
    assert reviews == [
        (first.id, (None, "published")),
        (first.id, ("published", "superseded")),
        (second, (None, "published")),
    ]
    assert "The original verdict." in str(history)
    assert "The correction." in str(history)
    assert "https://example.org/correction" in str(history)


def test_evidence_added_to_a_published_review_is_public(anon):
    review = ReviewFactory(state="published")
    evidence = EvidenceFactory(review=review, url="https://example.org/late")
    history = json.loads(history_text(anon, review.claim_id))
    assert ("evidence", evidence.id, "created") in {(e["model"], e["object_id"], e["action"]) for e in history}


@pytest.fixture
def returned_draft(reviewer_client, editor_client):
    """A review by ``reviewer`` that was submitted, then returned to draft with a comment."""
    claim = ClaimFactory(status="accepted")
    review_id = write_review(reviewer_client, claim, summary="Work in progress.")
    add_evidence(reviewer_client, review_id, url="https://example.org/early", title="Early source")
    step(reviewer_client, review_id, "submit")
    step(editor_client, review_id, "return", comment="Find a second source.")
    edit_review(reviewer_client, review_id, summary="Reworked after the return.")
    return claim, review_id


def test_another_reviewer_does_not_see_edits_of_a_draft_that_was_submitted_and_returned(
    other_reviewer_client, returned_draft
):
    claim, review_id = returned_draft
    history = json.loads(history_text(other_reviewer_client, claim.id))
    assert [e for e in history if e["model"] in ("review", "evidence")] == []
    for secret in ("Work in progress", "Reworked", "Early source", "https://example.org/early", "second source"):
        assert secret not in str(history)
    assert other_reviewer_client.get(f"/api/v1/reviews/{review_id}/").status_code == 404


@pytest.mark.parametrize("client_name", ["reviewer_client", "editor_client"])
def test_the_author_and_editors_see_the_whole_life_of_a_returned_draft(request, client_name, reviewer, returned_draft):
    claim, _ = returned_draft
    history = json.loads(history_text(request.getfixturevalue(client_name), claim.id))
    states = [changes_of(e)["state"] for e in history if e["model"] == "review" and "state" in changes_of(e)]
    assert states == [(None, "draft"), ("draft", "submitted"), ("submitted", "draft")]
    assert ("evidence", "created", reviewer.username) in {(e["model"], e["action"], e["user"]) for e in history}
    for visible in ("Work in progress.", "Reworked after the return.", "Early source", "Find a second source."):
        assert visible in str(history)


def test_another_reviewer_sees_a_submitted_review_like_the_review_api_shows_it(other_reviewer_client, reviewer):
    review = ReviewFactory(state="submitted", author=reviewer, summary="Ready for the editor.")
    assert other_reviewer_client.get(f"/api/v1/reviews/{review.id}/").status_code == 200
    assert "Ready for the editor." in history_text(other_reviewer_client, review.claim_id)


def test_history_fields_are_allow_lists_of_real_model_fields():
    from claims.models import Claim, ClaimMatch
    from reviews.models import Evidence, Review

    models = {"claim": Claim, "review": Review, "evidence": Evidence, "match": ClaimMatch}
    assert "match" not in PUBLIC_FIELDS  # working data: readers see a match through the claim's status
    for audience in (PUBLIC_FIELDS, NEWSROOM_FIELDS):
        for name, fields in audience.items():
            # The assignee is shown by username (``history._value``), never by id.
            real = {field.attname for field in models[name]._meta.concrete_fields} | {"tags", "assignee"}
            assert set(fields) <= real, name
    assert set(PUBLIC_FIELDS["review"]) <= set(NEWSROOM_FIELDS["review"])
    assert "editor_comment" not in PUBLIC_FIELDS["review"]


def test_editors_see_only_allow_listed_fields(editor_client, returned_then_published):
    claim, _ = returned_then_published
    history = json.loads(history_text(editor_client, claim.id))
    for entry in history:
        allowed = RECORD_ENTRY_FIELDS if entry["model"] == "record" else NEWSROOM_FIELDS[entry["model"]]
        assert set(changes_of(entry)) <= set(allowed)
    assert "Internal: the memo is off the record." in str(history)
    assert "https://internal.example.org/leak" in str(history)


@pytest.mark.parametrize("client_name", ["anon", "reviewer_client"])
def test_history_queries_do_not_grow_for_readers_and_reviewers(request, client_name, django_assert_max_num_queries):
    client = request.getfixturevalue(client_name)
    review = ReviewFactory(state="published")
    EvidenceFactory(review=review)
    client.get(f"/api/v1/claims/{review.claim_id}/history/")  # warm the per-user group cache
    with django_assert_max_num_queries(8) as small:
        assert client.get(f"/api/v1/claims/{review.claim_id}/history/").status_code == 200
    for _ in range(5):
        EvidenceFactory(review=ReviewFactory(claim=review.claim, state="submitted"))
        EvidenceFactory(review=review)
    with django_assert_max_num_queries(8) as large:
        body = client.get(f"/api/v1/claims/{review.claim_id}/history/").json()
    assert len([e for e in body if e["model"] == "evidence"]) >= 6
    assert len(large.captured_queries) == len(small.captured_queries)


# Issue #13: the published record changes only through the workflow, and the history shows every step.


def test_a_correction_appears_in_the_history_with_what_it_changed(anon, reviewer_client, editor_client, editor):
    claim = ClaimFactory(verified=True, claim_reviewed="Published wording")
    first, first_editor = claim.reviews.filter(state="published").values_list("pk", "published_by__username").get()
    correction = write_review(reviewer_client, claim, summary="Corrected summary.")
    for wording in ("Draft wording", "Final wording"):
        version = reviewer_client.get(f"/api/v1/claims/{claim.id}/").json()["version"]
        response = reviewer_client.patch(
            f"/api/v1/claims/{claim.id}/", {"claim_reviewed": wording, "version": version}, format="json"
        )
        assert response.status_code == 200, response.content

    # Not public until an editor publishes: the public history still shows the published wording only.
    public = history_text(anon, claim.id)
    assert "Published wording" in public
    assert "Draft wording" not in public
    assert "Final wording" not in public
    assert "Draft wording" in history_text(reviewer_client, claim.id)

    add_evidence(reviewer_client, correction, url="https://example.org/correction")
    step(reviewer_client, correction, "submit")
    step(editor_client, correction, "publish")
    for client, users in ((anon, (None, None)), (reviewer_client, (first_editor, editor.username))):
        history = json.loads(history_text(client, claim.id))
        records = [e for e in history if e["model"] == "record"]
        assert [(e["object_id"], e["reason"], e["user"]) for e in records] == [
            (first, f"published with review {first}", users[0]),
            (correction, f"corrected by review {correction}", users[1]),
        ]
        corrected = changes_of(records[-1])
        assert corrected["claim_reviewed"] == ("Published wording", "Final wording")
        assert corrected["summary"][1] == "Corrected summary."
        assert corrected["evidence"][1] == ["https://example.org/correction"]
    public = history_text(anon, claim.id)
    assert "Draft wording" not in public, "an intermediate edit never reached readers"
    assert "Final wording" in public


def test_the_public_never_sees_claim_rows_with_record_fields(anon):
    review = ReviewFactory(state="published")
    history = json.loads(history_text(anon, review.claim_id))
    for entry in history:
        if entry["model"] == "claim":
            assert set(changes_of(entry)) <= set(PUBLIC_FIELDS["claim"])
    assert not {"quote", "claim_reviewed", "claimant"} & set(PUBLIC_FIELDS["claim"])
