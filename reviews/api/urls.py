from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.api.export_views import ClaimExportView
from reviews.api.views import EvidenceViewSet, ReviewViewSet

router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("evidence", EvidenceViewSet, basename="evidence")

urlpatterns = [
    *router.urls,
    path("exports/claims", ClaimExportView.as_view(), name="claim-export"),
    # Also with the trailing slash, kept out of the OpenAPI document so the route is listed once.
    path("exports/claims/", ClaimExportView.as_view(schema=None)),
]
