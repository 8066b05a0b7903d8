"""Claimants through the API: list, search, detail with the record, create, edit, merge; claims/?claimant_id=."""

import json

import pytest
from django.db import connection

from claims import claimants, services
from claims.models import Claim, Claimant, ClaimantAlias, Verdict
from reviews.models import Review
from tests.factories import ArticleFactory, ClaimFactory, EditorFactory
from tests.versions import version_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/claimants/"


def linked(name, **kwargs):
    claim = ClaimFactory(claimant="", **kwargs)
    services.update_claim(claim, by=EditorFactory(), version=version_of(claim), claimant=name)
    claim.refresh_from_db()
    return claim


def test_one_entity_whatever_the_spelling(reviewer_client):
    spellings = ["Russian Ministry of Defense", "Russian Defense Ministry", "Russia's Ministry of Defence"]
    claims = [linked(name) for name in spellings]
    assert len({claim.claimant_entity_id for claim in claims}) == 1
    assert {claim.claimant for claim in claims} == {"Russian Ministry of Defense"}
    body = reviewer_client.get(f"/api/v1/claims/{claims[1].pk}/").json()
    assert body["claimant"] == "Russian Ministry of Defense"
    assert body["claimant_id"] == claims[0].claimant_entity_id
    assert Claimant.objects.count() == 1


def test_different_entities_are_not_merged():
    russian = linked("Russian Ministry of Defense")
    ukrainian = linked("Ukrainian Ministry of Defence")
    health = linked("Ministry of Health")
    defence = linked("Ministry of Defence")
    assert len({c.claimant_entity_id for c in (russian, ukrainian, health, defence)}) == 4


