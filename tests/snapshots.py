"""The one check that a refused request changed nothing: every row of the app's tables, before and after.

``database_rows()`` reads every column of every row a request could write; ``nothing_changed()`` asserts
that a block of code left them all as they were, naming the tables that differ when it did not.
"""

from contextlib import contextmanager

from django.apps import apps
from django.contrib.auth import get_user_model
from knox.models import AuthToken

APPS = ("claims", "reviews")


def tracked_models():
    """Every model of the claims and reviews apps with their history and many-to-many tables (articles,
    claims, tags, reviews, evidence and the history of each), the users, their groups and their tokens."""
    user = get_user_model()
    models = [model for label in APPS for model in apps.get_app_config(label).get_models(include_auto_created=True)]
    return [*models, user, user.groups.through, AuthToken]


def database_rows():
    """Every row of every tracked table, all columns, by table name, in primary-key order."""
    return {model._meta.db_table: list(model._base_manager.order_by("pk").values_list()) for model in tracked_models()}


def changed_tables(before, after):
    """The names of the tables whose rows differ between two ``database_rows()``."""
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))


@contextmanager
def nothing_changed():
    """Assert that the block wrote nothing: no row added, removed or changed in any tracked table."""
    before = database_rows()
    yield
    after = database_rows()
    assert after == before, f"the database changed: {changed_tables(before, after)}"
