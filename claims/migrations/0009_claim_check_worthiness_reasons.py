"""Claims keep the reasons extraction gave for their check-worthiness score.

On SQLite, adding a column rebuilds the claims table, which the quote/offset triggers of 0002 name:
they are dropped for the rebuild and created again after it (PostgreSQL adds the column in place).
"""

import importlib

from django.db import migrations, models

TRIGGERS = importlib.import_module("claims.migrations.0002_claim_quote_matches_article_body")


def _on_sqlite(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_article_search_indexes"),
    ]

    operations = [
        migrations.RunPython(_on_sqlite(TRIGGERS.SQLITE_BACKWARD), _on_sqlite(TRIGGERS.SQLITE_FORWARD)),
        migrations.AddField(
            model_name="claim",
            name="check_worthiness_reasons",
            field=models.JSONField(
                blank=True,
                db_default=[],
                default=list,
                help_text='Why extraction gave the check-worthiness score it did ("number", "named source", '
                '"speculation", …). Cleared when someone sets the score by hand.',
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="check_worthiness_reasons",
            field=models.JSONField(
                blank=True,
                db_default=[],
                default=list,
                help_text='Why extraction gave the check-worthiness score it did ("number", "named source", '
                '"speculation", …). Cleared when someone sets the score by hand.',
            ),
        ),
        migrations.RunPython(_on_sqlite(TRIGGERS.SQLITE_FORWARD), _on_sqlite(TRIGGERS.SQLITE_BACKWARD)),
    ]
