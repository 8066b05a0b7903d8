"""Full-text search over claims: their quote, reviewed wording and claimant.

On PostgreSQL the text is a web-search query (``websearch_to_tsquery``: words, "quoted phrases",
``-excluded``, ``or``) matched against an English ``tsvector`` of the three fields. The expression
is the one the ``claim_search`` GIN index of migration 0003 is built on, so the planner uses it.
Elsewhere (SQLite in development) the same syntax is read in Python and every word or phrase must
occur in one of the fields, case-insensitively.
"""

import re

from django.db import connection
from django.db.models import Q

SEARCH_CONFIG = "english"
SEARCH_FIELDS = ("quote", "claim_reviewed", "claimant")
TERM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
WORD = re.compile(r"[^\W_]")


def search_vector():
    """The indexed document: must stay identical to the ``claim_search`` index expression."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*SEARCH_FIELDS, config=SEARCH_CONFIG)


def search_claims(queryset, text):
    """The claims of ``queryset`` matching the search ``text``; none when it has no words."""
    text = text.replace("\x00", " ").strip()
    if not WORD.search(text):
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.alias(document=search_vector()).filter(document=query)
    return queryset.filter(_fallback_condition(text))


def _contains(term):
    condition = Q()
    for field in SEARCH_FIELDS:
        condition |= Q(**{f"{field}__icontains": term})
    return condition


def _fallback_condition(text):
    """websearch syntax as a ``Q``, with PostgreSQL's precedence: ``a -b or c d`` is ``(a & !b) | (c & d)``."""
    alternatives = [[]]
    for match in TERM.finditer(text):
        negated = bool(match.group(1) or match.group(3))
        term = match.group(2) if match.group(2) is not None else match.group(4)
        if not WORD.search(term):
            continue
        if not negated and term.lower() == "or" and alternatives[-1]:
            alternatives.append([])
        else:
            alternatives[-1].append((negated, term))
    condition = Q()
    for terms in alternatives:
        if not terms:
            continue
        conjunction = Q()
        for negated, term in terms:
            conjunction &= ~_contains(term) if negated else _contains(term)
        condition |= conjunction
    return condition
