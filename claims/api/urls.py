from rest_framework.routers import SimpleRouter

from claims.api.views import ArticleViewSet

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")
# claims/ is registered in reviews/api/urls.py, with what of it shows reviews (claims.api.views.ClaimViewSet
# subclassed in reviews/api/views.py).

urlpatterns = router.urls
