"""Near-duplicate claims: which stored claims say nearly the same thing as a text.

The score is pg_trgm's trigram similarity (shared trigrams of the lower-cased words over all
trigrams of both, in [0, 1]), taken against a claim's quote and its reviewed wording, whichever is
higher; claims scoring under ``MIN_SCORE`` are never shown.

On PostgreSQL, how candidates are found depends on the size of the claims table:

- Up to ``EXACT_UP_TO`` claims, the ``%`` operator selects every claim above the threshold through
  the GIN trigram indexes of migration 0003, and the best are returned: an exact answer.
- Beyond that, the trigram indexes stop being cheap: every candidate above the threshold is scored
  (about 40 µs each), and the common trigrams of a sentence have posting lists of a large share of
  the table. With the generated demo data one lookup took 0.2–0.4 s at 10k claims and 0.5–3 s at a
  million (50k candidates read and rechecked). There the candidates are the claims sharing one of the text's
  ``RARE_WORDS`` rarest words (as PostgreSQL's statistics of the stored ``search_document`` count
  them), found through its GIN index, at most ``CANDIDATES`` of them; those are scored and the best
  returned. A near-duplicate sharing none of those words (every rare word misspelt, say) can be
  missed, and where more claims share them than are scored, the best of a sample is returned.

Elsewhere (SQLite in development) the same measure is computed in Python over the claims sharing
a word with the text.
"""

import heapq
import re
import time
from itertools import combinations

from django.contrib.postgres.search import SearchQueryField
from django.db import connection, transaction
from django.db.models import BooleanField, Func, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from claims.search import SEARCH_CONFIG, SearchDocument
from claims.text import search_text

MIN_SCORE = 0.3  # pg_trgm's default similarity_threshold, the one the ``%`` operator uses
WORD = re.compile(r"[^\W_]+")
# SQLite: how many claims sharing a word with the text are scored at most.
FALLBACK_CANDIDATES = 2000
# PostgreSQL: up to this many claims (the planner's estimate), exact answers through the trigram indexes.
EXACT_UP_TO = 5_000
# Beyond it: candidates share one of this many of the text's rarest words; this many are scored at most.
RARE_WORDS = 3
CANDIDATES = 100
# How long the word frequencies read from pg_stats are reused (they change only with ANALYZE).
STATISTICS_TTL = 600


def trigrams(text):
    """pg_trgm's trigrams of ``text``: each lower-cased word padded with two spaces before, one after."""
    grams = set()
    for word in WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def trigram_similarity(a, b):
    """The share of trigrams ``a`` and ``b`` have in common, as pg_trgm's ``similarity()``."""
    first, second = (trigrams(a), trigrams(b)) if isinstance(a, str) else (a, b)
    if not first or not second:
        return 0.0
    shared = len(first & second)
    return shared / (len(first) + len(second) - shared)


def similar_claims(text, queryset, *, limit=10, exclude=None):
    """The claims in ``queryset`` most similar to ``text``, best first, as ``[{"claim": …, "score": …}]``.

    Only claims scoring at least ``MIN_SCORE`` are returned; ``exclude`` (a claim id) never is.
    """
    text = search_text(text)
    if not WORD.search(text):
        return []
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    if connection.vendor == "postgresql":
        scored = _similar_on_postgres(text, queryset, limit)
    else:
        scored = _similar_in_python(text, queryset, limit)
    return [{"claim": claim, "score": round(min(score, 1.0), 4)} for claim, score in scored]


def _similar_on_postgres(text, queryset, limit):
    claims, lexemes = _table_size_and_lexemes(text)
    if claims <= EXACT_UP_TO:
        return _similar_through_trigrams(text, queryset, limit)
    return _similar_through_rare_words(text, lexemes, queryset, limit)


def _table_size_and_lexemes(text):
    """The planner's estimate of the number of claims, and the words of ``text`` as the search index has them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT reltuples FROM pg_class WHERE oid = 'claims_claim'::regclass),"
            " ARRAY(SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, %s)))",
            [SEARCH_CONFIG, text],
        )
        claims, lexemes = cursor.fetchone()
    return claims, lexemes


_word_frequencies = {"read_at": None, "frequencies": {}}


def word_frequencies():
    """{lexeme: share of claims whose search document has it} for PostgreSQL's most common words.

    Read from ``pg_stats`` (kept by ANALYZE and autovacuum) at most every ``STATISTICS_TTL``
    seconds; a word missing from it is rarer than every word in it.
    """
    return _frequencies_in("claims_claim", _word_frequencies)


def _frequencies_in(table, cached):
    """``word_frequencies`` of ``table``'s ``search_document``, kept in ``cached`` (``read_at``, ``frequencies``)."""
    read_at = cached["read_at"]
    if read_at is None or time.monotonic() - read_at > STATISTICS_TTL:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
                " WHERE schemaname = current_schema() AND tablename = %s"
                " AND attname = 'search_document'",
                [table],
            )
            row = cursor.fetchone()
        elements, frequencies = row if row and row[0] else ([], [])
        cached.update(read_at=time.monotonic(), frequencies=dict(zip(elements, frequencies, strict=False)))
    return cached["frequencies"]


