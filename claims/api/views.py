from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import BooleanField, CharField, ChoiceField, IntegerField, ListField
from rest_framework.views import APIView

from claims import services, similarity
from claims.api.filters import LIMIT_MAX, TEXT_MAX_LENGTH, SimilarQueryForm
from claims.api.serializers import (
    ArticleListSerializer,
    ArticleSerializer,
    CheckWorthinessResultsSerializer,
    CheckWorthinessSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    CreatedArticleSerializer,
    SimilarClaimSerializer,
    StoredArticleSerializer,
    UnsupportedLanguageSerializer,
    check_worthiness_results,
    extraction_outcome,
    unsupported_language_body,
)
from claims.filters import ClaimFilter
from claims.models import Article, Claim
from factcheck.api import CreatedLocationMixin, PutBodyRequiredMixin, VersionedMixin, created_location
from factcheck.permissions import IsNewsroom

LIMIT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX}
EXTRACTION_TIMEOUT_RESPONSE = inline_serializer(
    "ExtractionTimeout", {"detail": CharField(), "id": IntegerField(help_text="The article's id.")}
)


EXTRACTION_REFUSED_RESPONSE = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="ExtractionRefused",
        serializers=[EXTRACTION_TIMEOUT_RESPONSE, UnsupportedLanguageSerializer],
        resource_type_field_name=None,
    ),
    description="Nothing was extracted: the text took too long to analyse (`detail`, `id`), or the article is in a "
    "language extraction does not read (`code`: `unsupported_language`, with the `supported_languages`).",
)


