"""The reviews API's serializers, and the claim's that show reviews: the claim detail and its history."""

from django.db.models import prefetch_related_objects
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims.api.serializers import ClaimSerializer
from claims.models import Verdict
from claims.validators import http_url
from factcheck.api import IntegerPrimaryKeyRelatedField, JSONTypesMixin
from factcheck.roles import is_newsroom
from reviews import matches, record
from reviews.history import ACTIONS
from reviews.models import Event, EventType, Evidence, Review, published_review_prefetch

MAX_VERSION = 2**31 - 1


@extend_schema_field(
    {
        "description": "A field's value: text (dates as ISO 8601), a number, true/false, a list of texts (tags, "
        "evidence urls), or null.",
        "anyOf": [
            {"type": "string", "nullable": True},
            {"type": "number"},
            {"type": "boolean"},
            {"type": "array", "items": {"type": "string"}},
        ],
    }
)
class ChangeValueField(serializers.JSONField):
    """A value before or after a change (``reviews.history``, ``Review.correction``), null for "nothing"."""


class ChangeSerializer(serializers.Serializer):
    """One field's change: its name, the value before (null when it had none) and after."""

    field = serializers.CharField()
    old = ChangeValueField()
    new = ChangeValueField()


class EvidenceSerializer(JSONTypesMixin, serializers.ModelSerializer):
    url = serializers.CharField(max_length=2000, validators=[http_url])
    archive_url = serializers.CharField(max_length=2000, required=False, allow_blank=True, validators=[http_url])
    quote = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    added_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "review",
            "url",
            "title",
            "publisher",
            "quote",
            "stance",
            "source_type",
            "published_at",
            "accessed_at",
            "archive_url",
            "added_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["review", "added_by", "created_at", "updated_at"]


class ReviewSerializer(JSONTypesMixin, serializers.ModelSerializer):
    """A review of one claim. ``state`` changes only through the submit/publish/return actions."""

    serializer_related_field = IntegerPrimaryKeyRelatedField

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    published_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    rating_text = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Defaults to the verdict's label."
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20_000)
    rating_value = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="ClaimReview ratingValue, 1 (false) to 5 (true)."
    )
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The version you read; a stale one is refused with 409.",
    )
    evidence = EvidenceSerializer(many=True, read_only=True)
    first_published_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the claim's first review was published (null until published)."
    )
    correction = ChangeSerializer(
        many=True,
        read_only=True,
        help_text="What publishing this review changed for readers against the review it superseded: the claim's "
        "and article's record fields (`article.title`, …), `verdict`, `rating_text`, `summary`, `evidence` (urls). "
        "Empty for a first publication or a review not published.",
    )

    class Meta:
        model = Review
        fields = [
            "id",
            "claim",
            "author",
            "verdict",
            "rating_text",
            "rating_value",
            "summary",
            "state",
            "editor_comment",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
            "published_by",
            "first_published_at",
            "correction",
            "version",
            "evidence",
        ]
        read_only_fields = [
            "state",
            "editor_comment",
            "created_at",
            "updated_at",
            "submitted_at",
            "published_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)):
            fields["claim"].read_only = True
        return fields

    # What only reviewers and editors see of a review.
    NEWSROOM_ONLY_FIELDS = ("editor_comment",)

    def to_representation(self, review):
        data = super().to_representation(review)
        request = self.context.get("request")
        return data if request is None or is_newsroom(request.user) else self.for_readers(data)

    @classmethod
    def for_readers(cls, data):
        """A review's representation as shown to the newsroom, as everyone else is shown it."""
        return {name: value for name, value in data.items() if name not in cls.NEWSROOM_ONLY_FIELDS}


class ReviewUpdateSerializer(ReviewSerializer):
    """A review as PUT and PATCH take it: its claim cannot change (the OpenAPI request body only)."""

    class Meta(ReviewSerializer.Meta):
        read_only_fields = [*ReviewSerializer.Meta.read_only_fields, "claim"]


class CorrectedFieldSerializer(serializers.Serializer):
    """One thing a correction changed for readers, from the publication it superseded."""

    field = serializers.ChoiceField(
        choices=record.CORRECTED_FIELDS,
        help_text="A claim field, an article field (``article.<name>``), a review field, or ``evidence`` "
        "(the sorted URLs of the evidence).",
    )
    old = ChangeValueField()
    new = ChangeValueField()


class PublishedReviewSerializer(serializers.ModelSerializer):
    """The published review shown with a claim: what readers and client apps see."""

    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    rating_value = serializers.IntegerField(read_only=True, allow_null=True)
    first_published_at = serializers.DateTimeField(
        read_only=True, help_text="When the claim's first review was published (ClaimReview datePublished)."
    )
    date_modified = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When this review, a correction, was published (ClaimReview dateModified); null for a "
        "claim's first publication.",
    )
    correction = CorrectedFieldSerializer(
        many=True, read_only=True, help_text="What this review changed for readers; empty for a first publication."
    )
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "author",
            "verdict",
            "rating_text",
            "rating_value",
            "summary",
            "published_at",
            "first_published_at",
            "date_modified",
            "correction",
            "evidence",
        ]
        read_only_fields = fields


