"""Invariants the database itself enforces, whatever code path writes (SQLite and PostgreSQL)."""

import pytest
from django.db import IntegrityError, transaction

from claims.models import Article, Claim
from reviews.models import Evidence, Review
from tests.factories import ArticleFactory, ClaimFactory, ReviewFactory

pytestmark = pytest.mark.django_db


def refused(callable_):
    with pytest.raises(IntegrityError), transaction.atomic():
        callable_()


def test_a_quote_that_is_not_at_its_offsets_is_refused_on_insert():
    article = ArticleFactory(body="Alpha said the bridge was closed.")
    refused(lambda: Claim.objects.create(article=article, quote="Bravo", start=0, end=5))
    assert not Claim.objects.exists()


def test_a_quote_cannot_be_moved_off_its_text_by_an_update():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(start=claim.start + 1, end=claim.end + 1))
    claim.refresh_from_db()
    assert claim.article.body[claim.start : claim.end] == claim.quote


def test_offsets_count_characters_not_bytes():
    article = ArticleFactory(body="«Зеленський» said “30 towns” were liberated.")
    start = article.body.index("“30 towns”")
    claim = Claim.objects.create(article=article, quote="“30 towns”", start=start, end=start + 10)
    assert claim.pk


def test_article_body_cannot_change_under_its_claims():
    claim = ClaimFactory()
    refused(lambda: Article.objects.filter(pk=claim.article_id).update(body="Completely different text " * 10))
    assert Article.objects.get(pk=claim.article_id).body == claim.article.body


def test_article_body_may_change_where_no_claim_points():
    claim = ClaimFactory()
    Article.objects.filter(pk=claim.article_id).update(body=claim.article.body + " An added sentence.")


@pytest.mark.parametrize(
    ("start", "end"),
    [(-1, 4), (5, 5), (6, 2)],
)
def test_negative_or_inverted_offsets_are_refused(start, end):
    article = ArticleFactory(body="Alpha said the bridge was closed.")
    refused(lambda: Claim.objects.create(article=article, quote="Alpha", start=start, end=end))


def test_check_worthiness_outside_0_1_is_refused():
    claim = ClaimFactory()
    refused(lambda: Claim.objects.filter(pk=claim.pk).update(check_worthiness=1.5))


def test_unknown_status_verdict_state_and_stance_are_refused():
    review = ReviewFactory()
    refused(lambda: Claim.objects.filter(pk=review.claim_id).update(status="maybe"))
    refused(lambda: Review.objects.filter(pk=review.pk).update(verdict="pants_on_fire"))
    refused(lambda: Review.objects.filter(pk=review.pk).update(state="archived"))
    refused(lambda: Evidence.objects.create(review=review, url="https://x.org", stance="agrees"))


def test_two_published_reviews_of_one_claim_are_refused():
    first = ReviewFactory(state="published")
    second = ReviewFactory(claim=first.claim, state="submitted")
    refused(lambda: Review.objects.filter(pk=second.pk).update(state="published", published_at=first.published_at))
    assert Review.objects.filter(claim=first.claim, state="published").count() == 1


def test_any_number_of_superseded_and_draft_reviews_may_coexist():
    claim = ReviewFactory(state="published").claim
    for state in ["superseded", "superseded", "draft", "submitted"]:
        ReviewFactory(claim=claim, state=state)
    assert claim.reviews.count() == 5


def test_same_body_twice_is_refused_by_the_content_hash():
    ArticleFactory(body="One body.")
    refused(lambda: ArticleFactory(body="One body."))


def test_non_http_urls_are_refused_by_the_database():
    review = ReviewFactory()
    refused(lambda: Evidence.objects.create(review=review, url="ftp://x.org/file"))
    refused(lambda: Evidence.objects.create(review=review, url="https://x.org", archive_url="javascript:x"))
    refused(lambda: Article.objects.create(title="t", body="b", url="file:///etc/passwd"))


def _spans(body, count):
    words = [(i, i + len(w)) for i, w in ((body.index(f"word{n} "), f"word{n}") for n in range(count))]
    return words


@pytest.mark.parametrize("count", [3, 30])
def test_bulk_inserts_are_checked_claim_by_claim(count):
    body = "Ünïcode «quotes» first. " + " ".join(f"word{n} is here." for n in range(count))
    article = ArticleFactory(body=body)
    good = [Claim(article=article, quote=body[s:e], start=s, end=e) for s, e in _spans(body, count)]
    bad = list(good)
    s, e = good[-1].start, good[-1].end
    bad[-1] = Claim(article=article, quote=body[s + 1 : e + 1], start=s, end=e)
    refused(lambda: Claim.objects.bulk_create(bad))
    assert not Claim.objects.exists()
    Claim.objects.bulk_create(good)
    assert Claim.objects.count() == count
