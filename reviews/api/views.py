"""The reviews API, and the claim endpoints that show reviews.

``claims/`` is served by ``ClaimWithReviewsViewSet`` below: ``claims/api/views.py``'s ``ClaimViewSet``
(list, create, update, similar) plus the detail's published review and the claim's history, and
readers (anyone outside the newsroom) are shown the published record of each claim, not its live row.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from claims.api.views import ArticleViewSet, ClaimViewSet
from claims.models import Claim, ClaimMatch
from factcheck.api import CreatedLocationMixin, VersionedMixin, created_location
from factcheck.pagination import CursorPagination
from factcheck.permissions import IsNewsroom
from factcheck.roles import is_newsroom
from reviews import history, matches, record, workflow
from reviews.api.filters import ReviewFilter
from reviews.api.serializers import (
    ClaimDetailSerializer,
    EventSerializer,
    EvidenceSerializer,
    HistoryEntrySerializer,
    MatchRequestSerializer,
    MatchSerializer,
    RejectMatchSerializer,
    ReturnSerializer,
    ReviewSerializer,
    ReviewUpdateSerializer,
)
from reviews.models import (
    Event,
    EventType,
    Evidence,
    Review,
    published_article_record,
    published_record,
    with_published_review,
)


# ``articles/`` (basename ``article``, registered in reviews/api/urls.py). Readers (anonymous clients,
# users outside the newsroom) see only articles with a verified claim, and each as the newest published
# record of its claims shows it: an edit of its title, URL, publisher, author, date or language reaches
# them when an editor publishes the corrections. The body never changes once it has claims.
class ArticleWithRecordViewSet(ArticleViewSet):
    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action in ("list", "retrieve") and not is_newsroom(self.request.user):
            queryset = queryset.annotate(published_article=published_article_record())
        return queryset

    def get_serializer(self, *args, **kwargs):
        if args and self.action in ("list", "retrieve") and not is_newsroom(self.request.user):
            articles = args[0] if isinstance(args[0], (list, tuple)) else [args[0]]
            for article in articles:
                if getattr(article, "published_article", None) is not None:
                    record.show_article(article, article.published_article)
        return super().get_serializer(*args, **kwargs)


# ``claims/`` (basename ``claim``, registered in reviews/api/urls.py). No docstring of its own: the
# OpenAPI schema describes the claim operations with ClaimViewSet's.
class ClaimWithReviewsViewSet(ClaimViewSet):
    # Readers are served each claim's published record (``reviews.record``): its quote, offsets,
    # wording, claimant and date, and its article's title and URL, as an editor last published them.
    # Newsroom members see (and edit) the live rows.
    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            # The detail shows the article's title and url, never its (large) body.
            queryset = queryset.select_related("article").defer("article__body")
            queryset = with_published_review(queryset)
        elif self.action == "list" and self.serves_readers():
            queryset = queryset.annotate(published_record=published_record())  # in the page's own query
        return queryset

    def serves_readers(self):
        """Whether this client is shown the published record instead of the live rows."""
        return not is_newsroom(self.request.user)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list" and self.serves_readers():
            for claim in page:
                if claim.published_record is not None:
                    record.show(claim, claim.published_record)
        return page

    def get_object(self):
        claim = super().get_object()
        if self.action != "retrieve":
            return claim
        shown = claim.published_reviews[0].record if claim.published_reviews else None
        if not claim.published_reviews and claim.matched_to is not None:
            # An appearance: verified by its reviewed claim's published review, shown as its own record.
            claim.published_reviews, shown = matches.twin_published_review(claim)
        if self.serves_readers() and shown is not None:
            record.show(claim, shown)
        return claim

    def shown(self, claims):
        claims = list(claims)
        if self.serves_readers() and claims:
            shown = Claim.objects.filter(pk__in=[c.pk for c in claims]).annotate(shown=published_record())
            records = dict(shown.values_list("pk", "shown"))
            for claim in claims:
                if records.get(claim.pk) is not None:
                    record.show(claim, records[claim.pk])
        return claims

    @extend_schema(
        methods=["post"],
        request=MatchRequestSerializer,
        responses={200: MatchSerializer},
        description="Confirm that this claim is an appearance of the reviewed claim `claim` (reviewers and editors): "
        "its status and verdict then follow that claim's, and readers see it with that claim's published review. "
        "A target that is itself an appearance is resolved to the claim it appears for. 409 when the target has "
        "no review, or this claim has a review or appearances of its own, or is matched elsewhere already.",
    )
    @extend_schema(
        methods=["delete"],
        request=None,
        responses={200: MatchSerializer},
        description="Undo this claim's confirmed match: readers no longer see it through the reviewed claim, and its "
        "status is its own again (`accepted`). 409 when it has none.",
    )
    @action(
        detail=True,
        methods=["post", "delete"],
        url_path="match",
        permission_classes=[IsNewsroom],
        pagination_class=None,
        filterset_class=None,
        filter_backends=[],
    )
    def match(self, request, pk=None):
        claim = self.get_object()
        if request.method == "DELETE":
            decided = matches.undo_match(claim, by=request.user)
        else:
            serializer = MatchRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            decided = matches.confirm_match(
                claim, reviewed_claim_id=serializer.validated_data["claim"], by=request.user
            )
        return self._match_response(decided)

    @extend_schema(
        request=RejectMatchSerializer,
        responses={200: MatchSerializer},
        description="Reject this claim's match suggestion, or (with `claim`) that reviewed claim: the pair is never "
        "suggested again (reviewers and editors). 409 when there is no suggestion, or the pair is a confirmed "
        "match (undo it instead).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="match/reject",
        permission_classes=[IsNewsroom],
        pagination_class=None,
        filterset_class=None,
        filter_backends=[],
    )
    def reject_match(self, request, pk=None):
        claim = self.get_object()
        serializer = RejectMatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decided = matches.reject_match(claim, by=request.user, reviewed_claim_id=serializer.validated_data.get("claim"))
        return self._match_response(decided)

    def _match_response(self, decided):
        decided = ClaimMatch.objects.select_related("claim", "decided_by").get(pk=decided.pk)
        return Response(MatchSerializer(decided).data)

    def get_serializer_class(self):
        return ClaimDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    @extend_schema(responses={200: HistoryEntrySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None, filter_backends=[])
    def history(self, request, pk=None):
        """Every recorded change to the claim, its reviews and their evidence, oldest first.

        Reviewers and editors see who changed what, on the reviews they may read. Anyone else sees
        the published record only: the claim while verified, reviews from their publication on
        and their evidence as published, and never who made a change (``user`` is null).
        """
        claim = self.get_object()
        entries = history.claim_history(claim, user=request.user)
        return Response(HistoryEntrySerializer(entries, many=True).data)


@extend_schema_view(
    update=extend_schema(request=ReviewUpdateSerializer), partial_update=extend_schema(request=ReviewUpdateSerializer)
)
class ReviewViewSet(CreatedLocationMixin, VersionedMixin, viewsets.ModelViewSet):
    """Reviews of claims. Writes go through the workflow: drafts are edited, then submitted,
    published or returned by the actions below. An edit names the version it read, in ``If-Match``
    (the ETag) or ``version`` (428 with neither); deleting a draft, in ``If-Match``."""

    serializer_class = ReviewSerializer
    filterset_class = ReviewFilter
    ordering_fields = ["id", "created_at", "updated_at", "published_at"]

    def get_queryset(self):
        return (
            Review.objects.visible_to(self.request.user)
            .select_related("author", "published_by")
            .prefetch_related(Prefetch("evidence", Evidence.objects.select_related("added_by")))
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        review = workflow.create_review(
            data["claim"],
            by=self.request.user,
            verdict=data["verdict"],
            rating_text=data.get("rating_text", ""),
            summary=data.get("summary", ""),
        )
        serializer.instance = self.remember(review)

    def perform_update(self, serializer):
        changes = dict(serializer.validated_data)
        version = changes.pop("version", None)
        serializer.instance = self.remember(
            workflow.update_review(
                serializer.instance, changes, by=self.request.user, if_match=self.if_match(), version=version
            )
        )

    def perform_destroy(self, instance):
        workflow.delete_review(instance, by=self.request.user, if_match=self.if_match())

    def _respond(self, review):
        review = self.get_queryset().get(pk=review.pk)
        return Response(self.get_serializer(self.remember(review)).data)

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send a draft to the editors (author or editor; needs a summary and evidence)."""
        return self._respond(workflow.submit(self.get_object(), by=request.user))

    @extend_schema(request=None, responses=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a submitted review (editors); the claim's previous published review is superseded."""
        return self._respond(workflow.publish(self.get_object(), by=request.user))

    @extend_schema(request=ReturnSerializer, responses=ReviewSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request, pk=None):
        """Return a submitted review to its author with a comment (editors)."""
        review = self.get_object()
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._respond(
            workflow.return_to_draft(review, by=request.user, comment=serializer.validated_data["comment"])
        )

    @extend_schema(methods=["get"], responses=EvidenceSerializer(many=True))
    @extend_schema(methods=["post"], request=EvidenceSerializer, responses={201: EvidenceSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=EvidenceSerializer,
        filterset_class=None,
        filter_backends=[],
        pagination_class=None,
    )
    def evidence(self, request, pk=None):
        """The evidence of a review; POST adds a piece (to a review you may edit)."""
        review = self.get_object()
        if request.method == "GET":
            serializer = EvidenceSerializer(review.evidence.all(), many=True, context=self.get_serializer_context())
            return Response(serializer.data)
        serializer = EvidenceSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        evidence = workflow.add_evidence(review, by=request.user, **serializer.validated_data)
        data = EvidenceSerializer(evidence, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED, headers=created_location(request, "evidence", data))


class EvidenceViewSet(
    mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """One piece of evidence. It changes only while its review can be edited."""

    serializer_class = EvidenceSerializer

    def get_queryset(self):
        visible = Review.objects.visible_to(self.request.user)
        return Evidence.objects.filter(review__in=visible).select_related("review", "added_by")

    def perform_update(self, serializer):
        serializer.instance = workflow.update_evidence(
            serializer.instance, dict(serializer.validated_data), by=self.request.user
        )

    def perform_destroy(self, instance):
        workflow.delete_evidence(instance, by=self.request.user)


class EventPagination(CursorPagination):
    """Newest first; oldest first after ``?after=`` (a poller reads forward from where it stopped)."""

    def get_ordering(self, request, queryset, view):
        return ("id",) if "after" in request.query_params else ("-id",)


EVENT_TYPES = ", ".join(f"`{value}`" for value in EventType.values)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "type",
                str,
                description=f"Only events of these types, comma-separated ({EVENT_TYPES}); an unknown one is a 400.",
            ),
            OpenApiParameter(
                "after",
                {"type": "integer", "minimum": 0},
                description="Only events after this one (the last `id` you read; 0 for the first; an id older than "
                "every event kept, when old events were pruned, reads from the oldest), oldest first. "
                "Ids grow in commit order, so polling with the last id read never skips an event.",
            ),
        ]
    )
)
class EventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """What happened to claims and reviews, each with the object as the API showed it then.

    Reviewers and editors see every event, with who made the change (`actor`). Everyone else sees the
    events about published work only (`claim.verified`, `review.published`, `review.superseded`), with
    the object as they were shown it (the published record) and no `actor`. Newest first; with `after`,
    the events after that one, oldest first: poll with the last `id` you read.
    """

    serializer_class = EventSerializer
    pagination_class = EventPagination
    filter_backends = []

    def get_queryset(self):
        newsroom = is_newsroom(self.request.user)
        events = Event.objects.visible_to(self.request.user)
        # Each audience reads its own copy of the object only.
        events = events.select_related("actor").defer("public_data") if newsroom else events.defer("data")
        types = self.requested_types()
        if types:
            events = events.filter(type__in=types)
        after = self.requested_after(events)
        if after is not None:
            events = events.filter(id__gt=after)
        return events

    def requested_types(self):
        names = [name.strip() for given in self.request.query_params.getlist("type") for name in given.split(",")]
        if "type" in self.request.query_params and not any(names):
            raise ValidationError({"type": [f"Name at least one event type: {', '.join(EventType.values)}."]})
        unknown = sorted({name for name in names if name and name not in EventType.values})
        if unknown:
            raise ValidationError(
                {"type": [f"Unknown event type(s): {', '.join(unknown)}. Known: {', '.join(EventType.values)}."]}
            )
        return {name for name in names if name}

    def requested_after(self, events):
        raw = self.request.query_params.get("after")
        if raw is None:
            return None
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
            raise ValidationError({"after": ["Give the id of an event you have read (a whole number), or 0."]})
        after = int(raw)
        every = events.model.objects
        # An id older than every event kept is fine: a poller whose last event was pruned reads on.
        if (
            after
            and not every.visible_to(self.request.user).filter(pk=after).exists()
            and every.filter(pk__lte=after).exists()
        ):
            raise ValidationError({"after": [f"There is no event {after} (that you may read)."]})
        return after
