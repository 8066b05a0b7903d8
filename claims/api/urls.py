"""The claims API's own routes. ``articles/`` and ``claims/`` are registered in reviews/api/urls.py, over
the viewsets of claims/api/views.py: readers are shown them as published."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from claims.api.views import CheckWorthinessView, ClaimantViewSet, ClaimReviewImportView, ExternalFactCheckViewSet

router = SimpleRouter()
router.register("claimants", ClaimantViewSet, basename="claimant")
router.register("external-fact-checks", ExternalFactCheckViewSet, basename="external-fact-check")

urlpatterns = [
    path("check-worthiness/", CheckWorthinessView.as_view(), name="check-worthiness"),
    path("imports/claimreview/", ClaimReviewImportView.as_view(), name="claimreview-import"),
    *router.urls,
]
