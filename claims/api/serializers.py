from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from claims import extraction, services
from claims.models import ARTICLE_BODY_MAX_CHARS, Article, Claim
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
        choices=["extracted", "not_requested", "unsupported_language"],
        help_text="`extracted`; `not_requested` (`extract` was false); `unsupported_language` (extraction reads "
        f"{', '.join(extraction.SUPPORTED_LANGUAGES)} only; the article is stored without claims).",
    )
    created = serializers.IntegerField(help_text="How many candidate claims were created.")
    detail = serializers.CharField(help_text="What happened, in words.")


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
    tags = TagsField(required=False, max_length=50)
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_OFFSET)
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
            "claimed_at",
            "check_worthiness",
            "check_worthiness_reasons",
            "status",
            "verdict",
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
            "claimed_at": claim.claimed_at.isoformat() if claim.claimed_at is not None else None,
            "check_worthiness": float(claim.check_worthiness),
        }
        if self.shows_reasons():
            representation["check_worthiness_reasons"] = list(claim.check_worthiness_reasons)
        representation["status"] = claim.status
        representation["verdict"] = claim.verdict
        representation["matched_to"] = claim.matched_to
        representation["tags"] = claim_tag_names(claim)
        representation["created_at"] = iso_datetime(claim.created_at, zone)
        representation["updated_at"] = iso_datetime(claim.updated_at, zone)
        representation["version"] = claim.version
        return representation

    def shows_reasons(self):
        """Whether ``check_worthiness_reasons`` is shown: to reviewers and editors, not to readers (whose
        claim is its published record, which the reasons are not part of). Read once per serializer."""
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


class SimilarClaimSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    score = serializers.FloatField()


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
