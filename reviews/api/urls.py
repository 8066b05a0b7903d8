from django.urls import path
from rest_framework.routers import SimpleRouter

from reviews.api.export_views import ClaimExportFileView, ClaimExportView
from reviews.api.views import (
    ArticleWithRecordViewSet,
    ClaimWithReviewsViewSet,
    EventViewSet,
    EvidenceViewSet,
    ReviewViewSet,
)
from reviews.api.webhooks import WebhookViewSet

router = SimpleRouter()
# articles/ and claims/ here, over claims/api/views.py: readers are shown them as published (reviews.record);
# claims/ also shows its published review, its history the reviews.
router.register("articles", ArticleWithRecordViewSet, basename="article")
router.register("claims", ClaimWithReviewsViewSet, basename="claim")
router.register("reviews", ReviewViewSet, basename="review")
router.register("evidence", EvidenceViewSet, basename="evidence")
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookViewSet, basename="webhook")

urlpatterns = [
    *router.urls,
    path("exports/claims", ClaimExportView.as_view(), name="claim-export"),
    # Also with the trailing slash, kept out of the OpenAPI document so the route is listed once.
    path("exports/claims/", ClaimExportView.as_view(schema=None)),
    path("exports/claims/file/", ClaimExportFileView.as_view(), name="claim-export-file"),
]
