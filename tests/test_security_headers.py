"""Content-Security-Policy and Permissions-Policy on every kind of response (red-team issue #11).

Every HTML page runs only scripts served by the site (no 'unsafe-inline' for scripts; anything inline
carries the request's nonce); JSON and other non-pages get ``default-src 'none'``; every response
denies the powerful browser features. ``tests/browser/`` proves the pages still work.
"""

import re

import pytest
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer

from factcheck.security import ContentSecurityPolicyMiddleware
from reviews.models import Review
from tests.factories import ClaimFactory, EvidenceFactory, ReviewerFactory, ReviewFactory

pytestmark = pytest.mark.django_db

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b([^>]*)>", re.IGNORECASE)
# Script elements a browser does not run: data blocks (ClaimReview JSON-LD, Django's json_script).
DATA_BLOCK = re.compile(r"""type=["']application/(ld\+)?json["']""")
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb", "interest-cohort", "browsing-topics"]


def policy(response):
    """The response's Content-Security-Policy as {directive: [sources]}."""
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict_page(response):
    """A page whose scripts all come from the site, or carry this response's nonce; nothing else runs."""
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    nonces = [source for source in csp["script-src"] if source.startswith("'nonce-")]
    html = response.content.decode()
    for attributes in SCRIPT_TAG.findall(html):
        if "src=" in attributes or DATA_BLOCK.search(attributes):
            continue
        assert nonces and f'nonce="{nonces[0][7:-1]}"' in attributes, f"inline script without the nonce: {attributes}"
    assert "javascript:" not in html.lower()
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    return csp


def assert_permissions_policy(response):
    header = response.headers["Permissions-Policy"]
    for feature in DENIED_FEATURES:
        assert f"{feature}=()" in header, feature


@pytest.fixture
def reviewer_admin(client):
    user = ReviewerFactory()
    client.force_login(user)
    client.user = user
    return client


def test_admin_login_page_has_a_strict_policy(client):
    response = client.get("/admin/login/")
    assert_strict_page(response)
    assert_permissions_policy(response)


def test_admin_claim_list_claim_page_review_page_and_history_have_a_strict_policy(reviewer_admin):
    claim = ClaimFactory()
    review = ReviewFactory(claim=claim, author=reviewer_admin.user)
    EvidenceFactory(review=review)
    for path in [
        "/admin/",
        "/admin/claims/claim/",
        f"/admin/claims/claim/{claim.pk}/change/",
        "/admin/reviews/review/add/",
        f"/admin/reviews/review/{review.pk}/change/",
        f"/admin/reviews/review/{review.pk}/history/",
        f"/admin/claims/claim/{claim.pk}/history/",
    ]:
        response = reviewer_admin.get(path)
        csp = assert_strict_page(response)
        assert "'unsafe-inline'" not in csp["style-src"], path
        assert_permissions_policy(response)


def test_public_review_page_styles_itself_with_the_nonce_of_its_own_response(client):
    review = ReviewFactory(state=Review.State.PUBLISHED)
    first = client.get(f"/reviews/{review.pk}/")
    csp = assert_strict_page(first)
    assert_permissions_policy(first)
    nonce = next(source for source in csp["style-src"] if source.startswith("'nonce-"))[7:-1]
    assert STYLE_TAG.findall(first.content.decode()) == [f' nonce="{nonce}"']
    assert "'unsafe-inline'" not in csp["style-src"]
    # The ClaimReview JSON-LD is still embedded: a data block, which script-src does not govern.
    assert '<script type="application/ld+json">' in first.content.decode()
    second = client.get(f"/reviews/{review.pk}/")
    assert f'nonce="{nonce}"' not in second.content.decode()


def test_swagger_ui_runs_no_inline_script_and_loads_its_start_up_script_from_the_site(client):
    response = client.get("/api/v1/docs/")
    csp = assert_strict_page(response)
    assert_permissions_policy(response)
    html = response.content.decode()
    assert all("src=" in attributes for attributes in SCRIPT_TAG.findall(html))
    assert "'unsafe-inline'" not in csp["style-src"]
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/v1/schema/" in script.content.decode()


def test_redoc_alone_may_use_inline_styles_and_a_blob_worker_and_loads_no_third_party_font(client):
    response = client.get("/api/v1/redoc/")
    csp = assert_strict_page(response)
    assert_permissions_policy(response)
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert csp["worker-src"] == ["'self'", "blob:"]
    assert "fonts.googleapis.com" not in response.content.decode()
    assert "worker-src" not in policy(client.get("/admin/login/"))


def test_json_responses_get_a_policy_that_allows_nothing(anon, reviewer_client):
    review = ReviewFactory(state=Review.State.PUBLISHED)
    for client, path in [
        (anon, "/api/v1/claims/"),
        (anon, f"/api/v1/reviews/{review.pk}/"),
        (anon, "/api/v1/schema/"),
        (anon, "/api/v1/nothing-here/"),
        (anon, "/healthz"),
        (reviewer_client, "/api/v1/reviews/"),
    ]:
        response = client.get(path)
        assert policy(response) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}, path
        assert_permissions_policy(response)


def test_error_responses_and_static_files_carry_both_headers(anon, client, settings):
    settings.FACTCHECK_MAX_REQUEST_BYTES = 10
    too_large = anon.post("/api/v1/articles/", {"title": "x" * 100}, format="json")
    assert too_large.status_code == 413
    not_allowed = anon.delete("/api/v1/claims/")
    assert not_allowed.status_code in (401, 403, 405)
    static = client.get("/static/admin/css/base.css")
    assert static.status_code == 200
    for response in (too_large, not_allowed, static):
        assert policy(response) == {"default-src": ["'none'"], "frame-ancestors": ["'none'"]}
        assert_permissions_policy(response)


def test_permissions_policy_denies_every_powerful_feature_to_every_origin(client):
    header = client.get("/healthz").headers["Permissions-Policy"]
    features = dict(item.split("=", 1) for item in header.split(", "))
    assert set(DENIED_FEATURES) <= set(features)
    assert set(features.values()) == {"()"}


def test_browsable_api_pages_keep_drfs_inline_styles_but_not_inline_scripts(rf: RequestFactory):
    """DRF's browsable API exists only with DJANGO_DEBUG on; its renderer is not installed in tests."""
    middleware = ContentSecurityPolicyMiddleware(lambda request: None)
    request = rf.get("/api/v1/claims/")
    middleware.process_request(request)
    response = HttpResponse("<html></html>", content_type="text/html; charset=utf-8")
    response.accepted_renderer = BrowsableAPIRenderer()  # as DRF's views set it
    csp = policy(middleware.process_response(request, response))
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "style-src-attr" not in csp
    assert csp["script-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    json_response = JsonResponse({})
    json_response.accepted_renderer = JSONRenderer()
    assert policy(middleware.process_response(request, json_response)) == {
        "default-src": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
