"""The review workflow over the API: every action × role, every illegal transition, lost updates."""

import pytest

from claims.models import Claim
from reviews.models import Evidence, Review
from tests.factories import ClaimFactory, EvidenceFactory, ReviewFactory
from tests.snapshots import nothing_changed
from tests.versions import if_match

pytestmark = pytest.mark.django_db

EVIDENCE = {
    "url": "https://stats.example.org/report",
    "title": "Quarterly report",
    "publisher": "Statistics office",
    "quote": "Casualties were 200.",
    "stance": "refutes",
    "source_type": "official",
    "published_at": "2022-09-01",
    "accessed_at": "2022-09-11",
    "archive_url": "https://archive.example.org/report",
}


@pytest.fixture
def draft(reviewer):
    review = ReviewFactory(author=reviewer, state="draft")
    EvidenceFactory(review=review)
    return review


def clients(anon, reviewer_client, other_reviewer_client, editor_client):
    return {"anonymous": anon, "author": reviewer_client, "other": other_reviewer_client, "editor": editor_client}


@pytest.fixture
def as_role(anon, reviewer_client, other_reviewer_client, editor_client):
    return clients(anon, reviewer_client, other_reviewer_client, editor_client)


# --- drafting -------------------------------------------------------------------------------


def test_reviewer_drafts_a_review_and_the_claim_goes_in_review(reviewer_client, reviewer):
    claim = ClaimFactory(status="accepted")
    response = reviewer_client.post(
        "/api/v1/reviews/", {"claim": claim.id, "verdict": "false", "summary": "No."}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft"
    assert body["author"] == reviewer.username
    assert body["rating_text"] == "False"
    assert body["rating_value"] == 1
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_client_cannot_set_author_or_state(reviewer_client, reviewer, editor):
    claim = ClaimFactory()
    response = reviewer_client.post(
        "/api/v1/reviews/",
        {"claim": claim.id, "verdict": "true", "state": "published", "author": editor.id},
        format="json",
    )
    assert response.status_code == 201
    review = Review.objects.get()
    assert (review.state, review.author) == ("draft", reviewer)


def test_unknown_verdict_is_a_400_naming_the_field(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post("/api/v1/reviews/", {"claim": claim.id, "verdict": "pants_on_fire"})
    assert response.status_code == 400
    assert "verdict" in response.json()
    assert not Review.objects.exists()


def test_dismissed_claims_cannot_be_reviewed(reviewer_client):
    claim = ClaimFactory(status="dismissed")
    response = reviewer_client.post("/api/v1/reviews/", {"claim": claim.id, "verdict": "true"})
    assert response.status_code == 409
    assert not Review.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 404), ("author", 200), ("other", 404), ("editor", 200)])
def test_who_can_read_a_draft(as_role, draft, role, status):
    assert as_role[role].get(f"/api/v1/reviews/{draft.id}/").status_code == status
    listed = [r["id"] for r in as_role[role].get("/api/v1/reviews/").json()["results"]]
    assert (draft.id in listed) == (status == 200)
    assert as_role[role].get(f"/api/v1/reviews/{draft.id}/evidence/").status_code == status
    evidence = draft.evidence.get()
    assert as_role[role].get(f"/api/v1/evidence/{evidence.id}/").status_code == status


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 200), ("other", 404), ("editor", 200)])
def test_who_can_edit_a_draft(as_role, draft, role, status):
    response = as_role[role].patch(f"/api/v1/reviews/{draft.id}/", {"summary": "Edited."}, **if_match(draft))
    assert response.status_code == status
    draft.refresh_from_db()
    assert (draft.summary == "Edited.") == (status == 200)


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 409), ("other", 403), ("editor", 200)])
def test_who_can_edit_a_submitted_review(as_role, draft, reviewer, role, status):
    Review.objects.filter(pk=draft.pk).update(state="submitted")
    response = as_role[role].patch(f"/api/v1/reviews/{draft.id}/", {"summary": "Edited."}, **if_match(draft))
    assert response.status_code == status
    draft.refresh_from_db()
    assert (draft.summary == "Edited.") == (status == 200)


@pytest.mark.parametrize("role", ["author", "other", "editor"])
def test_nobody_edits_or_deletes_a_published_review(as_role, reviewer, role):
    review = ReviewFactory(author=reviewer, state="published")
    response = as_role[role].patch(f"/api/v1/reviews/{review.id}/", {"summary": "Rewritten."}, **if_match(review))
    assert response.status_code in (403, 409)
    assert as_role[role].delete(f"/api/v1/reviews/{review.id}/", **if_match(review)).status_code in (403, 409)
    review.refresh_from_db()
    assert review.summary != "Rewritten."
    assert review.state == "published"


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 204), ("other", 404), ("editor", 204)])
def test_who_can_delete_a_draft(as_role, draft, role, status):
    claim = draft.claim
    assert as_role[role].delete(f"/api/v1/reviews/{draft.id}/", **if_match(draft)).status_code == status
    assert Review.objects.filter(pk=draft.pk).exists() == (status != 204)
    if status == 204:
        claim.refresh_from_db()
        assert claim.status == "accepted"
        assert not Evidence.objects.exists()


