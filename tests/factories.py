"""factory_boy factories for the domain; claims are always placed at real offsets of their article."""

import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.models import Article, Claim, ExternalFactCheck, Verdict
from factcheck.roles import EDITORS, REVIEWERS
from reviews import workflow
from reviews.models import Evidence, Review
from reviews.record import snapshot

SENTENCES = [
    "The ministry said 2,000 soldiers were killed in three days.",
    "The president said troops liberated more than 30 towns in two days.",
    "The city had a population of 45,000 before the war.",
    "Officials reported that the railway junction was destroyed on Friday.",
]

REVIEW_SUMMARY = "Official figures contradict the statement."


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


def _join(group_name):
    def hook(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get_or_create(name=group_name)[0])

    return factory.PostGeneration(hook)


class ReviewerFactory(UserFactory):
    username = factory.Sequence(lambda n: f"reviewer{n}")
    join = _join(REVIEWERS)


class EditorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"editor{n}")
    join = _join(EDITORS)


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    url = factory.Sequence(lambda n: f"https://news.example.org/{n}")
    publisher = "Example News"
    published_at = factory.LazyFunction(timezone.now)
    body = factory.Sequence(lambda n: f"Report number {n}. " + " ".join(SENTENCES))


def _evidence_fields(n):
    return {
        "url": f"https://evidence.example.org/workflow/{n}",
        "title": "Official casualty report",
        "publisher": "Example Institute",
        "quote": "The figure was 200, not 2,000.",
        "stance": Evidence.Stance.REFUTES,
        "source_type": Evidence.SourceType.OFFICIAL,
    }


_evidence_numbers = itertools.count()


def _review_through_the_workflow(*, publish):
    """A post-generation hook that reviews the claim as the app does: ``create_review``, ``add_evidence``,
    then (``publish``) ``submit`` and ``publish``. Options, as ``review__<name>`` arguments of the factory:
    ``author`` (a new reviewer), ``editor`` (a new editor), ``verdict``, ``rating_text``, ``summary``, and
    ``evidence``: how many pieces (1 when publishing, else 0) or a list of their fields."""

    def hook(claim, create, extracted, **options):
        if not create:
            return
        author = options.pop("author", None) or ReviewerFactory()
        editor = options.pop("editor", None)
        evidence = options.pop("evidence", 1 if publish else 0)
        review = workflow.create_review(
            claim,
            by=author,
            verdict=options.pop("verdict", Verdict.FALSE),
            rating_text=options.pop("rating_text", ""),
            summary=options.pop("summary", REVIEW_SUMMARY),
        )
        if options:
            raise TypeError(f"unknown review options: {sorted(options)}")
        if isinstance(evidence, int):
            evidence = [_evidence_fields(next(_evidence_numbers)) for _ in range(evidence)]
        for fields in evidence:
            workflow.add_evidence(review, by=author, **fields)
        if publish:
            workflow.submit(review, by=author)
            workflow.publish(review, by=editor or EditorFactory())
        claim.refresh_from_db()

    return factory.PostGeneration(hook)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim on one of the article's sentences (``sentence`` picks which).

    Traits: ``verified=True`` gives it a published review with one piece of evidence, and
    ``in_review=True`` a draft review, both made through ``reviews.workflow`` so that the claim's status,
    verdict, versions and history are those the app makes. ``review__verdict=…``, ``review__evidence=2``
    and the other options of ``_review_through_the_workflow`` shape that review.
    """

    class Meta:
        model = Claim
        exclude = ["sentence"]
        skip_postgeneration_save = True

    class Params:
        verified = factory.Trait(review=_review_through_the_workflow(publish=True))
        in_review = factory.Trait(review=_review_through_the_workflow(publish=False))

    article = factory.SubFactory(ArticleFactory)
    sentence = factory.Sequence(lambda n: n % len(SENTENCES))
    start = factory.LazyAttribute(lambda o: o.article.body.index(SENTENCES[o.sentence]))
    end = factory.LazyAttribute(lambda o: o.start + len(SENTENCES[o.sentence]))
    quote = factory.LazyAttribute(lambda o: o.article.body[o.start : o.end])
    # The reviewed wording, which publishing requires (reviews.workflow.publish): the sentence itself.
    claim_reviewed = factory.LazyAttribute(lambda o: o.quote)
    claimant = "The ministry"
    check_worthiness = 0.8
    status = Claim.Status.ACCEPTED


class ReviewFactory(factory.django.DjangoModelFactory):
    """A review placed directly in a state (bypassing the workflow: for setting up tests only)."""

    class Meta:
        model = Review
        skip_postgeneration_save = True

    claim = factory.SubFactory(ClaimFactory)
    author = factory.SubFactory(ReviewerFactory)
    verdict = Verdict.FALSE
    summary = REVIEW_SUMMARY
    state = Review.State.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.state in (Review.State.PUBLISHED, Review.State.SUPERSEDED) else None
    )
    first_published_at = factory.SelfAttribute("published_at")
    record = factory.LazyAttribute(lambda o: snapshot(o.claim, o.claim.article) if o.published_at else None)

    @factory.post_generation
    def sync(self, create, extracted, **kwargs):
        if create:
            workflow.sync_claim_status(self.claim)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    review = factory.SubFactory(ReviewFactory)
    url = factory.Sequence(lambda n: f"https://evidence.example.org/source/{n}")
    title = "Official casualty report"
    publisher = "Example Institute"
    quote = "The figure was 200, not 2,000."
    stance = Evidence.Stance.REFUTES
    source_type = Evidence.SourceType.OFFICIAL


class ExternalFactCheckFactory(factory.django.DjangoModelFactory):
    """Another organisation's fact-check, as ``claims.claimreview_import`` stores it."""

    class Meta:
        model = ExternalFactCheck

    url = factory.Sequence(lambda n: f"https://factcheck.example.com/checks/{n}")
    publisher = "Example Fact Check"
    publisher_url = "https://factcheck.example.com/"
    claim_reviewed = factory.Sequence(lambda n: f"Claim number {n} was checked elsewhere.")
    claimant = "A minister"
    claimant_type = "Person"
    rating_text = "False"
    rating_value = 1
    best_rating = 5
    worst_rating = 1
    date_published = factory.LazyFunction(timezone.now)
    language = "en"
    data = factory.LazyAttribute(lambda o: {"@type": "ClaimReview", "url": o.url, "claimReviewed": o.claim_reviewed})
