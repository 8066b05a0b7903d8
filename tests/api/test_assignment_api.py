"""Assignment through the API: the ``assignee`` field, ``PATCH claims/{id}/``, ``POST claims/{id}/assign/``,
``claims/?assignee=`` and the history, for every role (the rules are ``claims.services.check_assignment``'s)."""

import threading

import pytest
from django.db import close_old_connections, connection

from claims.models import Claim
from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory, UserFactory
from tests.versions import version_of

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def people():
    return {
        "alice": ReviewerFactory(username="alice"),
        "bob": ReviewerFactory(username="bob"),
        "ed": EditorFactory(username="ed"),
        "outsider": UserFactory(username="outsider"),
    }


def assign(client, claim, assignee):
    return client.post(f"{API}/claims/{claim.pk}/assign/", {"assignee": assignee}, format="json")


def patch(client, claim, **data):
    return client.patch(f"{API}/claims/{claim.pk}/", {**data, "version": version_of(claim)}, format="json")


# --- Reading ----------------------------------------------------------------------------------------


def test_the_newsroom_reads_the_assignee_by_username_in_the_list_and_the_detail(client_for, people):
    claim = ClaimFactory(assignee=people["alice"], verified=True)
    ClaimFactory(verified=True)
    for user in (people["bob"], people["ed"]):
        client = client_for(user)
        listed = {c["id"]: c["assignee"] for c in client.get(f"{API}/claims/").json()["results"]}
        assert listed[claim.pk] == "alice"
        assert sorted(listed.values(), key=str) == [None, "alice"]
        assert client.get(f"{API}/claims/{claim.pk}/").json()["assignee"] == "alice"


def test_readers_never_see_who_works_on_a_claim(client_for, people):
    claim = ClaimFactory(assignee=people["alice"], verified=True)
    for user in (None, people["outsider"]):
        client = client_for(user)
        assert "assignee" not in client.get(f"{API}/claims/").json()["results"][0]
        assert "assignee" not in client.get(f"{API}/claims/{claim.pk}/").json()


# --- The assign/ action ------------------------------------------------------------------------------


def test_a_reviewer_takes_an_unassigned_claim_with_me(client_for, people):
    claim = ClaimFactory()
    version = version_of(claim)

    response = assign(client_for(people["alice"]), claim, "me")

    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == "alice"
    assert response.json()["version"] == version + 1
    assert response["ETag"] == f'"{version + 1}"'
    claim.refresh_from_db()
    assert claim.assignee == people["alice"]


def test_a_reviewer_may_name_themselves_and_release_their_own_claim(client_for, people):
    claim = ClaimFactory()
    client = client_for(people["alice"])
    assert assign(client, claim, "alice").json()["assignee"] == "alice"

    response = assign(client, claim, None)

    assert response.status_code == 200
    assert response.json()["assignee"] is None
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_a_reviewer_cannot_take_a_claim_someone_else_has(client_for, people):
    claim = ClaimFactory(assignee=people["bob"])
    client = client_for(people["alice"])

    for wanted in ("me", None):
        response = assign(client, claim, wanted)
        assert response.status_code == 403
        assert "assigned to bob; only an editor may reassign" in response.json()["detail"]
    assert Claim.objects.get(pk=claim.pk).assignee == people["bob"]


def test_a_reviewer_cannot_assign_someone_else(client_for, people):
    claim = ClaimFactory()

    response = assign(client_for(people["alice"]), claim, "bob")

    assert response.status_code == 403
    assert "Only editors assign claims to others" in response.json()["detail"]
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_an_editor_assigns_reassigns_and_unassigns(client_for, people):
    claim = ClaimFactory()
    client = client_for(people["ed"])

    assert assign(client, claim, "alice").json()["assignee"] == "alice"
    assert assign(client, claim, "bob").json()["assignee"] == "bob"
    assert assign(client, claim, "me").json()["assignee"] == "ed"
    assert assign(client, claim, None).json()["assignee"] is None


@pytest.mark.parametrize("name", ["nobody", "outsider"])
def test_assigning_a_name_that_is_no_active_newsroom_member_is_a_400_on_the_field(client_for, people, name):
    claim = ClaimFactory()

    response = assign(client_for(people["ed"]), claim, name)

    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    assert Claim.objects.get(pk=claim.pk).assignee is None


@pytest.mark.parametrize("body", [{}, {"assignee": 3}, {"assignee": ["alice"]}, {"assignee": "x" * 151}])
def test_a_malformed_assign_request_is_a_400(client_for, people, body):
    response = client_for(people["ed"]).post(f"{API}/claims/{ClaimFactory().pk}/assign/", body, format="json")

    assert response.status_code == 400
    assert "assignee" in response.json()


def test_readers_cannot_assign(client_for, people):
    claim = ClaimFactory(verified=True)
    assert assign(client_for(None), claim, "alice").status_code == 401
    assert assign(client_for(people["outsider"]), claim, "me").status_code == 403
    assert Claim.objects.get(pk=claim.pk).assignee is None


