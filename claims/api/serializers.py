from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import services
from claims.models import ARTICLE_BODY_MAX_CHARS, Article, Claim
from claims.validators import http_url, validate_language
from factcheck.api import IntegerPrimaryKeyRelatedField, PlainFieldsMixin

MAX_OFFSET = 2**31 - 1


def check_field(rule, value, **kwargs):
    """Apply one of ``claims.services``' rules to a field's value, refusing it as a field error."""
    try:
        rule(value, **kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from exc
    return value


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
        return check_field(services.check_url_free, value or None, article=self.instance)

    def validate_body(self, value):
        return check_field(services.check_body, value, article=self.instance)


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


class SimilarClaimSerializer(serializers.Serializer):
    claim = ClaimSerializer()
    score = serializers.FloatField()
