"""Claims get an optional assignee: the reviewer working on the claim.

On SQLite, the foreign key's column rebuilds the claims table (removing it, when migrating back, always
does), which the quote/offset triggers of 0002 name: they are dropped for the rebuild and created again
after it, as in 0009. PostgreSQL adds the column in place.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
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
        ("claims", "0014_claim_match"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_on_sqlite(TRIGGERS.SQLITE_BACKWARD), _on_sqlite(TRIGGERS.SQLITE_FORWARD)),
        migrations.AddField(
            model_name="claim",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The reviewer working on this claim.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_claims",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalclaim",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="The reviewer working on this claim.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="claim",
            index=models.Index(fields=["assignee", "id"], name="claim_assignee_id"),
        ),
        migrations.RunPython(_on_sqlite(TRIGGERS.SQLITE_FORWARD), _on_sqlite(TRIGGERS.SQLITE_BACKWARD)),
    ]
