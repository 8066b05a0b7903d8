"""Fact-checks from elsewhere through the API: ``imports/claimreview/`` (editors), ``external-fact-checks/``
(public), and the external matches of ``claims/similar/`` and ``claims/{id}/similar/``."""

import json

import pytest
from rest_framework.test import APIClient

from claims.models import ExternalFactCheck
from tests.claims.test_claimreview_import import claim_review
from tests.factories import ClaimFactory, ExternalFactCheckFactory, UserFactory

pytestmark = pytest.mark.django_db

IMPORT = "/api/v1/imports/claimreview/"
LIST = "/api/v1/external-fact-checks/"
LIBERATED = "The president said troops liberated more than 30 towns in two days."


def post(client, body, content_type="application/json", **params):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    query = "?" + "&".join(f"{name}={value}" for name, value in params.items()) if params else ""
    return client.generic("POST", IMPORT + query, data, content_type=content_type)


# --- Import: who, what, the answers ---------------------------------------------------------------


def test_an_editor_imports_a_feed_and_gets_the_report(editor_client, editor):
    response = post(editor_client, [claim_review(1), claim_review(2)])
    assert response.status_code == 201, response.content
    assert response["Location"].endswith(LIST)
    body = response.json()
    assert (body["stored"], body["created"], body["updated"], body["unchanged"], body["invalid"]) == (True, 2, 0, 0, 0)
    stored = ExternalFactCheck.objects.order_by("pk")
    assert [item["id"] for item in body["items"]] == [row.pk for row in stored]
    assert [item["status"] for item in body["items"]] == ["created", "created"]
    assert {row.imported_by for row in stored} == {editor}


def test_importing_the_same_feed_again_is_a_200_with_nothing_new(editor_client):
    post(editor_client, [claim_review(1)])
    response = post(editor_client, [claim_review(1)])
    assert response.status_code == 200
    assert response.json()["unchanged"] == 1
    assert ExternalFactCheck.objects.count() == 1


@pytest.mark.parametrize(("client_name", "status"), [("anon", 401), ("reviewer_client", 403), ("editor_client", 201)])
def test_only_editors_may_import(request, client_name, status):
    response = post(request.getfixturevalue(client_name), claim_review(1))
    assert response.status_code == status
    assert ExternalFactCheck.objects.count() == (1 if status == 201 else 0)


def test_a_user_outside_the_newsroom_may_not_import():
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert post(client, claim_review(1)).status_code == 403


def test_json_ld_and_html_pages_are_accepted(editor_client):
    assert post(editor_client, claim_review(1), content_type="application/ld+json").status_code == 201
    page = f'<html><head><script type="application/ld+json">{json.dumps(claim_review(2))}</script></head></html>'
    response = post(editor_client, page, content_type="text/html; charset=utf-8")
    assert response.status_code == 201, response.content
    assert ExternalFactCheck.objects.filter(url=claim_review(2)["url"]).exists()


def test_a_datafeed_is_accepted(editor_client):
    feed = {"@type": "DataFeed", "dataFeedElement": [{"@type": "DataFeedItem", "item": [claim_review(3)]}]}
    assert post(editor_client, feed).status_code == 201


def test_invalid_items_refuse_the_import_with_a_per_item_report(editor_client):
    response = post(editor_client, [claim_review(1), {"@type": "ClaimReview", "url": "https://x.example/2"}])
    assert response.status_code == 400
    body = response.json()
    assert body["stored"] is False
    assert body["detail"].startswith("Nothing imported: 1 of 2 items are invalid")
    assert body["items"][0] == {
        "index": 0,
        "url": claim_review(1)["url"],
        "status": "valid",
        "id": None,
        "errors": [],
        "warnings": [],
    }
    assert body["items"][1]["status"] == "invalid"
    assert body["items"][1]["url"] == "https://x.example/2"
    assert "claimReviewed is missing." in body["items"][1]["errors"]
    assert ExternalFactCheck.objects.count() == 0


