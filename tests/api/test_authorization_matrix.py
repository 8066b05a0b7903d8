"""Object-level authorisation: every endpoint × every role, on drafts, other reviewers' work, users and tokens.

Each row of a matrix is one request; each column the status a role must get. A refused write must
leave the database as it was; a permitted one is rolled back before the next role (or row) tries,
so every request meets the same world. A failure lists every row and role that differs. The last
matrix is every endpoint × every ``Authorization`` header that does not authenticate: all 401.
"""

import base64
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.models import Claim, Claimant
from reviews.models import Review
from tests.factories import (
    SENTENCES,
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EvidenceFactory,
    ExternalFactCheckFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
)
from tests.snapshots import changed_tables, database_rows
from tests.versions import if_match, version_of

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "author", "other_reviewer", "editor", "superuser")


def expect(anonymous, outsider, author, other_reviewer, editor, superuser=None):
    """The status each role must get (the superuser, unless given, as the editor)."""
    statuses = (anonymous, outsider, author, other_reviewer, editor, editor if superuser is None else superuser)
    return dict(zip(ROLES, statuses, strict=True))


@pytest.fixture
def world():
    """Two reviewers' work in every state, an editor, a superuser and someone outside the newsroom."""
    author, other = ReviewerFactory(), ReviewerFactory()
    editor = EditorFactory()
    superuser = get_user_model().objects.create_superuser("chief", "chief@example.org", "correct horse")
    outsider = UserFactory(is_staff=False)

    private_article = ArticleFactory()
    candidate = ClaimFactory(article=private_article, sentence=0, status=Claim.Status.CANDIDATE)
    in_review = ClaimFactory(article=private_article, sentence=1, in_review=True, review__author=author)
    draft = in_review.reviews.get()
    other_draft = ReviewFactory(claim=in_review, author=other, state="draft")
    submitted = ReviewFactory(claim=ClaimFactory(article=private_article, sentence=2), author=author, state="submitted")
    published = ReviewFactory(author=author, state="published")
    verified = published.claim
    superseded = ReviewFactory(claim=verified, author=author, state="superseded")
    public_claimant = Claimant.objects.create(name="Kremlin", type="government")
    private_claimant = Claimant.objects.create(name="Vitali Ganchev", type="person")
    duplicate_claimant = Claimant.objects.create(name="The Kremlin press office", type="government")
    Claim.objects.filter(pk=verified.pk).update(claimant_entity=public_claimant)
    Claim.objects.filter(pk=candidate.pk).update(claimant_entity=private_claimant)
    Claim.objects.filter(pk=in_review.pk).update(assignee=author)  # the author works on it
    return SimpleNamespace(
        public_claimant=public_claimant,
        private_claimant=private_claimant,
        duplicate_claimant=duplicate_claimant,
        users={
            "author": author,
            "other_reviewer": other,
            "editor": editor,
            "superuser": superuser,
            "outsider": outsider,
        },
        private_article=private_article,
        german_article=ArticleFactory(language="de", body="Die Preise stiegen im August um 9,4 Prozent."),
        public_article=verified.article,
        candidate=candidate,
        in_review=in_review,
        verified=verified,
        draft=draft,
        other_draft=other_draft,
        submitted=submitted,
        published=published,
        superseded=superseded,
        draft_evidence=EvidenceFactory(review=draft),
        other_draft_evidence=EvidenceFactory(review=other_draft),
        submitted_evidence=EvidenceFactory(review=submitted),
        published_evidence=EvidenceFactory(review=published),
        external=ExternalFactCheckFactory(),
    )


