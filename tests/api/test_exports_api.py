"""GET /api/v1/exports/claims: streamed exports of verified claims, through the real URL."""

import csv
import io
import json
import time
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import OperationalError, close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date, parse_http_date
from knox.models import AuthToken
from rest_framework.test import APIClient

from claims.models import Claim, Tag
from reviews import exports, workflow
from reviews.api import export_views
from reviews.exports import reading
from reviews.models import Review
from tests.factories import ClaimFactory, ReviewFactory
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
            # The newsroom also sees the reasons for the check-worthiness score, the assignee and the match
            # suggestion: working data, not exported.
            newsroom_only = (
                {"check_worthiness_reasons", "assignee", "match_suggestion"} if client is reviewer_client else set()
            )
            assert set(line) == set(detail) - newsroom_only
            for field in line:
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
    ClaimFactory.create_batch(count, verified=True)


def count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
        body(response)
    return len(queries)


@pytest.mark.parametrize("fmt", list(exports.FORMATS))
def test_queries_grow_with_batches_not_with_claims(anon, fmt, monkeypatch, django_assert_max_num_queries):
    """Four queries per batch of claims (claims, tags, evidence, appearances), whatever the batch holds and
    the format, and one for the ETag."""
    monkeypatch.setattr(reading, "BATCH_SIZE", 10)
    make_verified(5)
    five = count_queries(anon, {"format": fmt})
    assert five == 1 + 4  # anonymous: no session or token lookup
    make_verified(25)  # 30 claims: three full batches and the query that finds no fourth
    with django_assert_max_num_queries(14):
        body(anon.get(URL, {"format": fmt}))
    assert count_queries(anon, {"format": fmt}) == 1 + 13


def test_default_batches_keep_hundreds_of_claims_in_four_queries(anon, django_assert_max_num_queries):
    make_verified(60)
    with django_assert_max_num_queries(1 + 4):
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


# --- revalidation: ETag and Last-Modified (finding M4) -----------------------------------------


def test_an_export_carries_an_etag_and_last_modified_that_clients_can_revalidate(anon):
    make_varied_claims()
    response = anon.get(URL, {"format": "csv"})
    body(response)
    assert response["ETag"].startswith('W/"')
    newest = max(
        *Claim.objects.filter(status=Claim.Status.VERIFIED).values_list("updated_at", flat=True),
        *Review.objects.filter(state=Review.State.PUBLISHED).values_list("updated_at", flat=True),
    )
    assert parse_http_date(response["Last-Modified"]) == int(newest.timestamp())
    assert response["Cache-Control"] == "public, no-cache"


