"""Object-level authorisation: every endpoint × every role, on drafts, other reviewers' work, users and tokens.

Each row of a matrix is one request; each column the status a role must get. A refused write must
leave the database as it was; a permitted one is rolled back before the next role (or row) tries,
so every request meets the same world. A failure lists every row and role that differs.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.models import Claim
from reviews.models import Review
from tests.factories import (
    SENTENCES,
    ArticleFactory,
    ClaimFactory,
    EditorFactory,
    EvidenceFactory,
    ReviewerFactory,
    ReviewFactory,
    UserFactory,
)
from tests.snapshots import database_rows

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
    return SimpleNamespace(
        users={
            "author": author,
            "other_reviewer": other,
            "editor": editor,
            "superuser": superuser,
            "outsider": outsider,
        },
        private_article=private_article,
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
    )


def api_client(world, role):
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    return client


def run_as_every_role(world, method, url, body=None):
    """The status each role gets, and whether each refusal left the database as it was.

    Every request runs in a transaction rolled back afterwards, so each role meets the same world.
    """
    statuses, unchanged_after_refusal = {}, {}
    before = database_rows() if method != "get" else None
    for role in ROLES:
        with transaction.atomic():
            response = getattr(api_client(world, role), method)(url, body, format="json")
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
    "create a claim": (
        "post",
        "/api/v1/claims/",
        lambda w: {"article": w.private_article.pk, "quote": SENTENCES[3]},
        expect(401, 403, 201, 201, 201),
    ),
    "edit a claim in review": (
        "patch",
        "/api/v1/claims/{in_review.pk}/",
        {"claimant": "Someone else"},
        expect(401, 403, 200, 200, 200),
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
        {"status": "accepted"},
        expect(401, 403, 200, 200, 200),
    ),
    "dismiss a candidate claim": (
        "patch",
        "/api/v1/claims/{candidate.pk}/",
        {"status": "dismissed"},
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
        {"summary": "Changed."},
        expect(401, 403, 200, 404, 200),
    ),
    "edit another reviewer's draft": (
        "patch",
        "/api/v1/reviews/{other_draft.pk}/",
        {"summary": "Changed."},
        expect(401, 403, 404, 200, 200),
    ),
    "edit a submitted review": (
        "patch",
        "/api/v1/reviews/{submitted.pk}/",
        {"summary": "Changed."},
        expect(401, 403, 409, 403, 200),
    ),
    "edit a published review": (
        "patch",
        "/api/v1/reviews/{published.pk}/",
        {"summary": "Changed."},
        expect(401, 403, 409, 409, 409),
    ),
    "delete the author's draft": ("delete", "/api/v1/reviews/{draft.pk}/", None, expect(401, 403, 204, 404, 204)),
    "delete a submitted review": ("delete", "/api/v1/reviews/{submitted.pk}/", None, expect(401, 403, 409, 403, 409)),
    "delete a published review": ("delete", "/api/v1/reviews/{published.pk}/", None, expect(401, 403, 409, 409, 409)),
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
    for name, (method, url, body, expected) in WRITES.items():
        body = body(world) if callable(body) else body
        statuses, unchanged = run_as_every_role(world, method, url.format(**vars(world)), body)
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
