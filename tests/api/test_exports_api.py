"""GET /api/v1/exports/claims: streamed exports of verified claims, through the real URL."""

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.models import Claim
from reviews import exports
from reviews.models import Review
from tests.factories import EvidenceFactory, ReviewFactory
from tests.reviews.test_exports import make_varied_claims

pytestmark = pytest.mark.django_db

URL = "/api/v1/exports/claims"


def body(response):
    assert response.streaming, "exports are streamed"
    return b"".join(response.streaming_content).decode("utf-8")


def ndjson_ids(response):
    return [json.loads(line)["id"] for line in body(response).splitlines()]


# --- formats and headers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        ("claimreview", "application/ld+json", "jsonld"),
        ("datafeed", "application/ld+json", "jsonld"),
        ("csv", "text/csv; charset=utf-8", "csv"),
        ("ndjson", "application/x-ndjson", "ndjson"),
    ],
)
def test_each_format_has_its_content_type_and_a_download_name(anon, fmt, content_type, extension):
    make_varied_claims()
    response = anon.get(URL, {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="verified-claims.{extension}"'
    text = body(response)
    if fmt == "csv":
        assert len(list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))) == 4
    elif fmt == "ndjson":
        assert len(text.splitlines()) == 3
    elif fmt == "datafeed":
        assert len(json.loads(text)["dataFeedElement"]) == 3
    else:
        assert len(json.loads(text)) == 3


def test_claimreview_is_the_default_format(anon):
    make_varied_claims()
    response = anon.get(URL)
    assert response["Content-Type"] == "application/ld+json"
    assert [item["@type"] for item in json.loads(body(response))] == ["ClaimReview"] * 3


def test_the_trailing_slash_is_accepted_too(anon):
    ReviewFactory(state=Review.State.PUBLISHED)
    response = anon.get(URL + "/", {"format": "ndjson"})
    assert response.status_code == 200
    assert len(ndjson_ids(response)) == 1


