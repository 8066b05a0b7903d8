import django_filters

from claims.filters import IsoDateTimeFilter
from claims.models import Verdict
from factcheck.filters import FilterSet, IdFilter
from reviews.models import Review


class ReviewFilter(FilterSet):
    claim = IdFilter(field_name="claim_id")
    state = django_filters.MultipleChoiceFilter(choices=Review.State.choices)
    verdict = django_filters.MultipleChoiceFilter(choices=Verdict.choices)
    author = django_filters.CharFilter(field_name="author__username", max_length=150)
    updated_since = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Review
        fields = ["claim", "state", "verdict", "author", "updated_since"]
