"""The application's URLs plus ``bench/values/claims``: the claim list without the API layer.

The bare view runs the same SQL the API list runs (the API's columns, ``-id`` order, 50 rows, the
tag names in the same query on PostgreSQL as ``Claim.objects.with_tag_names()`` reads them) and
returns ``.values()`` as JSON, so the latency ratio API / bare is what authentication, filtering,
pagination and serialisation cost. Benchmarks only.
"""

from django.http import JsonResponse
from django.urls import path

from claims.api.serializers import ClaimSerializer
from claims.models import Claim, tag_names_subquery
from factcheck import urls as app_urls

PAGE_SIZE = 50
# The API list's fields, as columns (foreign keys by their column, ``matched_to`` by the annotation the API
# reads it from, the tags apart).
COLUMNS = {
    "article": "article_id",
    "claimant_id": "claimant_entity_id",
    "matched_to": "matched_claim_id",
    "assignee": "assignee_name",
}
CLAIM_COLUMNS = [COLUMNS.get(name, name) for name in ClaimSerializer.Meta.fields if name != "tags"]


def claims_values(request):
    """``?status=``, ``?verdict=``, ``?search=`` as on the API; ``?before=<id>`` stands in for a cursor."""
    claims = Claim.objects.with_matched_to().with_assignee_name().order_by("-id")
    if statuses := request.GET.getlist("status"):
        claims = claims.filter(status__in=statuses)
    if verdicts := request.GET.getlist("verdict"):
        claims = claims.filter(verdict__in=verdicts)
    if before := request.GET.get("before"):
        claims = claims.filter(id__lt=int(before))
    if search := request.GET.get("search"):
        claims = claims.search(search)
    rows = list(claims.annotate(tag_names=tag_names_subquery()).values(*CLAIM_COLUMNS, "tag_names")[:PAGE_SIZE])
    for row in rows:
        row["tags"] = row.pop("tag_names")
        row["assignee"] = row.pop("assignee_name")
    return JsonResponse({"results": rows})


urlpatterns = [path("bench/values/claims", claims_values), *app_urls.urlpatterns]

handler400 = app_urls.handler400
handler403 = app_urls.handler403
handler404 = app_urls.handler404
handler500 = app_urls.handler500
