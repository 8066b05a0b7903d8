"""Store each claim's search document, on PostgreSQL only.

``claims_claim.search_document`` is a generated column holding the very expression the
``claim_search`` index of migration 0003 was built on (English ``tsvector`` of quote, reviewed
wording and claimant), kept current by PostgreSQL on every insert and update; the GIN index
``claim_search_document`` replaces ``claim_search``. With the document stored, testing a row costs
no ``to_tsvector``, so for a common word the planner walks the primary key backwards and stops at
the page's last match instead of sorting every match (27k rows for "refugees" at 1M claims).

The column is not a model field, so ordinary claim queries never select it; ``claims.search``
refers to it by name. Adding it rewrites the table under an exclusive lock (70 s at 1M claims on
two cores). SQLite keeps the plain-text search of ``claims.search`` and this migration does nothing.
"""

from django.db import migrations

# The expression of the claim_search index, as PostgreSQL prints it (pg_indexes.indexdef).
DOCUMENT = (
    "to_tsvector('english'::regconfig, ((((COALESCE(quote, ''::text) || ' '::text)"
    " || COALESCE(claim_reviewed, ''::text)) || ' '::text)"
    " || (COALESCE(claimant, ''::character varying))::text))"
)


def store_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Dropped first, so that the table rewrite does not rebuild it only to throw it away.
    schema_editor.execute("DROP INDEX claim_search")
    schema_editor.execute(
        f"ALTER TABLE claims_claim ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
    )
    schema_editor.execute("CREATE INDEX claim_search_document ON claims_claim USING gin (search_document)")
    # The planner's choice between the two plans rests on the column's word frequencies.
    schema_editor.execute("ANALYZE claims_claim")


def compute_search_document(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX claim_search_document")
    schema_editor.execute("ALTER TABLE claims_claim DROP COLUMN search_document")
    schema_editor.execute(f"CREATE INDEX claim_search ON claims_claim USING gin (({DOCUMENT}))")


class Migration(migrations.Migration):
    dependencies = [("claims", "0004_claim_quote_check_per_statement")]

    operations = [migrations.RunPython(store_search_document, compute_search_document)]
