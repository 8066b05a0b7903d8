"""Near-duplicate claims: ``claims/{id}/similar/`` and ``claims/similar/?text=``, scored, best first."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.api.filters import TEXT_MAX_LENGTH
from claims.models import Claim
from claims.similarity import similar_claims, trigram_similarity
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

LIBERATED = "Zelensky said his troops had liberated more than 30 towns in two days."
LIBERATED_AGAIN = "Ukrainian troops liberated more than 30 towns in two days, the president said."
LIBERATED_VILLAGES = "Troops liberated 12 villages near Kharkiv in two days."
RATES = "The central bank raised its main interest rate to 4.75% on Thursday."


def claim_on(quote, **fields):
    """A claim whose quote is ``quote``, in an article of its own."""
    article = ArticleFactory(body=f"Report. {quote} End of report.")
    start = article.body.index(quote)
    return ClaimFactory(article=article, quote=quote, start=start, end=start + len(quote), **fields)


@pytest.fixture
def claims():
    return {
        "liberated": claim_on(LIBERATED),
        "again": claim_on(LIBERATED_AGAIN),
        "villages": claim_on(LIBERATED_VILLAGES),
        "rates": claim_on(RATES),
    }


# --- The measure -----------------------------------------------------------------------------------


def test_trigram_similarity_is_one_for_the_same_words_and_zero_for_none_in_common():
    assert trigram_similarity("Troops left Izium.", "troops LEFT izium") == 1.0
    assert trigram_similarity("abc", "xyz") == 0.0
    assert trigram_similarity("", "anything") == 0.0
    assert 0 < trigram_similarity(LIBERATED, LIBERATED_AGAIN) < 1


@pytest.mark.postgres
def test_the_python_measure_is_pg_trgm_similarity():
    pairs = [
        (LIBERATED, LIBERATED_AGAIN),
        (LIBERATED, RATES),
        ("word", "two words"),
        ("Kharkiv, 120 km", "kharkiv 120km"),
        ("Denís Pushilin", "Denis Pushilin"),
    ]
    with connection.cursor() as cursor:
        for a, b in pairs:
            cursor.execute("SELECT similarity(%s, %s)", [a, b])
            assert trigram_similarity(a, b) == pytest.approx(cursor.fetchone()[0], abs=1e-6)


# --- The API ---------------------------------------------------------------------------------------


def test_similar_claims_are_near_duplicates_best_first_without_the_claim_itself(reviewer_client, claims):
    response = reviewer_client.get(f"/api/v1/claims/{claims['liberated'].pk}/similar/")
    assert response.status_code == 200
    matches = response.json()
    ids = [match["claim"]["id"] for match in matches]
    assert ids[0] == claims["again"].pk
    assert claims["liberated"].pk not in ids
    assert claims["rates"].pk not in ids
    scores = [match["score"] for match in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.3 <= score <= 1 for score in scores)
    assert matches[0]["claim"]["quote"] == LIBERATED_AGAIN


def test_similar_to_a_text_finds_the_claim_already_checked(reviewer_client, claims):
    response = reviewer_client.get("/api/v1/claims/similar/", {"text": "Ukrainian troops liberated 30 towns in 2 days"})
    assert response.status_code == 200
    ids = [match["claim"]["id"] for match in response.json()]
    assert ids[0] == claims["again"].pk
    assert claims["rates"].pk not in ids


def test_the_reviewed_wording_counts_as_much_as_the_quote(reviewer_client):
    claim = claim_on(
        "It has been decided to regroup the forces deployed in the Balaklya and Izium regions.",
        claim_reviewed="Russian forces in the Izium region were regrouped to reinforce Donetsk.",
    )
    response = reviewer_client.get(
        "/api/v1/claims/similar/", {"text": "Russian forces in Izium were regrouped to reinforce Donetsk"}
    )
    assert [match["claim"]["id"] for match in response.json()] == [claim.pk]


def test_an_identical_statement_scores_one(reviewer_client, claims):
    response = reviewer_client.get("/api/v1/claims/similar/", {"text": RATES.upper()})
    assert response.json()[0] == {"kind": "claim", "claim": response.json()[0]["claim"], "score": 1.0}
    assert response.json()[0]["claim"]["id"] == claims["rates"].pk


def test_limit_caps_the_number_of_matches(reviewer_client, claims):
    response = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED, "limit": 1})
    assert len(response.json()) == 1


def test_anonymous_clients_see_only_verified_similar_claims(anon, claims):
    verified = claim_on("His troops liberated more than 30 towns in 2 days.", verified=True)
    verified.refresh_from_db()
    assert verified.status == Claim.Status.VERIFIED
    response = anon.get("/api/v1/claims/similar/", {"text": LIBERATED})
    assert [match["claim"]["id"] for match in response.json()] == [verified.pk]
    assert anon.get(f"/api/v1/claims/{claims['again'].pk}/similar/").status_code == 404


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x" * (TEXT_MAX_LENGTH + 1)}, "text"),
        ({"text": "troops", "limit": 0}, "limit"),
        ({"text": "troops", "limit": 51}, "limit"),
        ({"text": "troops", "limit": "ten"}, "limit"),
        ({"text": "troops\x00liberated"}, "text"),
    ],
)
def test_bad_similar_queries_are_refused_with_400(reviewer_client, params, field):
    response = reviewer_client.get("/api/v1/claims/similar/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("text", ["!!! ???", "—", "Жовтень", "الأحد"])
def test_text_without_matches_returns_an_empty_list(reviewer_client, claims, text):
    response = reviewer_client.get("/api/v1/claims/similar/", {"text": text})
    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize(
    ("scale", "limit"),
    [
        # The table's size; the threshold; one search per field; the claims; their tags. Then the
        # external fact-checks (none here): their table's size and the text's words; the threshold (in
        # a savepoint: two statements more in a test); the search.
        ("small", 13),
        # The table's size and the text's words; word statistics; up to three candidate lookups;
        # the scores; the claims; their tags. Then the external fact-checks: their table's size and
        # the text's words; their word statistics; one query finding, scoring and reading them.
        pytest.param("large", 13, marks=pytest.mark.postgres),
    ],
)
def test_similar_answers_in_a_fixed_number_of_queries(
    request, scale, limit, reviewer_client, django_assert_max_num_queries
):
    if scale == "large":
        request.getfixturevalue("at_scale")
    for n in range(25):
        claim_on(f"Troops liberated more than {n + 30} towns in two days near Kharkiv.")
    with django_assert_max_num_queries(limit):
        response = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED_VILLAGES, "limit": 20})
    assert len(response.json()) == 20


def test_similar_claims_excludes_the_given_claim(claims):
    matches = similar_claims(LIBERATED, Claim.objects.all(), exclude=claims["liberated"].pk)
    assert claims["liberated"].pk not in [match["claim"].pk for match in matches]
    assert matches[0]["claim"] == claims["again"]


# --- PostgreSQL: the trigram indexes ---------------------------------------------------------------


@pytest.mark.postgres
def test_the_trigram_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'claims_claim'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"claim_quote_trgm", "claim_reviewed_trgm"} <= names


@pytest.mark.postgres
def test_the_similar_queries_go_through_the_trigram_indexes(claims):
    with CaptureQueriesContext(connection) as queries:
        similar_claims(LIBERATED, Claim.objects.all(), limit=5)
    searches = [query["sql"] for query in queries.captured_queries if "similarity(" in query["sql"].lower()]
    assert len(searches) == 2
    with connection.cursor() as cursor:
        # A table this small is cheaper to scan; forbid that to see which index the query can use.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for sql in searches:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "claim_quote_trgm" in plans[0]
    assert "claim_reviewed_trgm" in plans[1]


# --- PostgreSQL at scale: candidates sharing the text's rarest words --------------------------------


@pytest.fixture
def at_scale(monkeypatch):
    """Take the path of large tables whatever this table's size (its reltuples is -1 before ANALYZE)."""
    from claims import similarity

    monkeypatch.setattr(similarity, "EXACT_UP_TO", -2)
    monkeypatch.setitem(similarity._word_frequencies, "read_at", None)


