"""The article and claim serializers write out their fields by hand: they show exactly what DRF's
generic ``ModelSerializer.to_representation`` shows for the same objects, to the byte."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from claims.api.serializers import ArticleListSerializer, ArticleSerializer, ClaimSerializer
from claims.models import Article, Claim, Tag
from reviews import record
from reviews.api.serializers import ClaimDetailSerializer
from tests.factories import ArticleFactory, ClaimFactory, EvidenceFactory, ReviewFactory
from tests.versions import version_of

pytestmark = pytest.mark.django_db

CLAIM_SERIALIZERS = [ClaimSerializer, ClaimDetailSerializer]
ARTICLE_SERIALIZERS = [ArticleSerializer, ArticleListSerializer]


def assert_shown_as_drf_shows(serializer_class, instance):
    """Same keys in the same order as ``Meta.fields``, same values, same JSON bytes."""
    shown = serializer_class(instance).data
    drf = serializers.ModelSerializer.to_representation(serializer_class(instance), instance)
    assert list(shown) == list(drf) == serializer_class.Meta.fields
    assert shown == drf
    assert JSONRenderer().render(shown) == JSONRenderer().render(drf)
    return shown


def varied_claims():
    plain = ClaimFactory()
    bare = ClaimFactory(claim_reviewed="", claimant="", check_worthiness=0.0, claimed_at=None)
    dated = ClaimFactory(claimed_at=datetime.date(2022, 9, 12), check_worthiness=1, claimant="Мінфін «офіційно» ✓")
    dated.tags.set(Tag.objects.for_names(["war", "kharkiv"]))
    review = ReviewFactory(state="published")
    EvidenceFactory(review=review)
    unicode_article = ArticleFactory(title="Заява прем'єра — «офіційно»", url=None, published_at=None, author="Ĳsbrand")
    unicode_claim = ClaimFactory(article=unicode_article, claim_reviewed="Ціни зросли на 20 %\u00a0за рік")
    return [plain, bare, dated, review.claim, unicode_claim]


@pytest.mark.parametrize("serializer_class", CLAIM_SERIALIZERS)
def test_claims_read_back_from_the_database_are_shown_as_drf_shows_them(serializer_class):
    ids = [claim.pk for claim in varied_claims()]
    claims = Claim.objects.filter(pk__in=ids).with_tag_names().select_related("article").order_by("pk")
    shown = [assert_shown_as_drf_shows(serializer_class, claim) for claim in claims]
    assert [claim["tags"] for claim in shown] == [[], [], ["kharkiv", "war"], [], []]
    assert [claim["claimed_at"] for claim in shown][1:3] == [None, "2022-09-12"]


@pytest.mark.parametrize("serializer_class", CLAIM_SERIALIZERS)
def test_claims_without_attached_tag_names_read_their_tags(serializer_class):
    claim = ClaimFactory()
    claim.tags.set(Tag.objects.for_names(["energy"]))
    shown = assert_shown_as_drf_shows(serializer_class, Claim.objects.get(pk=claim.pk))
    assert shown["tags"] == ["energy"]


@pytest.mark.parametrize("serializer_class", CLAIM_SERIALIZERS)
def test_freshly_made_claims_with_python_values_are_shown_as_drf_shows_them(serializer_class):
    # Before a reload the instance may hold an enum member, an int where a float is stored, a naive
    # or non-UTC datetime.
    claim = ClaimFactory(status=Claim.Status.VERIFIED, check_worthiness=1)
    claim.updated_at = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=ZoneInfo("Europe/Kyiv"))
    claim.created_at = datetime.datetime(2024, 3, 1, 12, 30, 5, 123456, tzinfo=datetime.UTC)
    claim.claimed_at = datetime.date(1999, 12, 31)
    shown = assert_shown_as_drf_shows(serializer_class, claim)
    assert shown["check_worthiness"] == 1.0 and isinstance(shown["check_worthiness"], float)
    assert shown["status"] == "verified"
    assert shown["created_at"] == "2024-03-01T12:30:05.123456Z"
    assert shown["updated_at"] == "2024-03-01T10:30:00Z"
    assert shown["claimed_at"] == "1999-12-31"

    claim.created_at = datetime.datetime(2024, 7, 1, 23, 59, 59, 999999)  # naive: taken to be in the current zone
    assert assert_shown_as_drf_shows(serializer_class, claim)["created_at"] == "2024-07-01T23:59:59.999999Z"


@pytest.mark.parametrize("serializer_class", ARTICLE_SERIALIZERS)
def test_articles_are_shown_as_drf_shows_them(serializer_class):
    articles = [
        ArticleFactory(),
        ArticleFactory(url=None, published_at=None, author=""),
        ArticleFactory(title="Заява — «офіційно» 🇺🇦", body="Тіло статті.\u2028 Друге речення.", language="uk"),
        ArticleFactory(published_at=datetime.datetime(2021, 2, 3, 4, 5, 6, 7, tzinfo=ZoneInfo("America/New_York"))),
    ]
    for article in articles:
        assert_shown_as_drf_shows(serializer_class, Article.objects.get(pk=article.pk))
    assert_shown_as_drf_shows(serializer_class, articles[-1])  # as made, not read back
    assert "body" not in ArticleListSerializer(articles[0]).data


def test_the_article_list_shows_no_body_and_does_not_read_it(django_assert_num_queries):
    article = Article.objects.defer("body").get(pk=ArticleFactory().pk)
    with django_assert_num_queries(0):
        shown = assert_shown_as_drf_shows(ArticleListSerializer, article)
    assert "body" not in shown


@pytest.mark.parametrize("zone", ["America/Sao_Paulo", "Asia/Kathmandu"])
@pytest.mark.parametrize("serializer_class", [*CLAIM_SERIALIZERS, *ARTICLE_SERIALIZERS])
def test_the_active_time_zone_is_followed_as_drf_follows_it(serializer_class, zone):
    if serializer_class in CLAIM_SERIALIZERS:
        instance = Claim.objects.filter(pk=ClaimFactory().pk).with_tag_names().get()
    else:
        instance = Article.objects.get(pk=ArticleFactory().pk)
    with timezone.override(zone):
        shown = assert_shown_as_drf_shows(serializer_class, instance)
    assert shown["created_at"].endswith({"America/Sao_Paulo": "-03:00", "Asia/Kathmandu": "+05:45"}[zone])


def test_a_page_of_claims_builds_no_serializer_fields():
    # Building DRF's fields for every request was a millisecond of each list page.
    claim = Claim.objects.filter(pk=ClaimFactory().pk).with_tag_names().get()
    serializer = ClaimSerializer([claim], many=True)
    assert serializer.data[0]["tags"] == []
    assert "fields" not in serializer.child.__dict__


def test_a_list_page_shows_each_claim_s_tags_sorted(reviewer_client):
    varied_claims()
    response = reviewer_client.get("/api/v1/claims/")
    tagged = [claim for claim in response.json()["results"] if claim["tags"]]
    assert [claim["tags"] for claim in tagged] == [["kharkiv", "war"]]


def test_tags_written_in_a_request_are_shown_in_its_answer(reviewer_client):
    claim = ClaimFactory()
    response = reviewer_client.patch(
        f"/api/v1/claims/{claim.pk}/", {"tags": ["Energy", "grid"], "version": version_of(claim)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["energy", "grid"]


@pytest.mark.parametrize("serializer_class", CLAIM_SERIALIZERS)
def test_a_claim_shown_as_its_published_record_is_shown_as_drf_shows_it(serializer_class):
    claim = ClaimFactory(verified=True, claimed_at=datetime.date(2022, 9, 12))
    published = claim.reviews.get().record
    Claim.objects.filter(pk=claim.pk).update(claim_reviewed="Edited since", claimant="Someone else", claimed_at=None)
    Article.objects.filter(pk=claim.article_id).update(title="Edited title", url=None)
    claim = Claim.objects.filter(pk=claim.pk).with_tag_names().select_related("article").get()
    shown = assert_shown_as_drf_shows(serializer_class, record.show(claim, published))
    assert (shown["claim_reviewed"], shown["claimant"], shown["claimed_at"]) == (
        published["claim_reviewed"],
        "The ministry",
        "2022-09-12",
    )
    assert published["claim_reviewed"] not in ("", "Edited since")
    if serializer_class is ClaimDetailSerializer:
        assert (shown["article_title"], shown["article_url"]) == (
            published["article"]["title"],
            published["article"]["url"],
        )


def test_an_external_fact_check_is_shown_as_drf_shows_it():
    from claims.api.serializers import ExternalFactCheckSerializer
    from tests.factories import ExternalFactCheckFactory

    full = ExternalFactCheckFactory(
        claim_date=datetime.date(2022, 9, 10),
        date_modified=datetime.datetime(2022, 9, 13, 8, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Kyiv")),
        appearances=["https://news.example.org/a", "https://news.example.org/b"],
        claimant="Мінфін «офіційно» ✓",
    )
    bare = ExternalFactCheckFactory(
        rating_value=None, best_rating=None, worst_rating=None, date_published=None, language="", claimant=""
    )
    for fact_check in (full, bare):
        fact_check.refresh_from_db()
        assert_shown_as_drf_shows(ExternalFactCheckSerializer, fact_check)
