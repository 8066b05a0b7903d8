"""The benchmark's bare ``.values()`` view (bench/urls.py) serves the same columns as the API's claim list.

bench/api_latency.py compares the API list with it; when a field was added to the list and not here, every
bare request answered 500 and the comparison silently lost its baseline.
"""

import pytest

from tests.factories import ClaimFactory


@pytest.fixture
def bench_urls(settings):
    settings.ROOT_URLCONF = "bench.urls"


@pytest.mark.postgres  # the bare view reads tags with an array subquery, as the API list does on PostgreSQL
def test_the_bare_view_lists_what_the_api_list_lists(db, bench_urls, client, reviewer_client):
    claims = [ClaimFactory(sentence=n) for n in range(3)]
    bare = client.get("/bench/values/claims")
    assert bare.status_code == 200
    api = reviewer_client.get("/api/v1/claims/")
    assert api.status_code == 200
    bare_rows, api_rows = bare.json()["results"], api.json()["results"]
    assert [row["id"] for row in bare_rows] == [row["id"] for row in api_rows] == [c.pk for c in reversed(claims)]
    renamed = {"article_id": "article", "claimant_entity_id": "claimant_id", "matched_claim_id": "matched_to"}
    assert {renamed.get(name, name) for name in bare_rows[0]} == set(api_rows[0])
