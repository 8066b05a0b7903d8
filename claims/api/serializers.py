from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import triage
from claims.models import ARTICLE_BODY_MAX_CHARS, Article, Claim, Tag
from claims.validators import http_url, locate_quote, validate_language, validate_span
from factcheck.api import IntegerPrimaryKeyRelatedField, PlainFieldsMixin

MAX_OFFSET = 2**31 - 1


class ArticleSerializer(PlainFieldsMixin, serializers.ModelSerializer):
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


class TagListField(serializers.ListField):
    """Tag names: written as a list of slugs, read from ``claim.tag_names`` when the queryset attached them."""

    child = serializers.SlugField(max_length=50)
    plain_list_attribute = "tag_names"  # PlainFieldsMixin reads it directly when present

    def get_attribute(self, claim):
        names = claim.__dict__.get("tag_names")
        return names if names is not None else [tag.name for tag in claim.tags.all()]

    def to_representation(self, names):
        return list(names)


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class TagsField(TagListField):
    pass


class ClaimSerializer(PlainFieldsMixin, serializers.ModelSerializer):
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


class SimilarClaimSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    score = serializers.FloatField()
