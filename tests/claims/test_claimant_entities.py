"""Claimant entities in the domain: resolution, the alias constraint, extraction, merging, the record."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from claims import claimants, services
from claims.models import Claim, Claimant, ClaimantAlias
from factcheck.exceptions import Conflict, PreconditionRequired
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def test_resolve_finds_or_creates_once():
    first = claimants.resolve("Russia's Ministry of Defence")
    assert (first.name, first.type) == ("Russia's Ministry of Defence", "government")
    assert claimants.resolve("Russian Defense Ministry") == first
    assert claimants.resolve("  RUSSIAN ministry of defense. ") == first
    assert claimants.resolve("") is None
    assert claimants.resolve("...") is None
    assert Claimant.objects.count() == 1
    assert list(first.aliases.values_list("key", flat=True)) == ["russia ministry of defense"]


def test_a_person_is_named_without_the_title():
    putin = claimants.resolve("President Vladimir Putin")
    assert (putin.name, putin.type) == ("Vladimir Putin", "person")
    assert claimants.resolve("Vladimir Putin") == putin


def test_resolve_many_in_one_go():
    found = claimants.resolve_many(["Kremlin", "The Kremlin", "Vitali Ganchev", ""])
    assert set(found) == {"Kremlin", "The Kremlin", "Vitali Ganchev"}
    assert found["Kremlin"] == found["The Kremlin"]
    assert Claimant.objects.count() == 2


def test_an_alias_key_names_one_claimant_only_database_constraint():
    one = Claimant.objects.create(name="One")
    other = Claimant.objects.create(name="Other")
    ClaimantAlias.objects.create(claimant=one, name="Kremlin", key="kremlin")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimantAlias.objects.create(claimant=other, name="The Kremlin", key="kremlin")
    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimantAlias.objects.create(claimant=other, name="!", key="")


def test_claimant_constraints():
    with pytest.raises(IntegrityError), transaction.atomic():
        Claimant.objects.create(name="X", type="alien")
    with pytest.raises(IntegrityError), transaction.atomic():
        Claimant.objects.create(name="")


def test_a_claimant_with_claims_cannot_be_deleted():
    claim = ClaimFactory(claimant="")
    services.update_claim(claim, by=EditorFactory(), version=claim.version, claimant="Kremlin")
    claim.refresh_from_db()
    with pytest.raises(ProtectedError), transaction.atomic():
        claim.claimant_entity.delete()


def test_extraction_links_every_claim_to_its_claimant():
    body = (
        "The Russian Defence Ministry said 2,000 Ukrainian soldiers were killed near Izium on Friday. "
        "Russia's Ministry of Defense also said 40 tanks were destroyed in the Kharkiv region on Saturday. "
        "President Volodymyr Zelensky said Ukrainian troops liberated more than 30 towns in two days."
    )
    article, _ = services.ingest_article(title="Report", body=body)
    created = services.extract_claims(article, by=ReviewerFactory())
    by_entity = {}
    for claim in created:
        claim.refresh_from_db()
        if claim.claimant:
            assert claim.claimant_entity is not None
            assert claim.claimant == claim.claimant_entity.name
            by_entity.setdefault(claim.claimant_entity.name, []).append(claim)
    ministry = [name for name in by_entity if "Ministry" in name or "ministry" in name]
    assert len(ministry) == 1, by_entity
    assert len(by_entity[ministry[0]]) == 2
    assert Claimant.objects.get(name=ministry[0]).type == "government"
    assert Claimant.objects.get(name="Volodymyr Zelensky").type == "person"


def test_only_editors_change_or_merge_claimants():
    reviewer = ReviewerFactory()
    one, other = claimants.resolve("Kremlin"), claimants.resolve("Vitali Ganchev")
    with pytest.raises(PermissionDenied):
        claimants.create_claimant(name="X", by=reviewer)
    with pytest.raises(PermissionDenied):
        claimants.update_claimant(one, name="Y", by=reviewer)
    with pytest.raises(PermissionDenied):
        claimants.merge_claimants(one, into=other, by=reviewer)


def test_update_refuses_an_alias_of_another_claimant_and_writes_nothing():
    editor = EditorFactory()
    kremlin = claimants.resolve("Kremlin")
    putin = claimants.resolve("Vladimir Putin")
    with pytest.raises(ValidationError) as refused:
        claimants.update_claimant(putin, aliases=["Putin", "the Kremlin"], name="V. Putin", version=1, by=editor)
    assert "aliases" in refused.value.message_dict
    putin.refresh_from_db()
    assert putin.name == "Vladimir Putin"
    assert list(putin.aliases.values_list("name", flat=True)) == ["Vladimir Putin"]
    assert kremlin.aliases.count() == 1
    assert putin.version == 1


def test_an_edit_names_the_version_it_read():
    editor = EditorFactory()
    kremlin = claimants.resolve("Kremlin")
    with pytest.raises(PreconditionRequired):
        claimants.update_claimant(kremlin, description="x", by=editor)
    claimants.update_claimant(kremlin, description="The presidency.", version=1, by=editor)
    with pytest.raises(Conflict):
        claimants.update_claimant(kremlin, description="Lost update", version=1, by=editor)
    kremlin.refresh_from_db()
    assert (kremlin.description, kremlin.version) == ("The presidency.", 2)
    claimants.merge_claimants(claimants.resolve("Vitali Ganchev"), into=kremlin, by=editor)
    kremlin.refresh_from_db()
    assert kremlin.version == 3  # a merge changes the survivor: an edit read before it is stale


def test_merge_moves_everything_and_keeps_history():
    editor = EditorFactory()
    survivor = claimants.resolve("Russian Ministry of Defense")
    duplicate = claimants.create_claimant(
        name="Minoborony", description="Russia's defence ministry", same_as=["https://mil.ru/"], by=editor
    )
    claim = ClaimFactory(claimant="")
    services.update_claim(claim, by=editor, version=claim.version, claimant="Minoborony")
    claimants.merge_claimants(duplicate, into=survivor, by=editor, reason="same ministry")
    survivor.refresh_from_db()
    claim.refresh_from_db()
    assert claim.claimant_entity == survivor
    assert claim.claimant == survivor.name
    assert claim.history.first().history_change_reason == "same ministry"
    assert survivor.same_as == ["https://mil.ru/"]
    assert survivor.description == "Russia's defence ministry"
    assert set(survivor.aliases.values_list("key", flat=True)) == {"russia ministry of defense", "minoborony"}
    assert (
        Claimant.history.filter(id=duplicate.pk, history_type="-").get().history_change_reason.startswith("merged into")
    )
    with pytest.raises(ValidationError):
        claimants.merge_claimants(survivor, into=survivor, by=editor)


def test_record_counts_published_verdicts_only():
    entity = claimants.resolve("Kremlin")
    verified = ClaimFactory(claimant="", verified=True, review__verdict="misleading")
    in_review = ClaimFactory(claimant="", in_review=True)
    Claim.objects.filter(pk__in=[verified.pk, in_review.pk]).update(claimant_entity=entity)
    record = claimants.claimant_record(entity)
    assert record["total"] == 1
    assert record["verdicts"]["misleading"] == 1
    assert sum(record["verdicts"].values()) == 1


def test_seed_claimants_become_one_entity_per_organisation():
    from claims.seed import SEEDS_DIR, load_seed_file

    load_seed_file(next(SEEDS_DIR.glob("*.json")))
    mod = Claimant.objects.get(aliases__key="russia ministry of defense")
    assert mod.claims.count() == 5  # "Russian Ministry of Defense" (4) and "Russian Defense Ministry" (1)
    assert Claim.objects.filter(claimant="Russian Defense Ministry").count() == 0
    assert Claimant.objects.get(name="Russia").type == "government"
    assert not Claim.objects.exclude(claimant="").filter(claimant_entity__isnull=True).exists()
    ArticleFactory()  # unrelated rows do not disturb it
    assert Claimant.objects.count() == 9