# --- evidence -------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 201), ("other", 404), ("editor", 201)])
def test_who_can_add_evidence(as_role, draft, role, status):
    response = as_role[role].post(f"/api/v1/reviews/{draft.id}/evidence/", EVIDENCE, format="json")
    assert response.status_code == status
    assert draft.evidence.count() == (2 if status == 201 else 1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "ftp://files.example.org/x"),
        ("url", "javascript:alert(1)"),
        ("url", "not a url"),
        ("archive_url", "file:///etc/passwd"),
        ("stance", "agrees"),
        ("source_type", "rumour"),
        ("published_at", "last week"),
        ("quote", "x" * 20_001),
    ],
)
def test_invalid_evidence_is_refused(reviewer_client, draft, field, value):
    response = reviewer_client.post(f"/api/v1/reviews/{draft.id}/evidence/", {**EVIDENCE, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert draft.evidence.count() == 1


def test_evidence_can_be_edited_and_deleted_while_the_review_is_a_draft(reviewer_client, draft):
    evidence = draft.evidence.get()
    response = reviewer_client.patch(f"/api/v1/evidence/{evidence.id}/", {"stance": "supports"})
    assert response.status_code == 200
    assert response.json()["stance"] == "supports"
    assert reviewer_client.delete(f"/api/v1/evidence/{evidence.id}/").status_code == 204
    assert not draft.evidence.exists()


def test_evidence_of_a_published_review_is_frozen(editor_client, reviewer):
    evidence = EvidenceFactory(review__state="published", review__author=reviewer)
    assert editor_client.patch(f"/api/v1/evidence/{evidence.id}/", {"title": "x"}).status_code == 409
    assert editor_client.delete(f"/api/v1/evidence/{evidence.id}/").status_code == 409
    assert Evidence.objects.filter(pk=evidence.pk, title=evidence.title).exists()


def test_anonymous_reads_evidence_of_published_reviews(anon):
    evidence = EvidenceFactory(review__state="published")
    response = anon.get(f"/api/v1/evidence/{evidence.id}/")
    assert response.status_code == 200
    assert response.json()["url"] == evidence.url


# --- submit / publish / return --------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 200), ("other", 404), ("editor", 200)])
def test_who_can_submit(as_role, draft, role, status):
    response = as_role[role].post(f"/api/v1/reviews/{draft.id}/submit/")
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.state == ("submitted" if status == 200 else "draft")


def test_submitting_needs_a_summary_and_evidence(reviewer_client, reviewer):
    bare = ReviewFactory(author=reviewer, summary="")
    response = reviewer_client.post(f"/api/v1/reviews/{bare.id}/submit/")
    assert response.status_code == 400
    assert "summary" in response.json()
    bare.summary = "Because."
    bare.save()
    response = reviewer_client.post(f"/api/v1/reviews/{bare.id}/submit/")
    assert response.status_code == 400
    assert "evidence" in response.json()
    bare.refresh_from_db()
    assert bare.state == "draft"


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 403), ("other", 403), ("editor", 200)])
def test_who_can_publish(as_role, draft, role, status):
    Review.objects.filter(pk=draft.pk).update(state="submitted")
    response = as_role[role].post(f"/api/v1/reviews/{draft.id}/publish/")
    assert response.status_code == status
    draft.refresh_from_db()
    draft.claim.refresh_from_db()
    if status == 200:
        assert draft.state == "published"
        assert draft.published_at is not None
        assert (draft.claim.status, draft.claim.verdict) == ("verified", draft.verdict)
    else:
        assert draft.state == "submitted"
        assert draft.claim.status != "verified"


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("author", 403), ("other", 403), ("editor", 200)])
def test_who_can_return(as_role, draft, role, status):
    Review.objects.filter(pk=draft.pk).update(state="submitted")
    response = as_role[role].post(f"/api/v1/reviews/{draft.id}/return/", {"comment": "Add a second source."})
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.state == ("draft" if status == 200 else "submitted")
    if status == 200:
        assert draft.editor_comment == "Add a second source."


def test_return_needs_a_comment(editor_client, draft):
    Review.objects.filter(pk=draft.pk).update(state="submitted")
    response = editor_client.post(f"/api/v1/reviews/{draft.id}/return/", {})
    assert response.status_code == 400
    assert "comment" in response.json()


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("submitted", "submit"),
        ("published", "submit"),
        ("superseded", "submit"),
        ("draft", "publish"),
        ("published", "publish"),
        ("superseded", "publish"),
        ("draft", "return"),
        ("published", "return"),
        ("superseded", "return"),
    ],
)
def test_illegal_transitions_are_409_and_change_nothing(editor_client, reviewer, state, action):
    review = ReviewFactory(author=reviewer, state=state)
    EvidenceFactory(review=review)
    with nothing_changed():
        response = editor_client.post(f"/api/v1/reviews/{review.id}/{action}/", {"comment": "x"})
    assert response.status_code == 409
    assert "detail" in response.json()


