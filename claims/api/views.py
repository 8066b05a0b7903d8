from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.serializers import BooleanField, CharField, IntegerField

from claims import extraction, history, similarity, triage
from claims.api.filters import SimilarQueryForm
from claims.api.serializers import (
    ArticleListSerializer,
    ArticleSerializer,
    ClaimDetailSerializer,
    ClaimSerializer,
    SimilarClaimSerializer,
)
from claims.filters import ClaimFilter
from claims.models import Article, Claim
from factcheck.api import VersionedMixin
from factcheck.concurrency import advance_version
from factcheck.permissions import IsNewsroom
from reviews.models import Evidence, Review

EXTRACTION_TIMEOUT_RESPONSE = inline_serializer(
    "ExtractionTimeout", {"detail": CharField(), "id": IntegerField(help_text="The article's id.")}
)


def extraction_timeout_response(exc, article, *, saved):
    """422 for a text the extractor gave up on: what happened, and the article that is (still) stored."""
    what = f"Article {article.pk} was saved without claims: " if saved else "No claims were extracted: "
    return Response({"detail": what + str(exc), "id": article.pk}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """News articles. Posting a body that is already stored returns the stored article (200).

    A new article's candidate claims are extracted as it is created, unless the client asks not to
    with ``?extract=false`` or ``"extract": false`` in the body; ``extract/`` runs it later. A text
    that takes longer than ``FACTCHECK_EXTRACTION_TIME_LIMIT`` to analyse gets 422 and no claims
    (a new article is still saved: the 422 carries its ``id``).
    """

    ordering_fields = ["id", "published_at", "created_at", "updated_at"]
    filterset_fields = ["language", "publisher"]

    def get_queryset(self):
        queryset = Article.objects.visible_to(self.request.user)
        return queryset.defer("body") if self.action == "list" else queryset

    def get_serializer_class(self):
        return ArticleListSerializer if self.action == "list" else ArticleSerializer

    @extend_schema(responses={201: ArticleSerializer, 200: ArticleSerializer, 422: EXTRACTION_TIMEOUT_RESPONSE})
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "extract",
                OpenApiTypes.BOOL,
                description="Extract candidate claims from a new article (default true). "
                'Also accepted as `"extract": false` in the body.',
            )
        ]
    )
    def create(self, request, *args, **kwargs):
        extract = self._wants_extraction(request)
        serializer = self.get_serializer(data=request.data)
        body = request.data.get("body") if isinstance(request.data, dict) else None
        if isinstance(body, str) and body.strip():
            existing = Article.objects.filter(content_hash=Article.hash_of(body)).first()
            if existing is not None:
                return Response(self.get_serializer(existing).data, status=status.HTTP_200_OK)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            article = serializer.save(created_by=request.user)
        if extract:
            # Outside the article's transaction: analysing the text may take seconds, and on SQLite an
            # open write transaction holds every other writer.
            try:
                extraction.extract_claims(article, by=request.user)
            except extraction.ExtractionTimeout as exc:
                return extraction_timeout_response(exc, article, saved=True)
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def _wants_extraction(self, request):
        """``extract`` from the query string or the body: true unless the client says false."""
        value = request.query_params.get("extract")
        if value is None and isinstance(request.data, dict):
            value = request.data.get("extract")
        if value is None:
            return True
        try:
            return BooleanField().to_internal_value(value)
        except ValidationError as exc:
            raise ValidationError({"extract": ["Must be true or false."]}) from exc

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "ExtractionResult", {"created": IntegerField(), "claims": ClaimSerializer(many=True)}
            ),
            422: EXTRACTION_TIMEOUT_RESPONSE,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsNewsroom])
    def extract(self, request, pk=None):
        """Propose candidate claims from the article body; running it again adds nothing twice.

        Extraction reads English only: an article in another language yields no candidates. A text
        that takes longer than ``FACTCHECK_EXTRACTION_TIME_LIMIT`` to analyse gets 422, nothing stored.
        """
        article = self.get_object()
        try:
            created = extraction.extract_claims(article, by=request.user)
        except extraction.ExtractionTimeout as exc:
            return extraction_timeout_response(exc, article, saved=False)
        claims = Claim.objects.filter(article=article).with_tag_names().order_by("start")
        data = ClaimSerializer(claims, many=True, context=self.get_serializer_context()).data
        return Response({"created": len(created), "claims": data})


