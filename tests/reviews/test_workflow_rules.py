"""Who may do what to a review in each state: the rules of ``reviews/workflow.py``, as one table.

Each row is one workflow function called on a review in one state; each column the outcome for one
role: either the state the review is in afterwards, or the error the workflow raises, and then nothing
in the database has changed. The API answers these errors 403 (``PermissionDenied``), 409
(``InvalidTransition``) and 400 (``ValidationError``) after its own checks, which come first: 401 for
anonymous clients, 404 where a role may not even see the review (tests/api/test_authorization_matrix.py).

Every review here was brought to its state by the workflow itself and has a summary and one piece of
evidence; a superseded review is one whose correction was published.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from claims.models import Claim
from reviews import workflow
from reviews.models import Evidence, Review, Verdict
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory
from tests.snapshots import nothing_changed

pytestmark = pytest.mark.django_db

DENIED = PermissionDenied
INVALID = workflow.InvalidTransition
BAD_DATA = ValidationError
GONE = "gone"  # the review no longer exists

ROLES = ("anonymous", "author", "other_reviewer", "editor")

# fmt: off
RULES = [
    # action                      review state     anonymous  author        other_reviewer  editor
    ("create_review",             "draft",         DENIED,    "draft",      "draft",        "draft"),
    ("create_review",             "submitted",     DENIED,    "draft",      "draft",        "draft"),
    ("create_review",             "published",     DENIED,    "draft",      "draft",        "draft"),
    ("create_review",             "superseded",    DENIED,    "draft",      "draft",        "draft"),

    ("update_review",             "draft",         DENIED,    "draft",      DENIED,         "draft"),
    ("update_review",             "submitted",     DENIED,    INVALID,      DENIED,         "submitted"),
    ("update_review",             "published",     DENIED,    INVALID,      INVALID,        INVALID),
    ("update_review",             "superseded",    DENIED,    INVALID,      INVALID,        INVALID),

    ("delete_review",             "draft",         DENIED,    GONE,         DENIED,         GONE),
    ("delete_review",             "submitted",     DENIED,    INVALID,      DENIED,         INVALID),
    ("delete_review",             "published",     DENIED,    INVALID,      INVALID,        INVALID),
    ("delete_review",             "superseded",    DENIED,    INVALID,      INVALID,        INVALID),

    # submit checks the role first: someone outside the newsroom is refused whatever the review's state.
    ("submit",                    "draft",         DENIED,    "submitted",  DENIED,         "submitted"),
    ("submit",                    "submitted",     DENIED,    INVALID,      INVALID,        INVALID),
    ("submit",                    "published",     DENIED,    INVALID,      INVALID,        INVALID),
    ("submit",                    "superseded",    DENIED,    INVALID,      INVALID,        INVALID),

    ("publish",                   "draft",         DENIED,    DENIED,       DENIED,         INVALID),
    ("publish",                   "submitted",     DENIED,    DENIED,       DENIED,         "published"),
    ("publish",                   "published",     DENIED,    DENIED,       DENIED,         INVALID),
    ("publish",                   "superseded",    DENIED,    DENIED,       DENIED,         INVALID),

    ("return_to_draft",           "draft",         DENIED,    DENIED,       DENIED,         INVALID),
    ("return_to_draft",           "submitted",     DENIED,    DENIED,       DENIED,         "draft"),
    ("return_to_draft",           "published",     DENIED,    DENIED,       DENIED,         INVALID),
    ("return_to_draft",           "superseded",    DENIED,    DENIED,       DENIED,         INVALID),

    ("add_evidence",              "draft",         DENIED,    "draft",      DENIED,         "draft"),
    ("add_evidence",              "submitted",     DENIED,    INVALID,      DENIED,         "submitted"),
    ("add_evidence",              "published",     DENIED,    INVALID,      INVALID,        INVALID),
    ("add_evidence",              "superseded",    DENIED,    INVALID,      INVALID,        INVALID),

    ("update_evidence",           "draft",         DENIED,    "draft",      DENIED,         "draft"),
    ("update_evidence",           "submitted",     DENIED,    INVALID,      DENIED,         "submitted"),
    ("update_evidence",           "published",     DENIED,    INVALID,      INVALID,        INVALID),
    ("update_evidence",           "superseded",    DENIED,    INVALID,      INVALID,        INVALID),

    ("delete_evidence",           "draft",         DENIED,    "draft",      DENIED,         "draft"),
    ("delete_evidence",           "submitted",     DENIED,    INVALID,      DENIED,         "submitted"),
    ("delete_evidence",           "published",     DENIED,    INVALID,      INVALID,        INVALID),
    ("delete_evidence",           "superseded",    DENIED,    INVALID,      INVALID,        INVALID),

    # Bad data is refused only to those who may make the change at all.
    ("submit",                    "draft without evidence",    DENIED,  BAD_DATA,  DENIED,  BAD_DATA),
    ("submit",                    "draft with a blank summary", DENIED, BAD_DATA,  DENIED,  BAD_DATA),
    ("update_review of its state", "draft",                    DENIED,  BAD_DATA,  DENIED,  BAD_DATA),
    ("return_to_draft without a comment", "submitted",         DENIED,  DENIED,    DENIED,  BAD_DATA),
    ("add_evidence with an ftp URL", "draft",                  DENIED,  BAD_DATA,  DENIED,  BAD_DATA),
    ("update_evidence of its review", "draft",                 DENIED,  BAD_DATA,  DENIED,  BAD_DATA),
    ("update_evidence to an ftp URL", "submitted",             DENIED,  INVALID,   DENIED,  BAD_DATA),

    # A claim dismissed as not check-worthy (with no review yet) is not reviewed until it is accepted.
    ("create_review",             "none, claim dismissed",     DENIED,  INVALID,   INVALID, INVALID),
]
# fmt: on


@pytest.fixture
def people():
    return {
        "anonymous": AnonymousUser(),
        "author": ReviewerFactory(),
        "other_reviewer": ReviewerFactory(),
        "editor": EditorFactory(),
    }


def write_review(claim, author, *, summary="Official figures contradict the statement.", evidence=True):
    review = workflow.create_review(claim, by=author, verdict=Verdict.FALSE, summary=summary)
    if evidence:
        workflow.add_evidence(review, by=author, url="https://evidence.example.org/report", title="Report")
    return review


def review_in(state, author):
    """A review by ``author`` in ``state`` (a name from the table), brought there through the workflow."""
    if state == "none, claim dismissed":
        ClaimFactory(status=Claim.Status.DISMISSED)
        return None
    if state == "draft without evidence":
        return write_review(ClaimFactory(), author, evidence=False)
    if state == "draft with a blank summary":
        return write_review(ClaimFactory(), author, summary="  ")
    review = write_review(ClaimFactory(), author)
    if state != "draft":
        workflow.submit(review, by=author)
    if state in ("published", "superseded"):
        workflow.publish(review, by=EditorFactory())
    if state == "superseded":
        correction = write_review(review.claim, author)
        workflow.submit(correction, by=author)
        workflow.publish(correction, by=EditorFactory())
    review.refresh_from_db()
    assert review.state == state
    return review


def first_evidence(review):
    return review.evidence.order_by("pk").first()


# Each action: how to call it on the review as ``user``, and what must be true when it was allowed
# (``before`` is the review as it was, ``result`` what the function returned, ``after`` the review now).
ACTIONS = {
    "create_review": (
        lambda review, user: workflow.create_review(
            review.claim if review else Claim.objects.get(), by=user, verdict=Verdict.MIXED
        ),
        lambda before, result, after, user: (
            result.author == user
            and result.verdict == Verdict.MIXED
            and after.state == before.state
            and Claim.objects.get(pk=before.claim_id).status
            == ("verified" if before.state in ("published", "superseded") else "in_review")
        ),
    ),
    "update_review": (
        lambda review, user: workflow.update_review(review, {"summary": "Edited."}, by=user, version=review.version),
        lambda before, result, after, user: after.summary == "Edited." and after.version == before.version + 1,
    ),
    "update_review of its state": (
        lambda review, user: workflow.update_review(review, {"state": "published"}, by=user, version=review.version),
        None,
    ),
    "delete_review": (
        lambda review, user: workflow.delete_review(review, by=user, version=review.version),
        lambda before, result, after, user: (
            not Evidence.objects.filter(review_id=before.pk).exists()
            and Claim.objects.get(pk=before.claim_id).status == "accepted"
        ),
    ),
    "submit": (
        lambda review, user: workflow.submit(review, by=user),
        lambda before, result, after, user: after.submitted_at is not None and after.version == before.version + 1,
    ),
    "publish": (
        lambda review, user: workflow.publish(review, by=user),
        lambda before, result, after, user: (
            after.published_by == user
            and after.published_at is not None
            and after.version == before.version + 1
            and Claim.objects.filter(pk=before.claim_id, status="verified", verdict=before.verdict).exists()
        ),
    ),
    "return_to_draft": (
        lambda review, user: workflow.return_to_draft(review, by=user, comment="Add a second source."),
        lambda before, result, after, user: (
            after.editor_comment == "Add a second source." and after.version == before.version + 1
        ),
    ),
    "return_to_draft without a comment": (
        lambda review, user: workflow.return_to_draft(review, by=user, comment="   "),
        None,
    ),
    "add_evidence": (
        lambda review, user: workflow.add_evidence(review, by=user, url="https://example.org/new"),
        lambda before, result, after, user: (
            after.evidence.count() == 2 and after.evidence.filter(added_by=user, url="https://example.org/new").exists()
        ),
    ),
    "add_evidence with an ftp URL": (
        lambda review, user: workflow.add_evidence(review, by=user, url="ftp://example.org/new"),
        None,
    ),
    "update_evidence": (
        lambda review, user: workflow.update_evidence(first_evidence(review), {"title": "Edited"}, by=user),
        lambda before, result, after, user: list(after.evidence.values_list("title", flat=True)) == ["Edited"],
    ),
    "update_evidence of its review": (
        lambda review, user: workflow.update_evidence(first_evidence(review), {"review": None}, by=user),
        None,
    ),
    "update_evidence to an ftp URL": (
        lambda review, user: workflow.update_evidence(first_evidence(review), {"url": "ftp://example.org/x"}, by=user),
        None,
    ),
    "delete_evidence": (
        lambda review, user: workflow.delete_evidence(first_evidence(review), by=user),
        lambda before, result, after, user: not after.evidence.exists(),
    ),
}


def outcome_name(outcome):
    return outcome.__name__ if isinstance(outcome, type) else outcome


CASES = [
    pytest.param(action, state, role, outcome, id=f"{action} | {state} | {role} -> {outcome_name(outcome)}")
    for action, state, *outcomes in RULES
    for role, outcome in zip(ROLES, outcomes, strict=True)
]


@pytest.mark.parametrize(("action", "state", "role", "outcome"), CASES)
def test_the_workflow_allows_or_refuses_each_action_by_role_and_state(people, action, state, role, outcome):
    review = review_in(state, people["author"])
    user = people[role]
    call, allowed = ACTIONS[action]
    if isinstance(outcome, type):
        with nothing_changed(), pytest.raises(Exception) as refused:
            call(review, user)
        assert refused.type is outcome, refused.value
        return
    before = Review.objects.get(pk=review.pk)
    result = call(review, user)
    after = Review.objects.filter(pk=review.pk).first()
    if outcome == GONE:
        assert after is None
        after = before
    elif action == "create_review":
        assert result.state == outcome
    else:
        assert after.state == outcome
    assert allowed(before, result, after, user)


def test_every_action_of_the_workflow_and_every_state_has_rows():
    names = {"create_review", "update_review", "delete_review", "submit", "publish", "return_to_draft"}
    names |= {"add_evidence", "update_evidence", "delete_evidence"}
    covered = {(action, state) for action, state, *_ in RULES}
    assert {(name, state) for name in names for state in Review.State.values} <= covered


def test_a_status_that_follows_the_reviews_moves_the_claims_version():
    """A client holding the claim from before a review started cannot overwrite what followed."""
    from claims import services
    from factcheck.exceptions import Conflict

    claim = ClaimFactory()
    read = claim.version
    review = write_review(claim, ReviewerFactory())
    claim.refresh_from_db()
    assert (claim.status, claim.version) == ("in_review", read + 1)
    with nothing_changed(), pytest.raises(Conflict):
        services.update_claim(claim, by=review.author, version=read, claimant="Stale copy")


def test_an_edit_that_changes_nothing_writes_nothing():
    author = ReviewerFactory()
    review = workflow.create_review(ClaimFactory(), by=author, verdict=Verdict.FALSE, rating_text="Wrong", summary="S")
    with nothing_changed():
        result = workflow.update_review(
            review, {"verdict": Verdict.FALSE, "summary": "S"}, by=author, version=review.version
        )
    assert (result.pk, result.version) == (review.pk, review.version)


def test_resending_the_verdict_keeps_a_custom_rating_text():
    author = ReviewerFactory()
    review = workflow.create_review(ClaimFactory(), by=author, verdict=Verdict.FALSE, rating_text="Wrong")
    review = workflow.update_review(
        review, {"verdict": Verdict.FALSE, "summary": "Why."}, by=author, version=review.version
    )
    assert (review.rating_text, review.summary) == ("Wrong", "Why.")
    review = workflow.update_review(review, {"verdict": Verdict.MIXED}, by=author, version=review.version)
    assert review.rating_text == "Mixed", "a new verdict without a rating text takes the verdict's label"
