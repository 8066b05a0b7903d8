"""The claims services called directly: what the API, the admin, the commands and the seed loader rely on."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from claims import services
from claims.models import Article, Claim
from claims.similarity import similar_claims
from claims.text import search_text
from factcheck.concurrency import ANY_VERSION
from factcheck.exceptions import Conflict, PreconditionFailed, PreconditionRequired
from reviews import workflow
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

pytestmark = pytest.mark.django_db

BODY = "The ministry said 2,000 soldiers were killed in three days.\nThe city had 45,000 people."


def ingest(**fields):
    return services.ingest_article(**{"title": "Report", "body": BODY, **fields})


def errors_of(excinfo):
    return excinfo.value.message_dict


# --- ingest_article: same body, same article ------------------------------------------------------


def test_ingesting_a_new_body_creates_the_article_recording_who_did_it():
    user = ReviewerFactory()
    article, created = ingest(url="https://news.example.org/a", by=user)
    assert created
    assert Article.objects.get() == article
    assert article.created_by == user
    assert article.content_hash == Article.hash_of(BODY)


def test_the_same_body_again_returns_the_stored_article_unchanged_whatever_the_other_fields_say():
    first, _ = ingest(title="First", url="https://news.example.org/a")
    again, created = ingest(title="Second", url="not a url at all", language="??")
    assert not created
    assert again.pk == first.pk
    assert Article.objects.get().title == "First"


def test_windows_and_old_mac_line_ends_are_the_same_body():
    first, _ = ingest()
    for variant in (BODY.replace("\n", "\r\n"), BODY.replace("\n", "\r")):
        again, created = ingest(body=variant)
        assert (again.pk, created) == (first.pk, False)
    assert services.stored_article(BODY.replace("\n", "\r\n")) == first


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": "   \n "}, "body", "The article body is empty."),
        ({"body": "x" * 500_001}, "body", "Ensure this field has no more than 500000 characters."),
        ({"url": "ftp://news.example.org/a"}, "url", "Enter a valid http:// or https:// URL."),
        ({"url": "https://taken.example.org/"}, "url", "Another article already has this url."),
        ({"title": ""}, "title", "This field may not be blank."),
        ({"title": "t" * 501}, "title", "Ensure this field has no more than 500 characters."),
        ({"language": "english please"}, "language", "Enter a BCP 47 language code such as 'en' or 'pt-BR'."),
    ],
)
def test_a_new_article_is_validated_in_full_and_refused_naming_the_field(fields, field, message):
    ArticleFactory(url="https://taken.example.org/", body="Another text entirely.")
    with pytest.raises(ValidationError) as excinfo:
        ingest(**fields)
    assert errors_of(excinfo) == {field: [message]}
    assert Article.objects.count() == 1


def test_every_refused_field_is_named_at_once_in_field_order():
    with pytest.raises(ValidationError) as excinfo:
        ingest(title="", url="ftp://x.org/", language="!!")
    assert list(errors_of(excinfo)) == ["title", "url", "language"]


def test_a_blank_url_is_stored_as_none_so_it_never_clashes():
    first, _ = ingest(url="")
    second, _ = ingest(url="", body="A different text.")
    assert first.url is None and second.url is None


# --- update_article: the body is frozen once claims exist -------------------------------------------


def test_the_body_of_an_article_with_claims_cannot_change_but_other_fields_can():
    claim = ClaimFactory()
    article = claim.article
    with pytest.raises(ValidationError) as excinfo:
        services.update_article(Article.objects.get(pk=article.pk), body="New text.")
    assert errors_of(excinfo) == {
        "body": ["The body cannot change once claims have been taken from it: their offsets point into it."]
    }
    assert Article.objects.get(pk=article.pk).body == article.body
    services.update_article(Article.objects.get(pk=article.pk), title="Better title", body=article.body)
    assert Article.objects.get(pk=article.pk).title == "Better title"


def test_the_body_of_an_article_without_claims_may_change_and_is_rehashed():
    article, _ = ingest()
    services.update_article(article, body="New text.\r\nSecond line.")
    article.refresh_from_db()
    assert article.body == "New text.\nSecond line."
    assert article.content_hash == Article.hash_of("New text.\nSecond line.")


def test_an_article_cannot_take_another_articles_url_but_keeps_its_own():
    ArticleFactory(url="https://taken.example.org/")
    article, _ = ingest(url="https://mine.example.org/")
    services.update_article(article, url="https://mine.example.org/")
    with pytest.raises(ValidationError) as excinfo:
        services.update_article(article, url="https://taken.example.org/")
    assert errors_of(excinfo) == {"url": ["Another article already has this url."]}
    assert Article.objects.get(pk=article.pk).url == "https://mine.example.org/"


# --- create_claim -----------------------------------------------------------------------------------


def test_claimed_at_defaults_to_the_day_the_article_was_published():
    article = ArticleFactory(published_at=datetime.datetime(2022, 9, 10, 23, 30, tzinfo=datetime.UTC))
    claim = services.create_claim(article=article, quote=SENTENCES[0], by=ReviewerFactory())
    assert claim.claimed_at == datetime.date(2022, 9, 10)


def test_a_given_claimed_at_is_kept_and_an_undated_article_gives_none():
    article = ArticleFactory()
    claim = services.create_claim(article=article, quote=SENTENCES[0], claimed_at=datetime.date(2020, 1, 2))
    assert claim.claimed_at == datetime.date(2020, 1, 2)
    undated = ArticleFactory(published_at=None)
    assert services.create_claim(article=undated, quote=SENTENCES[1]).claimed_at is None


def test_a_claim_from_a_quote_finds_its_offsets_and_records_its_creator_tags_and_reason():
    article, user = ArticleFactory(), ReviewerFactory()
    claim = services.create_claim(article=article, quote=SENTENCES[2], tags=["Census", "war"], by=user, reason="r")
    assert article.body[claim.start : claim.end] == SENTENCES[2]
    assert claim.created_by == user
    assert sorted(claim.tags.values_list("name", flat=True)) == ["census", "war"]
    record = claim.history.earliest()
    assert (record.history_user, record.history_change_reason) == (user, "r")


@pytest.mark.parametrize(
    ("placement", "field"),
    [
        ({"quote": "not in the article"}, "quote"),
        ({"start": 0}, "start"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": 0, "end": 10_000}, "end"),
        ({"start": 0, "end": 6, "quote": "wrong!"}, "quote"),
    ],
)
def test_a_claim_must_sit_at_a_real_span_of_its_article(placement, field):
    with pytest.raises(ValidationError) as excinfo:
        services.create_claim(article=ArticleFactory(), **placement)
    assert list(errors_of(excinfo)) == [field]
    assert not Claim.objects.exists()


def test_the_same_span_cannot_be_claimed_twice():
    claim = ClaimFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.create_claim(article=claim.article, start=claim.start, end=claim.end)
    assert errors_of(excinfo) == {"start": ["The article already has a claim at this position."]}


@pytest.mark.parametrize(
    ("status", "editor", "allowed"),
    [
        (Claim.Status.ACCEPTED, False, True),
        (Claim.Status.DISMISSED, False, False),
        (Claim.Status.DISMISSED, True, True),
        (Claim.Status.IN_REVIEW, True, False),
        (Claim.Status.VERIFIED, True, False),
    ],
)
def test_a_new_claims_status_is_checked_as_triage_checks_it(status, editor, allowed):
    user = EditorFactory() if editor else ReviewerFactory()
    create = lambda: services.create_claim(article=ArticleFactory(), quote=SENTENCES[0], status=status, by=user)  # noqa: E731
    if allowed:
        assert create().status == status
    else:
        with pytest.raises(ValidationError) as excinfo:
            create()
        assert list(errors_of(excinfo)) == ["status"]
        assert not Claim.objects.exists()


# --- triage: who may set which status ---------------------------------------------------------------

REVIEWER, EDITOR = "reviewer", "editor"


@pytest.mark.parametrize(
    ("role", "start", "target", "allowed"),
    [
        (REVIEWER, "candidate", "accepted", True),
        (REVIEWER, "accepted", "candidate", True),
        (REVIEWER, "candidate", "dismissed", False),
        (EDITOR, "candidate", "dismissed", True),
        (EDITOR, "dismissed", "accepted", True),
        (EDITOR, "candidate", "in_review", False),
        (EDITOR, "accepted", "verified", False),
        (EDITOR, "in_review", "accepted", False),
        (EDITOR, "verified", "dismissed", False),
        (REVIEWER, "verified", "candidate", False),
    ],
)
def test_triage_by_role_and_status(role, start, target, allowed):
    user = EditorFactory() if role == EDITOR else ReviewerFactory()
    claim = ClaimFactory(status=start)
    if allowed:
        services.triage(claim, status=target, by=user)
        claim.refresh_from_db()
        assert (claim.status, claim.version) == (target, 2)
        record = claim.history.latest()
        assert (record.history_user, record.history_change_reason) == (user, f"triaged as {target}")
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.triage(claim, status=target, by=user)
        assert list(errors_of(excinfo)) == ["status"]
        claim.refresh_from_db()
        assert (claim.status, claim.version) == (start, 1)


@pytest.mark.parametrize("target", ["accepted", "dismissed"])
def test_a_user_outside_the_newsroom_cannot_triage(target):
    claim = ClaimFactory(status="candidate")
    with pytest.raises(PermissionDenied, match="Only reviewers and editors may triage claims"):
        services.triage(claim, status=target, by=UserFactory())
    assert not services.may_triage(claim, target, by=UserFactory())
    assert Claim.objects.get(pk=claim.pk).status == "candidate"


def test_triage_judges_the_claim_as_it_is_now_not_as_the_caller_read_it():
    claim = ClaimFactory(status="accepted")
    stale_copy = Claim.objects.get(pk=claim.pk)
    ReviewFactory(claim=claim)  # a draft: the claim is in review now
    with pytest.raises(ValidationError):
        services.triage(stale_copy, status="dismissed", by=EditorFactory())
    assert Claim.objects.get(pk=claim.pk).status == "in_review"


def test_triage_to_the_current_status_is_allowed_for_anyone_and_still_recorded():
    claim = ClaimFactory(status="dismissed")
    services.triage(claim, status="dismissed", by=ReviewerFactory())
    assert Claim.objects.get(pk=claim.pk).version == 2


# --- update_claim: versions and the locked copy -----------------------------------------------------


def test_update_claim_moves_the_version_by_one_and_records_who_changed_it():
    claim, user = ClaimFactory(), ReviewerFactory()
    updated = services.update_claim(claim, by=user, version=1, claimant="The mayor", tags=["x"])
    assert updated.version == 2
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.claimant, stored.version) == ("The mayor", 2)
    assert stored.history.latest().history_user == user
    with pytest.raises(PreconditionRequired):
        services.update_claim(stored, by=user, claimant="Nobody's copy")  # no version named: refused
    assert Claim.objects.get(pk=claim.pk).claimant == "The mayor"
    assert services.update_claim(stored, by=user, version=ANY_VERSION).version == 3  # on purpose: whatever it is


def test_a_stale_version_is_a_409_and_a_stale_if_match_a_412_and_nothing_changes():
    claim, user = ClaimFactory(), ReviewerFactory()
    services.update_claim(claim, by=user, version=1, claimant="First")
    with pytest.raises(Conflict):
        services.update_claim(claim, by=user, version=1, claimant="Second")
    with pytest.raises(PreconditionFailed):
        services.update_claim(claim, by=user, if_match=1, claimant="Second")
    stored = Claim.objects.get(pk=claim.pk)
    assert (stored.claimant, stored.version) == ("First", 2)


def test_update_claim_judges_the_status_of_the_claim_as_it_is_now_not_as_the_caller_read_it():
    claim = ClaimFactory(status="accepted")
    stale_copy = Claim.objects.get(pk=claim.pk)
    ReviewFactory(claim=claim)  # a draft: the claim is in review now
    with pytest.raises(ValidationError) as excinfo:
        services.update_claim(stale_copy, by=EditorFactory(), status="dismissed")
    assert errors_of(excinfo) == {"status": ["This claim is in_review; its status follows its reviews."]}


def test_update_claim_keeps_the_quote_what_the_span_covers():
    claim = ClaimFactory(sentence=0)
    body = claim.article.body
    updated = services.update_claim(claim, by=ReviewerFactory(), version=1, start=claim.start, end=claim.start + 12)
    assert updated.quote == body[claim.start : claim.start + 12]
    with pytest.raises(ValidationError) as excinfo:
        services.update_claim(claim, by=ReviewerFactory(), version=2, quote="something else")
    assert list(errors_of(excinfo)) == ["quote"]


def test_fields_a_claim_update_may_not_touch_are_refused():
    with pytest.raises(ValidationError) as excinfo:
        services.update_claim(ClaimFactory(), by=ReviewerFactory(), verdict="false")
    assert list(errors_of(excinfo)) == ["verdict"]


# --- one version bump for every workflow step ---------------------------------------------------------


def test_each_review_step_moves_the_review_one_version_on():
    editor = EditorFactory()
    review = ReviewFactory(author=editor)
    EvidenceFactory(review=review)
    versions = [review.version]
    for step in (
        lambda r: workflow.submit(r, by=editor),
        lambda r: workflow.return_to_draft(r, by=editor, comment="Cite the report."),
        lambda r: workflow.submit(r, by=editor),
        lambda r: workflow.publish(r, by=editor),
    ):
        review = step(review)
        review.refresh_from_db()
        versions.append(review.version)
    assert versions == [1, 2, 3, 4, 5]


def test_publishing_a_correction_moves_the_superseded_review_one_version_on():
    editor = EditorFactory()
    old = ReviewFactory(state="published")
    new = ReviewFactory(claim=old.claim, state="submitted")
    workflow.publish(new, by=editor)
    old.refresh_from_db()
    assert (old.state, old.version) == ("superseded", 2)


# --- extraction entry point ---------------------------------------------------------------------------


def test_extract_claims_stores_candidates_once():
    article, _ = ingest(published_at=timezone.now())
    created = services.extract_claims(article, by=ReviewerFactory())
    assert created and {claim.status for claim in created} == {"candidate"}
    assert services.extract_claims(article, by=ReviewerFactory()) == []
    assert Claim.objects.filter(article=article).count() == len(created)


def test_extraction_over_its_time_budget_raises_and_stores_nothing(settings):
    settings.FACTCHECK_EXTRACTION_TIME_LIMIT = 0
    article, _ = ingest()
    with pytest.raises(services.ExtractionTimeout):
        services.extract_claims(article)
    assert not Claim.objects.exists()


# --- NUL in search terms ------------------------------------------------------------------------------


def test_a_search_term_loses_nul_and_surrounding_space():
    assert search_text("\x00 ministry\x00soldiers \x00") == "ministry soldiers"


def test_search_and_similar_treat_nul_as_a_space():
    claim = ClaimFactory(sentence=0)
    assert list(Claim.objects.search("ministry\x00soldiers")) == [claim]
    assert list(Claim.objects.search("\x00")) == []
    assert [match["claim"] for match in similar_claims(SENTENCES[0].replace(" ", "\x00"), Claim.objects.all())] == [
        claim
    ]


# --- what "verified" means -----------------------------------------------------------------------------


def test_the_public_sees_exactly_the_verified_claims_and_their_articles():
    verified = ReviewFactory(state="published").claim
    ClaimFactory(status="accepted")
    ReviewFactory(state="draft")
    assert list(Claim.objects.verified()) == [verified]
    assert list(Claim.objects.visible_to(None)) == [verified]
    assert list(Article.objects.visible_to(None)) == [verified.article]
