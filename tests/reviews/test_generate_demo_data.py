"""generate_demo_data: fast bulk rows that still keep every invariant of the domain."""

from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from claims.models import Article, Claim, Claimant, compute_content_hash
from factcheck.roles import EDITORS, REVIEWERS
from reviews.demo.newsroom import Newsroom
from reviews.demo.vocabulary import TAG_NAMES
from reviews.models import Evidence, Review, Verdict

pytestmark = pytest.mark.django_db


def generate(claims=240, **options):
    out = StringIO()
    call_command("generate_demo_data", claims=claims, seed=7, batch_size=100, stdout=out, **options)
    return out.getvalue()


def test_command_creates_the_requested_number_of_claims_and_reports_it():
    output = generate(240)
    assert Claim.objects.count() == 240
    assert Article.objects.exists() and Review.objects.exists() and Evidence.objects.exists()
    assert "240 / 240 claims" in output
    assert output.strip().splitlines()[-1].startswith("Generated 240 claims in ")


def test_every_quote_is_the_article_text_at_its_offsets():
    generate(240)
    claims = Claim.objects.select_related("article")
    assert all(claim.article.body[claim.start : claim.end] == claim.quote for claim in claims)
    # Offsets count characters: some quotes sit after non-ASCII text.
    assert any(len(claim.article.body[: claim.start].encode()) > claim.start for claim in claims)


def test_articles_have_realistic_bodies_and_their_content_hash():
    generate(240)
    for article in Article.objects.all():
        assert 1_500 < len(article.body) < 6_000
        assert article.content_hash == compute_content_hash(article.body)
        assert article.url.startswith("https://")
        assert article.claims.count() >= 1


def test_claim_status_and_verdict_follow_the_reviews():
    generate(400, verified_fraction=0.3, in_review_fraction=0.15)
    for claim in Claim.objects.prefetch_related("reviews"):
        states = Counter(review.state for review in claim.reviews.all())
        published = [review for review in claim.reviews.all() if review.state == Review.State.PUBLISHED]
        assert states[Review.State.PUBLISHED] <= 1
        if claim.status == Claim.Status.VERIFIED:
            assert len(published) == 1
            assert claim.verdict == published[0].verdict
        elif claim.status == Claim.Status.IN_REVIEW:
            assert not published and (states[Review.State.DRAFT] or states[Review.State.SUBMITTED])
            assert claim.verdict == ""
        else:
            assert not claim.reviews.all(), claim.status
            assert claim.verdict == ""
    statuses = Counter(Claim.objects.values_list("status", flat=True))
    assert set(statuses) == set(Claim.Status.values)
    assert 0.2 < statuses[Claim.Status.VERIFIED] / 400 < 0.4


def test_reviews_are_consistent_with_the_workflow():
    generate(400, verified_fraction=0.4)
    for review in Review.objects.prefetch_related("evidence"):
        assert review.verdict in Verdict.values
        assert review.rating_text == Verdict(review.verdict).label
        if review.state in (Review.State.PUBLISHED, Review.State.SUPERSEDED):
            assert review.published_at and review.published_by_id and review.submitted_at
            assert review.submitted_at <= review.published_at
        if review.state != Review.State.DRAFT:
            assert review.summary and review.evidence.all(), "submitting needs a summary and evidence"
    superseded = Review.objects.filter(state=Review.State.SUPERSEDED)
    assert superseded.exists()
    assert all(r.claim.reviews.filter(state=Review.State.PUBLISHED).exists() for r in superseded)


def test_evidence_urls_are_http_and_authors_are_newsroom_members():
    generate(300)
    assert all(url.startswith(("http://", "https://")) for url in Evidence.objects.values_list("url", flat=True))
    authors = get_user_model().objects.filter(reviews__isnull=False).distinct()
    assert all(author.groups.filter(name=REVIEWERS).exists() for author in authors)
    publishers = get_user_model().objects.filter(pk__in=Review.objects.values("published_by"))
    assert publishers and all(user.groups.filter(name=EDITORS).exists() for user in publishers)
    assert not any(user.has_usable_password() for user in authors)


def test_claims_have_tags():
    generate(200)
    assert Claim.tags.through.objects.count() >= 200


