"""The claims endpoints: visibility, creation at exact offsets, triage, filters and pagination."""

import pytest

from claims.models import Claim
from tests.factories import ArticleFactory, ClaimFactory, ReviewFactory
from tests.snapshots import nothing_changed
from tests.versions import version_of

pytestmark = pytest.mark.django_db


def test_anonymous_list_contains_only_verified_claims(anon):
    verified = ClaimFactory(verified=True)
    ClaimFactory(status="candidate")
    ReviewFactory(state="submitted")
    response = anon.get("/api/v1/claims/")
    assert response.status_code == 200
    assert [claim["id"] for claim in response.json()["results"]] == [verified.id]


def test_anonymous_gets_404_for_an_unverified_claim(anon):
    claim = ClaimFactory()
    assert anon.get(f"/api/v1/claims/{claim.id}/").status_code == 404


def test_reviewer_sees_every_claim(reviewer_client):
    claims = [ClaimFactory(), ClaimFactory(verified=True)]
    ids = {claim["id"] for claim in reviewer_client.get("/api/v1/claims/").json()["results"]}
    assert ids == {claim.id for claim in claims}


def test_claim_detail_carries_published_review_evidence_and_etag(reviewer_client):
    review = ReviewFactory(state="published", verdict="mostly_false")
    response = reviewer_client.get(f"/api/v1/claims/{review.claim_id}/")
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "mostly_false"
    assert body["published_review"]["id"] == review.id
    assert body["published_review"]["rating_value"] == 2
    assert response["ETag"] == f'"{body["version"]}"'


def test_reviewer_creates_a_claim_from_offsets(reviewer_client, reviewer):
    article = ArticleFactory(body="Alpha said the bridge was closed on Monday. Nothing else happened.")
    response = reviewer_client.post(
        "/api/v1/claims/", {"article": article.id, "start": 11, "end": 42, "claimant": "Alpha"}, format="json"
    )
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get(pk=response.json()["id"])
    assert claim.quote == "the bridge was closed on Monday"
    assert claim.created_by == reviewer
    assert claim.status == "candidate"


def test_reviewer_creates_a_claim_from_a_quote_and_the_offsets_are_found(reviewer_client):
    article = ArticleFactory(body="Alpha said the bridge was closed on Monday.")
    response = reviewer_client.post(
        "/api/v1/claims/", {"article": article.id, "quote": "the bridge was closed"}, format="json"
    )
    assert response.status_code == 201
    assert (response.json()["start"], response.json()["end"]) == (11, 32)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"start": 0, "end": 5, "quote": "Wrong"}, "quote"),
        ({"start": -1, "end": 5}, "start"),
        ({"start": 5, "end": 5}, "end"),
        ({"start": 0, "end": 10_000}, "end"),
        ({"start": 0, "end": 2**70}, "end"),
        ({"quote": "not in the text"}, "quote"),
        ({"start": "zero", "end": 5}, "start"),
        ({"start": 0, "end": 5, "status": "verified"}, "status"),
        ({"start": 0, "end": 5, "status": "bogus"}, "status"),
        ({"start": 0, "end": 5, "check_worthiness": 1.5}, "check_worthiness"),
        ({"start": 0, "end": 5, "tags": ["not a slug!"]}, "tags"),
        ({"start": 0, "end": 5, "claimant": "x\x00y"}, "claimant"),
    ],
)
def test_invalid_claims_are_refused_with_the_field_named_and_nothing_written(reviewer_client, payload, field):
    article = ArticleFactory(body="Alpha said the bridge was closed on Monday.")
    with nothing_changed():
        response = reviewer_client.post("/api/v1/claims/", {"article": article.id, **payload}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Claim.objects.exists()


def test_the_same_span_cannot_be_claimed_twice(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.post(
        "/api/v1/claims/", {"article": claim.article_id, "start": claim.start, "end": claim.end}, format="json"
    )
    assert response.status_code == 400
    assert Claim.objects.count() == 1


def test_anonymous_cannot_create_claims(anon):
    article = ArticleFactory()
    response = anon.post("/api/v1/claims/", {"article": article.id, "start": 0, "end": 5}, format="json")
    assert response.status_code == 401
    assert not Claim.objects.exists()


def test_reviewer_accepts_a_candidate_but_only_an_editor_dismisses(reviewer_client, editor_client):
    claim = ClaimFactory(status="candidate")
    url = f"/api/v1/claims/{claim.id}/"
    assert reviewer_client.patch(url, {"status": "accepted", "version": version_of(claim)}).status_code == 200
    response = reviewer_client.patch(url, {"status": "dismissed", "version": version_of(claim)})
    assert response.status_code == 400
    assert "status" in response.json()
    assert editor_client.patch(url, {"status": "dismissed", "version": version_of(claim)}).status_code == 200
    claim.refresh_from_db()
    assert claim.status == "dismissed"


def test_status_of_a_claim_under_review_follows_its_reviews(editor_client):
    claim = ClaimFactory(in_review=True)
    response = editor_client.patch(f"/api/v1/claims/{claim.id}/", {"status": "accepted", "version": version_of(claim)})
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == "in_review"


def test_claim_update_keeps_quote_and_offsets_consistent(reviewer_client):
    article = ArticleFactory(body="Alpha said the bridge was closed on Monday.")
    claim = ClaimFactory(article=article, start=0, end=5, quote="Alpha")
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"start": 11, "end": 21, "version": version_of(claim)}
    )
    assert response.status_code == 200
    assert response.json()["quote"] == "the bridge"
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"quote": "something else", "version": version_of(claim)}
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.quote == "the bridge"


