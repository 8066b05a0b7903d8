"""The admin at archive scale: a fixed number of queries per page, no count of every row."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims import services
from claims.models import Article, Claim, Tag
from factcheck.admin_paginator import EstimatedCountPaginator
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_filter_choices():
    """The admin's filter choices are cached; each test starts from its own database state."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def editor_admin(client):
    client.force_login(EditorFactory())
    return client


def _queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def _add_rows(count, tag):
    for _ in range(count):
        claim = ClaimFactory(verdict="false", claimant="The ministry")
        claim.tags.add(tag)
        ReviewFactory(claim=claim, summary="Official figures contradict the statement.")


CHANGELISTS = [
    "/admin/claims/claim/",
    "/admin/claims/claim/?status__exact=accepted",
    "/admin/claims/claim/?verdict=false",
    "/admin/claims/claim/?claimant=The+ministry",
    "/admin/claims/claim/?tags__id__exact={tag}",
    "/admin/claims/claim/?q=ministry",
    "/admin/claims/claim/?o=5",
    "/admin/claims/claim/?assignee=me",
    "/admin/claims/claim/?assignee=none&status__in=candidate,accepted",
    "/admin/claims/article/",
    "/admin/claims/article/?o=5",
    "/admin/claims/article/?q=Article",
    "/admin/reviews/review/",
    "/admin/reviews/review/?state__exact=draft",
    "/admin/reviews/review/?q=ministry",
    "/admin/reviews/review/?returned=yes&author=me",
    "/admin/claims/tag/",
]


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_the_rows_on_the_page(editor_admin, url):
    tag = Tag.objects.create(name="economy")
    url = url.format(tag=tag.pk)
    _add_rows(2, tag)
    few = _queries(editor_admin, url)
    _add_rows(6, tag)
    many = _queries(editor_admin, url)
    assert len(many) == len(few), "\n".join(many)


def test_article_list_counts_each_articles_claims_without_grouping_every_article(editor_admin):
    busy = ArticleFactory(title="Busy article")
    for sentence in range(3):
        ClaimFactory(article=busy, sentence=sentence)
    ArticleFactory(title="Quiet article")
    sql = _queries(editor_admin, "/admin/claims/article/")
    assert not any('JOIN "claims_claim"' in query for query in sql), sql
    html = editor_admin.get("/admin/claims/article/", {"o": "-5"}).content.decode()
    assert re.search(r"Busy article.*?field-claim_count\">3<", html, re.S)
    assert re.search(r"Quiet article.*?field-claim_count\">0<", html, re.S)
    assert html.index("Busy article") < html.index("Quiet article")


def test_verdict_filter_offers_every_verdict_without_reading_the_claims(editor_admin):
    rated = ClaimFactory(verdict="mostly_true", status="verified")
    unrated = ClaimFactory(verdict="")
    sql = _queries(editor_admin, "/admin/claims/claim/")
    assert not any("DISTINCT" in query and '"verdict"' in query for query in sql), sql
    html = editor_admin.get("/admin/claims/claim/").content.decode()
    assert "?verdict=unverifiable" in html and "?verdict=none" in html
    rated_page = editor_admin.get("/admin/claims/claim/", {"verdict": "mostly_true"}).content.decode()
    assert f"/admin/claims/claim/{rated.pk}/change/" in rated_page
    assert f"/admin/claims/claim/{unrated.pk}/change/" not in rated_page
    unrated_page = editor_admin.get("/admin/claims/claim/", {"verdict": "none"}).content.decode()
    assert f"/admin/claims/claim/{unrated.pk}/change/" in unrated_page
    assert f"/admin/claims/claim/{rated.pk}/change/" not in unrated_page


def test_claimant_filter_is_counted_once_then_reused(editor_admin):
    claim = ClaimFactory(claimant="")
    services.update_claim(claim, by=EditorFactory(), version=claim.version, claimant="Harbour authority")
    first = _queries(editor_admin, "/admin/claims/claim/")
    with CaptureQueriesContext(connection) as second:
        html = editor_admin.get("/admin/claims/claim/").content.decode()
    assert "Harbour authority (1)" in html  # the claimant entity, with its claims counted
    assert len(second.captured_queries) < len(first)
    assert not any("GROUP BY" in query["sql"] for query in second.captured_queries)


