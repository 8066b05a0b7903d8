"""Requests are held to the OpenAPI document: what it does not allow is a 400 (or the documented 404
for a cursor), never silently read as something else."""

import base64

import pytest

from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_articles():
    first, second = ClaimFactory(verified=True), ClaimFactory(verified=True)
    return first.article_id, second.article_id


@pytest.mark.parametrize("value", ["1.5", "1.0", "１", " 1", "1e0", "0x1", "-1", "0"])
def test_an_id_filter_that_is_no_whole_number_from_1_is_a_400(anon, two_articles, value):
    for path, name in (
        ("/api/v1/claims/", "article"),
        ("/api/v1/exports/claims", "article"),
        ("/api/v1/reviews/", "claim"),
    ):
        response = anon.get(path, {name: value})
        assert response.status_code == 400, (path, value, response.content)
        assert name in response.json()


def test_an_id_filter_still_selects_by_id(anon, two_articles):
    first, _ = two_articles
    response = anon.get("/api/v1/claims/", {"article": str(first)})
    assert [claim["article"] for claim in response.json()["results"]] == [first]


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/claims/", {"updated_since": ""}),
        ("/api/v1/claims/", {"status": ""}),
        ("/api/v1/claims/", {"article": ""}),
        ("/api/v1/reviews/", {"state": ""}),
        ("/api/v1/exports/claims", {"updated_since": ""}),
        ("/api/v1/exports/claims", {"format": ""}),
    ],
)
def test_a_typed_parameter_given_empty_is_a_400(anon, path, query):
    response = anon.get(path, query)
    assert response.status_code == 400, response.content
    assert list(response.json()) == list(query)


def test_an_empty_text_filter_still_means_no_filter(anon, two_articles):
    response = anon.get("/api/v1/claims/", {"claimant": "", "tag": ""})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


@pytest.mark.parametrize("ordering", ["id,", " id", "id, -created_at", "body", ",id"])
def test_ordering_takes_exactly_the_listed_fields_comma_separated(anon, ordering):
    response = anon.get("/api/v1/claims/", {"ordering": ordering})
    assert response.status_code == 400
    assert "ordering" in response.json()


def test_ordering_by_several_listed_fields_works(anon, two_articles):
    response = anon.get("/api/v1/claims/", {"ordering": "-check_worthiness,id"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "querystring",
    ["a=1", "", "o=1&o=2", "r=2", "o=-1&p=1", "p=1&x=2"],
    ids=["other", "nothing", "twice", "r", "o", "extra"],
)
def test_a_cursor_that_decodes_to_no_cursor_we_issue_is_an_invalid_cursor(anon, two_articles, querystring):
    cursor = base64.b64encode(querystring.encode()).decode() or "===="
    response = anon.get("/api/v1/claims/", {"cursor": cursor})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_the_cursors_the_api_issues_still_page(anon, two_articles):
    first_page = anon.get("/api/v1/claims/", {"page_size": 1}).json()
    second_page = anon.get(first_page["next"]).json()
    back = anon.get(second_page["previous"]).json()
    assert back["results"] == first_page["results"]
    assert anon.get("/api/v1/claims/", {"cursor": ""}).status_code == 200


def test_a_put_without_a_body_is_a_400(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.put(f"/api/v1/claims/{claim.pk}/")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["PUT needs a JSON body."]}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("claimant", 0, "Expected a string."),
        ("tags", [0], "Item 0: Expected a string."),
        ("tags", "war", "Expected a list of items."),
        ("start", "0", "Expected a whole number."),
        ("check_worthiness", "0.5", "Expected a number."),
        ("check_worthiness", True, "Expected a number."),
        ("article", "1", "Expected an id (a whole number)."),
        ("status", 1, "Expected a string."),
    ],
)
def test_a_body_field_of_another_json_type_is_refused(reviewer_client, field, value, message):
    article = ArticleFactory()
    body = {"article": article.pk, "quote": "The ministry said 2,000 soldiers were killed in three days.", field: value}
    response = reviewer_client.post("/api/v1/claims/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