def api_client(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    return client


def run_as_every_role(world, method, url, body=None, headers=None):
    """The status each role gets, and whether each refusal left the database as it was.

    Every request runs in a transaction rolled back afterwards, so each role meets the same world.
    """
    statuses, unchanged_after_refusal = {}, {}
    before = database_rows() if method != "get" else None
    for role in ROLES:
        with transaction.atomic():
            response = getattr(api_client(world, role), method)(url, body, format="json", **(headers or {}))
            statuses[role] = response.status_code
            if response.status_code >= 400:
                assert response["Content-Type"] == "application/json", (role, response.content)
                if before is not None:
                    unchanged_after_refusal[role] = database_rows() == before
            transaction.set_rollback(True)
    return statuses, unchanged_after_refusal


READS = {
    "the public article": ("/api/v1/articles/{public_article.pk}/", expect(200, 200, 200, 200, 200)),
    "an article with no verified claim": ("/api/v1/articles/{private_article.pk}/", expect(404, 404, 200, 200, 200)),
    "a verified claim": ("/api/v1/claims/{verified.pk}/", expect(200, 200, 200, 200, 200)),
    "a candidate claim": ("/api/v1/claims/{candidate.pk}/", expect(404, 404, 200, 200, 200)),
    "a claim in review": ("/api/v1/claims/{in_review.pk}/", expect(404, 404, 200, 200, 200)),
    "history of a verified claim": ("/api/v1/claims/{verified.pk}/history/", expect(200, 200, 200, 200, 200)),
    "history of a claim in review": ("/api/v1/claims/{in_review.pk}/history/", expect(404, 404, 200, 200, 200)),
    "claims similar to one in review": ("/api/v1/claims/{in_review.pk}/similar/", expect(404, 404, 200, 200, 200)),
    "the author's draft": ("/api/v1/reviews/{draft.pk}/", expect(404, 404, 200, 404, 200)),
    "another reviewer's draft": ("/api/v1/reviews/{other_draft.pk}/", expect(404, 404, 404, 200, 200)),
    "a submitted review": ("/api/v1/reviews/{submitted.pk}/", expect(404, 404, 200, 200, 200)),
    "a published review": ("/api/v1/reviews/{published.pk}/", expect(200, 200, 200, 200, 200)),
    "a superseded review": ("/api/v1/reviews/{superseded.pk}/", expect(404, 404, 200, 200, 200)),
    "evidence list of the author's draft": ("/api/v1/reviews/{draft.pk}/evidence/", expect(404, 404, 200, 404, 200)),
    "evidence list of a published review": (
        "/api/v1/reviews/{published.pk}/evidence/",
        expect(200, 200, 200, 200, 200),
    ),
    "evidence of the author's draft": ("/api/v1/evidence/{draft_evidence.pk}/", expect(404, 404, 200, 404, 200)),
    "evidence of another reviewer's draft": (
        "/api/v1/evidence/{other_draft_evidence.pk}/",
        expect(404, 404, 404, 200, 200),
    ),
    "evidence of a submitted review": ("/api/v1/evidence/{submitted_evidence.pk}/", expect(404, 404, 200, 200, 200)),
    "evidence of a published review": ("/api/v1/evidence/{published_evidence.pk}/", expect(200, 200, 200, 200, 200)),
    "claimants": ("/api/v1/claimants/", expect(200, 200, 200, 200, 200)),
    "the events feed (each sees their own events)": ("/api/v1/events/", expect(200, 200, 200, 200, 200)),
    "events of a newsroom type": ("/api/v1/events/?type=review.submitted", expect(200, 200, 200, 200, 200)),
    "a claimant of a verified claim": ("/api/v1/claimants/{public_claimant.pk}/", expect(200, 200, 200, 200, 200)),
    "a claimant with no verified claim": (
        "/api/v1/claimants/{private_claimant.pk}/",
        expect(404, 404, 200, 200, 200),
    ),
    "the external fact-checks (public)": ("/api/v1/external-fact-checks/", expect(200, 200, 200, 200, 200)),
    "an external fact-check (public)": ("/api/v1/external-fact-checks/{external.pk}/", expect(200, 200, 200, 200, 200)),
    "a user list (there is none)": ("/api/v1/users/", expect(404, 404, 404, 404, 404)),
    "a token list (there is none)": ("/api/v1/auth/tokens/", expect(404, 404, 404, 404, 404)),
}


def differences(expected, actual):
    """Only the roles whose status differs: ``{role: (expected, actual)}``."""
    return {role: (status, actual[role]) for role, status in expected.items() if actual[role] != status}


def test_who_may_read_what(world):
    mismatches = {}
    for name, (url, expected) in READS.items():
        statuses, _ = run_as_every_role(world, "get", url.format(**vars(world)))
        if statuses != expected:
            mismatches[name] = differences(expected, statuses)
    assert not mismatches, f"(expected, got) by row and role: {mismatches}"


WRITES = {
    "write to the events feed (read-only)": ("post", "/api/v1/events/", {}, expect(401, 403, 405, 405, 405)),
    "create an article": (
        "post",
        "/api/v1/articles/",
        {"title": "T", "body": "A new report."},
        expect(401, 403, 201, 201, 201),
    ),
    "edit an unpublished article": (
        "patch",
        "/api/v1/articles/{private_article.pk}/",
        {"title": "Renamed"},
        expect(401, 403, 200, 200, 200),
    ),
    "extract claims from an article": (
        "post",
        "/api/v1/articles/{private_article.pk}/extract/",
        None,
        expect(401, 403, 200, 200, 200),
    ),
    "score sentences' check-worthiness (stores nothing)": (
        "post",
        "/api/v1/check-worthiness/",
        {"sentences": [SENTENCES[0]]},
        expect(401, 403, 200, 200, 200),
    ),
    "extract claims from an article in another language": (
        "post",
        "/api/v1/articles/{german_article.pk}/extract/",
        None,
        expect(401, 403, 422, 422, 422),
    ),
    "create a claimant": (
        "post",
        "/api/v1/claimants/",
        {"name": "Ministry of Health", "same_as": ["https://example.org/moh"]},
        expect(401, 403, 403, 403, 201),
    ),
    "edit a claimant": (
        "patch",
        "/api/v1/claimants/{public_claimant.pk}/",
        lambda w: {"description": "The Russian presidency.", "version": version_of(w.public_claimant)},
        expect(401, 403, 403, 403, 200),
    ),
    "edit a claimant the public cannot see": (
        "patch",
        "/api/v1/claimants/{private_claimant.pk}/",
        lambda w: {"type": "organization", "version": version_of(w.private_claimant)},
        expect(401, 403, 403, 403, 200),
    ),
    "merge a claimant into another": (
        "post",
        "/api/v1/claimants/{duplicate_claimant.pk}/merge/",
        lambda w: {"into": w.public_claimant.pk},
        expect(401, 403, 403, 403, 200),
    ),
    "import fact-checks from elsewhere (editors)": (
        "post",
        "/api/v1/imports/claimreview/",
        {
            "@type": "ClaimReview",
            "url": "https://checks.example.org/1",
            "claimReviewed": "Troops liberated 30 towns.",
            "reviewRating": {"alternateName": "False"},
        },
        expect(401, 403, 403, 403, 201),
    ),
    "create a claim": (
        "post",
        "/api/v1/claims/",
        lambda w: {"article": w.private_article.pk, "quote": SENTENCES[3]},
        expect(401, 403, 201, 201, 201),
    ),
    "confirm a candidate as an appearance of the verified claim": (
        "post",
        "/api/v1/claims/{candidate.pk}/match/",
        lambda w: {"claim": w.verified.pk},
        expect(401, 403, 200, 200, 200),
    ),
    "match a verified claim (it has a review of its own) to another": (
        "post",
        "/api/v1/claims/{verified.pk}/match/",
        lambda w: {"claim": w.in_review.pk},
        expect(401, 403, 409, 409, 409),
    ),
    "undo a match the claim does not have": (
        "delete",
        "/api/v1/claims/{candidate.pk}/match/",
        None,
        expect(401, 403, 409, 409, 409),
    ),
    "reject a pair never to suggest": (
        "post",
        "/api/v1/claims/{candidate.pk}/match/reject/",
        lambda w: {"claim": w.verified.pk},
        expect(401, 403, 200, 200, 200),
    ),
    # Assignment (claims.services.check_assignment): editors assign anyone; reviewers take and release.
    "take an unassigned candidate": (
        "post",
        "/api/v1/claims/{candidate.pk}/assign/",
        {"assignee": "me"},
        expect(401, 403, 200, 200, 200),
    ),
    "take a verified claim": (
        "post",
        "/api/v1/claims/{verified.pk}/assign/",
        {"assignee": "me"},
        expect(401, 403, 200, 200, 200),
    ),
    "take the claim the author has": (
        "post",
        "/api/v1/claims/{in_review.pk}/assign/",
        {"assignee": "me"},
        expect(401, 403, 200, 403, 200),
    ),
    "release the claim the author has": (
        "post",
        "/api/v1/claims/{in_review.pk}/assign/",
        {"assignee": None},
        expect(401, 403, 200, 403, 200),
    ),
    "assign a candidate to the other reviewer": (
        "post",
        "/api/v1/claims/{candidate.pk}/assign/",
        lambda w: {"assignee": w.users["other_reviewer"].username},
        expect(401, 403, 403, 200, 200),
    ),
    "assign a candidate to someone outside the newsroom": (
        "post",
        "/api/v1/claims/{candidate.pk}/assign/",
        lambda w: {"assignee": w.users["outsider"].username},
        expect(401, 403, 400, 400, 400),
    ),
    "assign a candidate to the author by PATCH": (
        "patch",
        "/api/v1/claims/{candidate.pk}/",
        lambda w: {"assignee": w.users["author"].username, "version": version_of(w.candidate)},
        expect(401, 403, 200, 403, 200),
    ),
    "edit a claim in review": (
        "patch",
        "/api/v1/claims/{in_review.pk}/",
        lambda w: {"claimant": "Someone else", "version": version_of(w.in_review)},
        expect(401, 403, 200, 200, 200),
    ),
    "edit a claim in review naming no version": (
        "patch",
        "/api/v1/claims/{in_review.pk}/",
        {"claimant": "Someone else"},
        expect(401, 403, 428, 428, 428),
    ),
    "edit a claim in review with If-Match": (
        "patch",
        "/api/v1/claims/{in_review.pk}/",
        {"claimant": "Someone else"},
        expect(401, 403, 200, 200, 200),
        lambda w: if_match(w.in_review),
    ),
    # The published record changes only through a correction (issue #13), whoever asks.
    "edit a verified claim's record outside a correction": (
        "patch",
        "/api/v1/claims/{verified.pk}/",
        lambda w: {"claim_reviewed": "Changed", "version": Claim.objects.get(pk=w.verified.pk).version},
        expect(401, 403, 409, 409, 409),
    ),
    "edit a verified claim's quote outside a correction": (
        "patch",
        "/api/v1/claims/{verified.pk}/",
        lambda w: {"start": 0, "end": 6, "version": Claim.objects.get(pk=w.verified.pk).version},
        expect(401, 403, 409, 409, 409),
    ),
    "resend a verified claim's record unchanged": (
        "patch",
        "/api/v1/claims/{verified.pk}/",
        lambda w: {"claimant": w.verified.claimant, "version": Claim.objects.get(pk=w.verified.pk).version},
        expect(401, 403, 200, 200, 200),
    ),
    "tag a verified claim (tags are not in the record)": (
        "patch",
        "/api/v1/claims/{verified.pk}/",
        lambda w: {"tags": ["kharkiv"], "version": Claim.objects.get(pk=w.verified.pk).version},
        expect(401, 403, 200, 200, 200),
    ),
    "edit the article of a verified claim outside a correction": (
        "patch",
        "/api/v1/articles/{public_article.pk}/",
        {"url": "https://attacker.example.net/"},
        expect(401, 403, 409, 409, 409),
    ),
    "submit a published review": (
        "post",
        "/api/v1/reviews/{published.pk}/submit/",
        None,
        expect(401, 403, 409, 409, 409),
    ),
    "accept a candidate claim": (
        "patch",
        "/api/v1/claims/{candidate.pk}/",
        lambda w: {"status": "accepted", "version": version_of(w.candidate)},
        expect(401, 403, 200, 200, 200),
    ),
    "dismiss a candidate claim": (
        "patch",
        "/api/v1/claims/{candidate.pk}/",
        lambda w: {"status": "dismissed", "version": version_of(w.candidate)},
        expect(401, 403, 400, 400, 200),
    ),
    "start a review": (
        "post",
        "/api/v1/reviews/",
        lambda w: {"claim": w.in_review.pk, "verdict": "false"},
        expect(401, 403, 201, 201, 201),
    ),
    "edit the author's draft": (
        "patch",
        "/api/v1/reviews/{draft.pk}/",
        lambda w: {"summary": "Changed.", "version": version_of(w.draft)},
        expect(401, 403, 200, 404, 200),
    ),
    "edit the author's draft with If-Match": (
        "patch",
        "/api/v1/reviews/{draft.pk}/",
        {"summary": "Changed."},
        expect(401, 403, 200, 404, 200),
        lambda w: if_match(w.draft),
    ),
    "edit the author's draft naming no version": (
        "patch",
        "/api/v1/reviews/{draft.pk}/",
        {"summary": "Changed."},
        expect(401, 403, 428, 404, 428),
    ),
    "replace the author's draft naming no version": (
        "put",
        "/api/v1/reviews/{draft.pk}/",
        lambda w: {"claim": w.in_review.pk, "verdict": "false", "summary": "Changed."},
        expect(401, 403, 428, 404, 428),
    ),
    "edit another reviewer's draft": (
        "patch",
        "/api/v1/reviews/{other_draft.pk}/",
        lambda w: {"summary": "Changed.", "version": version_of(w.other_draft)},
        expect(401, 403, 404, 200, 200),
    ),
    "edit a submitted review": (
        "patch",
        "/api/v1/reviews/{submitted.pk}/",
        lambda w: {"summary": "Changed.", "version": version_of(w.submitted)},
        expect(401, 403, 409, 403, 200),
    ),
    "edit a published review": (
        "patch",
        "/api/v1/reviews/{published.pk}/",
        lambda w: {"summary": "Changed.", "version": version_of(w.published)},
        expect(401, 403, 409, 409, 409),
    ),
    "delete the author's draft": (
        "delete",
        "/api/v1/reviews/{draft.pk}/",
        None,
        expect(401, 403, 204, 404, 204),
        lambda w: if_match(w.draft),
    ),
    "delete the author's draft naming no version": (
        "delete",
        "/api/v1/reviews/{draft.pk}/",
        None,
        expect(401, 403, 428, 404, 428),
    ),
    "delete the author's draft at a stale version": (
        "delete",
        "/api/v1/reviews/{draft.pk}/",
        None,
        expect(401, 403, 412, 404, 412),
        lambda w: {"HTTP_IF_MATCH": f'"{version_of(w.draft) + 1}"'},
    ),
    "delete a submitted review": (
        "delete",
        "/api/v1/reviews/{submitted.pk}/",
        None,
        expect(401, 403, 409, 403, 409),
        lambda w: if_match(w.submitted),
    ),
    "delete a published review": (
        "delete",
        "/api/v1/reviews/{published.pk}/",
        None,
        expect(401, 403, 409, 409, 409),
        lambda w: if_match(w.published),
    ),
    "submit the author's draft": ("post", "/api/v1/reviews/{draft.pk}/submit/", None, expect(401, 403, 200, 404, 200)),
    "publish a submitted review": (
        "post",
        "/api/v1/reviews/{submitted.pk}/publish/",
        None,
        expect(401, 403, 403, 403, 200),
    ),
    "publish a draft": ("post", "/api/v1/reviews/{draft.pk}/publish/", None, expect(401, 403, 403, 404, 409)),
    "return a submitted review": (
        "post",
        "/api/v1/reviews/{submitted.pk}/return/",
        {"comment": "Add a source."},
        expect(401, 403, 403, 403, 200),
    ),
    "add evidence to the author's draft": (
        "post",
        "/api/v1/reviews/{draft.pk}/evidence/",
        {"url": "https://example.org/new"},
        expect(401, 403, 201, 404, 201),
    ),
    "add evidence to a published review": (
        "post",
        "/api/v1/reviews/{published.pk}/evidence/",
        {"url": "https://example.org/new"},
        expect(401, 403, 409, 409, 409),
    ),
    "edit evidence of the author's draft": (
        "patch",
        "/api/v1/evidence/{draft_evidence.pk}/",
        {"title": "Changed"},
        expect(401, 403, 200, 404, 200),
    ),
    "edit evidence of a submitted review": (
        "patch",
        "/api/v1/evidence/{submitted_evidence.pk}/",
        {"title": "Changed"},
        expect(401, 403, 409, 403, 200),
    ),
    "edit evidence of a published review": (
        "patch",
        "/api/v1/evidence/{published_evidence.pk}/",
        {"title": "Changed"},
        expect(401, 403, 409, 409, 409),
    ),
    "delete evidence of the author's draft": (
        "delete",
        "/api/v1/evidence/{draft_evidence.pk}/",
        None,
        expect(401, 403, 204, 404, 204),
    ),
    "delete evidence of another reviewer's draft": (
        "delete",
        "/api/v1/evidence/{other_draft_evidence.pk}/",
        None,
        expect(401, 403, 404, 204, 204),
    ),
    "delete evidence of a published review": (
        "delete",
        "/api/v1/evidence/{published_evidence.pk}/",
        None,
        expect(401, 403, 409, 409, 409),
    ),
}


def test_who_may_change_what_and_refusals_change_nothing(world):
    mismatches, leaks = {}, {}
    for name, (method, url, body, expected, *headers) in WRITES.items():
        body = body(world) if callable(body) else body
        headers = headers[0](world) if headers else None
        statuses, unchanged = run_as_every_role(world, method, url.format(**vars(world)), body, headers)
        if statuses != expected:
            mismatches[name] = differences(expected, statuses)
        if not all(unchanged.values()):
            leaks[name] = [role for role, same in unchanged.items() if not same]
    assert not mismatches, f"(expected, got) by row and role: {mismatches}"
    assert not leaks, f"refused requests that changed the database, by row: {leaks}"


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("anonymous", {"published"}),
        ("outsider", {"published"}),
        ("author", {"draft", "submitted", "published", "superseded"}),
        ("other_reviewer", {"other_draft", "submitted", "published", "superseded"}),
        ("editor", {"draft", "other_draft", "submitted", "published", "superseded"}),
    ],
)
def test_review_lists_show_each_role_only_what_it_may_read(world, role, visible):
    reviews = {
        name: getattr(world, name).pk for name in ("draft", "other_draft", "submitted", "published", "superseded")
    }
    listed = {review["id"] for review in api_client(world, role).get("/api/v1/reviews/").json()["results"]}
    assert listed == {reviews[name] for name in visible}


