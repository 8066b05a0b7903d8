"""The claim filters: the claim list's query parameters, shared by the API and the exports."""

from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from claims.claimant_names import claimant_key
from claims.models import Claim, Claimant, ClaimantAlias, ExternalFactCheck, Verdict
from factcheck.filters import FilterSet, IdFilter
from factcheck.roles import is_newsroom


class IsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO allows,
    and some date-times (``9999-12-31T23:00-05:00``) do not exist in UTC at all."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise ValidationError("Date-time is out of range.", code="overflow") from exc
        return value


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = IsoDateTimeField


class ClaimFilter(FilterSet):
    """Filters shared by the claim list and the exports."""

    # No join, so no duplicates: DISTINCT over every column cost 35-44 ms a page at 1M claims.
    status = django_filters.MultipleChoiceFilter(choices=Claim.Status.choices, distinct=False)
    verdict = django_filters.MultipleChoiceFilter(choices=Verdict.choices, distinct=False)
    article = IdFilter(field_name="article_id")
    claimant = django_filters.CharFilter(lookup_expr="icontains", max_length=300)
    claimant_id = IdFilter(field_name="claimant_entity_id", label="The claimant entity's id (claimants/)")
    tag = django_filters.CharFilter(field_name="tags__name", max_length=50, distinct=False, method="filter_tag")
    updated_since = IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    search = django_filters.CharFilter(method="filter_search", max_length=500, label="Full-text search")
    assignee = django_filters.CharFilter(
        method="filter_assignee",
        max_length=150,
        label="Who works on the claim: `me`, `none` (unassigned) or a username (reviewers and editors only: "
        "anyone else gets 400)",
    )

    class Meta:
        model = Claim
        fields = [
            "status",
            "verdict",
            "article",
            "claimant",
            "claimant_id",
            "tag",
            "updated_since",
            "search",
            "assignee",
        ]

    def is_valid(self):
        valid = super().is_valid()
        # Assignees are the newsroom's business: readers neither see them nor learn them by filtering.
        if self.form.cleaned_data.get("assignee") and not is_newsroom(getattr(self.request, "user", None)):
            self.form.add_error("assignee", ValidationError("Only reviewers and editors may filter by assignee."))
            valid = False
        return valid

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__name=value.lower())

    def filter_assignee(self, queryset, name, value):
        return queryset.assigned(value, user=self.request.user)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)


class ClaimantFilter(FilterSet):
    """The claimant list's filters: ``search`` (any of its names) and ``type``."""

    search = django_filters.CharFilter(
        method="filter_search",
        max_length=300,
        label="A part of any of its names, compared normalised (case, punctuation, UK/US spelling, word order)",
    )
    type = django_filters.MultipleChoiceFilter(choices=Claimant.Type.choices, distinct=False)

    class Meta:
        model = Claimant
        fields = ["search", "type"]

    def filter_search(self, queryset, name, value):
        # A substring of a normalised alias key: a trigram GIN index serves it on PostgreSQL (migration 0010).
        key = claimant_key(value)
        if not key:
            return queryset.none()
        return queryset.filter(Exists(ClaimantAlias.objects.filter(claimant=OuterRef("pk"), key__contains=key)))


class ExternalFactCheckFilter(FilterSet):
    """Filters of the external fact-check list."""

    publisher = django_filters.CharFilter(lookup_expr="icontains", max_length=300)
    language = django_filters.CharFilter(max_length=35)
    search = django_filters.CharFilter(method="filter_search", max_length=500, label="Full-text search")

    class Meta:
        model = ExternalFactCheck
        fields = ["publisher", "language", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