def test_create_claim_with_a_name_or_an_id(reviewer_client):
    article = ArticleFactory()
    quote = "The city had a population of 45,000 before the war."
    response = reviewer_client.post(
        "/api/v1/claims/",
        {"article": article.pk, "quote": quote, "claimant": "President Vladimir Putin"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    putin = Claimant.objects.get(pk=body["claimant_id"])
    assert (body["claimant"], putin.name, putin.type) == ("Vladimir Putin", "Vladimir Putin", "person")
    other = "The ministry said 2,000 soldiers were killed in three days."
    response = reviewer_client.post(
        "/api/v1/claims/", {"article": article.pk, "quote": other, "claimant_id": putin.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["claimant"], response.json()["claimant_id"]) == ("Vladimir Putin", putin.pk)


def test_a_name_that_is_not_the_claimants_is_refused(reviewer_client):
    putin = linked("Vladimir Putin").claimant_entity
    article = ArticleFactory()
    quote = "The city had a population of 45,000 before the war."
    response = reviewer_client.post(
        "/api/v1/claims/",
        {"article": article.pk, "quote": quote, "claimant": "Volodymyr Zelensky", "claimant_id": putin.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "claimant" in response.json()
    response = reviewer_client.post(
        "/api/v1/claims/", {"article": article.pk, "quote": quote, "claimant_id": 999999}, format="json"
    )
    assert response.status_code == 400
    assert "claimant_id" in response.json()
    assert not Claim.objects.filter(article=article).exists()


def test_patch_claimant_id_relinks_and_null_unlinks(reviewer_client):
    claim = linked("Vladimir Putin")
    zelensky = linked("Volodymyr Zelensky").claimant_entity
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant_id": zelensky.pk, "version": version_of(claim)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["claimant"], response.json()["claimant_id"]) == ("Volodymyr Zelensky", zelensky.pk)
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"claimant_id": None, "version": version_of(claim)}, format="json"
    )
    assert (response.json()["claimant"], response.json()["claimant_id"]) == ("", None)


def test_claims_filter_by_claimant_id(anon, reviewer_client):
    verified = ClaimFactory(claimant="", verified=True)
    entity = claimants.resolve("Russian Ministry of Defense")
    Claim.objects.filter(pk=verified.pk).update(claimant_entity=entity, claimant=entity.name)
    candidate = linked("Russian Defence Ministry")
    linked("Kremlin")
    ids = [c["id"] for c in reviewer_client.get(f"/api/v1/claims/?claimant_id={entity.pk}").json()["results"]]
    assert sorted(ids) == sorted([verified.pk, candidate.pk])
    ids = [c["id"] for c in anon.get(f"/api/v1/claims/?claimant_id={entity.pk}").json()["results"]]
    assert ids == [verified.pk]
    assert reviewer_client.get("/api/v1/claims/?claimant_id=1.5").status_code == 400
    exported = anon.get(f"/api/v1/exports/claims?format=ndjson&claimant_id={entity.pk}")
    assert exported.status_code == 200
    assert b"".join(exported.streaming_content).decode().count("\n") == 1


def test_who_sees_which_claimants(anon, reviewer_client):
    verified = ClaimFactory(claimant="", verified=True)
    public = claimants.resolve("Kremlin")
    Claim.objects.filter(pk=verified.pk).update(claimant_entity=public, claimant=public.name)
    private = linked("Vitali Ganchev").claimant_entity
    assert [c["id"] for c in anon.get(URL).json()["results"]] == [public.pk]
    assert {c["id"] for c in reviewer_client.get(URL).json()["results"]} == {public.pk, private.pk}
    assert anon.get(f"{URL}{private.pk}/").status_code == 404
    assert reviewer_client.get(f"{URL}{private.pk}/").status_code == 200


def test_search_and_type_filter(reviewer_client):
    mod = linked("Russian Ministry of Defense").claimant_entity
    linked("Ukrainian Ministry of Defence")
    putin = linked("Vladimir Putin").claimant_entity

    def found(query):
        return [c["name"] for c in reviewer_client.get(URL + query).json()["results"]]

    assert found("?search=Russia's Defence Ministry") == [mod.name]
    assert sorted(found("?search=defence")) == ["Russian Ministry of Defense", "Ukrainian Ministry of Defence"]
    assert found("?search=President Putin") == [putin.name]
    assert found("?search=putin&type=person") == [putin.name]
    assert found("?search=putin&type=government") == []
    assert found("?search=...") == []
    assert reviewer_client.get(URL + "?type=alien").status_code == 400


def test_detail_has_the_record_built_from_published_verdicts(anon, reviewer_client):
    entity = claimants.resolve("Russian Ministry of Defense")
    for verdict in (Verdict.FALSE, Verdict.FALSE, Verdict.MOSTLY_TRUE):
        claim = ClaimFactory(claimant="", verified=True, review__verdict=verdict)
        Claim.objects.filter(pk=claim.pk).update(claimant_entity=entity, claimant=entity.name)
    in_review = ClaimFactory(claimant="", in_review=True)
    Claim.objects.filter(pk=in_review.pk).update(claimant_entity=entity, claimant=entity.name)
    linked("Russian Defence Ministry")
    public = anon.get(f"{URL}{entity.pk}/").json()
    newsroom = reviewer_client.get(f"{URL}{entity.pk}/").json()
    for body in (public, newsroom):
        assert body["record"]["total"] == 3
        assert body["record"]["verdicts"]["false"] == 2
        assert body["record"]["verdicts"]["mostly_true"] == 1
        assert set(body["record"]["verdicts"]) == set(Verdict.values)
        assert body["claims_url"].endswith(f"/api/v1/claims/?claimant_id={entity.pk}")
        assert body["type"] == "government"
    assert public["claim_count"] == 3
    assert {c["status"] for c in public["latest_claims"]} == {"verified"}
    assert newsroom["claim_count"] == 5
    assert len(newsroom["latest_claims"]) == 5


def test_editors_create_and_edit_claimants(anon, reviewer_client, editor_client):
    body = {"name": "Russian Ministry of Defense", "same_as": ["https://www.wikidata.org/wiki/Q1061446"]}
    assert anon.post(URL, body, format="json").status_code == 401
    assert reviewer_client.post(URL, body, format="json").status_code == 403
    response = editor_client.post(URL, {**body, "aliases": ["Minoborony"]}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert response["Location"].endswith(f"{URL}{created['id']}/")
    assert created["type"] == "government"
    assert created["aliases"] == ["Minoborony", "Russian Ministry of Defense"]
    clash = editor_client.post(URL, {"name": "Russia's Defence Ministry"}, format="json")
    assert clash.status_code == 400
    assert "aliases" in clash.json()
    assert editor_client.post(URL, {"name": "X", "same_as": ["ftp://example.org"]}, format="json").status_code == 400
    assert editor_client.post(URL, {"name": "..."}, format="json").status_code == 400
    assert editor_client.post(URL, {"name": "Y", "type": "alien"}, format="json").status_code == 400
    claim = linked("Minoborony")
    assert claim.claimant_entity_id == created["id"]
    assert claim.claimant == "Russian Ministry of Defense"
    url = f"{URL}{created['id']}/"
    assert reviewer_client.patch(url, {"name": "MoD"}, format="json").status_code == 403
    renamed = {"name": "Ministry of Defence of the Russian Federation"}
    assert editor_client.patch(url, renamed, format="json").status_code == 428  # names no version
    assert editor_client.patch(url, {**renamed, "version": 7}, format="json").status_code == 409
    assert editor_client.patch(url, renamed, format="json", HTTP_IF_MATCH='"7"').status_code == 412
    response = editor_client.patch(url, renamed, format="json", HTTP_IF_MATCH=f'"{created["version"]}"')
    assert response.status_code == 200, response.content
    assert response["ETag"] == f'"{created["version"] + 1}"'
    assert response.json()["version"] == created["version"] + 1
    claim.refresh_from_db()
    assert claim.claimant == "Ministry of Defence of the Russian Federation"
    assert claim.history.first().history_change_reason.startswith("claimant renamed")
    assert editor_client.put(url, {"name": "Z"}, format="json").status_code == 405


def test_merge(anon, reviewer_client, editor_client, editor):
    survivor = linked("Russian Ministry of Defense").claimant_entity
    duplicate = Claimant.objects.create(name="Minoborony Rossii", type="organization", same_as=["https://mil.ru/"])
    ClaimantAlias.objects.create(claimant=duplicate, name="Minoborony Rossii", key="minoborony rossii")
    moved = [linked("Minoborony Rossii") for _ in range(2)]
    url = f"{URL}{duplicate.pk}/merge/"
    assert anon.post(url, {"into": survivor.pk}, format="json").status_code == 401
    assert reviewer_client.post(url, {"into": survivor.pk}, format="json").status_code == 403
    assert editor_client.post(url, {"into": duplicate.pk}, format="json").status_code == 400
    assert editor_client.post(url, {"into": 999999}, format="json").status_code == 400
    assert editor_client.post(url, {}, format="json").status_code == 400
    response = editor_client.post(url, {"into": survivor.pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == survivor.pk
    assert "Minoborony Rossii" in body["aliases"]
    assert body["same_as"] == ["https://mil.ru/"]
    assert not Claimant.objects.filter(pk=duplicate.pk).exists()
    assert editor_client.get(f"{URL}{duplicate.pk}/").status_code == 404
    for claim in moved:
        before = claim.version
        claim.refresh_from_db()
        assert (claim.claimant_entity_id, claim.claimant) == (survivor.pk, "Russian Ministry of Defense")
        assert claim.version == before + 1
        last = claim.history.first()
        assert last.history_user == editor
        assert last.history_change_reason == f"claimant merged into Russian Ministry of Defense ({survivor.pk})"
    deleted = Claimant.history.filter(id=duplicate.pk).first()
    assert deleted.history_type == "-"
    assert deleted.history_change_reason.startswith("merged into Russian Ministry of Defense")
    assert deleted.history_user == editor
    assert linked("Minoborony Rossii").claimant_entity_id == survivor.pk


def test_merge_keeps_the_published_record(anon, editor_client):
    survivor = claimants.resolve("Russian Ministry of Defense")
    duplicate = Claimant.objects.create(name="Minoborony", type="person")
    ClaimantAlias.objects.create(claimant=duplicate, name="Minoborony", key="minoborony")
    claim = ClaimFactory(claimant="", verified=True)
    Claim.objects.filter(pk=claim.pk).update(claimant_entity=duplicate, claimant="Minoborony")
    # Its published record names the duplicate, as if published before the duplicate was found.
    review = Review.objects.get(claim=claim, state="published")
    review.record = {**review.record, "claimant": "Minoborony"}
    review.save(update_fields=["record"])
    response = editor_client.post(f"{URL}{duplicate.pk}/merge/", {"into": survivor.pk}, format="json")
    assert response.status_code == 200
    public = anon.get(f"/api/v1/claims/{claim.pk}/").json()
    assert public["claimant"] == "Minoborony"  # as published, until a correction
    assert public["claimant_id"] == survivor.pk
    item = anon.get(f"/api/v1/exports/claims?format=claimreview&claimant_id={survivor.pk}")
    exported = json.loads(b"".join(item.streaming_content))
    assert exported[0]["itemReviewed"]["author"] == {"@type": "GovernmentOrganization", "name": "Minoborony"}


def test_claimant_list_queries_are_constant(reviewer_client, django_assert_max_num_queries):
    def names(count, start):
        for number in range(start, start + count):
            entity = claimants.create_claimant(
                name=f"Person Number{number}", aliases=[f"Alias Number{number}"], by=EditorFactory()
            )
            assert entity.pk

    names(2, 0)
    reviewer_client.get(URL)
    with django_assert_max_num_queries(6) as small:
        body = reviewer_client.get(URL + "?page_size=2&search=number").json()
    assert len(body["results"]) == 2
    names(10, 100)
    with django_assert_max_num_queries(6) as large:
        body = reviewer_client.get(URL + "?page_size=12&search=number").json()
    assert len(body["results"]) == 12
    assert all(len(item["aliases"]) == 2 for item in body["results"])
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.postgres
def test_claimant_search_uses_the_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'claimant_alias_key_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