@pytest.mark.parametrize(("role", "sees_unverified"), [("anonymous", False), ("outsider", False), ("author", True)])
def test_claim_and_article_lists_hide_unverified_work_from_the_public(world, role, sees_unverified):
    client = api_client(world, role)
    claims = {claim["id"] for claim in client.get("/api/v1/claims/").json()["results"]}
    articles = {article["id"] for article in client.get("/api/v1/articles/").json()["results"]}
    assert (world.candidate.pk in claims) is sees_unverified
    assert (world.in_review.pk in claims) is sees_unverified
    assert (world.private_article.pk in articles) is sees_unverified
    assert world.verified.pk in claims
    assert world.public_article.pk in articles


@pytest.mark.parametrize(("role", "sees_draft"), [("author", True), ("other_reviewer", False), ("editor", True)])
def test_claim_history_hides_other_reviewers_drafts(world, role, sees_draft):
    entries = api_client(world, role).get(f"/api/v1/claims/{world.in_review.pk}/history/").json()
    reviews_in_history = {entry["object_id"] for entry in entries if entry["model"] == "review"}
    assert (world.draft.pk in reviews_in_history) is sees_draft


def test_public_history_shows_only_published_work(world):
    entries = APIClient().get(f"/api/v1/claims/{world.verified.pk}/history/").json()
    reviews_in_history = {entry["object_id"] for entry in entries if entry["model"] == "review"}
    assert reviews_in_history <= {world.published.pk, world.superseded.pk}


