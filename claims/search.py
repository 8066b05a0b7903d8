"""Full-text search over claims: their quote, reviewed wording and claimant.

On PostgreSQL the text is a web-search query (``websearch_to_tsquery``: words, "quoted phrases",
``-excluded``, ``or``) matched against the claim's stored English ``tsvector`` of the three fields:
the ``search_document`` column that migration 0005 generates and GIN-indexes. Testing a row then
costs no ``to_tsvector``, so for a common word PostgreSQL walks the claims newest first and stops
after a page, and for a rare one it reads the index. Elsewhere (SQLite in development) the same
syntax is read in Python and every word or phrase must occur in one of the fields,
case-insensitively.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Expression, Q

from claims.text import search_text

SEARCH_CONFIG = "english"
SEARCH_FIELDS = ("quote", "claim_reviewed", "claimant")
# External fact-checks (migration 0012): their stored document is the reviewed claim, claimant and publisher.
EXTERNAL_SEARCH_FIELDS = ("claim_reviewed", "claimant", "publisher")
TERM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
WORD = re.compile(r"[^\W_]")


class SearchDocument(Expression):
    """The ``search_document`` column of the table a claim (or external fact-check) query reads, under its alias.

    Not a model field, so that no ordinary query selects it: lists and exports would otherwise carry
    a ``tsvector`` per row. It names the query's base table (the claims table of a claim queryset)
    and follows the renaming of aliases when the queryset becomes a subquery.
    """

    column = "search_document"

    def __init__(self, alias=None):
        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return SearchDocument(query.get_initial_alias())

    def relabeled_clone(self, change_map):
        return SearchDocument(change_map.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.alias)}.{connection.ops.quote_name(self.column)}", []


def search_claims(queryset, text):
    """The claims of ``queryset`` matching the search ``text``; none when it has no words."""
    text = search_text(text)
    if not WORD.search(text):
        return queryset.none()
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.alias(document=SearchDocument()).filter(document=query)
    return queryset.filter(_fallback_condition(text))


def search_external_fact_checks(queryset, text):
    """The external fact-checks of ``queryset`` matching the search ``text``, as ``search_claims`` does claims."""
    text = search_text(text)
    if not WORD.search(text):
        return queryset.none()
    if connection.vendor == "postgresql":
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.alias(document=SearchDocument()).filter(document=query)
    return queryset.filter(_fallback_condition(text, EXTERNAL_SEARCH_FIELDS))


def _contains(term, fields=SEARCH_FIELDS):
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": term})
    return condition


def _fallback_condition(text, fields=SEARCH_FIELDS):
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
            conjunction &= ~_contains(term, fields) if negated else _contains(term, fields)
        condition |= conjunction
    return condition
