"""Database triggers enforcing ``article.body[start:end] == claim.quote`` on every write.

A CHECK constraint cannot look at another table, so the invariant is kept by triggers on both
tables: a claim cannot be written with a quote that is not at its offsets, and an article body
cannot change under its claims. Offsets count characters (code points) as Python does.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """
    CREATE TRIGGER claim_quote_matches_body_insert BEFORE INSERT ON claims_claim
    WHEN (SELECT substr(body, NEW."start" + 1, NEW."end" - NEW."start") FROM claims_article
          WHERE id = NEW.article_id) IS NOT NEW.quote
    BEGIN SELECT RAISE(ABORT, 'claim quote does not match the article body at its offsets'); END
    """,
    """
    CREATE TRIGGER claim_quote_matches_body_update BEFORE UPDATE OF quote, "start", "end", article_id ON claims_claim
    WHEN (SELECT substr(body, NEW."start" + 1, NEW."end" - NEW."start") FROM claims_article
          WHERE id = NEW.article_id) IS NOT NEW.quote
    BEGIN SELECT RAISE(ABORT, 'claim quote does not match the article body at its offsets'); END
    """,
    """
    CREATE TRIGGER article_body_keeps_claim_quotes BEFORE UPDATE OF body ON claims_article
    WHEN EXISTS (SELECT 1 FROM claims_claim c WHERE c.article_id = NEW.id
                 AND substr(NEW.body, c."start" + 1, c."end" - c."start") IS NOT c.quote)
    BEGIN SELECT RAISE(ABORT, 'article body change would move the text under its claims'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS claim_quote_matches_body_insert",
    "DROP TRIGGER IF EXISTS claim_quote_matches_body_update",
    "DROP TRIGGER IF EXISTS article_body_keeps_claim_quotes",
]

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION claims_claim_quote_matches_body() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW."start" < 0 OR NEW."end" <= NEW."start" OR NOT EXISTS (
            SELECT 1 FROM claims_article a
            WHERE a.id = NEW.article_id AND substr(a.body, NEW."start" + 1, NEW."end" - NEW."start") = NEW.quote
        ) THEN
            RAISE EXCEPTION 'claim quote does not match the article body at [%, %)', NEW."start", NEW."end"
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER claim_quote_matches_body BEFORE INSERT OR UPDATE OF quote, "start", "end", article_id
    ON claims_claim FOR EACH ROW EXECUTE FUNCTION claims_claim_quote_matches_body()
    """,
    """
    CREATE OR REPLACE FUNCTION claims_article_body_keeps_claim_quotes() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.body IS DISTINCT FROM OLD.body AND EXISTS (
            SELECT 1 FROM claims_claim c
            WHERE c.article_id = NEW.id AND substr(NEW.body, c."start" + 1, GREATEST(c."end" - c."start", 0)) <> c.quote
        ) THEN
            RAISE EXCEPTION 'article body change would move the text under its claims'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER article_body_keeps_claim_quotes BEFORE UPDATE OF body ON claims_article
    FOR EACH ROW EXECUTE FUNCTION claims_article_body_keeps_claim_quotes()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS claim_quote_matches_body ON claims_claim",
    "DROP FUNCTION IF EXISTS claims_claim_quote_matches_body()",
    "DROP TRIGGER IF EXISTS article_body_keeps_claim_quotes ON claims_article",
    "DROP FUNCTION IF EXISTS claims_article_body_keeps_claim_quotes()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise NotImplementedError(f"No quote/offset triggers for {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