def test_the_public_never_sees_an_editors_comment(world):
    Review.objects.filter(pk=world.published.pk).update(editor_comment="Internal: check the second source.")
    for path in (f"/api/v1/reviews/{world.published.pk}/", f"/api/v1/claims/{world.verified.pk}/"):
        assert "Internal" not in APIClient().get(path).content.decode()


def test_a_token_revokes_only_its_own_users_tokens(world):
    _, author_token = AuthToken.objects.create(user=world.users["author"])
    _, other_token = AuthToken.objects.create(user=world.users["other_reviewer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {author_token}")
    assert client.post("/api/v1/auth/token/revoke-all/").status_code == 204
    assert AuthToken.objects.filter(user=world.users["other_reviewer"]).count() == 1
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_token}")
    assert other.get("/api/v1/reviews/").status_code == 200


ADMIN_PAGES = {
    "the user list": ("/admin/auth/user/", expect(302, 302, 403, 403, 403, 200)),
    "a user's page": ("/admin/auth/user/{author_pk}/change/", expect(302, 302, 403, 403, 403, 200)),
    "the token list": ("/admin/knox/authtoken/", expect(302, 302, 403, 403, 403, 200)),
    "the author's draft": ("/admin/reviews/review/{draft_pk}/change/", expect(302, 302, 200, 302, 200, 200)),
    "another reviewer's draft": (
        "/admin/reviews/review/{other_draft_pk}/change/",
        expect(302, 302, 302, 200, 200, 200),
    ),
}


