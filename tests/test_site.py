"""Site-wide endpoints: health, OpenAPI schema and offline docs, JSON errors, request size limit."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_api_answers_503_json_when_the_database_is_unreachable(anon):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("down")):
        response = anon.get("/api/v1/claims/")
    assert response.status_code == 503
    assert "detail" in response.json()


def test_openapi_schema_is_served_and_lists_the_api(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/claims/",
        "/api/v1/claims/{id}/history/",
        "/api/v1/reviews/{id}/publish/",
        "/api/v1/reviews/{id}/evidence/",
        "/api/v1/evidence/{id}/",
        "/api/v1/articles/{id}/extract/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths


def test_interactive_docs_load_their_assets_locally(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    asset = next(part.split('"')[0] for part in html.split('src="')[1:] if "swagger-ui-bundle" in part)
    assert client.get(asset).status_code == 200


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_oversized_request_bodies_get_413(reviewer_client, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 1000
    response = reviewer_client.post("/api/v1/articles/", {"title": "x", "body": "y" * 5000}, format="json")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_wrong_method_is_a_json_405(reviewer_client):
    response = reviewer_client.put("/api/v1/claims/")
    assert response.status_code == 405
    assert "detail" in response.json()