def rarest(lexemes, count=RARE_WORDS, frequencies=None):
    """The ``count`` rarest of ``lexemes``: unknown to the statistics first, then longer words first.

    ``frequencies`` defaults to the claims' (``word_frequencies``).
    """
    frequencies = word_frequencies() if frequencies is None else frequencies
    return sorted(set(lexemes), key=lambda lexeme: (frequencies.get(lexeme, 0.0), -len(lexeme), lexeme))[:count]


def tsquery(lexemes, operator):
    """A ``tsquery`` literal joining ``lexemes`` as they are (no parsing, no stemming) with ``&`` or ``|``."""
    quoted = ("'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'" for lexeme in lexemes)
    return f" {operator} ".join(quoted)


class Matches(Func):
    """``document @@ 'query'::tsquery``: a boolean a queryset can be filtered on."""

    template = "%(expressions)s"
    arg_joiner = " @@ "
    output_field = BooleanField()


class TsQuery(Func):
    template = "%(expressions)s::tsquery"
    output_field = SearchQueryField()


def _candidates(queryset, words):
    """Ids of at most ``CANDIDATES`` claims of ``queryset``, those sharing the most of ``words`` first.

    Claims with all of the words, then with all but one, then with any: each an unordered GIN
    lookup that PostgreSQL stops at the limit.
    """
    tiers = [tsquery(words, "&")]
    if len(words) > 2:
        tiers.append(" | ".join(f"({tsquery(pair, '&')})" for pair in combinations(words, 2)))
    if len(words) > 1:
        tiers.append(tsquery(words, "|"))
    ids = {}
    for query in tiers:
        condition = Matches(SearchDocument(), TsQuery(Value(query)))
        found = queryset.order_by().filter(condition).values_list("pk", flat=True)[:CANDIDATES]
        ids.update(dict.fromkeys(found))
        if len(ids) >= CANDIDATES:
            break
    return list(ids)[:CANDIDATES]


def _similar_through_rare_words(text, lexemes, queryset, limit):
    """Score at most ``CANDIDATES`` claims sharing the text's rarest words; keep the best."""
    from django.contrib.postgres.search import TrigramSimilarity

    words = rarest(lexemes)
    ids = _candidates(queryset, words) if words else []
    if not ids:
        return []
    rows = (
        queryset.model.objects.filter(pk__in=ids)
        .annotate(score=Greatest(TrigramSimilarity("quote", text), TrigramSimilarity("claim_reviewed", text)))
        .filter(score__gte=MIN_SCORE)
        .order_by("-score", "-pk")
        .values_list("pk", "score")[:limit]
    )
    return _best_claims(queryset, dict(rows), limit)


def _similar_through_trigrams(text, queryset, limit):
    """One query per field, each ``WHERE field % text ORDER BY similarity LIMIT n``.

    Kept apart rather than ``quote % text OR claim_reviewed % text``: the planner reliably takes a
    single ``%`` through its trigram index, while it costs the OR (with the ``GREATEST`` of two
    similarities) as cheaper to answer with a sequential scan, which is ten times slower.
    """
    from django.contrib.postgres.search import TrigramSimilarity

    scores = {}
    with transaction.atomic(), connection.cursor() as cursor:
        # The threshold of ``%`` for this transaction only, whatever the server's default.
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(MIN_SCORE)])
        for field in ("quote", "claim_reviewed"):
            rows = (
                queryset.filter(**{f"{field}__trigram_similar": text})
                .annotate(score=TrigramSimilarity(field, text))
                .order_by("-score", "-pk")
                .values_list("pk", "score")[:limit]
            )
            for pk, score in rows:
                scores[pk] = max(score, scores.get(pk, 0.0))
    return _best_claims(queryset, scores, limit)


def _best_claims(queryset, scores, limit):
    """The ``limit`` best-scoring claims of ``scores`` (pk -> score) as ``(claim, score)``, best first."""
    best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], item[0]))
    claims = queryset.filter(pk__in=[pk for pk, _ in best]).with_tag_names().in_bulk()
    return [(claims[pk], score) for pk, score in best if pk in claims]


def _similar_in_python(text, queryset, limit):
    words = sorted(set(WORD.findall(text.lower())), key=len, reverse=True)
    long_words = [word for word in words if len(word) > 3] or words
    condition = Q()
    for word in long_words[:8]:
        condition |= Q(quote__icontains=word) | Q(claim_reviewed__icontains=word)
    wanted = trigrams(text)
    rows = queryset.filter(condition).values_list("pk", "quote", "claim_reviewed")[:FALLBACK_CANDIDATES]
    scores = {}
    for pk, quote, claim_reviewed in rows:
        score = max(
            trigram_similarity(wanted, trigrams(quote)),
            trigram_similarity(wanted, trigrams(claim_reviewed)) if claim_reviewed else 0.0,
        )
        if score >= MIN_SCORE:
            scores[pk] = score
    return _best_claims(queryset, scores, limit)