def test_if_none_match_with_the_current_etag_gets_304_without_running_the_export(anon, django_assert_num_queries):
    make_varied_claims()
    etag = anon.get(URL, {"format": "ndjson"})["ETag"]
    with django_assert_num_queries(1):  # the aggregate only
        response = anon.get(URL, {"format": "ndjson"}, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, no-cache"
    assert anon.get(URL, {"format": "ndjson"}, HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200


def test_if_modified_since_the_last_change_gets_304(anon):
    make_varied_claims()
    last_modified = anon.get(URL)["Last-Modified"]
    assert anon.get(URL, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    earlier = http_date(parse_http_date(last_modified) - 1)
    assert anon.get(URL, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


def test_the_etag_changes_when_a_correction_is_published(anon, editor):
    published = ReviewFactory(state=Review.State.PUBLISHED, verdict="false")
    etag = anon.get(URL)["ETag"]
    # Same verdict: the claim row stays as it was, only the published review changes.
    correction = ReviewFactory(claim=published.claim, state=Review.State.SUBMITTED, verdict="false", summary="Newer.")
    workflow.publish(correction, by=editor)
    response = anon.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Newer." in body(response)


def test_the_etag_changes_when_a_claim_is_verified_or_its_row_edited_not_when_its_article_is(anon):
    first = ReviewFactory(state=Review.State.PUBLISHED)
    etags = [anon.get(URL)["ETag"]]
    ReviewFactory(state=Review.State.PUBLISHED)
    etags.append(anon.get(URL)["ETag"])
    first.claim.tags.set(Tag.objects.for_names(["energy"]))
    first.claim.save()  # the claim row's tags are served live
    etags.append(anon.get(URL)["ETag"])
    assert len(set(etags)) == 3
    # The article's title reaches an export only with a correction: the export is unchanged.
    first.claim.article.title = "A corrected headline"
    first.claim.article.save()
    response = anon.get(URL, HTTP_IF_NONE_MATCH=etags[-1])
    assert response.status_code == 304


def test_the_etag_differs_between_formats_and_filters(anon):
    make_varied_claims()
    etags = {
        anon.get(URL, params)["ETag"]
        for params in ({}, {"format": "csv"}, {"format": "ndjson"}, {"format": "csv", "verdict": "true"})
    }
    assert len(etags) == 4
    assert anon.get(URL, {"format": "csv"})["ETag"] == anon.get(URL, {"format": "csv"})["ETag"]


def test_an_empty_export_has_an_etag_and_no_last_modified(anon):
    response = anon.get(URL, {"format": "ndjson"})
    assert body(response) == ""
    assert response["ETag"]
    assert "Last-Modified" not in response
    assert anon.get(URL, {"format": "ndjson"}, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_stale_if_match_gets_412_json(anon):
    ReviewFactory(state=Review.State.PUBLISHED)
    response = anon.get(URL, HTTP_IF_MATCH='"stale"')
    assert response.status_code == 412
    assert "detail" in response.json()


# --- concurrent exports (finding M4) -------------------------------------------------------------


@pytest.fixture
def one_export_at_a_time(settings):
    settings.FACTCHECK_MAX_CONCURRENT_EXPORTS = 1
    cache.clear()  # slots of streams earlier tests never read
    yield
    cache.clear()


def test_an_export_beyond_the_concurrency_limit_gets_503_with_retry_after(anon, one_export_at_a_time):
    make_verified(3)
    running = anon.get(URL, {"format": "ndjson"})  # streaming: holds the slot until read or closed
    assert running.status_code == 200
    busy = anon.get(URL, {"format": "csv"})
    assert busy.status_code == 503
    assert busy["Content-Type"] == "application/json"
    assert "exports are running" in busy.json()["detail"]
    assert busy["Retry-After"] == str(export_views.RETRY_AFTER_SECONDS)
    assert len(body(running).splitlines()) == 3  # read to the end: the slot is free again
    assert anon.get(URL, {"format": "csv"}).status_code == 200


def abandon(response):
    """Close a response unread, as the server does when the client disconnects mid-stream.

    As the test client does, keep ``request_finished`` from closing the test's transaction's connection.
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_an_export_the_client_abandons_gives_its_slot_back(anon, one_export_at_a_time):
    make_verified(3)
    abandon(anon.get(URL))
    assert anon.get(URL).status_code == 200


def test_an_export_that_fails_before_streaming_gives_its_slot_back(anon, one_export_at_a_time, monkeypatch):
    make_verified(1)

    def database_down(queryset):
        raise OperationalError("connection refused")
        yield

    with monkeypatch.context() as patch:
        patch.setattr(exports, "exported_claims", database_down)
        assert anon.get(URL).status_code == 503
    assert anon.get(URL).status_code == 200


def test_head_and_not_modified_answers_need_no_slot(anon, one_export_at_a_time):
    make_verified(1)
    etag = anon.head(URL)["ETag"]
    running = anon.get(URL)
    assert anon.head(URL).status_code == 200
    assert anon.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    abandon(running)


def test_export_slots_live_in_the_shared_cache_and_lapse_if_a_worker_dies(database_cache, one_export_at_a_time):
    slot = export_views.ExportSlot.take()
    assert export_views.ExportSlot.take() is None
    table = connection.ops.quote_name(database_cache["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT cache_key, expires FROM {table}")
        (key, expires), *others = cursor.fetchall()
    assert others == []
    assert key.endswith(slot.key)
    expires = expires if isinstance(expires, datetime) else datetime.fromisoformat(expires)
    assert 0 < (expires.replace(tzinfo=UTC) - timezone.now()).total_seconds() <= export_views.SLOT_SECONDS
    slot.release()
    assert export_views.ExportSlot.take() is not None


def test_a_long_stream_renews_its_slot_as_it_goes(monkeypatch, one_export_at_a_time):
    clock = iter(range(0, 1000, 15))  # every chunk takes 15 s
    monkeypatch.setattr(export_views.time, "monotonic", lambda: next(clock))
    renewals = []
    monkeypatch.setattr(export_views.cache, "touch", lambda key, timeout: renewals.append((key, timeout)))
    slot = export_views.ExportSlot.take()
    assert list(slot.held(iter(["a"] * 6))) == ["a"] * 6
    assert renewals == [(slot.key, export_views.SLOT_SECONDS)] * 3  # every 30 s of a 90-second stream


def test_releasing_a_lapsed_slot_leaves_the_next_holder_alone(one_export_at_a_time):
    slot = export_views.ExportSlot.take()
    cache.set(slot.key, "another export")  # ours lapsed and another worker took it
    slot.release()
    assert cache.get(slot.key) == "another export"


def test_a_slot_whose_release_meets_a_lost_database_is_freed_once_it_is_back(monkeypatch, one_export_at_a_time):
    slot = export_views.ExportSlot.take()
    real_get, failures = cache.get, [OperationalError("connection refused")] * 2

    def get_while_down(*args, **kwargs):
        if failures:
            raise failures.pop()
        return real_get(*args, **kwargs)

    monkeypatch.setattr(export_views.cache, "get", get_while_down)
    slot.release()  # the database is down: no error, the slot is still held
    assert real_get(slot.key) == slot.holder
    deadline = time.monotonic() + 10
    while real_get(slot.key) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert real_get(slot.key) is None  # freed in the background about a second after the database returned