def test_article_of_a_claim_cannot_be_changed(reviewer_client):
    claim = ClaimFactory()
    other = ArticleFactory()
    reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"article": other.id, "version": version_of(claim)})
    claim.refresh_from_db()
    assert claim.article_id != other.id


def test_stale_if_match_gets_412_and_stale_version_gets_409(reviewer_client):
    claim = ClaimFactory()
    etag = reviewer_client.get(f"/api/v1/claims/{claim.id}/")["ETag"]
    first = reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"claimant": "A"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    stale = reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"claimant": "B"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    stale_body = reviewer_client.patch(f"/api/v1/claims/{claim.id}/", {"claimant": "C", "version": 1})
    assert stale_body.status_code == 409
    claim.refresh_from_db()
    assert claim.claimant == "A"


def test_tags_are_created_and_filterable(reviewer_client):
    claim = ClaimFactory()
    ClaimFactory()
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.id}/", {"tags": ["Kharkiv", "war"], "version": version_of(claim)}, format="json"
    )
    assert response.status_code == 200
    assert sorted(response.json()["tags"]) == ["kharkiv", "war"]
    listed = reviewer_client.get("/api/v1/claims/?tag=kharkiv").json()["results"]
    assert [c["id"] for c in listed] == [claim.id]


def test_filters_by_status_verdict_article_claimant_and_updated_since(reviewer_client):
    published = ReviewFactory(state="published", verdict="false", claim__claimant="Ministry of Defense")
    other = ClaimFactory(claimant="Zelensky", status="candidate")

    def ids(query):
        response = reviewer_client.get(f"/api/v1/claims/?{query}")
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids("status=verified") == [published.claim_id]
    assert ids("status=candidate") == [other.id]
    assert ids("verdict=false") == [published.claim_id]
    assert ids(f"article={other.article_id}") == [other.id]
    assert ids("claimant=ministry") == [published.claim_id]
    assert ids("updated_since=2999-01-01T00:00:00Z") == []
    assert set(ids("updated_since=2000-01-01T00:00:00Z")) == {published.claim_id, other.id}


@pytest.mark.parametrize(
    "query",
    [
        "status=nope",
        "verdict=sort_of",
        "article=abc",
        "article=99999999999999999999999",
        "updated_since=yesterday",
        "claimant=" + "x" * 400,
    ],
)
def test_bad_filter_values_get_400(reviewer_client, query):
    response = reviewer_client.get(f"/api/v1/claims/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_search_finds_claims_by_words_in_the_quote(reviewer_client):
    match = ClaimFactory(sentence=1)  # "...liberated more than 30 towns..."
    ClaimFactory(sentence=2)
    results = reviewer_client.get("/api/v1/claims/?search=liberated towns").json()["results"]
    assert [c["id"] for c in results] == [match.id]


def test_cursor_pagination_walks_every_claim_once_with_capped_page_size(reviewer_client):
    article = ArticleFactory()
    created = {ClaimFactory(article=article, sentence=i).id for i in range(4)}
    seen, url = [], "/api/v1/claims/?page_size=3"
    while url:
        page = reviewer_client.get(url).json()
        assert len(page["results"]) <= 3
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(created)
    capped = reviewer_client.get("/api/v1/claims/?page_size=100000")
    assert capped.status_code == 200


def test_ordering_by_check_worthiness(reviewer_client):
    article = ArticleFactory()
    low = ClaimFactory(article=article, sentence=0, check_worthiness=0.1)
    high = ClaimFactory(article=article, sentence=1, check_worthiness=0.9)
    results = reviewer_client.get("/api/v1/claims/?ordering=-check_worthiness").json()["results"]
    assert [c["id"] for c in results] == [high.id, low.id]


def test_unknown_claim_is_404_json(reviewer_client):
    for path in ["/api/v1/claims/999999/", "/api/v1/claims/99999999999999999999999/", "/api/v1/claims/abc/"]:
        response = reviewer_client.get(path)
        assert response.status_code == 404
        assert response.json() == {"detail": "No Claim matches the given query."} or "detail" in response.json()


def test_claims_cannot_be_deleted_over_the_api(editor_client):
    claim = ClaimFactory()
    assert editor_client.delete(f"/api/v1/claims/{claim.id}/").status_code == 405
    assert Claim.objects.filter(pk=claim.pk).exists()
