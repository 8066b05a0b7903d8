from django.contrib.auth import get_user_model
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.serializers import BooleanField, CharField, ChoiceField, IntegerField, ListField
from rest_framework.views import APIView

from claims import claimants, claimreview_import, jobs, services, similarity
from claims.api.filters import LIMIT_MAX, TEXT_MAX_LENGTH, SimilarQueryForm
from claims.api.parsers import HTMLPageParser, JSONLDParser
from claims.api.serializers import (
    ArticleListSerializer,
    ArticleSerializer,
    AssignSerializer,
    CheckWorthinessResultsSerializer,
    CheckWorthinessSerializer,
    ClaimantDetailSerializer,
    ClaimantMergeSerializer,
    ClaimantSerializer,
    ClaimSerializer,
    ClaimUpdateSerializer,
    CreatedArticleSerializer,
    ExternalFactCheckSerializer,
    ImportReportSerializer,
    SimilarClaimMatchSerializer,
    SimilarExternalMatchSerializer,
    StoredArticleSerializer,
    UnsupportedLanguageSerializer,
    check_worthiness_results,
    extraction_outcome,
    similar_matches,
    unsupported_language_body,
)
from claims.filters import ClaimantFilter, ClaimFilter, ExternalFactCheckFilter
from claims.models import Article, Claim, Claimant, ExternalFactCheck
from factcheck.api import CreatedLocationMixin, PutBodyRequiredMixin, VersionedMixin, created_location
from factcheck.jobs_api import JOB_ACCEPTED, accepted, job_url
from factcheck.parsers import JSONParser
from factcheck.permissions import IsEditor, IsNewsroom
from factcheck.roles import is_newsroom

