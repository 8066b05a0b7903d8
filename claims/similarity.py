"""Near-duplicate claims: which stored claims say nearly the same thing as a text.

The score is pg_trgm's trigram similarity (shared trigrams of the lower-cased words over all
trigrams of both, in [0, 1]), taken against a claim's quote and its reviewed wording, whichever is
higher. On PostgreSQL the ``%`` operator selects candidates through the GIN trigram indexes of
migration 0003 and only those are scored; elsewhere (SQLite in development) the same measure is
computed in Python over the claims sharing a word with the text.
"""

import heapq
import re

from django.db import connection, transaction
from django.db.models import Q

MIN_SCORE = 0.3  # pg_trgm's default similarity_threshold, the one the ``%`` operator uses
WORD = re.compile(r"[^\W_]+")
# SQLite: how many claims sharing a word with the text are scored at most.
FALLBACK_CANDIDATES = 2000


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
    text = text.replace("\x00", " ").strip()
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
    claims = queryset.filter(pk__in=[pk for pk, _ in best]).with_related().in_bulk()
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
