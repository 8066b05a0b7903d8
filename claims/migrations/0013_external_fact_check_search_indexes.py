"""Indexes for finding external fact-checks similar to a text, on PostgreSQL only.

As claims have them (migrations 0003 and 0005):

- ``external_fact_check_reviewed_trgm``: a GIN trigram index of ``claim_reviewed`` serving the ``%``
  operator of ``claims.similarity.similar_external_fact_checks`` on small tables;
- ``search_document``: a stored, generated English ``tsvector`` of the reviewed claim, claimant and
  publisher, GIN-indexed (``external_fact_check_search_document``): the rare-words candidates on
  large tables and ``?search=``. Not a model field, so ordinary queries never select it.

SQLite has neither; there the lookups fall back to plain queries and this migration does nothing.
"""

from django.db import migrations

DOCUMENT = (
    "to_tsvector('english'::regconfig, ((((COALESCE(claim_reviewed, ''::text) || ' '::text)"
    " || (COALESCE(claimant, ''::character varying))::text) || ' '::text)"
    " || (COALESCE(publisher, ''::character varying))::text))"
)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX external_fact_check_reviewed_trgm ON claims_externalfactcheck"
        " USING gin (claim_reviewed gin_trgm_ops)"
    )
    schema_editor.execute(
        "ALTER TABLE claims_externalfactcheck"
        f" ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute(
        "CREATE INDEX external_fact_check_search_document ON claims_externalfactcheck USING gin (search_document)"
    )


def remove_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX external_fact_check_search_document")
    schema_editor.execute("ALTER TABLE claims_externalfactcheck DROP COLUMN search_document")
    schema_editor.execute("DROP INDEX external_fact_check_reviewed_trgm")


class Migration(migrations.Migration):
    dependencies = [("claims", "0012_external_fact_check")]

    operations = [migrations.RunPython(add_indexes, remove_indexes)]