def test_skip_invalid_stores_the_valid_ones(editor_client):
    response = post(editor_client, [claim_review(1), {"@type": "ClaimReview"}], skip_invalid="true")
    assert response.status_code == 201
    assert [item["status"] for item in response.json()["items"]] == ["created", "invalid"]
    assert ExternalFactCheck.objects.count() == 1


def test_skip_invalid_with_nothing_valid_is_refused(editor_client):
    response = post(editor_client, [{"@type": "ClaimReview"}, ["nested"]], skip_invalid="true")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Nothing imported: 2 of 2 items are invalid")


@pytest.mark.parametrize(
    ("body", "content_type", "status", "message"),
    [
        ("not json", "application/json", 400, "JSON parse error"),
        ("[]", "application/json", 400, "No ClaimReview found"),
        ("<html><body>nothing</body></html>", "text/html", 400, "no <script"),
        ("<p>\xff</p>".encode("latin-1"), "text/html; charset=utf-8", 400, "not valid utf-8"),
        ('{"a": 1}', "text/plain", 415, "Unsupported media type"),
        ('"a string"', "application/json", 400, "1 of 1 items are invalid"),
    ],
)
def test_unreadable_bodies_are_a_clear_4xx(editor_client, body, content_type, status, message):
    response = post(editor_client, body, content_type=content_type)
    assert response.status_code == status
    assert message.lower() in response.json()["detail"].lower()
    assert ExternalFactCheck.objects.count() == 0


def test_a_string_item_is_an_invalid_item_not_an_error(editor_client):
    response = post(editor_client, ["a string", 3])
    assert response.status_code == 400
    assert [item["errors"] for item in response.json()["items"]] == [
        ["Not a ClaimReview object but str."],
        ["Not a ClaimReview object but int."],
    ]


def test_a_feed_over_the_size_limit_is_a_413(editor_client, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 10_000
    response = post(editor_client, [claim_review(n) for n in range(50)])
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_an_import_racing_another_for_the_same_url_is_a_409_and_stores_nothing(editor_client, monkeypatch):
    from django.db import IntegrityError

    def stored_meanwhile(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(ExternalFactCheck.objects, "bulk_create", stored_meanwhile)
    response = post(editor_client, [claim_review(1)])
    assert response.status_code == 409
    assert "Send it again" in response.json()["detail"]
    assert ExternalFactCheck.objects.count() == 0


def test_skip_invalid_must_be_a_boolean(editor_client):
    response = post(editor_client, claim_review(1), skip_invalid="maybe")
    assert response.status_code == 400
    assert response.json()["detail"] == "skip_invalid: Must be true or false."
    assert (response.json()["stored"], response.json()["items"]) == (False, [])


# --- The list -------------------------------------------------------------------------------------


def test_anyone_lists_and_reads_external_fact_checks(anon):
    first = ExternalFactCheckFactory(claim_reviewed="Troops liberated 30 towns.", publisher="Checks A")
    ExternalFactCheckFactory(claim_reviewed="Inflation reached 9%.", publisher="Checks B")
    body = anon.get(LIST).json()
    assert [row["claim_reviewed"] for row in body["results"]] == ["Inflation reached 9%.", "Troops liberated 30 towns."]
    assert "data" not in body["results"][0]
    detail = anon.get(f"{LIST}{first.pk}/").json()
    assert (detail["url"], detail["publisher"], detail["rating_text"]) == (first.url, "Checks A", "False")
    assert [row["id"] for row in anon.get(LIST, {"search": "liberated towns"}).json()["results"]] == [first.pk]
    assert [row["id"] for row in anon.get(LIST, {"publisher": "checks a"}).json()["results"]] == [first.pk]


def test_the_list_cannot_be_written(editor_client):
    assert editor_client.post(LIST, claim_review(1), format="json").status_code == 405


def test_external_fact_check_list_queries_are_constant(anon, django_assert_max_num_queries):
    from tests.api.test_query_counts import queries_for

    ExternalFactCheckFactory.create_batch(2)
    small, _ = queries_for(anon, f"{LIST}?page_size=2", django_assert_max_num_queries, 2)
    ExternalFactCheckFactory.create_batch(10)
    large, body = queries_for(anon, f"{LIST}?page_size=12&search=checked", django_assert_max_num_queries, 2)
    assert len(body["results"]) == 12
    assert large == small


# --- Similar: "has anyone checked this already?" ----------------------------------------------------


@pytest.fixture
def checked_elsewhere():
    return {
        "near": ExternalFactCheckFactory(
            claim_reviewed="Troops liberated more than 30 towns in two days, the president said.",
            publisher="Other Checks",
            rating_text="Mostly true",
            rating_value=4,
        ),
        "far": ExternalFactCheckFactory(claim_reviewed="The central bank raised its rate to 4.75%."),
    }


def test_similar_to_a_text_returns_external_fact_checks_after_the_claims(reviewer_client, checked_elsewhere):
    claim = ClaimFactory(sentence=1)
    response = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED})
    assert response.status_code == 200
    body = response.json()
    assert [match["kind"] for match in body] == ["claim", "external"]
    assert body[0]["claim"]["id"] == claim.pk
    external = body[1]
    near = checked_elsewhere["near"]
    assert external["external_fact_check"]["id"] == near.pk
    assert external["external_fact_check"]["url"] == near.url
    assert external["external_fact_check"]["publisher"] == "Other Checks"
    assert (external["external_fact_check"]["rating_text"], external["external_fact_check"]["rating_value"]) == (
        "Mostly true",
        4.0,
    )
    assert 0.3 <= external["score"] <= 1