def test_head_answers_the_headers_without_running_the_export(anon, django_assert_num_queries):
    ReviewFactory(state=Review.State.PUBLISHED)
    with django_assert_num_queries(1):  # the ETag's aggregate, not the export's batches
        response = anon.head(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["ETag"] == anon.get(URL, {"format": "csv"})["ETag"]


def test_an_accept_header_does_not_override_the_format(anon):
    ReviewFactory(state=Review.State.PUBLISHED)
    response = anon.get(URL, {"format": "csv"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_the_api_serves_what_the_shared_writers_produce(anon):
    make_varied_claims()
    for name, fmt in exports.FORMATS.items():
        served = body(anon.get(URL, {"format": name}))
        expected = "".join(fmt.write(exports.exported_claims(exports.verified_claims())))
        if name == "datafeed":
            served, expected = json.loads(served), json.loads(expected)
            served.pop("dateModified"), expected.pop("dateModified")
        assert served == expected, name


# --- NDJSON equals the claim detail ------------------------------------------------------------


def test_each_ndjson_line_equals_the_claim_detail_field_for_field(anon, reviewer_client):
    verified = make_varied_claims()
    lines = [json.loads(line) for line in body(anon.get(URL, {"format": "ndjson"})).splitlines()]
    assert [line["id"] for line in lines] == [claim.pk for claim in verified]
    for line in lines:
        for client in (anon, reviewer_client):
            detail = client.get(f"/api/v1/claims/{line['id']}/").json()
            assert set(line) == set(detail)
            for field in detail:
                assert line[field] == detail[field], field


def test_timestamps_with_and_without_fractions_of_a_second_are_written_as_drf_writes_them(anon):
    """The database formats them: ``…:00Z`` for a whole second (DRF leaves out ``.000000``), else ``….000250Z``."""
    first, second = make_varied_claims()[:2]
    Claim.objects.filter(pk=first.pk).update(updated_at=datetime(2024, 3, 1, 12, 30, tzinfo=UTC))
    Claim.objects.filter(pk=second.pk).update(updated_at=datetime(2024, 3, 1, 12, 30, 0, 250, tzinfo=UTC))
    lines = {line["id"]: line for line in map(json.loads, body(anon.get(URL, {"format": "ndjson"})).splitlines())}
    assert lines[first.pk]["updated_at"] == "2024-03-01T12:30:00Z"
    assert lines[second.pk]["updated_at"] == "2024-03-01T12:30:00.000250Z"
    for claim in (first, second):
        assert lines[claim.pk]["updated_at"] == anon.get(f"/api/v1/claims/{claim.pk}/").json()["updated_at"]


def test_ndjson_equals_the_claim_detail_in_another_time_zone_too(anon):
    """Outside UTC the timestamps are rendered by Python, as DRF does, instead of by the database."""
    make_varied_claims()
    with timezone.override("Europe/Kyiv"):
        lines = [json.loads(line) for line in body(anon.get(URL, {"format": "ndjson"})).splitlines()]
        details = [anon.get(f"/api/v1/claims/{line['id']}/").json() for line in lines]
    assert lines == details
    assert lines[0]["created_at"].endswith(("+02:00", "+03:00"))


# --- who may export, and what --------------------------------------------------------------------


def test_anonymous_export_holds_only_verified_claims(anon):
    verified = make_varied_claims()
    assert Claim.objects.exclude(status=Claim.Status.VERIFIED).count() == 3
    assert ndjson_ids(anon.get(URL, {"format": "ndjson"})) == [claim.pk for claim in verified]
    csv_ids = [row["claim_id"] for row in csv.DictReader(io.StringIO(body(anon.get(URL, {"format": "csv"}))[1:]))]
    assert csv_ids == [str(claim.pk) for claim in verified]
    review_ids = set(Review.objects.filter(state=Review.State.PUBLISHED).values_list("pk", flat=True))
    urls = {item["url"] for item in json.loads(body(anon.get(URL)))}
    assert urls == {exports.review_url(0, pk) for pk in review_ids}


def test_newsroom_members_get_the_same_published_material(anon, editor_client):
    make_varied_claims()
    assert ndjson_ids(editor_client.get(URL, {"format": "ndjson"})) == ndjson_ids(anon.get(URL, {"format": "ndjson"}))


def test_token_authenticated_clients_can_export(reviewer):
    ReviewFactory(state=Review.State.PUBLISHED)
    _, token = AuthToken.objects.create(reviewer)
    client = APIClient()
    response = client.get(URL, {"format": "csv"}, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    assert len(list(csv.DictReader(io.StringIO(body(response)[1:])))) == 1


def test_a_bad_token_is_refused_not_ignored():
    response = APIClient().get(URL, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401
    assert "detail" in response.json()


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_exports_are_read_only(anon, editor_client, method):
    for client in (anon, editor_client):
        response = getattr(client, method)(URL)
        assert response.status_code == 405
        assert "detail" in response.json()


# --- filters -----------------------------------------------------------------------------------


def test_the_claim_list_filters_apply(anon):
    first, second, third = make_varied_claims()

    def ids(**params):
        return ndjson_ids(anon.get(URL, {"format": "ndjson", **params}))

    assert ids(verdict="mostly_false") == [first.pk]
    assert ids(verdict=["mostly_false", "true"]) == [first.pk, third.pk]
    assert ids(tag="casualties") == [first.pk]
    assert ids(article=second.article_id) == [second.pk]
    assert ids(claimant="cmd") == [second.pk]
    Claim.objects.filter(pk=third.pk).update(updated_at="2031-01-01T00:00:00Z")
    assert ids(updated_since="2030-06-01T00:00:00+02:00") == [third.pk]
    assert ids(status="candidate") == [first.pk, second.pk, third.pk]
    assert ids(search="calc") == [second.pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "xml"}, "format"),
        ({"format": "json"}, "format"),
        ({"verdict": "bogus"}, "verdict"),
        ({"updated_since": "not a date"}, "updated_since"),
        ({"article": "one"}, "article"),
        ({"article": str(2**64)}, "article"),
        ({"claimant": "a\x00b"}, "claimant"),
        ({"tag": "x" * 51}, "tag"),
    ],
)
def test_bad_parameters_get_400_json_naming_the_field(anon, params, field):
    response = anon.get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


# --- queries -----------------------------------------------------------------------------------


def make_verified(count):
    for _ in range(count):
        EvidenceFactory(review__state=Review.State.PUBLISHED)


def count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
        body(response)
    return len(queries)


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_queries_grow_with_batches_not_with_claims(anon, fmt, monkeypatch, django_assert_max_num_queries):
    """Three queries per batch of claims, whatever the batch holds and the format, and one for the ETag."""
    monkeypatch.setattr(exports, "BATCH_SIZE", 10)
    make_verified(5)
    five = count_queries(anon, {"format": fmt})
    assert five == 1 + 3  # anonymous: no session or token lookup
    make_verified(25)  # 30 claims: three full batches and the query that finds no fourth
    with django_assert_max_num_queries(11):
        body(anon.get(URL, {"format": fmt}))
    assert count_queries(anon, {"format": fmt}) == 1 + 10


def test_default_batches_keep_hundreds_of_claims_in_three_queries(anon, django_assert_max_num_queries):
    make_verified(60)
    with django_assert_max_num_queries(1 + 3):
        assert len(ndjson_ids(anon.get(URL, {"format": "ndjson"}))) == 60


# --- schema ------------------------------------------------------------------------------------


def test_the_export_is_in_the_openapi_schema(anon):
    schema = anon.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT="application/json")
    document = json.loads(schema.content)
    operation = document["paths"]["/api/v1/exports/claims"]["get"]
    params = {param["name"]: param for param in operation["parameters"]}
    assert params["format"]["schema"]["enum"] == sorted(exports.FORMATS)
    assert {"verdict", "article", "claimant", "tag", "updated_since", "search"} <= set(params)
    assert "status" not in params
    assert set(operation["responses"]["200"]["content"]) == {"application/ld+json", "text/csv", "application/x-ndjson"}
    assert "/api/v1/exports/claims/" not in document["paths"]
