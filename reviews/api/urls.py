from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.api.export_views import ClaimExportView
from reviews.api.views import ClaimWithReviewsViewSet, EvidenceViewSet, ReviewViewSet

router = SimpleRouter()
# claims/ here, not in claims/api/urls.py: its detail shows the published review, its history the reviews.
router.register("claims", ClaimWithReviewsViewSet, basename="claim")
router.register("reviews", ReviewViewSet, basename="review")
router.register("evidence", EvidenceViewSet, basename="evidence")

urlpatterns = [
    *router.urls,
    path("exports/claims", ClaimExportView.as_view(), name="claim-export"),
    # Also with the trailing slash, kept out of the OpenAPI document so the route is listed once.
    path("exports/claims/", ClaimExportView.as_view(schema=None)),
]