class AppearanceSerializer(serializers.Serializer):
    """Another article where the claim appears: a claim confirmed as the same claim (``claims/{id}/match/``)."""

    claim = serializers.IntegerField(help_text="The appearance's claim id.")
    article = serializers.IntegerField()
    quote = serializers.CharField()
    article_title = serializers.CharField()
    article_url = serializers.CharField(allow_null=True)
    article_published_at = serializers.DateTimeField(allow_null=True)


class MatchSuggestionSerializer(serializers.Serializer):
    """An already reviewed claim that says what this one says, suggested when this claim was created."""

    claim = serializers.IntegerField(help_text="The reviewed claim's id: confirm with `POST claims/{id}/match/`.")
    score = serializers.FloatField(allow_null=True, help_text="How surely they say the same thing, 0 to 1.")
    quote = serializers.CharField()
    claim_reviewed = serializers.CharField(allow_blank=True)
    status = serializers.CharField(help_text="The reviewed claim's status now (`in_review` or `verified` once).")
    verdict = serializers.CharField(allow_blank=True)


# The claim detail (``claims/{id}/``) shows the published review, so it is built here, on the reviews
# side, over ``claims/api/serializers.py``'s ClaimSerializer: ``claims`` knows nothing of reviews.
# (Docstrings of serializers are their descriptions in the OpenAPI schema.)
class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its published review and that review's evidence.

    An appearance (``matched_to``) shows the published review of the claim it appears for. A reviewed claim
    lists its ``appearances`` (readers: those published). Reviewers and editors also get the claim's
    ``match_suggestion``, an already reviewed claim that says the same thing, or null.
    """

    published_review = serializers.SerializerMethodField()
    article_title = serializers.CharField(source="article.title", read_only=True)
    article_url = serializers.CharField(source="article.url", read_only=True, allow_null=True)
    appearances = serializers.SerializerMethodField()
    match_suggestion = serializers.SerializerMethodField()

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "article_title",
            "article_url",
            "published_review",
            "appearances",
            "match_suggestion",
        ]

    def to_representation(self, claim):
        representation = {
            **super().to_representation(claim),
            "article_title": claim.article.title,
            "article_url": claim.article.url,
            "published_review": self.get_published_review(claim),
            "appearances": self.get_appearances(claim),
        }
        if self.shows_reasons():  # the newsroom: readers never see suggestions
            representation["match_suggestion"] = self.get_match_suggestion(claim)
        return representation

    @extend_schema_field(AppearanceSerializer(many=True))
    def get_appearances(self, claim):
        return matches.appearances(claim, readers=not self.shows_reasons())

    @extend_schema_field(MatchSuggestionSerializer(allow_null=True))
    def get_match_suggestion(self, claim):
        return matches.suggestion(claim)

    @extend_schema_field(PublishedReviewSerializer(allow_null=True))
    def get_published_review(self, claim):
        if not hasattr(claim, "published_reviews"):
            prefetch_related_objects([claim], published_review_prefetch())
        reviews = claim.published_reviews
        return PublishedReviewSerializer(reviews[0], context=self.context).data if reviews else None


# An entry of ``claims/{id}/history/``, as ``reviews.history.claim_history`` builds it.
class HistoryEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField(
        allow_null=True, help_text="Who made the change; shown to reviewers and editors only, else null."
    )
    model = serializers.ChoiceField(
        choices=["claim", "review", "evidence", "record", "match"],
        help_text="`record`: a publication, with the published record (the first) or what a correction changed; "
        "`object_id` is then the review's. `match` (reviewers and editors): a suggestion or decision that the claim "
        "is an appearance of a reviewed claim, or that another claim is one of this claim's (`claims/{id}/match/`).",
    )
    object_id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=list(ACTIONS.values()))
    reason = serializers.CharField(allow_null=True)
    changes = ChangeSerializer(many=True)


class MatchRequestSerializer(JSONTypesMixin, serializers.Serializer):
    claim = serializers.IntegerField(min_value=1, max_value=MAX_VERSION, help_text="The reviewed claim's id.")


class RejectMatchSerializer(JSONTypesMixin, serializers.Serializer):
    claim = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_VERSION,
        help_text="The reviewed claim never to suggest for this claim; the current suggestion when left out.",
    )


class MatchSerializer(serializers.Serializer):
    """A decided match: the claim, the reviewed claim it is (or was) matched to, and what the claim is now."""

    claim = serializers.IntegerField(source="claim_id", help_text="The appearance.")
    reviewed_claim = serializers.IntegerField(source="reviewed_claim_id")
    state = serializers.ChoiceField(choices=["suggested", "confirmed", "rejected", "withdrawn"])
    score = serializers.FloatField(allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    matched_to = serializers.IntegerField(source="claim.matched_to", allow_null=True)
    status = serializers.CharField(source="claim.status", help_text="The claim's status now.")
    verdict = serializers.CharField(source="claim.verdict", allow_blank=True)


class ReturnSerializer(JSONTypesMixin, serializers.Serializer):
    comment = serializers.CharField(max_length=5000, help_text="What the author should change.")


# --- Events (reviews.events) ------------------------------------------------------------------------


@extend_schema_field(
    {
        "description": "The object as the API showed it when the event happened (a frozen snapshot): a claim as "
        "`claims/` lists it, a review as `reviews/{id}/` shows it; to clients outside the newsroom, as they were "
        "shown it (the published record).",
        "oneOf": [{"$ref": "#/components/schemas/Claim"}, {"$ref": "#/components/schemas/Review"}],
    }
)
class EventDataField(serializers.JSONField):
    pass


class EventObjectSerializer(serializers.Serializer):
    """What the event is about."""

    type = serializers.ChoiceField(choices=Event.ObjectType.choices)
    id = serializers.IntegerField()
    data = EventDataField()


class EventSerializer(serializers.Serializer):
    """Something that happened to a claim or a review (``reviews.events``), in commit order of its ``id``."""

    id = serializers.IntegerField(help_text="Grows in commit order: poll with `?after=` the last id you read.")
    type = serializers.ChoiceField(choices=EventType.choices)
    created_at = serializers.DateTimeField()
    actor = serializers.CharField(
        allow_null=True, help_text="Who made the change; shown to reviewers and editors only, else null."
    )
    object = EventObjectSerializer()

    def to_representation(self, event):
        """Written out field by field; the object's data is stored as the API showed it."""
        request = self.context.get("request")
        return event.shown(newsroom=request is not None and is_newsroom(request.user))
