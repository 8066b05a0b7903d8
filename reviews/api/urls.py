from rest_framework.routers import SimpleRouter

from reviews.api.views import EvidenceViewSet, ReviewViewSet

router = SimpleRouter()
router.register("reviews", ReviewViewSet, basename="review")
router.register("evidence", EvidenceViewSet, basename="evidence")

urlpatterns = router.urls