def test_claims_are_linked_to_their_claimants_and_published_ones_have_their_wording():
    generate(200)
    named = Claim.objects.exclude(claimant="")
    assert named.exists()
    assert not named.filter(claimant_entity__isnull=True).exists()
    for claimant, entity_name in named.values_list("claimant", "claimant_entity__name").distinct():
        assert claimant == entity_name
    assert Claimant.objects.filter(type="government").exists() and Claimant.objects.filter(type="person").exists()
    # Publishing needs the reviewed wording (reviews.workflow.publish): the generated data holds to it.
    assert not Claim.objects.verified().filter(claim_reviewed="").exists()
    assert not Review.objects.filter(state__in=["published", "superseded"], record__claim_reviewed="").exists()
    generate(50)  # a second run reuses the claimants
    assert Claimant.objects.values("name").distinct().count() == Claimant.objects.count()


def test_no_history_rows_are_written_for_bulk_data():
    generate(120)
    assert not Claim.history.exists()
    assert not Review.history.exists()


def test_running_twice_appends_without_collisions():
    generate(150)
    generate(150)  # same seed: same text, yet new ids, urls and content hashes
    assert Claim.objects.count() == 300
    assert Article.objects.values("content_hash").distinct().count() == Article.objects.count()
    assert Article.objects.values("url").distinct().count() == Article.objects.count()


def test_same_seed_same_data():
    def sample():
        ids = iter(range(1, 10**6))
        newsroom = Newsroom(
            seed=3,
            next_ids=lambda model, count: [next(ids) for _ in range(count)],
            reviewers=[1, 2],
            editors=[3],
            tags={name: number for number, name in enumerate(TAG_NAMES)},
            total_claims=50,
            verified_fraction=0.3,
            in_review_fraction=0.1,
            claims_per_article=6,
        )
        return newsroom.batch(50)

    assert sample() == sample()


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_demo_data", claims=0, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("generate_demo_data", claims=10, verified_fraction=0.8, in_review_fraction=0.5, stdout=StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_postgres_copies_in_parallel_and_analyzes():
    output = generate(500)
    assert Claim.objects.count() == 500
    assert "vacuumed and analyzed" in output
    assert all(c.article.body[c.start : c.end] == c.quote for c in Claim.objects.select_related("article"))
    verified = Claim.objects.filter(status=Claim.Status.VERIFIED)
    assert verified.count() == Review.objects.filter(state=Review.State.PUBLISHED).count()


def test_external_fact_checks_are_reworded_claims_rated_by_other_publishers():
    from claims.claimreview_import import FIELDS, read_item
    from claims.models import ExternalFactCheck
    from claims.similarity import trigram_similarity
    from reviews.demo.external import PUBLISHERS

    output = generate(200, external_fact_checks=40)
    assert output.strip().splitlines()[-1].startswith("Generated 40 external fact-checks in ")
    fact_checks = list(ExternalFactCheck.objects.all())
    assert len(fact_checks) == 40
    assert len({fact_check.url for fact_check in fact_checks}) == 40
    assert len({fact_check.publisher for fact_check in fact_checks}) > 3
    assert {fact_check.publisher for fact_check in fact_checks} <= {name for name, *_ in PUBLISHERS}
    for fact_check in fact_checks:
        # Stored as the import would store its ClaimReview, and a rewording of a claim of its appearance.
        fields, errors, _ = read_item(fact_check.data)
        assert errors == []
        assert {name: fields[name] for name in FIELDS if name not in ("data", "date_published", "date_modified")} == {
            name: getattr(fact_check, name)
            for name in FIELDS
            if name not in ("data", "date_published", "date_modified")
        }
        assert fact_check.date_published.date() > fact_check.claim_date
        article_claims = Claim.objects.filter(article__url=fact_check.appearances[0])
        assert (
            max(trigram_similarity(fact_check.claim_reviewed, c.claim_reviewed or c.quote) for c in article_claims)
            >= 0.3
        )


def test_external_fact_checks_alone_are_added_to_stored_claims():
    from claims.models import ExternalFactCheck

    generate(50)
    call_command("generate_demo_data", claims=0, external_fact_checks=10, seed=3, stdout=StringIO())
    assert (Claim.objects.count(), ExternalFactCheck.objects.count()) == (50, 10)
    with pytest.raises(CommandError):
        call_command("generate_demo_data", claims=0, external_fact_checks=-1, stdout=StringIO())