def test_assigning_an_unknown_claim_is_a_404(client_for, people):
    response = client_for(people["ed"]).post(f"{API}/claims/999999/assign/", {"assignee": "me"}, format="json")
    assert response.status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_two_reviewers_taking_the_same_claim_at_once_the_second_is_told_who_has_it(client_for):
    alice, bob = ReviewerFactory(username="alice"), ReviewerFactory(username="bob")
    claim = ClaimFactory()
    start = threading.Barrier(2)
    answers = {}

    def take(user):
        try:
            start.wait()
            answers[user.username] = assign(client_for(user), claim, "me")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in (alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [200, 403]
    winner = next(name for name, answer in answers.items() if answer.status_code == 200)
    loser = next(answer for answer in answers.values() if answer.status_code == 403)
    assert f"assigned to {winner}" in loser.json()["detail"]
    assert Claim.objects.get(pk=claim.pk).assignee.username == winner


# --- PATCH claims/{id}/ ------------------------------------------------------------------------------


def test_patch_sets_the_assignee_by_username_through_the_same_rules(client_for, people):
    claim = ClaimFactory()

    refused = patch(client_for(people["alice"]), claim, assignee="bob")
    assert refused.status_code == 403
    assert "Only editors assign claims to others" in refused.json()["detail"]

    taken = patch(client_for(people["alice"]), claim, assignee="alice")
    assert taken.status_code == 200, taken.content
    assert taken.json()["assignee"] == "alice"

    claim.refresh_from_db()
    reassigned = patch(client_for(people["ed"]), claim, assignee="bob")
    assert reassigned.json()["assignee"] == "bob"
    claim.refresh_from_db()
    released = patch(client_for(people["ed"]), claim, assignee=None)
    assert released.json()["assignee"] is None


def test_patch_with_an_unknown_username_is_a_400_on_the_field(client_for, people):
    claim = ClaimFactory()

    response = patch(client_for(people["ed"]), claim, assignee="nobody")

    assert response.status_code == 400
    assert response.json() == {"assignee": ["No user is named nobody."]}


def test_patch_refuses_a_number_for_a_username(client_for, people):
    response = patch(client_for(people["ed"]), ClaimFactory(), assignee=people["alice"].pk)
    assert response.status_code == 400
    assert "assignee" in response.json()


def test_a_claim_can_be_created_with_its_assignee(client_for, people):
    claim = ClaimFactory()  # for an article with a body
    body = claim.article.body
    quote = body[: body.index(" ", 20)]
    data = {"article": claim.article_id, "quote": quote, "start": 0, "end": len(quote), "assignee": "alice"}

    refused = client_for(people["bob"]).post(f"{API}/claims/", data, format="json")
    assert refused.status_code == 403
    assert Claim.objects.count() == 1  # nothing created

    created = client_for(people["alice"]).post(f"{API}/claims/", data, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["assignee"] == "alice"


# --- claims/?assignee= -------------------------------------------------------------------------------


@pytest.fixture
def assigned(people):
    return {
        "alice": ClaimFactory(assignee=people["alice"]),
        "bob": ClaimFactory(assignee=people["bob"]),
        "none": ClaimFactory(),
    }


def listed(client, query):
    response = client.get(f"{API}/claims/?assignee={query}")
    assert response.status_code == 200, response.content
    return {claim["id"] for claim in response.json()["results"]}


def test_the_newsroom_filters_claims_by_assignee(client_for, people, assigned):
    for user in (people["alice"], people["ed"]):
        client = client_for(user)
        assert listed(client, "alice") == {assigned["alice"].pk}
        assert listed(client, "bob") == {assigned["bob"].pk}
        assert listed(client, "none") == {assigned["none"].pk}
        assert listed(client, "nobody") == set()
    assert listed(client_for(people["alice"]), "me") == {assigned["alice"].pk}
    assert listed(client_for(people["ed"]), "me") == set()


@pytest.mark.parametrize("query", ["me", "alice", "none"])
def test_readers_filtering_by_assignee_get_a_400(client_for, people, assigned, query):
    for user in (None, people["outsider"]):
        response = client_for(user).get(f"{API}/claims/?assignee={query}")
        assert response.status_code == 400
        assert response.json() == {"assignee": ["Only reviewers and editors may filter by assignee."]}


def test_exports_have_no_assignee_filter():
    from reviews.exports.selection import ExportFilter

    assert "assignee" not in ExportFilter.base_filters


def test_the_assigned_to_me_list_queries_do_not_grow_with_the_page(client_for, people, django_assert_max_num_queries):
    client = client_for(people["alice"])
    ClaimFactory.create_batch(2, assignee=people["alice"])
    client.get(f"{API}/claims/?assignee=me")
    with django_assert_max_num_queries(10) as small:
        assert len(client.get(f"{API}/claims/?assignee=me&page_size=2").json()["results"]) == 2
    ClaimFactory.create_batch(10, assignee=people["alice"])
    with django_assert_max_num_queries(10) as large:
        assert len(client.get(f"{API}/claims/?assignee=me&page_size=12").json()["results"]) == 12
    assert len(large.captured_queries) == len(small.captured_queries)


# --- History -----------------------------------------------------------------------------------------


def test_the_history_shows_assignments_by_username_to_the_newsroom_only(client_for, people):
    claim = ClaimFactory(verified=True)
    assign(client_for(people["alice"]), claim, "me")
    assign(client_for(people["ed"]), claim, "bob")
    assign(client_for(people["ed"]), claim, None)

    entries = client_for(people["ed"]).get(f"{API}/claims/{claim.pk}/history/").json()
    steps = [
        (entry["user"], entry["reason"], entry["changes"])
        for entry in entries
        if entry["model"] == "claim" and any(change["field"] == "assignee" for change in entry["changes"])
    ]
    assert steps == [
        ("alice", "taken", [{"field": "assignee", "old": None, "new": "alice"}]),
        ("ed", "assigned to bob", [{"field": "assignee", "old": "alice", "new": "bob"}]),
        ("ed", "unassigned", [{"field": "assignee", "old": "bob", "new": None}]),
    ]

    public = client_for(None).get(f"{API}/claims/{claim.pk}/history/").json()
    assert all(change["field"] != "assignee" for entry in public for change in entry["changes"])
    assert all(entry["reason"] not in ("taken", "unassigned", "assigned to bob") for entry in public)
