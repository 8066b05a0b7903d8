from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from claims import extraction, services
from claims.models import ARTICLE_BODY_MAX_CHARS, Article, Claim, Claimant, ExternalFactCheck
from claims.validators import http_url, validate_language
from factcheck.api import IntegerPrimaryKeyRelatedField, JSONTypesMixin
from factcheck.formats import iso_datetime
from factcheck.roles import is_newsroom

MAX_OFFSET = 2**31 - 1


def check_field(rule, value, **kwargs):
    """Apply one of ``claims.services``' rules to a field's value, refusing it as a field error."""
    try:
        rule(value, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return value


class ArticleSerializer(JSONTypesMixin, serializers.ModelSerializer):
    url = serializers.CharField(
        max_length=2000, required=False, allow_null=True, allow_blank=True, validators=[http_url]
    )
    body = serializers.CharField(max_length=ARTICLE_BODY_MAX_CHARS, trim_whitespace=False)
    language = serializers.CharField(max_length=35, default="en", validators=[validate_language])

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "url",
            "publisher",
            "author",
            "published_at",
            "language",
            "body",
            "content_hash",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["content_hash", "created_at", "updated_at"]

    def to_representation(self, article):
        """Written out field by field: 0.5 ms of CPU for a page of 50 articles, where DRF's generic
        reading takes 1.8 ms. ``tests/api/test_representation.py`` checks it against DRF's own."""
        zone = timezone.get_current_timezone()
        representation = {
            "id": article.id,
            "title": article.title,
            "url": article.url,
            "publisher": article.publisher,
            "author": article.author,
            "published_at": iso_datetime(article.published_at, zone),
            "language": article.language,
        }
        if "body" in self.Meta.fields:  # not in the list, whose query leaves it out
            representation["body"] = article.body
        representation["content_hash"] = article.content_hash
        representation["created_at"] = iso_datetime(article.created_at, zone)
        representation["updated_at"] = iso_datetime(article.updated_at, zone)
        return representation

    def validate_url(self, value):
        article = self.instance or self.context.get("stored")  # the stored article of a re-posted body
        return check_field(services.check_url_free, value or None, article=article)

    def validate_body(self, value):
        return check_field(services.check_body, value, article=self.instance)


class StoredArticleSerializer(ArticleSerializer):
    """The stored article a re-posted body is, with what was not applied of the request (``context["ignored"]``)."""

    detail = serializers.CharField(read_only=True, help_text="What happened, in words.")
    ignored_fields = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="The fields you sent whose values differ from the stored article's and were not applied.",
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "detail", "ignored_fields"]

    def to_representation(self, article):
        representation = super().to_representation(article)
        ignored = list(self.context.get("ignored", []))
        if ignored:
            applied = f"Not applied: {', '.join(ignored)}; change them with PATCH on the article."
        else:
            applied = "Everything else you sent matches it."
        representation["detail"] = (
            f"This body is already stored as article {article.pk}, which is returned unchanged. {applied}"
        )
        representation["ignored_fields"] = ignored
        return representation


class ExtractionOutcomeSerializer(serializers.Serializer):
    """Whether a new article's candidate claims were extracted, and why not."""

    status = serializers.ChoiceField(
        choices=["extracted", "queued", "not_requested", "unsupported_language"],
        help_text="`extracted`; `queued` (a long article: a background job extracts them, see `job`); "
        "`not_requested` (`extract` was false); `unsupported_language` (extraction reads "
        f"{', '.join(extraction.SUPPORTED_LANGUAGES)} only; the article is stored without claims).",
    )
    created = serializers.IntegerField(help_text="How many candidate claims were created.")
    detail = serializers.CharField(help_text="What happened, in words.")
    job = serializers.URLField(required=False, help_text="With `queued`: the job to poll (`GET jobs/{id}/`).")


class CreatedArticleSerializer(ArticleSerializer):
    """A new article, with what became of extracting its claims (``context["extraction"]``)."""

    extraction = ExtractionOutcomeSerializer(read_only=True)

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "extraction"]

    def to_representation(self, article):
        return {**super().to_representation(article), "extraction": self.context["extraction"]}


def extraction_outcome(status, created=0, detail=""):
    """The ``extraction`` member of a new article's representation."""
    return {"status": status, "created": created, "detail": detail}


class ArticleListSerializer(ArticleSerializer):
    """Articles in a list: everything but the body, which can be large."""

    class Meta(ArticleSerializer.Meta):
        fields = [f for f in ArticleSerializer.Meta.fields if f != "body"]


