"""The application's URLs plus ``bench/values/claims``: the claim list without the API layer.

The bare view runs the same query the API list runs (same columns, ``-id`` order, 50 rows, tags in
one extra query like the API's prefetch) and returns ``.values()`` as JSON, so the latency ratio
API / bare is what authentication, filtering, pagination and serialisation cost. Benchmarks only.
"""

from django.http import JsonResponse
from django.urls import path

from claims.models import Claim
from factcheck import urls as app_urls

PAGE_SIZE = 50
CLAIM_COLUMNS = [
    "id",
    "article_id",
    "quote",
    "start",
    "end",
    "claim_reviewed",
    "claimant",
    "claimed_at",
    "check_worthiness",
    "status",
    "verdict",
    "created_at",
    "updated_at",
    "version",
]


def claims_values(request):
    """``?status=``, ``?verdict=``, ``?search=`` as on the API; ``?before=<id>`` stands in for a cursor."""
    claims = Claim.objects.order_by("-id")
    if statuses := request.GET.getlist("status"):
        claims = claims.filter(status__in=statuses)
    if verdicts := request.GET.getlist("verdict"):
        claims = claims.filter(verdict__in=verdicts)
    if before := request.GET.get("before"):
        claims = claims.filter(id__lt=int(before))
    if search := request.GET.get("search"):
        claims = claims.search(search)
    rows = list(claims.values(*CLAIM_COLUMNS)[:PAGE_SIZE])
    tags = {}
    through = Claim.tags.through.objects.filter(claim_id__in=[row["id"] for row in rows])
    for claim_id, name in through.values_list("claim_id", "tag__name"):
        tags.setdefault(claim_id, []).append(name)
    for row in rows:
        row["tags"] = tags.get(row["id"], [])
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/values/claims", claims_values), *app_urls.urlpatterns]

handler400 = app_urls.handler400
handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500