def published_reviews_prefetch():
    return Prefetch(
        "reviews",
        queryset=Review.objects.filter(state=Review.State.PUBLISHED)
        .select_related("author")
        .prefetch_related(Prefetch("evidence", Evidence.objects.select_related("added_by"))),
        to_attr="published_reviews",
    )


class ClaimViewSet(
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Claims taken from articles. Anonymous clients see verified claims only.

    ``status`` may be set by hand to ``candidate``, ``accepted`` or (editors) ``dismissed`` while
    no review exists; afterwards it follows the claim's reviews.
    """

    filterset_class = ClaimFilter
    ordering_fields = ["id", "created_at", "updated_at", "check_worthiness"]

    def get_queryset(self):
        queryset = Claim.objects.visible_to(self.request.user).with_tag_names()
        if self.action == "retrieve":
            # The detail shows the article's title and url, never its (large) body.
            queryset = queryset.select_related("article").defer("article__body")
            queryset = queryset.prefetch_related(published_reviews_prefetch())
        return queryset

    def get_serializer_class(self):
        return ClaimDetailSerializer if self.action == "retrieve" else ClaimSerializer

    def perform_create(self, serializer):
        serializer.save(created_by=self.request.user)
        self.remember(serializer.instance)

    def perform_update(self, serializer):
        with transaction.atomic():
            # Write over the claim as it is now, not as this request read it: its status and verdict
            # may have followed a review published meanwhile.
            claim = Claim.objects.select_for_update().get(pk=serializer.instance.pk)
            if "status" in serializer.validated_data:
                try:
                    triage.check_status_change(claim, serializer.validated_data["status"], by=self.request.user)
                except DjangoValidationError as exc:
                    raise ValidationError({"status": exc.messages}) from exc
            advance_version(claim, if_match=self.if_match(), version=serializer.validated_data.get("version"))
            serializer.instance = self.remember(claim)
            serializer.save()

    @extend_schema(responses={200: history.HistoryEntrySerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def history(self, request, pk=None):
        """Every recorded change to the claim, its reviews and their evidence, oldest first.

        Reviewers and editors see who changed what, on the reviews they may read. Anyone else sees
        the published record only: the claim while verified, reviews from their publication on
        and their evidence as published, and never who made a change (``user`` is null).
        """
        claim = self.get_object()
        entries = history.claim_history(claim, user=request.user)
        return Response(history.HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("limit", OpenApiTypes.INT, description="At most this many (1–50).")],
        responses={200: SimilarClaimSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def similar(self, request, pk=None):
        """Claims that say nearly the same thing as this one, best match first."""
        claim = self.get_object()
        form = SimilarQueryForm(
            {"text": claim.claim_reviewed or claim.quote, "limit": request.query_params.get("limit")}
        )
        return self._similar(form, exclude=claim.pk)

    @extend_schema(
        operation_id="claims_similar_to_text",
        parameters=[
            OpenApiParameter("text", OpenApiTypes.STR, required=True, description="The statement to match."),
            OpenApiParameter("limit", OpenApiTypes.INT, description="At most this many (1–50)."),
        ],
        responses={200: SimilarClaimSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="similar", pagination_class=None, filterset_class=None)
    def similar_to_text(self, request):
        """Claims that say nearly the same thing as ``text``: check before starting a review."""
        return self._similar(SimilarQueryForm(request.query_params))

    def _similar(self, form, exclude=None):
        if not form.is_valid():
            raise ValidationError(form.errors)
        matches = similarity.similar_claims(
            form.cleaned_data["text"],
            Claim.objects.visible_to(self.request.user),
            limit=form.cleaned_data.get("limit") or 10,
            exclude=exclude,
        )
        return Response(SimilarClaimSerializer(matches, many=True, context=self.get_serializer_context()).data)