def claim_tag_names(claim):
    """The names of the claim's tags: ``claim.tag_names`` when the queryset attached them, else read."""
    names = claim.__dict__.get("tag_names")
    return list(names) if names is not None else [tag.name for tag in claim.tags.all()]


class TagListField(serializers.ListField):
    """Tag names: written as a list of slugs, read from ``claim.tag_names`` when the queryset attached them."""

    child = serializers.SlugField(max_length=50)

    def get_attribute(self, claim):
        return claim_tag_names(claim)

    def to_representation(self, names):
        return list(names)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagsField(TagListField):
    pass


def claim_assignee_name(claim):
    """The username of the claim's assignee, or None: ``claim.assignee_name`` when the queryset attached it
    (``ClaimQuerySet.with_assignee_name``), else read."""
    if "assignee_name" in claim.__dict__:
        return claim.assignee_name
    return claim.assignee.get_username() if claim.assignee_id is not None else None


class AssigneeField(serializers.SlugRelatedField):
    """A user by username (the claim's assignee); null for none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"does_not_exist": "No user is named {value}."})
        super().__init__(slug_field=get_user_model().USERNAME_FIELD, **kwargs)

    def to_internal_value(self, data):
        # Refused before the lookup: PostgreSQL refuses a NUL character in a query (and no name is that long).
        if not isinstance(data, str) or "\x00" in data or len(data) > 150:
            raise serializers.ValidationError("Not a username.")
        return super().to_internal_value(data)

    def get_queryset(self):
        return get_user_model().objects.all()


class ClaimSerializer(JSONTypesMixin, serializers.ModelSerializer):
    """A claim with its position in the article. Give ``start``/``end``, ``quote``, or both."""

    article = IntegerPrimaryKeyRelatedField(queryset=Article.objects.all())
    quote = serializers.CharField(required=False, trim_whitespace=False, max_length=ARTICLE_BODY_MAX_CHARS)
    start = serializers.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)
    end = serializers.IntegerField(required=False, min_value=1, max_value=MAX_OFFSET)
    claim_reviewed = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    check_worthiness = serializers.FloatField(required=False, min_value=0, max_value=1)
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    check_worthiness_reasons = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Why extraction gave its score (`number`, `named source`, `speculation`, …); empty for a claim "
        "entered by hand or whose score was set by hand. Shown to reviewers and editors only.",
    )
    claimant = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=300,
        help_text="Who made the claim: its claimant's name. A name given is resolved to its claimant (found by "
        "its normalised name, else created; `claimants/`) and the claim shows that claimant's name.",
    )
    claimant_id = IntegerPrimaryKeyRelatedField(
        source="claimant_entity",
        queryset=Claimant.objects.all(),
        required=False,
        allow_null=True,
        help_text="The claimant (`claimants/{id}/`); null when the claim names none. Give it, or `claimant`, "
        "or both when the name is one of that claimant's.",
    )
    tags = TagsField(required=False, max_length=50)
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_OFFSET)
    assignee = AssigneeField(
        required=False,
        allow_null=True,
        help_text="The username of the reviewer or editor working on the claim; null when no one is. Shown to "
        "reviewers and editors only. Editors assign anyone (an active reviewer or editor); a reviewer takes an "
        "unassigned claim (their own username) and releases their own (null). `POST claims/{id}/assign/` does "
        "the same without a version.",
    )
    matched_to = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The reviewed claim this claim is a confirmed appearance of (`POST claims/{id}/match/`): its "
        "status and verdict follow that claim's, and its published review verifies it. Null otherwise.",
    )

    class Meta:
        model = Claim
        fields = [
            "id",
            "article",
            "quote",
            "start",
            "end",
            "claim_reviewed",
            "claimant",
            "claimant_id",
            "claimed_at",
            "check_worthiness",
            "check_worthiness_reasons",
            "status",
            "verdict",
            "assignee",
            "matched_to",
            "tags",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["verdict", "created_at", "updated_at"]
        # The (article, start, end) uniqueness is checked in validate(), after offsets are resolved.
        validators = []

    def to_representation(self, claim):
        """Written out field by field: 0.5 ms of CPU for a page of 50 claims, where DRF's generic
        reading takes 1.9 ms. ``tests/api/test_representation.py`` checks it against DRF's own."""
        zone = timezone.get_current_timezone()
        representation = {
            "id": claim.id,
            "article": claim.article_id,
            "quote": claim.quote,
            "start": claim.start,
            "end": claim.end,
            "claim_reviewed": claim.claim_reviewed,
            "claimant": claim.claimant,
            "claimant_id": claim.claimant_entity_id,
            "claimed_at": claim.claimed_at.isoformat() if claim.claimed_at is not None else None,
            "check_worthiness": float(claim.check_worthiness),
        }
        if self.shows_reasons():
            representation["check_worthiness_reasons"] = list(claim.check_worthiness_reasons)
        representation["status"] = claim.status
        representation["verdict"] = claim.verdict
        if self.shows_reasons():  # who works on a claim is the newsroom's business
            representation["assignee"] = claim_assignee_name(claim)
        representation["matched_to"] = claim.matched_to
        representation["tags"] = claim_tag_names(claim)
        representation["created_at"] = iso_datetime(claim.created_at, zone)
        representation["updated_at"] = iso_datetime(claim.updated_at, zone)
        representation["version"] = claim.version
        return representation

    def shows_reasons(self):
        """Whether ``check_worthiness_reasons`` and ``assignee`` are shown: to reviewers and editors, not to
        readers (whose claim is its published record, which neither is part of). Read once per serializer."""
        if not hasattr(self, "_shows_reasons"):
            request = self.context.get("request")
            self._shows_reasons = request is None or is_newsroom(request.user)
        return self._shows_reasons

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)):
            fields["article"].read_only = True
        return fields


