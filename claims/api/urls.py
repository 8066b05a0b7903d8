"""The claims API's own routes. ``articles/`` and ``claims/`` are registered in reviews/api/urls.py, over
the viewsets of claims/api/views.py: readers are shown them as published."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from claims.api.views import CheckWorthinessView, ClaimantViewSet

router = SimpleRouter()
router.register("claimants", ClaimantViewSet, basename="claimant")

urlpatterns = [
    path("check-worthiness/", CheckWorthinessView.as_view(), name="check-worthiness"),
    *router.urls,
]
