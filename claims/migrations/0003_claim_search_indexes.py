"""Indexes for claim search and near-duplicate matching, on PostgreSQL only.

- ``claim_search``: GIN over the English ``tsvector`` of quote, reviewed wording and claimant —
  the exact expression ``claims.search.search_vector()`` queries (``ClaimQuerySet.search``).
- ``claim_quote_trgm`` and ``claim_reviewed_trgm``: GIN trigram indexes (pg_trgm) serving the
  ``%`` operator of ``claims.similarity.similar_claims``.

SQLite has neither GIN nor pg_trgm; there both features fall back to plain queries, and this
migration does nothing. The indexes live only here, not in ``Claim.Meta``, because Meta indexes
would be created on every database.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def indexes():
    return [
        GinIndex(SearchVector("quote", "claim_reviewed", "claimant", config="english"), name="claim_search"),
        GinIndex(fields=["quote"], opclasses=["gin_trgm_ops"], name="claim_quote_trgm"),
        GinIndex(fields=["claim_reviewed"], opclasses=["gin_trgm_ops"], name="claim_reviewed_trgm"),
    ]


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Kept on the way back: other code may rely on pg_trgm, and it costs nothing. Django's
    # TrigramExtension operation is not used because its reverse fails on SQLite.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    claim = apps.get_model("claims", "Claim")
    for index in indexes():
        schema_editor.add_index(claim, index)


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    claim = apps.get_model("claims", "Claim")
    for index in indexes():
        schema_editor.remove_index(claim, index)


class Migration(migrations.Migration):
    dependencies = [("claims", "0002_claim_quote_matches_article_body")]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
