"""Full-text ``search`` on claims: quote, reviewed wording and claimant; an index on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Article, Claim
from tests.factories import ArticleFactory, ClaimFactory, ReviewFactory
from tests.versions import version_of

pytestmark = pytest.mark.django_db


def claim_on(quote, **fields):
    article = ArticleFactory(body=f"Report. {quote} End of report.")
    start = article.body.index(quote)
    return ClaimFactory(article=article, quote=quote, start=start, end=start + len(quote), **fields)


@pytest.fixture
def claims():
    return {
        "towns": claim_on("His troops had liberated more than 30 towns in two days.", claimant="Volodymyr Zelensky"),
        "fighters": claim_on(
            "Its armed forces annihilated more than 2,000 combatants.",
            claimant="Russian Ministry of Defense",
            claim_reviewed="Russian forces killed more than 2,000 Ukrainian fighters in three days.",
        ),
        "izium": claim_on("Izium had a population of 45,000 before the war.", claimant=""),
        "rates": claim_on("The central bank raised rates to 4.75% on Thursday.", claimant="National Bank"),
    }


def found(client, query):
    response = client.get("/api/v1/claims/", {"search": query})
    assert response.status_code == 200
    return {claim["id"] for claim in response.json()["results"]}


def test_search_finds_words_in_the_quote(reviewer_client, claims):
    assert found(reviewer_client, "towns") == {claims["towns"].pk}


def test_search_finds_words_in_the_reviewed_wording_and_the_claimant(reviewer_client, claims):
    assert found(reviewer_client, "Ukrainian fighters") == {claims["fighters"].pk}
    assert found(reviewer_client, "Zelensky") == {claims["towns"].pk}


def test_every_word_must_match(reviewer_client, claims):
    assert found(reviewer_client, "days") == {claims["towns"].pk, claims["fighters"].pk}
    assert found(reviewer_client, "days Izium") == set()


def test_web_search_syntax_phrases_exclusions_and_or(reviewer_client, claims):
    assert found(reviewer_client, '"30 towns"') == {claims["towns"].pk}
    assert found(reviewer_client, "days -towns") == {claims["fighters"].pk}
    assert found(reviewer_client, "Izium or rates") == {claims["izium"].pk, claims["rates"].pk}


def test_search_ignores_case(reviewer_client, claims):
    assert found(reviewer_client, "IZIUM") == {claims["izium"].pk}


@pytest.mark.parametrize("query", ["!!!", "— …", '""'])
def test_a_search_without_words_matches_nothing(reviewer_client, claims, query):
    assert found(reviewer_client, query) == set()


def test_a_search_with_a_nul_character_is_refused(reviewer_client, claims):
    response = reviewer_client.get("/api/v1/claims/", {"search": "towns\x00"})
    assert response.status_code == 400
    assert "search" in response.json()


def test_anonymous_search_sees_verified_claims_only(anon, claims):
    ReviewFactory(state="published", claim=claims["izium"])
    assert found(anon, "Izium") == {claims["izium"].pk}
    assert found(anon, "towns") == set()


def test_search_combines_with_the_other_filters(reviewer_client, claims):
    claims["towns"].status = Claim.Status.CANDIDATE
    claims["towns"].save()
    response = reviewer_client.get("/api/v1/claims/", {"search": "days", "status": "candidate"})
    assert {claim["id"] for claim in response.json()["results"]} == {claims["towns"].pk}


def test_search_lists_in_a_fixed_number_of_queries(reviewer_client, django_assert_max_num_queries):
    for n in range(30):
        claim_on(f"Troops liberated {n + 10} villages near Kharkiv.")
    with django_assert_max_num_queries(6):
        response = reviewer_client.get("/api/v1/claims/", {"search": "villages Kharkiv"})
    assert len(response.json()["results"]) == 30


@pytest.mark.postgres
def test_search_matches_other_forms_of_a_word(reviewer_client, claims):
    assert found(reviewer_client, "liberate town") == {claims["towns"].pk}


def test_search_works_inside_subqueries_and_combined_querysets(claims):
    inner = Claim.objects.search("towns").values("pk")
    assert set(Claim.objects.filter(pk__in=inner).values_list("pk", flat=True)) == {claims["towns"].pk}
    articles = Article.objects.filter(pk__in=Claim.objects.search("towns").values("article_id"))
    assert set(articles.values_list("pk", flat=True)) == {claims["towns"].article_id}
    either = Claim.objects.search("Izium") | Claim.objects.search("rates")
    assert set(either.values_list("pk", flat=True)) == {claims["izium"].pk, claims["rates"].pk}


def test_the_search_follows_changes_to_the_quote_the_reviewed_wording_and_the_claimant(reviewer_client):
    claim = claim_on("Troops liberated Izium.", claimant="Volodymyr Zelensky", claim_reviewed="Izium is free.")
    body = claim.article.body
    start = body.index("End of report")
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/",
        {
            "start": start,
            "end": start + len("End of report"),
            "claim_reviewed": "The Kakhovka dam burst.",
            "claimant": "Mayor of Kherson",
            "version": version_of(claim),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["quote"] == "End of report"
    for word in ["report", "Kakhovka", "Kherson"]:
        assert found(reviewer_client, word) == {claim.pk}, word
    for word in ["Troops", "Izium", "Zelensky"]:
        assert found(reviewer_client, word) == set(), word


@pytest.mark.postgres
def test_the_search_index_exists_and_the_search_query_can_use_it(claims):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'claim_search_document'")
        assert "gin (search_document)" in cursor.fetchone()[0]
        # Replaced by the index on the stored document (migration 0005).
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'claim_search'")
        assert cursor.fetchone() is None
    with CaptureQueriesContext(connection) as queries:
        list(Claim.objects.search("liberated towns").order_by("-id")[:51])
    [sql] = [query["sql"] for query in queries.captured_queries]
    assert "to_tsvector" not in sql
    with connection.cursor() as cursor:
        # A table this small is cheaper to scan (or to walk backwards by id); forbid both to see
        # which index the query can use: GIN indexes are read by bitmap scans, which stay allowed.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_search_document" in plan


@pytest.mark.postgres
def test_the_search_document_of_verified_claims_has_an_index_of_its_own():
    # What anonymous searches read when PostgreSQL expects few matches (migration 0007).
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'claim_verified_search_document'")
        definition = cursor.fetchone()[0]
    assert "gin (search_document)" in definition
    assert "WHERE ((status)::text = 'verified'::text)" in definition


@pytest.mark.postgres
def test_the_stored_search_document_is_kept_current_by_the_database(claims):
    claim = claims["rates"]
    Claim.objects.filter(pk=claim.pk).update(claimant="Reserve Bank", claim_reviewed="Rates rose in Canberra.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_document::text FROM claims_claim WHERE id = %s", [claim.pk])
        document = cursor.fetchone()[0]
    assert "'canberra'" in document and "'reserv'" in document
    assert "'nation'" not in document


@pytest.mark.postgres
def test_claim_lists_details_and_exports_do_not_read_the_search_document(reviewer_client, claims):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM information_schema.columns"
            " WHERE table_name = 'claims_claim' AND column_name = 'search_document'"
        )
        assert cursor.fetchone() is not None
    ReviewFactory(state="published", claim=claims["towns"])
    requests = [
        ("/api/v1/claims/", {}),
        ("/api/v1/claims/", {"search": "towns"}),
        (f"/api/v1/claims/{claims['towns'].pk}/", {}),
        ("/api/v1/exports/claims/", {"search": "towns", "format": "ndjson"}),
    ]
    for url, params in requests:
        with CaptureQueriesContext(connection) as queries:
            response = reviewer_client.get(url, params)
            assert response.status_code == 200, url
            response.getvalue()  # a streamed export runs its queries while it is read
        selected = [query["sql"].split(" FROM ")[0] for query in queries.captured_queries]
        assert not [columns for columns in selected if "search_document" in columns], url
    assert found(reviewer_client, "towns") == {claims["towns"].pk}


@pytest.mark.skipif("connection.vendor == 'postgresql'")
def test_on_sqlite_the_postgresql_indexes_are_not_created():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'claim_%'")
        names = {row[0] for row in cursor.fetchall()}
    assert not names & {"claim_search", "claim_quote_trgm", "claim_reviewed_trgm"}