def test_a_claims_similar_includes_external_fact_checks(reviewer_client, checked_elsewhere):
    claim = ClaimFactory(sentence=1)
    body = reviewer_client.get(f"/api/v1/claims/{claim.pk}/similar/").json()
    assert [(match["kind"], match["external_fact_check"]["id"]) for match in body] == [
        ("external", checked_elsewhere["near"].pk)
    ]


def test_external_false_leaves_them_out(reviewer_client, checked_elsewhere):
    claim = ClaimFactory(sentence=1)
    for value in ("false", "0"):
        body = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED, "external": value}).json()
        assert [(match["kind"], match["claim"]["id"]) for match in body] == [("claim", claim.pk)]
    assert reviewer_client.get(f"/api/v1/claims/{claim.pk}/similar/", {"external": "false"}).json() == []
    for value in ("maybe", ""):
        response = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED, "external": value})
        assert response.status_code == 400
        assert response.json() == {"external": ["Must be true or false."]}


def test_anonymous_readers_see_external_fact_checks_but_only_verified_claims(anon, checked_elsewhere):
    ClaimFactory(sentence=1)  # accepted, not verified: not shown to readers
    body = anon.get("/api/v1/claims/similar/", {"text": LIBERATED}).json()
    assert [(match["kind"], match["external_fact_check"]["id"]) for match in body] == [
        ("external", checked_elsewhere["near"].pk)
    ]


def test_limit_caps_the_claims_and_the_external_fact_checks_each(reviewer_client):
    for n in range(3):
        ClaimFactory(sentence=1)
        ExternalFactCheckFactory(claim_reviewed=f"Troops liberated more than {30 + n} towns in two days.")
    body = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED, "limit": 2}).json()
    assert [match["kind"] for match in body] == ["claim", "claim", "external", "external"]
    scores = [match["score"] for match in body if match["kind"] == "external"]
    assert scores == sorted(scores, reverse=True)


def test_similar_with_external_fact_checks_answers_in_a_fixed_number_of_queries(
    reviewer_client, django_assert_max_num_queries
):
    for n in range(25):
        ExternalFactCheckFactory(claim_reviewed=f"Troops liberated more than {n + 30} towns in two days near Kharkiv.")
    # The claims' lookup (9, tests/claims/test_similarity.py), then the external fact-checks': the
    # table's size and the text's words, the threshold, the search.
    with django_assert_max_num_queries(12):
        response = reviewer_client.get("/api/v1/claims/similar/", {"text": LIBERATED, "limit": 20})
    assert len(response.json()) == 20
