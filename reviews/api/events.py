"""The objects of events as the API shows them: ``reviews.events`` asks these, in the change's transaction.

Registered with ``reviews.events`` by ``ReviewsConfig.ready`` (the domain never imports the edge). A
claim is drawn by ``ClaimSerializer`` (as ``claims/`` lists it), a review by ``ReviewSerializer`` (as
``reviews/{id}/`` shows it); for the public, as an anonymous client is shown them: a claim's published
record, no check-worthiness reasons, no editor's comment.
"""

from types import SimpleNamespace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch

from claims.api.serializers import ClaimSerializer
from claims.models import Claim
from reviews import events, record
from reviews.api.serializers import ReviewSerializer
from reviews.models import Event, Evidence, Review, published_record

# What serializers read of the request: who is asking.
NEWSROOM_CONTEXT = {"request": None}
PUBLIC_CONTEXT = {"request": SimpleNamespace(user=AnonymousUser())}


def render_claims(claims, *, public):
    """The claims as ``claims/`` shows them now, in the order given: ``(newsroom, public or None)`` (one query)."""
    queryset = Claim.objects.filter(pk__in=[claim.pk for claim in claims]).with_tag_names().with_matched_to()
    if public:
        queryset = queryset.annotate(published_record=published_record())
    found = queryset.in_bulk()
    current = [found[claim.pk] for claim in claims]
    newsroom = ClaimSerializer(current, many=True, context=NEWSROOM_CONTEXT).data
    if not public:
        return [(data, None) for data in newsroom]
    for claim in current:  # after the newsroom's copy is drawn: readers see the published record
        if claim.published_record is not None:
            record.show(claim, claim.published_record)
    return list(zip(newsroom, ClaimSerializer(current, many=True, context=PUBLIC_CONTEXT).data, strict=True))


def render_reviews(reviews, *, public):
    """The reviews as ``reviews/{id}/`` shows them now, with their evidence, in the order given:
    ``(newsroom, public or None)`` (two queries; drawn once, readers' copy without the newsroom's fields)."""
    found = (
        Review.objects.filter(pk__in=[review.pk for review in reviews])
        .select_related("author", "published_by")
        .prefetch_related(Prefetch("evidence", Evidence.objects.select_related("added_by")))
        .in_bulk()
    )
    newsroom = ReviewSerializer([found[review.pk] for review in reviews], many=True, context=NEWSROOM_CONTEXT).data
    return [(data, ReviewSerializer.for_readers(data) if public else None) for data in newsroom]


def register_renderers():
    events.register_renderer(Event.ObjectType.CLAIM, render_claims)
    events.register_renderer(Event.ObjectType.REVIEW, render_reviews)
