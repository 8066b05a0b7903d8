"""Articles: creation, idempotent ingestion by content hash, visibility, validation."""

import pytest

from claims.models import Article
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db

ARTICLE = {
    "title": "Counteroffensive",
    "url": "https://news.example.org/kharkiv",
    "publisher": "Example News",
    "author": "A. Reporter",
    "published_at": "2022-09-10T12:00:00+03:00",
    "language": "en",
    "body": "Zelensky said his troops had liberated more than 30 towns in two days.",
}


def test_reviewer_creates_an_article_with_a_content_hash(reviewer_client, reviewer):
    response = reviewer_client.post("/api/v1/articles/?extract=false", ARTICLE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["content_hash"]) == 64
    assert body["published_at"] == "2022-09-10T09:00:00Z"
    assert Article.objects.get().created_by == reviewer


def test_posting_the_same_body_again_returns_the_stored_article(reviewer_client):
    first = reviewer_client.post("/api/v1/articles/?extract=false", ARTICLE, format="json").json()
    again = reviewer_client.post(
        "/api/v1/articles/?extract=false", {**ARTICLE, "url": "https://mirror.example.org/x"}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert Article.objects.count() == 1


def test_windows_line_endings_make_the_same_article(reviewer_client):
    reviewer_client.post("/api/v1/articles/?extract=false", {**ARTICLE, "body": "Line one.\nLine two."}, format="json")
    again = reviewer_client.post(
        "/api/v1/articles/?extract=false", {**ARTICLE, "url": None, "body": "Line one.\r\nLine two."}, format="json"
    )
    assert again.status_code == 200
    assert Article.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "ftp://news.example.org/x"),
        ("url", "javascript:alert(1)"),
        ("language", "english please"),
        ("body", ""),
        ("body", "   "),
        ("body", "x" * 500_001),
        ("title", "t" * 501),
        ("title", None),
        ("published_at", "Saturday"),
        ("body", "NUL \x00 inside"),
    ],
)
def test_invalid_articles_are_refused_naming_the_field(reviewer_client, field, value):
    response = reviewer_client.post("/api/v1/articles/", {**ARTICLE, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Article.objects.exists()


def test_duplicate_url_is_refused(reviewer_client):
    ArticleFactory(url=ARTICLE["url"])
    response = reviewer_client.post("/api/v1/articles/", ARTICLE, format="json")
    assert response.status_code == 400
    assert "url" in response.json()


def test_body_is_frozen_once_claims_point_into_it(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.patch(f"/api/v1/articles/{claim.article_id}/", {"body": "New text."})
    assert response.status_code == 400
    assert "body" in response.json()
    assert reviewer_client.patch(f"/api/v1/articles/{claim.article_id}/", {"title": "Better title"}).status_code == 200


def test_public_sees_only_articles_with_verified_claims(anon):
    public = ClaimFactory(verified=True).article
    ClaimFactory()
    response = anon.get("/api/v1/articles/")
    assert [a["id"] for a in response.json()["results"]] == [public.id]
    assert "body" not in response.json()["results"][0]
    assert anon.get(f"/api/v1/articles/{public.id}/").json()["body"] == public.body


def test_anonymous_cannot_create_articles(anon):
    assert anon.post("/api/v1/articles/", ARTICLE, format="json").status_code == 401
    assert not Article.objects.exists()


def test_articles_cannot_be_deleted(editor_client):
    article = ArticleFactory()
    assert editor_client.delete(f"/api/v1/articles/{article.id}/").status_code == 405


def test_malformed_json_is_a_400_and_other_media_types_415(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/", data='{"title": ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    response = reviewer_client.post(
        "/api/v1/articles/", data="title=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    response = reviewer_client.post("/api/v1/articles/", data=b"\xff\xfe{}", content_type="application/json")
    assert response.status_code == 400


# --- re-posting a stored body: the stored article, and what was not applied ----------------------


def test_reposting_a_stored_body_says_which_fields_were_not_applied(reviewer_client):
    first = reviewer_client.post("/api/v1/articles/?extract=false", ARTICLE, format="json")
    assert first.status_code == 201
    assert "ignored_fields" not in first.json()
    changed = {**ARTICLE, "title": "Another title", "url": "https://attacker.example.org/", "author": "Someone"}
    again = reviewer_client.post("/api/v1/articles/?extract=false", changed, format="json")
    assert again.status_code == 200
    body = again.json()
    assert body["id"] == first.json()["id"]
    assert (body["title"], body["url"], body["author"]) == (ARTICLE["title"], ARTICLE["url"], ARTICLE["author"])
    assert body["ignored_fields"] == ["title", "url", "author"]
    assert f"already stored as article {body['id']}" in body["detail"]
    assert "Not applied: title, url, author" in body["detail"]
    assert again["Content-Location"] == f"http://testserver/api/v1/articles/{body['id']}/"
    stored = Article.objects.get()
    assert (stored.title, stored.url, stored.author) == (ARTICLE["title"], ARTICLE["url"], ARTICLE["author"])


def test_reposting_the_same_article_exactly_ignores_nothing(reviewer_client):
    reviewer_client.post("/api/v1/articles/?extract=false", ARTICLE, format="json")
    # The same instant written in another zone is the same date; a missing field is not "ignored".
    same = {**ARTICLE, "published_at": "2022-09-10T09:00:00Z"}
    del same["publisher"]
    again = reviewer_client.post("/api/v1/articles/?extract=false", same, format="json")
    assert again.status_code == 200
    assert again.json()["ignored_fields"] == []
    assert "Everything else you sent matches it." in again.json()["detail"]


def test_reposting_a_stored_body_with_invalid_metadata_is_a_400_naming_it_and_changes_nothing(reviewer_client):
    reviewer_client.post("/api/v1/articles/?extract=false", ARTICLE, format="json")
    junk = {**ARTICLE, "url": "javascript:alert(1)", "published_at": "not a date"}
    again = reviewer_client.post("/api/v1/articles/?extract=false", junk, format="json")
    assert again.status_code == 400
    assert set(again.json()) == {"url", "published_at"}
    assert Article.objects.get().url == ARTICLE["url"]


def test_the_openapi_document_describes_the_repost_answer(reviewer_client):
    operation = reviewer_client.get("/api/v1/schema/?format=json").json()["paths"]["/api/v1/articles/"]["post"]
    ok = operation["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StoredArticle"}
    assert "Content-Location" in ok["headers"]
    assert operation["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreatedArticle"
    }


def test_editing_a_body_into_another_articles_body_is_a_400_naming_it_not_a_database_refusal(reviewer_client):
    first = ArticleFactory(body="First text.\nSecond line.")
    second = ArticleFactory(body="Another text.")
    for method in ("patch", "put"):
        data = {"title": "t", "published_at": "2022-09-10T12:00:00Z", "body": "First text.\r\nSecond line."}
        response = getattr(reviewer_client, method)(f"/api/v1/articles/{second.pk}/", data, format="json")
        assert response.status_code == 400, response.content
        assert response.json() == {
            "body": [f"Article {first.pk} already has this body (after line-end normalisation)."]
        }
    second.refresh_from_db()
    assert second.body == "Another text."


def test_a_field_of_another_json_type_is_refused_not_converted(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/?extract=false", {**ARTICLE, "title": 0}, format="json")
    assert response.status_code == 400
    assert response.json() == {"title": ["Expected a string."]}
    assert not Article.objects.exists()


def test_a_created_article_has_its_api_url_in_location_not_its_web_address(reviewer_client):
    response = reviewer_client.post("/api/v1/articles/?extract=false", ARTICLE, format="json")
    assert response.status_code == 201
    assert response["Location"] == f"http://testserver/api/v1/articles/{response.json()['id']}/"
