"""Cursor pagination: a cursor whose position cannot be applied is DRF's 404 "Invalid cursor", never a 500.

DRF decodes the cursor (base64 of ``o=<offset>&r=<reverse>&p=<position>``) and compares the ordering
field with the position as given: an impossible date, NaN or a NUL byte used to reach the database.
"""

import base64
import itertools
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tests.factories import ClaimFactory

pytestmark = pytest.mark.django_db

INVALID_CURSOR = {"detail": "Invalid cursor"}

# Every paginated list endpoint and the fields it can be ordered by (its view's ordering_fields).
ORDERINGS = {
    "/api/v1/claims/": ["id", "created_at", "updated_at", "check_worthiness"],
    "/api/v1/articles/": ["id", "published_at", "created_at", "updated_at"],
    "/api/v1/reviews/": ["id", "created_at", "updated_at", "published_at"],
}
ENDPOINT_FIELDS = [(path, field) for path, fields in ORDERINGS.items() for field in fields]

# Positions no cursor of ours carries, whatever the ordering field's type.
HOSTILE_POSITIONS = {
    "impossible date": "2020-13-45",
    "NaN": "nan",
    "infinity": "inf",
    "minus infinity": "-inf",
    "float overflow": "1e999",
    "a NUL byte": "\x00",
    "a NUL byte after a number": "1\x00",
    "a NUL byte after a date": "2022-09-10 12:00:00+00:00\x00",
    "2**64": str(2**64),
    "-2**63 - 1": str(-(2**63) - 1),
    "5000 digits": "9" * 5000,
    "year 9999 west of UTC": "9999-12-31 23:59:59-05:00",
    "year 1 east of UTC": "0001-01-01 00:00:00+05:00",
    "empty": "",
    "None": "None",
    "text": "abc",
    "invalid UTF-8": "\ufffd",
    "SQL": "1' OR '1'='1",
}
# Integers beyond 64 bits are still floats: a check_worthiness cursor may carry them.
FLOAT_POSITIONS = {"2**64", "-2**63 - 1"}


def cursor(position, reverse=False, offset=0):
    """A cursor as DRF encodes one, around ``position``."""
    tokens = {"o": offset, "r": int(reverse), "p": position}
    return base64.b64encode(urlencode(tokens).encode()).decode()


def raw_cursor(querystring):
    return base64.b64encode(querystring.encode()).decode()


@pytest.fixture
def published_review():
    """A published review: a verified claim and its article, all visible to anonymous clients."""
    return ClaimFactory(verified=True).reviews.get()


@pytest.mark.parametrize(
    "querystring",
    [
        pytest.param("p=2020-13-45", id="impossible date"),
        pytest.param("p=nan", id="NaN"),
        pytest.param("r=1&p=%00", id="reversed NUL byte"),
    ],
)
def test_crafted_cursors_from_the_red_team_report_are_invalid_cursors_not_500s(anon, published_review, querystring):
    response = anon.get("/api/v1/claims/", {"ordering": "check_worthiness", "cursor": raw_cursor(querystring)})
    assert response.status_code == 404
    assert response.json() == INVALID_CURSOR


def test_an_undecodable_cursor_gets_the_same_answer_as_before(anon, published_review):
    response = anon.get("/api/v1/claims/", {"cursor": "not base64 at all!"})
    assert response.status_code == 404
    assert response.json() == INVALID_CURSOR


@pytest.mark.parametrize("name", HOSTILE_POSITIONS)
@pytest.mark.parametrize(("path", "field"), ENDPOINT_FIELDS)
def test_a_position_that_is_no_value_of_the_ordering_field_is_an_invalid_cursor(anon, path, field, name):
    # No rows needed: the position used to fail as the query was built or sent, whatever the table held.
    if field == "check_worthiness" and name in FLOAT_POSITIONS:
        pytest.skip("a valid float")
    for ordering, reverse in itertools.product((field, "-" + field), (False, True)):
        response = anon.get(path, {"ordering": ordering, "cursor": cursor(HOSTILE_POSITIONS[name], reverse=reverse)})
        assert response.status_code == 404, (ordering, reverse, response.content)
        assert response.json() == INVALID_CURSOR


@pytest.mark.parametrize(("path", "field"), ENDPOINT_FIELDS)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    position=st.one_of(
        st.text(),
        st.integers(min_value=-(2**80), max_value=2**80).map(str),
        st.floats().map(str),
        st.datetimes(timezones=st.timezones()).map(str),
    ),
    reverse=st.booleans(),
    descending=st.booleans(),
)
def test_any_position_pages_or_is_an_invalid_cursor_never_a_500(
    published_review, path, field, position, reverse, descending
):
    client = APIClient()
    client.raise_request_exception = False
    ordering = "-" + field if descending else field
    response = client.get(path, {"ordering": ordering, "cursor": cursor(position, reverse=reverse)})
    assert response.status_code in (200, 404), response.content
    if response.status_code == 404:
        assert response.json() == INVALID_CURSOR


@pytest.mark.parametrize(("path", "field"), ENDPOINT_FIELDS)
def test_the_cursors_the_api_issues_still_walk_every_item_once_both_ways(anon, path, field):
    # Distinct values: with ties DRF's cursors skip items when the direction changes (documented).
    for worthiness in (0.2, 0.5, 0.9):
        ClaimFactory(verified=True, check_worthiness=worthiness)
    for ordering in (field, "-" + field):
        url = f"{path}?ordering={ordering}&page_size=2"
        forward, last_page = [], None
        while url:
            response = anon.get(url)
            assert response.status_code == 200, response.content
            last_page = response.json()
            forward += [item["id"] for item in last_page["results"]]
            url = last_page["next"]
        assert len(forward) == len(set(forward)) == 3
        backward, url = [], last_page["previous"]
        while url:
            response = anon.get(url)
            assert response.status_code == 200, response.content
            page = response.json()
            backward = [item["id"] for item in page["results"]] + backward
            url = page["previous"]
        assert backward == forward[: len(backward)] and len(backward) == 3 - len(last_page["results"])


@pytest.mark.parametrize(
    ("field", "position"),
    [
        ("check_worthiness", "0.30000000000000004"),
        ("check_worthiness", "1e-300"),
        ("id", str(2**63 - 1)),
        ("id", str(-(2**63))),
        ("created_at", "2022-09-10 12:00:00+00:00"),
        ("created_at", "2022-09-10T12:00:00Z"),
        ("created_at", "2022-09-10 12:00:00"),
        ("created_at", "9999-12-31 23:59:59+00:00"),
        ("created_at", "0001-01-01 00:00:00+00:00"),
    ],
)
def test_a_well_formed_position_pages_from_that_value(anon, published_review, field, position):
    for ordering, reverse in itertools.product((field, "-" + field), (False, True)):
        response = anon.get("/api/v1/claims/", {"ordering": ordering, "cursor": cursor(position, reverse=reverse)})
        assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", ["/api/v1/claims/", "/api/v1/external-fact-checks/"])
def test_an_empty_page_size_is_refused_as_the_document_types_it(anon, path):
    # The document says a whole number from 1: "" is none (the fuzzer found the list accepting it).
    response = anon.get(path, {"page_size": ""})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Enter a whole number from 1 to 200."]}
    assert anon.get(path).status_code == 200
