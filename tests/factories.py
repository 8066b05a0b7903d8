"""factory_boy factories for the domain; claims are always placed at real offsets of their article."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from claims.models import Article, Claim, Verdict
from factcheck.roles import EDITORS, REVIEWERS
from reviews.models import Evidence, Review

SENTENCES = [
    "The ministry said 2,000 soldiers were killed in three days.",
    "The president said troops liberated more than 30 towns in two days.",
    "The city had a population of 45,000 before the war.",
    "Officials reported that the railway junction was destroyed on Friday.",
]


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


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim on one of the article's sentences (``sentence`` picks which)."""

    class Meta:
        model = Claim
        exclude = ["sentence"]

    article = factory.SubFactory(ArticleFactory)
    sentence = factory.Sequence(lambda n: n % len(SENTENCES))
    start = factory.LazyAttribute(lambda o: o.article.body.index(SENTENCES[o.sentence]))
    end = factory.LazyAttribute(lambda o: o.start + len(SENTENCES[o.sentence]))
    quote = factory.LazyAttribute(lambda o: o.article.body[o.start : o.end])
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
    summary = "Official figures contradict the statement."
    state = Review.State.DRAFT
    published_at = factory.LazyAttribute(
        lambda o: timezone.now() if o.state in (Review.State.PUBLISHED, Review.State.SUPERSEDED) else None
    )

    @factory.post_generation
    def sync(self, create, extracted, **kwargs):
        if create:
            from reviews.workflow import sync_claim_status

            sync_claim_status(self.claim)


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