LIMIT_SCHEMA = {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX}
SIMILAR_PARAMETERS = [
    OpenApiParameter(
        "limit",
        LIMIT_SCHEMA,
        description=f"At most this many of the newsroom's claims, and this many external fact-checks (1–{LIMIT_MAX}).",
    ),
    OpenApiParameter(
        "external",
        OpenApiTypes.BOOL,
        description="Include fact-checks from elsewhere (imported ClaimReviews), after the claims (default true).",
    ),
]
SIMILAR_RESPONSE = OpenApiResponse(
    PolymorphicProxySerializer(
        component_name="SimilarMatch",
        serializers={"claim": SimilarClaimMatchSerializer, "external": SimilarExternalMatchSerializer},
        resource_type_field_name="kind",
        many=True,
    ),
    description="This newsroom's claims (`kind`: `claim`), best first, then fact-checks from elsewhere "
    "(`kind`: `external`), best first; each with its `score` (trigram similarity, 0.3 to 1).",
)
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
    (a new article is still saved: the 422 carries its ``id``). A body longer than
    ``FACTCHECK_EXTRACTION_INLINE_CHARS`` is extracted by a background job (``"status": "queued"``
    and the ``job`` to poll).
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
        if extract and jobs.extracts_in_background(article):
            try:
                record = jobs.start_extraction(article, by=request.user)
            except services.UnsupportedLanguage as exc:
                outcome = extraction_outcome("unsupported_language", detail=f"No claims were extracted: {exc}")
            else:
                url = job_url(record, request)
                outcome = extraction_outcome("queued", detail=f"A long article: its claims are extracted by job {url}")
                outcome["job"] = url
        elif extract:
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
            202: JOB_ACCEPTED,
            422: EXTRACTION_REFUSED_RESPONSE,
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[IsNewsroom])
    def extract(self, request, pk=None):
        """Propose candidate claims from the article body; running it again adds nothing twice.

        Extraction reads English (``en``) only: an article in another language gets 422 with
        ``"code": "unsupported_language"`` and the ``supported_languages``. A text that takes longer
        than ``FACTCHECK_EXTRACTION_TIME_LIMIT`` to analyse gets 422 too. Either way nothing is stored.
        A body longer than ``FACTCHECK_EXTRACTION_INLINE_CHARS`` is extracted by a background job:
        202 with the job (``Location``) to poll; its ``result`` counts the claims created.
        """
        article = self.get_object()
        if jobs.extracts_in_background(article):
            try:
                return accepted(jobs.start_extraction(article, by=request.user), request)
            except services.UnsupportedLanguage as exc:
                return unsupported_language_response(exc)
        try:
            created = services.extract_claims(article, by=request.user)
        except services.ExtractionTimeout as exc:
            return extraction_timeout_response(exc, article, saved=False)
        except services.UnsupportedLanguage as exc:
            return unsupported_language_response(exc)
        claims = Claim.objects.filter(article=article).with_tag_names().with_matched_to().with_assignee_name()
        claims = claims.order_by("start")
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

    ``assignee`` is the username of the reviewer or editor working on the claim (reviewers and editors
    only see it and filter by it): editors assign, reassign and unassign anyone; a reviewer takes an
    unassigned claim and releases their own (403 otherwise). ``assign/`` does it without a version.
    """

    # The claim endpoints that need only claims. ``claims/`` is served by its subclass in
    # reviews/api/views.py, which adds what shows reviews: the detail's published review, and history.
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilter
    ordering_fields = ["id", "created_at", "updated_at", "check_worthiness"]

    def get_queryset(self):
        queryset = Claim.objects.visible_to(self.request.user).with_tag_names().with_matched_to()
        return queryset.with_assignee_name() if is_newsroom(self.request.user) else queryset

    def perform_create(self, serializer):
        data = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        assignee = data.pop("assignee", None)
        with transaction.atomic():  # refused assignment, no claim
            claim = services.create_claim(**data, by=self.request.user)
            if assignee is not None:
                claim = services.assign_claim(claim, assignee=assignee, by=self.request.user)
        serializer.instance = self.remember(claim)

    @extend_schema(
        request=AssignSerializer,
        responses={200: ClaimSerializer},
        description="Make `assignee` (a username, `me`, or null to unassign) the claim's assignee, without a "
        "version: the claim's content does not change (its version still moves on). Editors assign, reassign and "
        "unassign anyone; a reviewer takes an unassigned claim (`me`) and releases their own (null). 403 for a "
        "step you may not take, with the reason: of two reviewers taking the same claim at once, the second is "
        "told who has it. 400 for a username that names no active reviewer or editor.",
    )
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsNewsroom],
        pagination_class=None,
        filterset_class=None,
        filter_backends=[],
    )
    def assign(self, request, pk=None):
        claim = self.get_object()
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        name = serializer.validated_data["assignee"]
        if name is None:
            assignee = None
        elif name == "me":
            assignee = request.user
        else:
            assignee = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: name}).first()
            if assignee is None:
                raise ValidationError({"assignee": [f"No user is named {name}."]})
        services.assign_claim(claim, assignee=assignee, by=request.user)
        claim = self.get_queryset().get(pk=claim.pk)
        return Response(self.get_serializer(self.remember(claim)).data)

    def perform_update(self, serializer):
        claim = services.update_claim(
            serializer.instance, by=self.request.user, if_match=self.if_match(), **serializer.validated_data
        )
        serializer.instance = self.remember(claim)

    @extend_schema(parameters=SIMILAR_PARAMETERS, responses={200: SIMILAR_RESPONSE})
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None, filter_backends=[])
    def similar(self, request, pk=None):
        """Claims that say nearly the same thing as this one, best match first; then fact-checks from elsewhere
        that check the same thing ("has anyone checked this already?")."""
        claim = self.get_object()
        params = request.query_params
        form = SimilarQueryForm(
            {
                "text": claim.claim_reviewed or claim.quote,
                "limit": params.get("limit"),
                "external": params.get("external"),
            }
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
            *SIMILAR_PARAMETERS,
        ],
        responses={200: SIMILAR_RESPONSE},
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
        """Claims that say nearly the same thing as ``text``, then fact-checks from elsewhere: check before
        starting a review."""
        return self._similar(SimilarQueryForm(request.query_params))

    def shown(self, claims):
        """Make ``claims`` (changed in place, and returned as a list) what this client is to see of them:
        here the rows as they are; ``claims/`` is served by a subclass in reviews/api/views.py that
        shows readers each claim's published record instead."""
        return list(claims)

    def _similar(self, form, exclude=None):
        if not form.is_valid():
            raise ValidationError(form.errors)
        text, limit = form.cleaned_data["text"], form.cleaned_data.get("limit") or 10
        claims = Claim.objects.visible_to(self.request.user).with_matched_to()
        if is_newsroom(self.request.user):
            claims = claims.with_assignee_name()
        matches = similarity.similar_claims(text, claims, limit=limit, exclude=exclude)
        self.shown(match["claim"] for match in matches)
        external = []
        if form.cleaned_data["external"]:
            # Public: every client sees them (published elsewhere), whatever it may see of claims.
            external = similarity.similar_external_fact_checks(
                text, ExternalFactCheck.objects.defer("data"), limit=limit
            )
        return Response(similar_matches(matches, external, self.get_serializer_context()))


