"""External fact-checks similar to a text (``claims.similarity.similar_external_fact_checks``): the same
measure as claims, exact through the trigram index on small tables, the rarest words on large ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import ExternalFactCheck
from claims.similarity import MIN_SCORE, similar_external_fact_checks, trigram_similarity
from tests.factories import ExternalFactCheckFactory

pytestmark = pytest.mark.django_db

LIBERATED = "Zelensky said his troops had liberated more than 30 towns in two days."
TEXTS = [LIBERATED, "Ukrainian troops liberated 30 towns in 2 days", "THE CENTRAL BANK RAISED ITS RATE", "Kharkiv"]


@pytest.fixture
def fact_checks():
    return {
        "again": ExternalFactCheckFactory(claim_reviewed="Ukrainian troops liberated more than 30 towns in two days."),
        "villages": ExternalFactCheckFactory(claim_reviewed="Troops liberated 12 villages near Kharkiv in two days."),
        "rates": ExternalFactCheckFactory(claim_reviewed="The central bank raised its main interest rate to 4.75%."),
    }


def lookup(text, **kwargs):
    return similar_external_fact_checks(text, ExternalFactCheck.objects.all(), **kwargs)


def test_the_most_similar_come_first_above_the_threshold(fact_checks):
    matches = lookup(LIBERATED)
    assert [match["external_fact_check"] for match in matches][:2] == [fact_checks["again"], fact_checks["villages"]]
    assert fact_checks["rates"] not in [match["external_fact_check"] for match in matches]
    for match in matches:
        expected = trigram_similarity(LIBERATED, match["external_fact_check"].claim_reviewed)
        assert match["score"] == pytest.approx(expected, abs=1e-4)
        assert match["score"] >= MIN_SCORE


@pytest.mark.parametrize("text", ["", "!!! ???", "Жовтень"])
def test_a_text_without_matches_finds_nothing(fact_checks, text):
    assert lookup(text) == []


def test_limit_caps_the_matches(fact_checks):
    assert len(lookup(LIBERATED, limit=1)) == 1


@pytest.mark.postgres
def test_the_indexes_and_the_search_document_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'claims_externalfactcheck'")
        names = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'claims_externalfactcheck'::regclass AND attnum > 0"
        )
        columns = {row[0] for row in cursor.fetchall()}
    assert {"external_fact_check_reviewed_trgm", "external_fact_check_search_document"} <= names
    assert "search_document" in columns


@pytest.mark.postgres
def test_a_small_table_is_searched_through_the_trigram_index(fact_checks):
    with CaptureQueriesContext(connection) as queries:
        lookup(LIBERATED)
    search = next(query["sql"] for query in queries.captured_queries if "similarity(" in query["sql"].lower())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "external_fact_check_reviewed_trgm" in plan


@pytest.fixture
def at_scale(monkeypatch):
    from claims import similarity

    monkeypatch.setattr(similarity, "EXACT_UP_TO", -2)
    monkeypatch.setitem(similarity._external_word_frequencies, "read_at", None)


@pytest.mark.postgres
def test_at_scale_the_rarest_words_find_the_same_best_matches(fact_checks, monkeypatch):
    exact = [lookup(text) for text in TEXTS]
    from claims import similarity

    monkeypatch.setattr(similarity, "EXACT_UP_TO", -2)
    monkeypatch.setitem(similarity._external_word_frequencies, "read_at", None)
    assert [lookup(text) for text in TEXTS] == exact
    assert all(exact[:3])


@pytest.mark.postgres
def test_at_scale_the_candidates_are_read_from_the_external_table_statistics(fact_checks, at_scale):
    with CaptureQueriesContext(connection) as queries:
        lookup(LIBERATED)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "tablename = 'claims_externalfactcheck'" in sql
    assert "FROM claims_externalfactcheck WHERE search_document @@" in sql