class ClaimUpdateSerializer(ClaimSerializer):
    """A claim as PUT and PATCH take it: its article cannot change (the OpenAPI request body only)."""

    article = IntegerPrimaryKeyRelatedField(read_only=True)


class AssignSerializer(JSONTypesMixin, serializers.Serializer):
    """``POST claims/{id}/assign/``: who is to work on the claim."""

    assignee = serializers.CharField(
        allow_null=True,
        max_length=150,
        help_text="A username, `me` (yourself: taking the claim), or null (unassigning it).",
    )


class SimilarClaimSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    score = serializers.FloatField()


# --- External fact-checks ---------------------------------------------------------------------------


class ExternalFactCheckSerializer(serializers.ModelSerializer):
    """Another organisation's fact-check, as imported from its ClaimReview (read-only)."""

    appearances = serializers.ListField(child=serializers.URLField(), read_only=True)

    class Meta:
        model = ExternalFactCheck
        fields = [
            "id",
            "url",
            "publisher",
            "publisher_url",
            "claim_reviewed",
            "claimant",
            "claimant_type",
            "rating_text",
            "rating_value",
            "best_rating",
            "worst_rating",
            "date_published",
            "date_modified",
            "claim_date",
            "appearances",
            "language",
            "imported_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, fact_check):
        """Written out field by field, as ``ArticleSerializer`` is: the similar lookups show up to 50 of them,
        where DRF's generic reading costs more than the lookup. ``tests/api/test_representation.py``
        checks it against DRF's own."""
        zone = timezone.get_current_timezone()
        return {
            "id": fact_check.id,
            "url": fact_check.url,
            "publisher": fact_check.publisher,
            "publisher_url": fact_check.publisher_url,
            "claim_reviewed": fact_check.claim_reviewed,
            "claimant": fact_check.claimant,
            "claimant_type": fact_check.claimant_type,
            "rating_text": fact_check.rating_text,
            "rating_value": fact_check.rating_value,
            "best_rating": fact_check.best_rating,
            "worst_rating": fact_check.worst_rating,
            "date_published": iso_datetime(fact_check.date_published, zone),
            "date_modified": iso_datetime(fact_check.date_modified, zone),
            "claim_date": fact_check.claim_date.isoformat() if fact_check.claim_date else None,
            "appearances": list(fact_check.appearances),
            "language": fact_check.language,
            "imported_at": iso_datetime(fact_check.imported_at, zone),
            "updated_at": iso_datetime(fact_check.updated_at, zone),
        }


class SimilarClaimMatchSerializer(SimilarClaimSerializer):
    """One of this newsroom's claims in a similar-claims answer."""

    kind = serializers.ChoiceField(choices=["claim"], help_text="`claim`: one of this newsroom's claims.")


class SimilarExternalMatchSerializer(serializers.Serializer):
    """Another organisation's fact-check in a similar-claims answer."""

    kind = serializers.ChoiceField(choices=["external"], help_text="`external`: a fact-check from elsewhere.")
    external_fact_check = ExternalFactCheckSerializer()
    score = serializers.FloatField()


def similar_matches(claims, external, context):
    """The similar-claims answer: this newsroom's claims first, then external fact-checks, each best first."""
    claim_data = SimilarClaimSerializer(claims, many=True, context=context).data
    external_data = ExternalFactCheckSerializer([match["external_fact_check"] for match in external], many=True).data
    return [{"kind": "claim", **match} for match in claim_data] + [
        {"kind": "external", "external_fact_check": data, "score": match["score"]}
        for data, match in zip(external_data, external, strict=True)
    ]


class ItemReportSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in its document (or file), from 0.")
    source = serializers.CharField(required=False, help_text="The file it came from (command line only).")
    url = serializers.CharField(allow_null=True, help_text="The ClaimReview's url, when it has one.")
    status = serializers.ChoiceField(
        choices=["created", "updated", "unchanged", "invalid", "valid"],
        help_text="`valid`: would have been stored, but the import was refused for other items.",
    )
    id = serializers.IntegerField(allow_null=True, help_text="The external fact-check stored, if any.")
    errors = serializers.ListField(child=serializers.CharField(), help_text="Why the item is invalid.")
    warnings = serializers.ListField(
        child=serializers.CharField(), help_text="What of a valid item was left out as unreadable."
    )


class ImportReportSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A one-line summary.")
    stored = serializers.BooleanField(help_text="False: nothing was stored.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    invalid = serializers.IntegerField(help_text="Invalid items (skipped with `skip_invalid`).")
    items = ItemReportSerializer(many=True)


# --- Check-worthiness ------------------------------------------------------------------------------

MAX_SENTENCES = 1000


def not_blank(value):
    if not value.strip():
        raise serializers.ValidationError("This field may not be blank.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Sentences, each scored whole",
            value={"sentences": ["Ukrainian forces said they had entered Kupiansk on Saturday.", "What a week."]},
            request_only=True,
        ),
        OpenApiExample(
            "A text, split as an article is",
            value={"text": "Prices rose 9.4% in August, the office said. Critics may disagree.", "language": "en"},
            request_only=True,
        ),
    ]
)
class CheckWorthinessSerializer(JSONTypesMixin, serializers.Serializer):
    """Sentences to score, or a text to split into sentences and score: exactly one of the two."""

    sentences = serializers.ListField(
        child=serializers.CharField(trim_whitespace=False, max_length=ARTICLE_BODY_MAX_CHARS, validators=[not_blank]),
        required=False,
        min_length=1,
        max_length=MAX_SENTENCES,
        help_text=f"1 to {MAX_SENTENCES} sentences, each scored whole and on its own.",
    )
    text = serializers.CharField(
        required=False,
        trim_whitespace=False,
        max_length=ARTICLE_BODY_MAX_CHARS,
        validators=[not_blank],
        help_text="A text split into sentences (and reported clauses) as an article body is; offsets index into it "
        "exactly as sent.",
    )
    language = serializers.CharField(
        max_length=35,
        default="en",
        validators=[validate_language],
        help_text="BCP 47 code of the text (default `en`). Extraction reads "
        f"{', '.join(extraction.SUPPORTED_LANGUAGES)} only: another language is a 422.",
    )

    def validate(self, data):
        given = [name for name in ("sentences", "text") if name in data]
        if len(given) != 1:
            what = "both" if given else "neither"
            raise serializers.ValidationError({"non_field_errors": [f"Send either sentences or text, not {what}."]})
        return data