@pytest.mark.postgres
def test_at_scale_near_duplicates_are_found_best_first(reviewer_client, claims, at_scale):
    response = reviewer_client.get(f"/api/v1/claims/{claims['liberated'].pk}/similar/")
    assert response.status_code == 200
    ids = [match["claim"]["id"] for match in response.json()]
    assert ids[0] == claims["again"].pk
    assert claims["liberated"].pk not in ids
    assert claims["rates"].pk not in ids


@pytest.mark.postgres
def test_at_scale_a_small_table_gets_the_exact_answer(claims, monkeypatch):
    from claims import similarity

    texts = [LIBERATED, "Ukrainian troops liberated 30 towns in 2 days", RATES.upper(), "Troops near Kharkiv"]
    exact = [similar_claims(text, Claim.objects.all()) for text in texts]
    monkeypatch.setattr(similarity, "EXACT_UP_TO", -2)
    assert [similar_claims(text, Claim.objects.all()) for text in texts] == exact
    assert all(exact[:3])


def test_the_rarest_words_are_the_ones_the_statistics_do_not_count_as_common(monkeypatch):
    from claims import similarity

    monkeypatch.setitem(similarity._word_frequencies, "read_at", float("inf"))
    monkeypatch.setitem(similarity._word_frequencies, "frequencies", {"troop": 0.5, "liber": 0.2, "day": 0.01})
    assert similarity.rarest(["troop", "liber", "kharkiv", "day", "town", "liber"]) == ["kharkiv", "town", "day"]


@pytest.mark.postgres
def test_tsquery_literals_keep_quotes_and_backslashes_as_they_are():
    from claims.similarity import tsquery

    words = ["it's", "back\\slash", "plain"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_to_tsvector(%s) @@ %s::tsquery", [["it's", "back\\slash"], tsquery(words, "&")])
        assert cursor.fetchone()[0] is False
        cursor.execute("SELECT array_to_tsvector(%s) @@ %s::tsquery", [words, tsquery(words, "&")])
        assert cursor.fetchone()[0] is True