def test_who_may_open_which_admin_page(world):
    mismatches = {}
    for name, (url, expected) in ADMIN_PAGES.items():
        url = url.format(
            author_pk=world.users["author"].pk, draft_pk=world.draft.pk, other_draft_pk=world.other_draft.pk
        )
        statuses = {}
        for role in ROLES:
            client = Client()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = client.get(url)
            statuses[role] = response.status_code
            if response.status_code == 302 and role not in ("anonymous", "outsider"):
                # Django's admin answers an object outside the user's queryset by redirecting to the index.
                assert "/admin/login/" not in response["Location"], (name, role)
        if statuses != expected:
            mismatches[name] = differences(expected, statuses)
    assert not mismatches, f"(expected, got) by page and role: {mismatches}"


def test_reviewers_cannot_change_users_in_the_admin(world):
    client = Client()
    client.force_login(world.users["author"])
    victim = world.users["editor"]
    response = client.post(f"/admin/auth/user/{victim.pk}/password/", {"password1": "x" * 20, "password2": "x" * 20})
    assert response.status_code == 403
    victim.refresh_from_db()
    assert victim.check_password("correct horse battery staple")


# --- credentials that do not authenticate: 401 everywhere, never the anonymous view ------------------

BASIC = "Basic " + base64.b64encode(b"chief:correct horse").decode()