def test_publishing_a_correction_supersedes_the_old_review(editor_client, reviewer):
    old = ReviewFactory(state="published", verdict="true", author=reviewer)
    claim = old.claim
    new = ReviewFactory(claim=claim, state="submitted", verdict="false", author=reviewer)
    response = editor_client.post(f"/api/v1/reviews/{new.id}/publish/")
    assert response.status_code == 200
    old.refresh_from_db()
    claim.refresh_from_db()
    assert old.state == "superseded"
    assert (claim.status, claim.verdict) == ("verified", "false")
    assert Review.objects.filter(claim=claim, state="published").get() == new
    assert Review.objects.filter(claim=claim).count() == 2


def test_full_round_trip_draft_submit_return_resubmit_publish(reviewer_client, editor_client):
    claim = ClaimFactory(status="accepted")
    review_id = reviewer_client.post(
        "/api/v1/reviews/", {"claim": claim.id, "verdict": "mostly_false", "summary": "Inflated."}
    ).json()["id"]
    assert reviewer_client.post(f"/api/v1/reviews/{review_id}/evidence/", EVIDENCE, format="json").status_code == 201
    assert reviewer_client.post(f"/api/v1/reviews/{review_id}/submit/").status_code == 200
    assert (
        editor_client.post(f"/api/v1/reviews/{review_id}/return/", {"comment": "Cite the ministry."}).status_code == 200
    )
    version = reviewer_client.get(f"/api/v1/reviews/{review_id}/").json()["version"]
    edited = reviewer_client.patch(
        f"/api/v1/reviews/{review_id}/", {"summary": "Inflated tenfold.", "version": version}
    )
    assert edited.status_code == 200
    assert reviewer_client.post(f"/api/v1/reviews/{review_id}/submit/").status_code == 200
    published = editor_client.post(f"/api/v1/reviews/{review_id}/publish/").json()
    assert published["state"] == "published"
    detail = reviewer_client.get(f"/api/v1/claims/{claim.id}/").json()
    assert detail["status"] == "verified"
    assert detail["published_review"]["summary"] == "Inflated tenfold."
    assert detail["published_review"]["evidence"][0]["url"] == EVIDENCE["url"]


def test_editor_comment_is_not_shown_to_the_public(anon, reviewer):
    review = ReviewFactory(state="published", author=reviewer, editor_comment="Internal note")
    body = anon.get(f"/api/v1/reviews/{review.id}/").json()
    assert "editor_comment" not in body


# --- lost updates ---------------------------------------------------------------------------


def test_second_writer_with_stale_etag_gets_412(reviewer_client, editor_client, draft):
    etag = reviewer_client.get(f"/api/v1/reviews/{draft.id}/")["ETag"]
    assert etag == f'"{draft.version}"'
    first = editor_client.patch(f"/api/v1/reviews/{draft.id}/", {"summary": "Editor's"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    second = reviewer_client.patch(f"/api/v1/reviews/{draft.id}/", {"summary": "Author's"}, HTTP_IF_MATCH=etag)
    assert second.status_code == 412
    draft.refresh_from_db()
    assert draft.summary == "Editor's"


def test_second_writer_with_stale_version_field_gets_409(reviewer_client, editor_client, draft):
    version = reviewer_client.get(f"/api/v1/reviews/{draft.id}/").json()["version"]
    assert editor_client.patch(f"/api/v1/reviews/{draft.id}/", {"summary": "A", "version": version}).status_code == 200
    stale = reviewer_client.patch(f"/api/v1/reviews/{draft.id}/", {"summary": "B", "version": version})
    assert stale.status_code == 409
    assert "version" in stale.json()["detail"]
    draft.refresh_from_db()
    assert draft.summary == "A"


def test_malformed_if_match_is_412(reviewer_client, draft):
    response = reviewer_client.patch(f"/api/v1/reviews/{draft.id}/", {"summary": "x"}, HTTP_IF_MATCH="garbage")
    assert response.status_code == 412


def test_a_state_change_bumps_the_version_so_old_copies_are_stale(reviewer_client, draft):
    version = reviewer_client.get(f"/api/v1/reviews/{draft.id}/").json()["version"]
    reviewer_client.post(f"/api/v1/reviews/{draft.id}/submit/")
    Claim.objects.get(pk=draft.claim_id)
    assert reviewer_client.get(f"/api/v1/reviews/{draft.id}/").json()["version"] > version
