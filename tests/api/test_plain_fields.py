"""PlainFieldsMixin shows exactly what DRF's ModelSerializer shows, only faster."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from claims.api.serializers import ArticleListSerializer, ArticleSerializer, ClaimSerializer
from claims.models import Article, Claim, Tag
from factcheck.api import PlainFieldsMixin
from reviews.api.serializers import ClaimDetailSerializer
from tests.factories import ArticleFactory, ClaimFactory

pytestmark = pytest.mark.django_db


def drf_representation(serializer, instance):
    """What the serializer would show without the mixin."""
    return serializers.ModelSerializer.to_representation(serializer, instance)


def both(serializer_class, instance):
    serializer = serializer_class(instance)
    return serializer.data, drf_representation(serializer_class(instance), instance)


def varied_claims():
    plain = ClaimFactory()
    bare = ClaimFactory(claim_reviewed="", claimant="", check_worthiness=0.0, claimed_at=None)
    dated = ClaimFactory(claimed_at=datetime.date(2022, 9, 12), check_worthiness=1)
    dated.tags.set(Tag.objects.for_names(["war", "kharkiv"]))
    verified = ClaimFactory(verified=True)
    return [plain, bare, dated, verified]


def test_claims_read_back_from_the_database_show_the_same():
    ids = [claim.pk for claim in varied_claims()]
    for claim in Claim.objects.filter(pk__in=ids).with_tag_names():
        for serializer_class in (ClaimSerializer, ClaimDetailSerializer):
            fast, drf = both(serializer_class, claim)
            assert fast == drf
            assert list(fast) == list(drf)  # same keys, same order


def test_the_claim_s_model_fields_are_read_plainly():
    plan = ClaimSerializer(ClaimFactory())._representation_plan()
    plain = {name for name, attname, *_ in plan if attname is not None}
    assert plain == {
        "id", "article", "quote", "start", "end", "claim_reviewed", "claimant", "claimed_at",
        "check_worthiness", "status", "verdict", "tags", "created_at", "updated_at", "version",
    }  # fmt: skip


def test_freshly_made_claims_with_python_values_show_the_same():
    # Before a reload the instance may hold an enum member, an int where a float is stored, a naive
    # or non-UTC datetime: such values take DRF's path.
    claim = ClaimFactory(status=Claim.Status.VERIFIED, check_worthiness=1)
    claim.updated_at = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=ZoneInfo("Europe/Kyiv"))
    claim.created_at = datetime.datetime(2024, 3, 1, 12, 30, 5, 123456, tzinfo=datetime.UTC)
    fast, drf = both(ClaimSerializer, claim)
    assert fast == drf
    assert fast["check_worthiness"] == 1.0 and isinstance(fast["check_worthiness"], float)
    assert fast["status"] == "verified"
    assert fast["created_at"] == "2024-03-01T12:30:05.123456Z"
    assert fast["updated_at"] == "2024-03-01T10:30:00Z"


def test_articles_show_the_same():
    for article in [ArticleFactory(), ArticleFactory(url=None, published_at=None, author="")]:
        article = Article.objects.get(pk=article.pk)
        for serializer_class in (ArticleSerializer, ArticleListSerializer):
            fast, drf = both(serializer_class, article)
            assert fast == drf
            assert list(fast) == list(drf)


def test_fields_that_are_not_plain_take_drf_s_path():
    class Shout(serializers.CharField):
        def to_representation(self, value):
            return value.upper()

    class ClaimSketch(PlainFieldsMixin, serializers.ModelSerializer):
        id = serializers.BigIntegerField(coerce_to_string=True)
        claimant = Shout()
        status = serializers.ChoiceField(choices=[("candidate", 1), ("verified", 2)])
        created_at = serializers.DateTimeField(format=None)
        updated_at = serializers.DateTimeField(format="%Y")
        claimed_at = serializers.DateField(format="%d.%m.%Y")
        article = serializers.CharField(source="article.title")
        score = serializers.SerializerMethodField()

        class Meta:
            model = Claim
            fields = ["id", "claimant", "status", "created_at", "updated_at", "claimed_at", "article", "score"]

        def get_score(self, claim):
            return 42

    claim = Claim.objects.get(pk=ClaimFactory(claimed_at=datetime.date(2022, 9, 12)).pk)
    fast = ClaimSketch(claim).data
    assert fast == drf_representation(ClaimSketch(claim), claim)
    assert fast["id"] == str(claim.pk)
    assert fast["claimant"] == "THE MINISTRY"
    assert fast["created_at"] == claim.created_at  # format=None: the datetime itself
    assert fast["updated_at"] == str(timezone.now().year)
    assert fast["claimed_at"] == "12.09.2022"
    assert fast["score"] == 42


def test_a_list_page_shows_each_claim_s_tags_sorted(reviewer_client):
    varied_claims()
    response = reviewer_client.get("/api/v1/claims/")
    tagged = [claim for claim in response.json()["results"] if claim["tags"]]
    assert [claim["tags"] for claim in tagged] == [["kharkiv", "war"]]


def test_tags_written_in_a_request_are_shown_in_its_answer(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.patch(f"/api/v1/claims/{claim.pk}/", {"tags": ["Energy", "grid"]}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["energy", "grid"]


def test_the_active_time_zone_is_followed_as_drf_does():
    claim = Claim.objects.filter(pk=ClaimFactory().pk).with_tag_names().get()
    with timezone.override("America/Sao_Paulo"):
        fast, drf = both(ClaimSerializer, claim)
    assert fast == drf
    assert fast["created_at"].endswith("-03:00")


def test_a_claim_read_plainly_builds_no_serializer_fields():
    # Building DRF's fields for every request was a millisecond of each list page.
    claim = Claim.objects.filter(pk=ClaimFactory().pk).with_tag_names().get()
    assert ClaimSerializer(claim).data["id"] == claim.pk  # the class's plan is made once, from a first instance
    serializer = ClaimSerializer(claim)
    assert serializer.data["tags"] == []
    assert "fields" not in serializer.__dict__