def bad_credentials(world):
    """``Authorization`` headers that name no one, by what is wrong with them."""
    author = world.users["author"]
    _, expired = AuthToken.objects.create(user=author, expiry=timedelta(seconds=-1))
    revoked_token, revoked = AuthToken.objects.create(user=author)
    revoked_token.delete()
    _, of_a_disabled_user = AuthToken.objects.create(user=world.users["outsider"])
    world.users["outsider"].is_active = False
    world.users["outsider"].save()
    return {
        "an unknown token": "Token 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "an unknown Bearer token": "Bearer 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0",
        "Bearer and anything": "Bearer anything",
        "a bare Bearer": "Bearer",
        "a bare Token": "Token",
        "Bearer with two words": "Bearer a b",
        "an expired token": f"Token {expired}",
        "an expired token as Bearer": f"Bearer {expired}",
        "a revoked token": f"Bearer {revoked}",
        "a token of a disabled user": f"Token {of_a_disabled_user}",
        "a superuser's password as Basic": BASIC,
        "an unknown scheme": "Digest username=chief",
        "a bare key without a scheme": expired,
        "an empty header": "",
        "blanks": "   ",
    }


def every_endpoint(world):
    """(method, url, body) of every operation: the reads and writes above, the exports, the schema, the docs."""
    yield from (
        ("get", url.format(**vars(world)), None) for url, expected in READS.values() if set(expected.values()) != {404}
    )
    for method, url, body, *_ in WRITES.values():
        yield method, url.format(**vars(world)), body(world) if callable(body) else body
    yield from [
        ("get", "/api/v1/claims/", None),
        ("get", "/api/v1/reviews/", None),
        ("get", "/api/v1/articles/", None),
        ("get", "/api/v1/claims/similar/?text=liberated", None),
        ("get", "/api/v1/exports/claims", None),
        ("get", "/api/v1/exports/claims?format=csv", None),
        ("head", "/api/v1/exports/claims?format=ndjson", None),
        ("get", "/api/v1/schema/", None),
        ("get", "/api/v1/docs/", None),
        ("get", "/api/v1/redoc/", None),
        ("options", "/api/v1/claims/", None),
        ("post", "/api/v1/auth/token/revoke/", None),
        ("post", "/api/v1/auth/token/revoke-all/", None),
    ]


