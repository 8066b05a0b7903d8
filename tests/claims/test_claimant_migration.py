"""Migration 0011: today's free-text claimants become entities, every claim linked, none lost.

Run on a copy of the seed and on generated demo data, each written while the database is at 0009 (before
claimants existed), then migrated forward.
"""

import importlib
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from claims.models import compute_content_hash
from claims.seed import SEEDS_DIR

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("claims", "0009_claim_check_worthiness_reasons")]
FROZEN_KEY = importlib.import_module("claims.migrations.0011_claimant_entities").claimant_key


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def at_0009():
    apps = migrate(BEFORE)
    yield apps
    migrate(latest())


def write_seed(apps):
    """The seed article and its 20 claims, written with the models as they were at 0009."""
    Article = apps.get_model("claims", "Article")
    Claim = apps.get_model("claims", "Claim")
    path = next(SEEDS_DIR.glob("*.json"))
    meta = json.loads(path.read_text(encoding="utf-8"))
    body = (path.parent / meta["body_file"]).read_text(encoding="utf-8").replace("\r\n", "\n")
    article = Article.objects.create(title=meta["title"], body=body, content_hash=compute_content_hash(body))
    for item in meta["claims"]:
        Claim.objects.create(
            article=article,
            quote=item["quote"],
            start=item["start"],
            end=item["end"],
            claimant=item.get("claimant", ""),
            status="accepted",
        )
    return meta["claims"]


def test_seed_claimants_become_entities(at_0009):
    items = write_seed(at_0009)
    apps = migrate([("claims", "0011_claimant_entities")])
    Claim = apps.get_model("claims", "Claim")
    Claimant = apps.get_model("claims", "Claimant")
    assert Claim.objects.count() == len(items)
    assert not Claim.objects.exclude(claimant="").filter(claimant_entity__isnull=True).exists()
    assert Claim.objects.filter(claimant="", claimant_entity__isnull=True).count() == sum(
        1 for item in items if not item.get("claimant")
    )
    named = {item["claimant"] for item in items if item.get("claimant")}
    assert Claimant.objects.count() == len({FROZEN_KEY(name) for name in named}) == 9
    ministry = Claimant.objects.get(name="Russian Ministry of Defense")  # 4 claims against 1 spelt otherwise
    assert ministry.type == "government"
    assert Claim.objects.filter(claimant_entity=ministry).count() == 5
    assert not Claim.objects.filter(claimant="Russian Defense Ministry").exists()
    renamed = apps.get_model("claims", "HistoricalClaim").objects.filter(history_change_reason__contains="0011")
    assert renamed.count() == 1
    assert Claimant.objects.get(name="Russia").type == "government"
    assert Claimant.objects.get(name="Vitali Ganchev").type == "person"
    for claim in Claim.objects.exclude(claimant=""):
        assert claim.claimant == Claimant.objects.get(pk=claim.claimant_entity_id).name
    # And back: the links go, the names stay.
    apps = migrate(BEFORE)
    assert apps.get_model("claims", "Claim").objects.exclude(claimant="").count() == sum(
        1 for item in items if item.get("claimant")
    )


def test_generated_data_is_linked_without_loss(at_0009):
    migrate(latest())
    call_command("generate_demo_data", claims=300, seed=7, batch_size=100, verbosity=0)
    apps = migrate(BEFORE)
    Claim = apps.get_model("claims", "Claim")
    # Spellings as people type them: case, "the", British/American, possessives.
    some = list(Claim.objects.exclude(claimant="").order_by("pk").values_list("pk", "claimant")[:60])
    for pk, name in some[::3]:
        Claim.objects.filter(pk=pk).update(claimant=f"the {name.upper()}")
    for pk, name in some[1::3]:
        Claim.objects.filter(pk=pk).update(claimant=name.replace("Defence", "Defense") + ".")
    before = dict(Claim.objects.values_list("pk", "claimant"))
    keys = {FROZEN_KEY(name) for name in before.values() if name}
    apps = migrate(latest())
    Claim = apps.get_model("claims", "Claim")
    Claimant = apps.get_model("claims", "Claimant")
    assert Claim.objects.count() == len(before)
    assert Claimant.objects.count() == len(keys)
    names = dict(Claimant.objects.values_list("pk", "name"))
    for pk, entity, shown in Claim.objects.values_list("pk", "claimant_entity", "claimant"):
        if before[pk]:
            assert entity is not None
            assert shown == names[entity]
            assert FROZEN_KEY(before[pk]) == FROZEN_KEY(shown)
        else:
            assert entity is None