# --- External fact-checks --------------------------------------------------------------------------
# Other organisations' ClaimReviews (``ExternalFactCheck``), scored the same way against their
# ``claim_reviewed`` alone, with the same two paths: the trigram index of migration 0013 up to
# ``EXACT_UP_TO`` rows, beyond it the rows sharing the text's rarest words (by the statistics of
# their own ``search_document``), at most ``CANDIDATES`` of them scored.

EXTERNAL_TABLE = "claims_externalfactcheck"
_external_word_frequencies = {"read_at": None, "frequencies": {}}


def similar_external_fact_checks(text, queryset, *, limit=10):
    """The external fact-checks of ``queryset`` most similar to ``text``, best first, as
    ``[{"external_fact_check": …, "score": …}]``; only those scoring at least ``MIN_SCORE``."""
    text = search_text(text)
    if not WORD.search(text):
        return []
    if connection.vendor == "postgresql":
        scored = _similar_external_on_postgres(text, queryset, limit)
    else:
        scored = _similar_external_in_python(text, queryset, limit)
    return [{"external_fact_check": row, "score": round(min(score, 1.0), 4)} for row, score in scored]


def _similar_external_on_postgres(text, queryset, limit):
    from django.contrib.postgres.search import TrigramSimilarity

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT reltuples FROM pg_class WHERE oid = %s::regclass),"
            " ARRAY(SELECT lexeme FROM unnest(to_tsvector(%s::regconfig, %s)))",
            [EXTERNAL_TABLE, SEARCH_CONFIG, text],
        )
        rows, lexemes = cursor.fetchone()
    scored = queryset.annotate(score=TrigramSimilarity("claim_reviewed", text))
    if rows <= EXACT_UP_TO:
        with transaction.atomic(), connection.cursor() as cursor:
            # The planner costs similarity() as cheap and scans a small table: 17 ms for 1,000 rows (16 µs
            # each), where the trigram index answers in 1.3 ms. For this transaction only.
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, true),"
                " set_config('enable_seqscan', 'off', true)",
                [str(MIN_SCORE)],
            )
            found = list(scored.filter(claim_reviewed__trigram_similar=text).order_by("-score", "-pk")[:limit])
        return [(row, row.score) for row in found]
    words = rarest(lexemes, frequencies=_frequencies_in(EXTERNAL_TABLE, _external_word_frequencies))
    if not words:
        return []
    candidates = RawSQL(*_external_candidates(words))
    found = scored.filter(pk__in=candidates, score__gte=MIN_SCORE).order_by("-score", "-pk")[:limit]
    return [(row, row.score) for row in found]


def _external_candidates(words):
    """``(sql, params)``: ids of at most ``CANDIDATES`` external fact-checks sharing the most of ``words``.

    The tiers of ``_candidates`` (all of the words, all but one, any), each an index lookup stopped at
    ``CANDIDATES``, in one subquery of the scoring query rather than a round trip each.
    """
    tiers = [tsquery(words, "&")]
    if len(words) > 2:
        tiers.append(" | ".join(f"({tsquery(pair, '&')})" for pair in combinations(words, 2)))
    if len(words) > 1:
        tiers.append(tsquery(words, "|"))
    lookups = " UNION ALL ".join(
        f"(SELECT id, {tier} AS tier FROM {EXTERNAL_TABLE} WHERE search_document @@ %s::tsquery LIMIT {CANDIDATES})"
        for tier in range(len(tiers))
    )
    sql = f"SELECT id FROM ({lookups}) found GROUP BY id ORDER BY min(tier), id LIMIT {CANDIDATES}"
    return sql, tiers


def _similar_external_in_python(text, queryset, limit):
    words = sorted(set(WORD.findall(text.lower())), key=len, reverse=True)
    long_words = [word for word in words if len(word) > 3] or words
    condition = Q()
    for word in long_words[:8]:
        condition |= Q(claim_reviewed__icontains=word)
    wanted = trigrams(text)
    rows = queryset.filter(condition).values_list("pk", "claim_reviewed")[:FALLBACK_CANDIDATES]
    scores = {}
    for pk, claim_reviewed in rows:
        score = trigram_similarity(wanted, trigrams(claim_reviewed))
        if score >= MIN_SCORE:
            scores[pk] = score
    best = heapq.nlargest(limit, scores.items(), key=lambda item: (item[1], item[0]))
    found = queryset.in_bulk([pk for pk, _ in best])
    return [(found[pk], score) for pk, score in best if pk in found]