def refused_as_unauthenticated(response):
    """A 401 with a JSON ``detail`` (HEAD: no body) and a ``WWW-Authenticate`` naming both schemes."""
    return (
        response.status_code == 401
        and response["Content-Type"] == "application/json"
        and (response.request["REQUEST_METHOD"] == "HEAD" or response.json().get("detail"))
        and "Token" in response["WWW-Authenticate"]
        and "Bearer" in response["WWW-Authenticate"]
    )


def refusals(requests, headers, client=None):
    """The requests (method, url, body) × headers that did not get ``refused_as_unauthenticated``."""
    wrong = {}
    for method, url, body in requests:
        for name, header in headers.items():
            response = getattr(client or APIClient(), method)(url, body, format="json", HTTP_AUTHORIZATION=header)
            if not refused_as_unauthenticated(response):
                wrong[(method, url, name)] = (response.status_code, response.content[:100])
    return wrong


# One of each kind of endpoint: a public list, a public object, a newsroom object, a write, a delete,
# an export, the schema, the docs, token revocation.
SAMPLE_ENDPOINTS = [
    ("get", "/api/v1/claims/", None),
    ("get", "/api/v1/reviews/{published.pk}/", None),
    ("get", "/api/v1/reviews/{draft.pk}/", None),
    ("patch", "/api/v1/reviews/{draft.pk}/", {"summary": "Changed.", "version": 1}),
    ("delete", "/api/v1/evidence/{draft_evidence.pk}/", None),
    ("get", "/api/v1/exports/claims?format=csv", None),
    ("get", "/api/v1/schema/", None),
    ("get", "/api/v1/docs/", None),
    ("post", "/api/v1/auth/token/revoke/", None),
    ("post", "/api/v1/check-worthiness/", {"sentences": ["The ministry said 2,000 soldiers were killed."]}),
    ("get", "/api/v1/claimants/", None),
    ("post", "/api/v1/claimants/{duplicate_claimant.pk}/merge/", {"into": 1}),
]


