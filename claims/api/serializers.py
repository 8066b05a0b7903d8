from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import triage
from claims.models import ARTICLE_BODY_MAX_CHARS, Article, Claim, Tag
from claims.validators import http_url, locate_quote, validate_language, validate_span
from factcheck.api import IntegerPrimaryKeyRelatedField, iso_datetime
from reviews.api.serializers import PublishedReviewSerializer

MAX_OFFSET = 2**31 - 1


class ArticleSerializer(serializers.ModelSerializer):
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
        if not value:
            return None
        clash = Article.objects.filter(url=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("Another article already has this url.")
        return value

    def validate_body(self, value):
        if not value.strip():
            raise serializers.ValidationError("The article body is empty.")
        if self.instance is not None and value != self.instance.body and self.instance.claims.exists():
            raise serializers.ValidationError(
                "The body cannot change once claims have been taken from it: their offsets point into it."
            )
        return value


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


class ClaimSerializer(serializers.ModelSerializer):
    """A claim with its position in the article. Give ``start``/``end``, ``quote``, or both."""

    article = IntegerPrimaryKeyRelatedField(queryset=Article.objects.all())
    quote = serializers.CharField(required=False, trim_whitespace=False, max_length=ARTICLE_BODY_MAX_CHARS)
    start = serializers.IntegerField(required=False, min_value=0, max_value=MAX_OFFSET)
    end = serializers.IntegerField(required=False, min_value=1, max_value=MAX_OFFSET)
    claim_reviewed = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    check_worthiness = serializers.FloatField(required=False, min_value=0, max_value=1)
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)
    tags = TagsField(required=False, max_length=50)
    version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_OFFSET)

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
            "status",
            "verdict",
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
        return {
            "id": claim.id,
            "article": claim.article_id,
            "quote": claim.quote,
            "start": claim.start,
            "end": claim.end,
            "claim_reviewed": claim.claim_reviewed,
            "claimant": claim.claimant,
            "claimed_at": claim.claimed_at.isoformat() if claim.claimed_at is not None else None,
            "check_worthiness": float(claim.check_worthiness),
            "status": claim.status,
            "verdict": claim.verdict,
            "tags": claim_tag_names(claim),
            "created_at": iso_datetime(claim.created_at, zone),
            "updated_at": iso_datetime(claim.updated_at, zone),
            "version": claim.version,
        }

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, (list, tuple)):
            fields["article"].read_only = True
        return fields

    def validate(self, attrs):
        article = attrs.get("article") or getattr(self.instance, "article", None)
        if article is None:
            return attrs
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        quote = attrs.get("quote")
        span_given = "start" in attrs or "end" in attrs
        try:
            if quote is not None and not span_given and self.instance is None:
                start, end = locate_quote(article.body, quote)
            attrs["quote"] = validate_span(article.body, start, end, quote if quote is not None else None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from exc
        attrs["start"], attrs["end"] = start, end
        clash = Claim.objects.filter(article=article, start=start, end=end)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError({"start": "The article already has a claim at this position."})
        if "status" in attrs:
            request = self.context.get("request")
            try:
                triage.check_status_change(self.instance, attrs["status"], by=request.user if request else None)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"status": exc.messages}) from exc
        return attrs

    @transaction.atomic
    def create(self, validated_data):
        tags = validated_data.pop("tags", None)
        validated_data.pop("version", None)
        claim = Claim(**validated_data)
        if claim.claimed_at is None and claim.article.published_at:
            claim.claimed_at = claim.article.published_at.date()
        claim.save()
        if tags is not None:
            claim.tags.set(Tag.objects.for_names(tags))
            claim.__dict__.pop("tag_names", None)
        return claim

    @transaction.atomic
    def update(self, instance, validated_data):
        tags = validated_data.pop("tags", None)
        validated_data.pop("version", None)
        for field, value in validated_data.items():
            setattr(instance, field, value)
        instance.save()
        if tags is not None:
            instance.tags.set(Tag.objects.for_names(tags))
            instance.__dict__.pop("tag_names", None)
        return instance


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with its published review and that review's evidence."""

    published_review = serializers.SerializerMethodField()
    article_title = serializers.CharField(source="article.title", read_only=True)
    article_url = serializers.CharField(source="article.url", read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "article_title", "article_url", "published_review"]

    def to_representation(self, claim):
        return {
            **super().to_representation(claim),
            "article_title": claim.article.title,
            "article_url": claim.article.url,
            "published_review": self.get_published_review(claim),
        }

    @extend_schema_field(PublishedReviewSerializer(allow_null=True))
    def get_published_review(self, claim):
        reviews = getattr(claim, "published_reviews", None)
        if reviews is None:
            reviews = list(claim.reviews.filter(state="published").prefetch_related("evidence"))
        return PublishedReviewSerializer(reviews[0], context=self.context).data if reviews else None


class SimilarClaimSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    score = serializers.FloatField()