LATEST_CLAIMS = 5


@extend_schema_view(
    create=extend_schema(responses={201: ClaimantDetailSerializer}),
    retrieve=extend_schema(responses={200: ClaimantDetailSerializer}),
    partial_update=extend_schema(responses={200: ClaimantDetailSerializer}),
)
class ClaimantViewSet(
    CreatedLocationMixin,
    VersionedMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Claimants: who made claims, one entity whatever the spelling of its name.

    Anonymous clients (and users outside the newsroom) see the claimants of verified claims, and a record
    built from published verdicts only; reviewers and editors see every claimant. Editors create and
    change them (PATCH, naming the version read in ``If-Match`` or ``version``), and merge a duplicate
    into another (``merge/``); reviewers get 403.
    """

    serializer_class = ClaimantSerializer
    filterset_class = ClaimantFilter
    ordering_fields = ["id", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self):
        if self.request.method not in permissions.SAFE_METHODS:
            return [IsEditor()]
        return super().get_permissions()

    def get_queryset(self):
        return Claimant.objects.visible_to(self.request.user).prefetch_related("aliases")

    def get_serializer_class(self):
        return ClaimantDetailSerializer if self.action == "retrieve" else super().get_serializer_class()

    def _detail(self, claimant, status_code=status.HTTP_200_OK, headers=None):
        """The claimant's detail: its record (published verdicts), its claims you can see, the latest five."""
        claimant = self.get_queryset().get(pk=claimant.pk)
        claims = Claim.objects.visible_to(self.request.user).filter(claimant_entity=claimant)
        claimant.record = claimants.claimant_record(claimant)
        claimant.claim_count = claims.count()
        claimant.claims_url = reverse("claim-list", request=self.request) + f"?claimant_id={claimant.pk}"
        claimant.latest_claims = list(claims.order_by("-id").values("id", "status", "verdict")[:LATEST_CLAIMS])
        data = ClaimantDetailSerializer(self.remember(claimant), context=self.get_serializer_context()).data
        return Response(data, status=status_code, headers=headers)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {name: value for name, value in serializer.validated_data.items() if name != "version"}
        claimant = claimants.create_claimant(**data, by=request.user)
        return self._detail(
            claimant, status.HTTP_201_CREATED, created_location(request, self.basename, {"id": claimant.pk})
        )

    def update(self, request, *args, **kwargs):
        claimant = self.get_object()
        serializer = self.get_serializer(claimant, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        claimant = claimants.update_claimant(
            claimant, **serializer.validated_data, if_match=self.if_match(), by=request.user
        )
        return self._detail(claimant)

    @extend_schema(request=ClaimantMergeSerializer, responses={200: ClaimantDetailSerializer})
    @action(detail=True, methods=["post"], filterset_class=None, filter_backends=[])
    def merge(self, request, pk=None):
        """Merge this claimant into ``into`` (editors): its names and claims move there, each claim showing the
        survivor's name with a history record; this claimant is deleted (its history records why). Answers the
        survivor. A verified claim's published record keeps the name it was published with until a correction."""
        duplicate = self.get_object()
        serializer = ClaimantMergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survivor = claimants.merge_claimants(
            duplicate,
            into=serializer.validated_data["into"],
            by=request.user,
            reason=serializer.validated_data.get("reason") or None,
        )
        return self._detail(survivor)


class ExternalFactCheckViewSet(viewsets.ReadOnlyModelViewSet):
    """Fact-checks published by other organisations, imported from their ClaimReview
    (``imports/claimreview/``, ``manage.py import_claimreview``). Public: anyone may read them."""

    serializer_class = ExternalFactCheckSerializer
    filterset_class = ExternalFactCheckFilter
    ordering_fields = ["id", "date_published", "updated_at"]
    queryset = ExternalFactCheck.objects.defer("data")


# A ClaimReview, a DataFeed or a @graph (objects), or an array of ClaimReviews.
JSON_LD_DOCUMENT = {
    "oneOf": [{"type": "object", "additionalProperties": {}}, {"type": "array", "items": {}}],
    "description": "A ClaimReview, an array of them, a schema.org DataFeed, or an object with `@graph`.",
}
IMPORT_REFUSED = OpenApiResponse(
    ImportReportSerializer,
    description="Nothing was stored: items are invalid (each with its `errors`; send `skip_invalid=true` to "
    "store the valid ones), or the document holds no ClaimReview (`items` empty, `detail` says why).",
)


class ClaimReviewImportView(APIView):
    """Import other organisations' fact-checks from schema.org ClaimReview (editors only).

    The body is JSON (``application/json`` or ``application/ld+json``: a ClaimReview, an array of
    them, a ``DataFeed`` or ``@graph``) or an HTML page (``text/html``) whose
    ``<script type="application/ld+json">`` blocks hold them. Every item is validated first: by
    default one invalid item (no ``url``, ``claimReviewed`` or rating) means nothing is stored and the
    400 lists each item's errors; ``?skip_invalid=true`` stores the valid ones and reports the others.
    Items are stored by ``url``: the same ClaimReview again updates it or leaves it unchanged. 201 when
    something was created (``Location``: the list of external fact-checks), 200 otherwise. A body larger
    than ``FACTCHECK_IMPORT_INLINE_BYTES`` is stored by a background job: 202 with the job to poll,
    whose ``result`` is the same report (a job that stored nothing fails, the report still its result).
    """

    permission_classes = [IsEditor]
    parser_classes = [JSONParser, JSONLDParser, HTMLPageParser]

    @extend_schema(
        operation_id="imports_claimreview",
        request={
            "application/json": JSON_LD_DOCUMENT,
            "application/ld+json": JSON_LD_DOCUMENT,
            "text/html": {"type": "string"},
        },
        parameters=[
            OpenApiParameter(
                "skip_invalid",
                OpenApiTypes.BOOL,
                description="Store the valid items and report the invalid ones as skipped (default false: "
                "any invalid item and nothing is stored).",
            ),
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                location=OpenApiParameter.HEADER,
                response=[201],
                description="The list of external fact-checks, where the ones created are (their ids are in `items`).",
            ),
        ],
        responses={
            201: OpenApiResponse(ImportReportSerializer, description="Stored; at least one fact-check was created."),
            200: OpenApiResponse(ImportReportSerializer, description="Stored; nothing new (updated or unchanged)."),
            202: JOB_ACCEPTED,
            400: IMPORT_REFUSED,
        },
    )
    def post(self, request):
        skip_invalid = {"true": True, "1": True, "false": False, "0": False}.get(
            request.query_params.get("skip_invalid", "false").lower()
        )
        if skip_invalid is None:
            return Response(
                claimreview_import.refused("skip_invalid: Must be true or false."), status=status.HTTP_400_BAD_REQUEST
            )
        try:
            data = request.data
        except ParseError as exc:  # the report's shape, for every 400 of this operation
            return Response(claimreview_import.refused(str(exc.detail)), status=status.HTTP_400_BAD_REQUEST)
        try:
            page = request.content_type.split(";")[0].strip().lower() == HTMLPageParser.media_type
            document = claimreview_import.read_text(data) if page else data
            if jobs.imports_in_background(int(request.META.get("CONTENT_LENGTH") or 0)):
                return accepted(jobs.start_import(document, by=request.user, skip_invalid=skip_invalid), request)
            report = claimreview_import.import_claim_reviews(
                [("", document)], by=request.user, skip_invalid=skip_invalid
            )
        except claimreview_import.UnreadableFeed as exc:
            return Response(claimreview_import.refused(str(exc)), status=status.HTTP_400_BAD_REQUEST)
        if not report.stored:
            return Response(report.as_dict(), status=status.HTTP_400_BAD_REQUEST)
        if report.count("created"):
            location = reverse("external-fact-check-list", request=request)
            return Response(report.as_dict(), status=status.HTTP_201_CREATED, headers={"Location": location})
        return Response(report.as_dict())