def sample_endpoints(world):
    return [(method, url.format(**vars(world)), body) for method, url, body in SAMPLE_ENDPOINTS]


def test_an_authorization_header_that_does_not_authenticate_is_a_401_on_every_endpoint(world):
    """Whatever the endpoint, anonymous reads included: never the anonymous view, and nothing written."""
    credentials = bad_credentials(world)
    some = {name: credentials[name] for name in ("Bearer and anything", "an unknown token", "an empty header")}
    before = database_rows()
    wrong = refusals(every_endpoint(world), some)
    assert not wrong, f"{len(wrong)} requests not refused as 401: {wrong}"
    assert database_rows() == before


def test_every_kind_of_wrong_credentials_is_a_401(world):
    credentials = bad_credentials(world)
    before = database_rows()
    wrong = refusals(sample_endpoints(world), credentials)
    assert not wrong, f"{len(wrong)} requests not refused as 401: {wrong}"
    # Presenting an expired token deletes it; nothing else changed.
    assert [table for table in changed_tables(before, database_rows()) if table != "knox_authtoken"] == []


def test_a_session_does_not_rescue_a_wrong_authorization_header(world):
    """A browser logged in to the admin that sends a wrong header gets the 401, not the session's user."""
    client = APIClient()
    client.force_login(world.users["editor"])
    before = database_rows()
    wrong = refusals(sample_endpoints(world), {"Bearer": "Bearer anything", "Basic": BASIC}, client)
    assert not wrong, f"{len(wrong)} requests not refused as 401: {wrong}"
    assert database_rows() == before


@pytest.mark.parametrize("scheme", ["Token", "Bearer", "token", "BEARER"])
def test_a_valid_token_works_under_either_scheme_on_every_endpoint(world, scheme):
    """The same statuses as the author's column of the matrices above, with the key as Token or Bearer."""
    _, key = AuthToken.objects.create(user=world.users["author"])
    client = APIClient()
    mismatches = {}
    for name, (url, expected) in READS.items():
        response = client.get(url.format(**vars(world)), HTTP_AUTHORIZATION=f"{scheme} {key}")
        if response.status_code != expected["author"]:
            mismatches[name] = (expected["author"], response.status_code)
    for name, (method, url, body, expected, *headers) in WRITES.items():
        body = body(world) if callable(body) else body
        headers = headers[0](world) if headers else {}
        with transaction.atomic():
            response = getattr(client, method)(
                url.format(**vars(world)), body, format="json", HTTP_AUTHORIZATION=f"{scheme} {key}", **headers
            )
            transaction.set_rollback(True)
        if response.status_code != expected["author"]:
            mismatches[name] = (expected["author"], response.status_code)
    assert not mismatches, f"(expected, got) by row: {mismatches}"


def test_without_an_authorization_header_a_session_still_authenticates(world):
    client = APIClient()
    client.force_login(world.users["author"])
    assert client.get(f"/api/v1/reviews/{world.draft.pk}/").status_code == 200
    # Writes through a session still need the CSRF token, as before.
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(world.users["author"])
    response = strict.patch(
        f"/api/v1/reviews/{world.draft.pk}/", {"summary": "x"}, format="json", **if_match(world.draft)
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
