"""The claimant admin: list, search, record, aliases, merge; the claim admin's claimant filter and picker."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from claims import claimants
from claims.models import Claim, Claimant, ClaimantAlias
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def seeded():
    cache.clear()  # the claimant filter's choices are cached
    call_command("load_seed", verbosity=0)


def test_the_claim_filter_lists_one_organisation_once(seeded):
    html = logged_in(ReviewerFactory()).get("/admin/claims/claim/").content.decode()
    assert "Russian Ministry of Defense (5)" in html
    assert "Russian Defense Ministry" not in html
    ministry = Claimant.objects.get(name="Russian Ministry of Defense")
    page = logged_in(ReviewerFactory()).get("/admin/claims/claim/", {"claimant_id": ministry.pk})
    assert page.status_code == 200
    assert page.context["cl"].result_count == 5


def test_claim_search_by_any_spelling_of_a_claimant(seeded):
    page = logged_in(ReviewerFactory()).get("/admin/claims/claim/", {"q": "Russia's Defence Ministry"})
    assert page.context["cl"].result_count >= 5


def test_claimant_list_search_and_type_filter(seeded):
    client = logged_in(ReviewerFactory())
    page = client.get("/admin/claims/claimant/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Russian Ministry of Defense" in html
    found = client.get("/admin/claims/claimant/", {"q": "defence ministry"})
    assert [c.name for c in found.context["cl"].result_list] == ["Russian Ministry of Defense"]
    people = client.get("/admin/claims/claimant/", {"type__exact": "person"})
    assert {c.name for c in people.context["cl"].result_list} == {
        "Denís Pushilin",
        "Vitali Ganchev",
        "Volodymyr Zelensky",
    }
    counts = {c.name: c.claim_total for c in client.get("/admin/claims/claimant/").context["cl"].result_list}
    assert counts["Russian Ministry of Defense"] == 5


def test_claimant_page_shows_its_claims_and_record():
    entity = claimants.resolve("Kremlin")
    claim = ClaimFactory(claimant="", verified=True, review__verdict="misleading")
    Claim.objects.filter(pk=claim.pk).update(claimant_entity=entity, claimant=entity.name)
    html = logged_in(ReviewerFactory()).get(f"/admin/claims/claimant/{entity.pk}/change/").content.decode()
    assert "1 verified claim(s): 1 Misleading" in html
    assert f"/admin/claims/claim/{claim.pk}/change/" in html


def test_reviewers_cannot_change_claimants_in_the_admin():
    entity = claimants.resolve("Kremlin")
    client = logged_in(ReviewerFactory())
    response = client.post(f"/admin/claims/claimant/{entity.pk}/change/", {"name": "Hijacked", "type": "person"})
    assert response.status_code == 403
    entity.refresh_from_db()
    assert entity.name == "Kremlin"


def test_editor_edits_a_claimant_and_its_aliases():
    entity = claimants.resolve("Kremlin")
    claim = ClaimFactory(claimant="")
    Claim.objects.filter(pk=claim.pk).update(claimant_entity=entity, claimant=entity.name)
    alias = entity.aliases.get()
    form = {
        "name": "The Kremlin",
        "type": "government",
        "description": "The Russian presidency.",
        "same_as": '["https://www.wikidata.org/wiki/Q1631051"]',
        "version": str(entity.version),
        "aliases-TOTAL_FORMS": "2",
        "aliases-INITIAL_FORMS": "1",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-id": str(alias.pk),
        "aliases-0-claimant": str(entity.pk),
        "aliases-0-name": "Kremlin",
        "aliases-1-claimant": str(entity.pk),
        "aliases-1-name": "Russian presidential administration",
    }
    response = logged_in(EditorFactory()).post(f"/admin/claims/claimant/{entity.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    entity.refresh_from_db()
    claim.refresh_from_db()
    assert (entity.name, entity.same_as) == ("The Kremlin", ["https://www.wikidata.org/wiki/Q1631051"])
    assert claim.claimant == "The Kremlin"
    assert set(entity.aliases.values_list("key", flat=True)) == {"kremlin", "russia presidential administration"}
    stale = logged_in(EditorFactory()).post(f"/admin/claims/claimant/{entity.pk}/change/", {**form, "name": "Lost"})
    assert stale.status_code == 200
    assert "Someone else changed this" in stale.content.decode()
    entity.refresh_from_db()
    assert entity.name == "The Kremlin"


def test_an_alias_of_another_claimant_is_refused_in_the_admin():
    kremlin = claimants.resolve("Kremlin")
    putin = claimants.resolve("Vladimir Putin")
    form = {
        "name": "Vladimir Putin",
        "type": "person",
        "description": "",
        "same_as": "[]",
        "version": str(putin.version),
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-claimant": str(putin.pk),
        "aliases-0-name": "the Kremlin",
    }
    response = logged_in(EditorFactory()).post(f"/admin/claims/claimant/{putin.pk}/change/", form)
    assert response.status_code == 200
    assert f"already names claimant {kremlin.pk}" in response.content.decode()
    assert ClaimantAlias.objects.get(key="kremlin").claimant == kremlin


def test_merge_action_asks_for_the_survivor_then_merges():
    editor = EditorFactory()
    survivor = claimants.resolve("Russian Ministry of Defense")
    duplicate = claimants.create_claimant(name="Minoborony", by=editor)
    claim = ClaimFactory(claimant="")
    Claim.objects.filter(pk=claim.pk).update(claimant_entity=duplicate, claimant=duplicate.name)
    client = logged_in(editor)
    selected = {"action": "merge_selected", "_selected_action": [survivor.pk, duplicate.pk]}
    page = client.post("/admin/claims/claimant/", selected)
    assert page.status_code == 200
    assert "Pick the claimant that stays" in page.content.decode()
    done = client.post("/admin/claims/claimant/", {**selected, "apply": "1", "into": survivor.pk, "reason": "same"})
    assert done.status_code == 302
    assert not Claimant.objects.filter(pk=duplicate.pk).exists()
    claim.refresh_from_db()
    assert (claim.claimant_entity, claim.claimant) == (survivor, "Russian Ministry of Defense")
    assert claim.history.first().history_change_reason == "same"


def test_reviewers_do_not_get_the_merge_action():
    claimants.resolve("Kremlin")
    page = logged_in(ReviewerFactory()).get("/admin/claims/claimant/")
    assert "merge_selected" not in page.content.decode()


def test_a_claim_picks_its_claimant_in_the_admin():
    putin = claimants.resolve("Vladimir Putin")
    claim = ClaimFactory(claimant="")
    client = logged_in(ReviewerFactory())
    html = client.get(f"/admin/claims/claim/{claim.pk}/change/").content.decode()
    assert 'name="claimant_entity"' in html
    assert "admin-autocomplete" in html
    claim.refresh_from_db()
    form = {
        "quote": claim.quote,
        "start": claim.start,
        "end": claim.end,
        "claim_reviewed": claim.claim_reviewed,
        "claimant": "",
        "claimant_entity": putin.pk,
        "claimed_at": "",
        "check_worthiness": claim.check_worthiness,
        "version": claim.version,
    }
    response = client.post(f"/admin/claims/claim/{claim.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    claim.refresh_from_db()
    assert (claim.claimant_entity, claim.claimant) == (putin, "Vladimir Putin")


def test_adding_a_claimant_with_its_own_name_as_an_alias_in_the_admin():
    form = {
        "name": "Ministry of Health",
        "type": "government",
        "description": "",
        "same_as": "[]",
        "aliases-TOTAL_FORMS": "3",
        "aliases-INITIAL_FORMS": "0",
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
        "aliases-0-name": "the Ministry of Health",
        "aliases-1-name": "Health Ministry",
        "aliases-2-name": "MoH",
    }
    response = logged_in(EditorFactory()).post("/admin/claims/claimant/add/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    claimant = Claimant.objects.get(name="Ministry of Health")
    assert set(claimant.aliases.values_list("key", flat=True)) == {"ministry of health", "moh"}
    assert claimant.type == "government"
