from rest_framework.routers import SimpleRouter

from claims.api.views import ArticleViewSet, ClaimViewSet

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")
router.register("claims", ClaimViewSet, basename="claim")

urlpatterns = router.urls