def test_review_search_finds_the_claims_words_and_the_summary(editor_admin):
    by_claim = ReviewFactory(claim=ClaimFactory(claimant="Harbour authority"), summary="Checked.")
    by_summary = ReviewFactory(summary="The harbour figures were revised.")
    other = ReviewFactory(summary="Nothing to see.")
    html = editor_admin.get("/admin/reviews/review/", {"q": "harbour"}).content.decode()
    assert f"/admin/reviews/review/{by_claim.pk}/change/" in html
    assert f"/admin/reviews/review/{by_summary.pk}/change/" in html
    assert f"/admin/reviews/review/{other.pk}/change/" not in html


def test_reviewer_search_in_reviews_still_hides_other_reviewers_drafts(client):
    reviewer = ReviewerFactory()
    client.force_login(reviewer)
    theirs = ReviewFactory(summary="harbour draft")
    mine = ReviewFactory(author=reviewer, summary="harbour draft")
    html = client.get("/admin/reviews/review/", {"q": "harbour"}).content.decode()
    assert f"/admin/reviews/review/{mine.pk}/change/" in html
    assert f"/admin/reviews/review/{theirs.pk}/change/" not in html


def test_change_pages_do_not_list_every_article_or_claim(editor_admin):
    claims = ClaimFactory.create_batch(3)
    claim_page = editor_admin.get(f"/admin/claims/claim/{claims[0].pk}/change/").content.decode()
    review_page = editor_admin.get("/admin/reviews/review/add/").content.decode()
    for other in claims[1:]:
        assert f'<option value="{other.article_id}"' not in claim_page
        assert f'<option value="{other.pk}"' not in review_page


def test_paginator_counts_exactly_on_sqlite_and_for_small_tables():
    ClaimFactory.create_batch(3)
    assert EstimatedCountPaginator(Claim.objects.all(), 2).count == 3
    assert EstimatedCountPaginator(Claim.objects.filter(status="accepted"), 2).count == 3


@pytest.mark.postgres
def test_unfiltered_claim_list_takes_the_table_estimate_instead_of_counting_it(editor_admin, monkeypatch):
    ClaimFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE claims_claim")
    monkeypatch.setattr(EstimatedCountPaginator, "estimate_above", 1)
    editor_admin.get("/admin/claims/claim/")  # the claimant filter's choices, cached from now on
    with CaptureQueriesContext(connection) as captured:
        html = editor_admin.get("/admin/claims/claim/").content.decode()
    sql = [query["sql"] for query in captured.captured_queries]
    counts = [query for query in sql if "COUNT(" in query.upper() and "claims_claim" in query]
    assert counts == [], counts
    assert any("reltuples" in query for query in sql)
    assert "3 claims" in html


@pytest.mark.postgres
def test_filtered_claim_list_counts_at_most_the_limit_then_estimates(editor_admin, monkeypatch):
    ClaimFactory.create_batch(5)
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", 10)
    assert EstimatedCountPaginator(Claim.objects.filter(status="accepted"), 2).count == 5
    monkeypatch.setattr(EstimatedCountPaginator, "count_limit", 3)
    with CaptureQueriesContext(connection) as captured:
        count = EstimatedCountPaginator(Claim.objects.filter(status="accepted"), 2).count
    assert count >= 4
    bounded, explained = (query["sql"] for query in captured.captured_queries)
    assert "LIMIT 4" in bounded
    assert explained.startswith("EXPLAIN")


@pytest.mark.postgres
def test_unfiltered_list_of_a_never_analysed_or_small_table_is_counted_exactly():
    ArticleFactory.create_batch(2)
    assert EstimatedCountPaginator(Article.objects.all(), 1).count == 2


@pytest.mark.postgres
def test_admin_article_search_can_use_trigram_indexes(editor_admin):
    ArticleFactory()
    [sql] = [sql for sql in _queries(editor_admin, "/admin/claims/article/?q=harvest") if "LIKE" in sql][:1]
    with connection.cursor() as cursor:
        # A table this small is cheaper to scan: forbid that to see which indexes the search can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    used = set(re.findall(r"Bitmap Index Scan on (\w+)", plan))
    assert {f"article_{column}_upper_trgm" for column in ("title", "url", "publisher", "author")} <= used


@pytest.mark.parametrize(
    "url",
    [
        "/admin/autocomplete/?app_label=claims&model_name=claim&field_name=article&term=a%00b",
        "/admin/autocomplete/?app_label=reviews&model_name=review&field_name=claim&term=a%00b",
        "/admin/claims/article/?q=a%00b",
        "/admin/reviews/review/?q=a%00b",
    ],
)
def test_a_search_term_with_a_nul_character_is_no_server_error(editor_admin, url):
    ReviewFactory()
    assert editor_admin.get(url).status_code < 500