class CheckWorthinessResultSerializer(serializers.Serializer):
    text = serializers.CharField(help_text="The sentence, or the clause of it that is the claim.")
    start = serializers.IntegerField(help_text="Offset of its first character (0 for a sentence sent alone).")
    end = serializers.IntegerField(help_text="Offset just past its last character: `text[start:end]` is `text`.")
    score = serializers.FloatField(help_text="Check-worthiness, 0 to 1.")
    check_worthy = serializers.BooleanField(help_text="`score` reaches `threshold`: extraction would propose it.")
    claimant = serializers.CharField(help_text="Who the sentence attributes it to; empty for none (or a pronoun).")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it scored as it did.")


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Two sentences",
            value={
                "threshold": 0.5,
                "results": [
                    {
                        "text": "Ukrainian forces said they had entered Kupiansk on Saturday.",
                        "start": 0,
                        "end": 60,
                        "score": 0.75,
                        "check_worthy": True,
                        "claimant": "Ukrainian forces",
                        "reasons": ["date", "names", "event", "named source"],
                    },
                    {
                        "text": "What a week.",
                        "start": 0,
                        "end": 12,
                        "score": 0.0,
                        "check_worthy": False,
                        "claimant": "",
                        "reasons": ["too short to check"],
                    },
                ],
            },
            response_only=True,
        )
    ]
)
class CheckWorthinessResultsSerializer(serializers.Serializer):
    threshold = serializers.FloatField(help_text="The score from which extraction proposes a candidate claim.")
    results = CheckWorthinessResultSerializer(
        many=True, help_text="One per sentence sent, or per sentence or clause of the text, in order."
    )


