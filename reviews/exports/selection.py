"""Which claims an export holds: the verified ones, narrowed by the claim list's filters."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.datastructures import MultiValueDict

from claims.filters import ClaimFilter, IsoDateTimeFilter
from claims.models import Claim
from reviews.models import Review


class ExportFilter(ClaimFilter):
    """The claim list's filters without ``status`` (an export holds verified claims only) or ``assignee``.

    ``updated_since`` also takes in claims whose review was published since: publishing a review
    with the same verdict as the one it supersedes leaves the claim row as it was, yet changes
    what the export says about it.
    """

    updated_since = IsoDateTimeFilter(
        method="filter_updated_since", label="Changed, or had a review published, at or after this time"
    )

    class Meta(ClaimFilter.Meta):
        fields = [name for name in ClaimFilter.Meta.fields if name not in ("status", "assignee")]

    def filter_updated_since(self, queryset, name, value):
        published_since = Review.objects.filter(
            claim=OuterRef("pk"), state=Review.State.PUBLISHED, published_at__gte=value
        )
        return queryset.filter(Q(updated_at__gte=value) | Exists(published_since))


# Declared filters are inherited whatever Meta.fields says; drop those that have no meaning here (exports
# are published material: who worked on a claim is not part of it).
del ExportFilter.base_filters["status"]
del ExportFilter.base_filters["assignee"]


def verified_claims():
    """Claims whose review is published (the status the workflow derives from it)."""
    return Claim.objects.verified()


def filter_claims(params, queryset=None):
    """``queryset`` (default: every verified claim) narrowed by the claim list's filters in ``params``.

    ``params`` is a ``QueryDict`` or a plain dict (a list value stands for a repeated parameter).
    Raises ``ValidationError`` naming the offending parameters when a value is invalid.
    """
    if not isinstance(params, MultiValueDict):
        params = MultiValueDict({k: list(v) if isinstance(v, (list, tuple)) else [v] for k, v in params.items()})
    filterset = ExportFilter(data=params, queryset=verified_claims() if queryset is None else queryset)
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return filterset.qs
