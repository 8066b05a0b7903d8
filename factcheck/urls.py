from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from factcheck import views
from factcheck.authentication import TokenLoginView, TokenRevokeAllView, TokenRevokeView
from factcheck.jobs_api import JobViewSet

jobs_router = SimpleRouter()
jobs_router.register("jobs", JobViewSet, basename="job")

api_v1 = [
    path("auth/token/", TokenLoginView.as_view(), name="token-login"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("auth/token/revoke-all/", TokenRevokeAllView.as_view(), name="token-revoke-all"),
    path("", include("reviews.api.urls")),
    path("", include("claims.api.urls")),
    path("", include(jobs_router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (?script), so no inline script runs.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="docs/swagger_ui.html"),
        name="docs",
    ),
    # Redoc builds its styles at run time as <style> elements (styled-components) that cannot carry
    # a nonce, and parses the schema in a worker it creates from a blob: URL.
    path(
        "redoc/",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            SpectacularRedocView.as_view(url_name="schema", template_name="docs/redoc.html")
        ),
        name="redoc",
    ),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("healthz", views.healthz, name="healthz"),
    path("", include("reviews.urls")),  # the public review pages
]

handler400 = views.bad_request
handler403 = views.permission_denied
handler404 = views.not_found
handler500 = views.server_error