def check_worthiness_results(candidates):
    """The body of a check-worthiness answer for ``candidates`` (``extraction.Candidate``)."""
    return {
        "threshold": extraction.PROPOSAL_THRESHOLD,
        "results": [
            {
                "text": candidate.quote,
                "start": candidate.start,
                "end": candidate.end,
                "score": candidate.check_worthiness,
                "check_worthy": candidate.proposed,
                "claimant": candidate.claimant,
                "reasons": list(candidate.reasons),
            }
            for candidate in candidates
        ],
    }


class UnsupportedLanguageSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.ChoiceField(choices=["unsupported_language"])
    supported_languages = serializers.ListField(child=serializers.CharField())


def unsupported_language_body(exc):
    return {"detail": str(exc), "code": "unsupported_language", "supported_languages": exc.supported_languages}


# --- Claimants -------------------------------------------------------------------------------------


class ClaimantSerializer(JSONTypesMixin, serializers.Serializer):
    """A claimant: one entity whatever the spelling of its name. Editors create and change them."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=300, help_text="The name its claims show (their `claimant`).")
    type = serializers.ChoiceField(
        choices=Claimant.Type.choices,
        required=False,
        help_text="`person`, `organization` or `government` (ClaimReview: Person, Organization, "
        "GovernmentOrganization). Guessed from the name when a claimant is created without it.",
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    same_as = serializers.ListField(
        child=serializers.CharField(max_length=2000, validators=[http_url]),
        required=False,
        max_length=20,
        help_text="http(s) URLs that identify it (Wikidata, an official site): ClaimReview `sameAs`.",
    )
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=300),
        required=False,
        max_length=100,
        help_text="Its names, its own included. Writing replaces the other names; each must name no other "
        "claimant (compared by normalised name: case, punctuation, UK/US spelling, word order, titles).",
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_OFFSET,
        help_text="The version you read: a PATCH names it here or in `If-Match` (stale: 409 or 412; neither: 428).",
    )

    def to_representation(self, claimant):
        zone = timezone.get_current_timezone()
        return {
            "id": claimant.id,
            "name": claimant.name,
            "type": claimant.type,
            "description": claimant.description,
            "same_as": list(claimant.same_as),
            "aliases": sorted(alias.name for alias in claimant.aliases.all()),
            "created_at": iso_datetime(claimant.created_at, zone),
            "updated_at": iso_datetime(claimant.updated_at, zone),
            "version": claimant.version,
        }


class ClaimantRecordSerializer(serializers.Serializer):
    """The claimant's record: its published verdicts, counted."""

    total = serializers.IntegerField(help_text="Verified claims (with a published review).")
    verdicts = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Verified claims per published verdict; every verdict listed, zero included.",
    )


class ClaimantClaimSerializer(serializers.Serializer):
    """One of a claimant's latest claims, in short: open it at `claims/{id}/`."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Claim.Status.choices)
    verdict = serializers.CharField(help_text="The published verdict; empty until published.")


class ClaimantDetailSerializer(ClaimantSerializer):
    """A claimant with its record, its latest claims and the link to all of them."""

    record = ClaimantRecordSerializer(read_only=True)
    claim_count = serializers.IntegerField(read_only=True, help_text="Its claims you can see.")
    claims_url = serializers.CharField(read_only=True, help_text="Its claims: `claims/?claimant_id={id}`.")
    latest_claims = ClaimantClaimSerializer(many=True, read_only=True, help_text="Up to 5, newest first.")

    def to_representation(self, claimant):
        return {
            **super().to_representation(claimant),
            "record": claimant.record,
            "claim_count": claimant.claim_count,
            "claims_url": claimant.claims_url,
            "latest_claims": claimant.latest_claims,
        }


class ClaimantMergeSerializer(JSONTypesMixin, serializers.Serializer):
    into = IntegerPrimaryKeyRelatedField(
        queryset=Claimant.objects.all(), help_text="The claimant that stays; this one is merged into it and deleted."
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text="Why, for the history (optional)."
    )