def extraction_timeout_response(exc, article, *, saved):
    """422 for a text the extractor gave up on: what happened, and the article that is (still) stored."""
    what = f"Article {article.pk} was saved without claims: " if saved else "No claims were extracted: "
    return Response({"detail": what + str(exc), "id": article.pk}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


def unsupported_language_response(exc):
    """422 for a text in a language extraction does not read, naming the languages it does."""
    return Response(unsupported_language_body(exc), status=status.HTTP_422_UNPROCESSABLE_ENTITY)


class ArticleViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """News articles. Posting a body that is already stored returns the stored article, unchanged (200,
    with ``Content-Location``, a ``detail`` and the ``ignored_fields`` whose values were not applied).

    A new article's candidate claims are extracted as it is created, unless the client asks not to
    with ``?extract=false`` or ``"extract": false`` in the body; ``extract/`` runs it later. The 201
    says what became of it in ``extraction``: extraction reads English (``en``) only, so an article
    in another language is created without claims (``"status": "unsupported_language"``). A text
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

    @extend_schema(
        responses={
            201: OpenApiResponse(
                CreatedArticleSerializer,
                description="The article, created; `extraction` says whether its candidate claims were extracted "
                "(not for a language other than English: `unsupported_language`).",
            ),
            200: OpenApiResponse(
                StoredArticleSerializer,
                description="The body is already stored: that article, unchanged. `ignored_fields` names what "
                "you sent that differs from it and was not applied; `Content-Location` is its URL.",
            ),
            422: EXTRACTION_TIMEOUT_RESPONSE,
        }
    )
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "extract",
                OpenApiTypes.BOOL,
                description="Extract candidate claims from a new article (default true). "
                'Also accepted as `"extract": false` in the body.',
            ),
            OpenApiParameter(
                "Content-Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[200],
                description="The URL of the stored article this body already is.",
            ),
        ]
    )
    def create(self, request, *args, **kwargs):
        extract = self._wants_extraction(request)
        serializer = self.get_serializer(data=request.data)
        body = request.data.get("body") if isinstance(request.data, dict) else None
        if isinstance(body, str) and body.strip():
            existing = services.stored_article(body)
            if existing is not None:
                # Still a request the document allows (title and all), its url clashing with no other article.
                context = {**self.get_serializer_context(), "stored": existing}
                repost = self.get_serializer(data=request.data, context=context)
                repost.is_valid(raise_exception=True)
                return self._stored(existing, repost.validated_data)
        serializer.is_valid(raise_exception=True)
        article, created = services.ingest_article(**serializer.validated_data, by=request.user)
        if not created:  # stored meanwhile by a concurrent request
            return self._stored(article, serializer.validated_data)
        outcome = extraction_outcome("not_requested", detail="Extraction was not asked for (extract is false).")
        if extract:
            # After the article's transaction has committed: analysing the text may take seconds, and
            # on SQLite an open write transaction holds every other writer.
            try:
                extracted = services.extract_claims(article, by=request.user)
            except services.ExtractionTimeout as exc:
                return extraction_timeout_response(exc, article, saved=True)
            except services.UnsupportedLanguage as exc:
                outcome = extraction_outcome("unsupported_language", detail=f"No claims were extracted: {exc}")
            else:
                detail = f"{len(extracted)} candidate claim(s) extracted."
                outcome = extraction_outcome("extracted", len(extracted), detail)
        context = {**self.get_serializer_context(), "extraction": outcome}
        data = CreatedArticleSerializer(article, context=context).data
        return Response(data, status=status.HTTP_201_CREATED, headers=created_location(request, self.basename, data))

    def _stored(self, article, validated):
        """200 for a body already stored: the article as it is, what of the request was not applied, and its URL."""
        sent = set(self.request.data)  # a field left out (and given its default) is not "ignored"
        posted = {name: value for name, value in validated.items() if name in sent and name != "body"}
        context = {**self.get_serializer_context(), "ignored": services.ignored_metadata(article, posted)}
        url = reverse("article-detail", args=[article.pk], request=self.request)
        return Response(
            StoredArticleSerializer(article, context=context).data,
            status=status.HTTP_200_OK,
            headers={"Content-Location": url},
        )

    def perform_update(self, serializer):
        serializer.instance = services.update_article(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

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
            422: EXTRACTION_REFUSED_RESPONSE,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsNewsroom])
    def extract(self, request, pk=None):
        """Propose candidate claims from the article body; running it again adds nothing twice.

        Extraction reads English (``en``) only: an article in another language gets 422 with
        ``"code": "unsupported_language"`` and the ``supported_languages``. A text that takes longer
        than ``FACTCHECK_EXTRACTION_TIME_LIMIT`` to analyse gets 422 too. Either way nothing is stored.
        """
        article = self.get_object()
        try:
            created = services.extract_claims(article, by=request.user)
        except services.ExtractionTimeout as exc:
            return extraction_timeout_response(exc, article, saved=False)
        except services.UnsupportedLanguage as exc:
            return unsupported_language_response(exc)
        claims = Claim.objects.filter(article=article).with_tag_names().with_matched_to().order_by("start")
        data = ClaimSerializer(claims, many=True, context=self.get_serializer_context()).data
        return Response({"created": len(created), "claims": data})


CHECK_WORTHINESS_REFUSED = inline_serializer(
    "CheckWorthinessRefused",
    {
        "detail": CharField(),
        "code": ChoiceField(choices=["unsupported_language", "extraction_timeout"]),
        "supported_languages": ListField(
            child=CharField(), required=False, help_text="With `unsupported_language`: the languages it reads."
        ),
    },
)


class CheckWorthinessView(APIView):
    """Check-worthiness scores of sentences, as claim extraction computes them; nothing is stored.

    Send ``sentences`` (1 to 1,000 strings, each scored whole: ``start`` 0, ``end`` its length) or a
    ``text`` (split into sentences and reported clauses as an article body is, at most 500,000
    characters; offsets index into it exactly as sent, in characters). Every sentence gets a result,
    proposed or not: ``check_worthy`` is ``score >= threshold``, the threshold from which extraction
    proposes a candidate claim. Sentences too short, too long or not English prose score 0 with the
    reason. Extraction reads English (``en``) only: another ``language`` gets 422
    ``unsupported_language``. Reviewers and editors only.
    """

    permission_classes = [IsNewsroom]

    @extend_schema(
        operation_id="check_worthiness",
        request=CheckWorthinessSerializer,
        responses={
            200: CheckWorthinessResultsSerializer,
            422: OpenApiResponse(
                CHECK_WORTHINESS_REFUSED,
                description="Nothing was scored: the language is not one extraction reads (`unsupported_language`), "
                "or the text took longer than `FACTCHECK_EXTRACTION_TIME_LIMIT` seconds (`extraction_timeout`).",
            ),
        },
    )
    def post(self, request):
        serializer = CheckWorthinessSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            candidates = services.check_worthiness(
                sentences=data.get("sentences"), text=data.get("text"), language=data["language"]
            )
        except services.UnsupportedLanguage as exc:
            return unsupported_language_response(exc)
        except services.ExtractionTimeout as exc:
            return Response(
                {"detail": f"Nothing was scored: {exc}", "code": "extraction_timeout"},
                status=status.HTTP_422_UNPROCESSABLE_ENTITY,
            )
        return Response(check_worthiness_results(candidates))


@extend_schema_view(
    update=extend_schema(request=ClaimUpdateSerializer), partial_update=extend_schema(request=ClaimUpdateSerializer)
)
class ClaimViewSet(
    PutBodyRequiredMixin,
    CreatedLocationMixin,
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

    # The claim endpoints that need only claims. ``claims/`` is served by its subclass in
    # reviews/api/views.py, which adds what shows reviews: the detail's published review, and history.
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ["id", "created_at", "updated_at", "check_worthiness"]

    def get_queryset(self):
        return Claim.objects.visible_to(self.request.user).with_tag_names().with_matched_to()

    def perform_create(self, serializer):
        data = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        serializer.instance = self.remember(services.create_claim(**data, by=self.request.user))

    def perform_update(self, serializer):
        claim = services.update_claim(
            serializer.instance, by=self.request.user, if_match=self.if_match(), **serializer.validated_data
        )
        serializer.instance = self.remember(claim)

    @extend_schema(
        parameters=[OpenApiParameter("limit", LIMIT_SCHEMA, description=f"At most this many (1–{LIMIT_MAX}).")],
        responses={200: SimilarClaimSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None, filter_backends=[])
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
            OpenApiParameter(
                "text",
                # No maxLength: percent-encoded, TEXT_MAX_LENGTH characters can take 12 times as many
                # bytes, past the request line's limit (414) before the limit could be checked (400).
                {"type": "string", "minLength": 1},
                required=True,
                description=f"The statement to match, at most {TEXT_MAX_LENGTH} characters (400 beyond; a URL over "
                "4094 bytes is a 414).",
            ),
            OpenApiParameter("limit", LIMIT_SCHEMA, description=f"At most this many (1–{LIMIT_MAX})."),
        ],
        responses={200: SimilarClaimSerializer(many=True)},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="similar",
        pagination_class=None,
        filterset_class=None,
        filter_backends=[],
    )
    def similar_to_text(self, request):
        """Claims that say nearly the same thing as ``text``: check before starting a review."""
        return self._similar(SimilarQueryForm(request.query_params))

    def shown(self, claims):
        """Make ``claims`` (changed in place, and returned as a list) what this client is to see of them:
        here the rows as they are; ``claims/`` is served by a subclass in reviews/api/views.py that
        shows readers each claim's published record instead."""
        return list(claims)

    def _similar(self, form, exclude=None):
        if not form.is_valid():
            raise ValidationError(form.errors)
        matches = similarity.similar_claims(
            form.cleaned_data["text"],
            Claim.objects.visible_to(self.request.user).with_matched_to(),
            limit=form.cleaned_data.get("limit") or 10,
            exclude=exclude,
        )
        self.shown(match["claim"] for match in matches)
        return Response(SimilarClaimSerializer(matches, many=True, context=self.get_serializer_context()).data)
