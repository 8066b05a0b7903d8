"""Articles and the claims made in them."""

import functools
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.db.models.query import ModelIterable
from simple_history.models import HistoricalRecords

from claims.search import search_claims, search_external_fact_checks
from claims.text import normalize_body
from claims.validators import http_url, validate_language, validate_same_as
from factcheck.roles import is_newsroom

ARTICLE_BODY_MAX_CHARS = 500_000


def compute_content_hash(body):
    """The SHA-256 of an article body after normalisation: same text, same article."""
    return hashlib.sha256(normalize_body(body).encode("utf-8")).hexdigest()


class ArticleQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Newsroom members see every article; everyone else, articles with a verified claim."""
        if is_newsroom(user):
            return self
        return self.filter(Exists(Claim.objects.verified().filter(article=OuterRef("pk"))))


class Article(models.Model):
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=2000, unique=True, null=True, blank=True, validators=[http_url])
    publisher = models.CharField(max_length=200, blank=True)
    author = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(
        max_length=35, default="en", validators=[validate_language], help_text="BCP 47 language code."
    )
    body = models.TextField(help_text="Plain text; claim offsets index into it.")
    content_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        # ?ordering=(-)published_at on the API, the admin's date hierarchy.
        indexes = [models.Index(fields=["published_at", "id"], name="article_published_at_id")]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__isnull=True) | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="article_url_is_http",
            ),
        ]

    def __str__(self):
        return self.title

    hash_of = staticmethod(compute_content_hash)

    def save(self, *args, **kwargs):
        self.body = normalize_body(self.body)
        self.content_hash = compute_content_hash(self.body)
        if self.url == "":
            self.url = None
        super().save(*args, **kwargs)

    @property
    def published_on(self):
        """The day the article was published (None when unknown): its claims' default ``claimed_at``."""
        return self.published_at.date() if self.published_at else None


class TagManager(models.Manager):
    def for_names(self, names):
        """The tags with these names, creating the missing ones."""
        names = sorted({name.lower() for name in names})
        existing = {tag.name: tag for tag in self.filter(name__in=names)}
        missing = [Tag(name=name) for name in names if name not in existing]
        if missing:
            self.bulk_create(missing, ignore_conflicts=True)
            existing = {tag.name: tag for tag in self.filter(name__in=names)}
        return list(existing.values())


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    objects = TagManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def attach_tag_names(claims):
    """Set ``claim.tag_names``, the sorted names of each claim's tags, with one query for all of them.

    A tenth of what ``prefetch_related("tags")`` costs for a page of claims: no ``Tag`` objects and no
    related manager per claim, only ``(claim_id, name)`` pairs.
    """
    claims = [claim for claim in claims if "tag_names" not in claim.__dict__]
    if not claims:
        return
    names = {claim.pk: [] for claim in claims}
    pairs = Claim.tags.through.objects.filter(claim_id__in=list(names)).order_by("tag__name")
    for claim_id, name in pairs.values_list("claim_id", "tag__name"):
        names[claim_id].append(name)
    for claim in claims:
        claim.tag_names = names[claim.pk]


@functools.cache
def tag_names_subquery():
    """PostgreSQL: the sorted names of the outer claim's tags, as an array (built once: annotate copies it)."""
    return ArraySubquery(Tag.objects.filter(claims=OuterRef("pk")).order_by("name").values("name"))


class TagNamesIterable(ModelIterable):
    """Claims with their ``tag_names`` attached, one query per thousand claims."""

    chunk_size = 1000

    def __iter__(self):
        chunk = []
        for claim in super().__iter__():
            chunk.append(claim)
            if len(chunk) == self.chunk_size:
                attach_tag_names(chunk)
                yield from chunk
                chunk = []
        attach_tag_names(chunk)
        yield from chunk


class ClaimQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Newsroom members see every claim; everyone else, verified claims only."""
        if is_newsroom(user):
            return self
        # Called unbound on a claim's history too (factcheck.admin), hence not ``self.verified()``.
        return ClaimQuerySet.verified(self)

    def with_tag_names(self):
        """Claims carrying ``tag_names``, what the API shows of their tags, sorted.

        On PostgreSQL an array subquery in the claims' own query (one round trip less per page);
        elsewhere one extra query per thousand claims.
        """
        if connections[self.db].vendor == "postgresql":
            return self.annotate(tag_names=tag_names_subquery())
        clone = self._chain()
        clone._iterable_class = TagNamesIterable
        return clone

    def with_matched_to(self):
        """Claims carrying ``matched_claim_id`` (what ``Claim.matched_to`` reads), in the claims' own query."""
        confirmed = ClaimMatch.objects.filter(claim=OuterRef("pk"), state=MatchState.CONFIRMED)
        return self.annotate(matched_claim_id=Subquery(confirmed.values("reviewed_claim_id")[:1]))

    def assigned(self, name, *, user):
        """Claims whose assignee is ``name``: ``"me"`` (``user``), ``"none"`` (unassigned) or a username.

        The one reading of ``?assignee=`` for the API's filter and the admin's."""
        if name == "none":
            return self.filter(assignee__isnull=True)
        if name == "me":
            return self.filter(assignee=user) if user is not None and user.is_authenticated else self.none()
        users = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: name})
        return self.filter(assignee__in=users.values("pk"))

    def with_assignee_name(self):
        """Claims carrying ``assignee_name`` (the assignee's username, or None), in the claims' own query."""
        return self.annotate(assignee_name=F(f"assignee__{get_user_model().USERNAME_FIELD}"))

    def verified(self):
        """Claims with a published review: what "verified" means everywhere (API, admin, exports).

        The review is the claim's own, or, for an appearance (a confirmed ``ClaimMatch``), its reviewed claim's.
        """
        return self.filter(status=Claim.Status.VERIFIED)

    def search(self, text):
        """Claims whose quote, reviewed wording or claimant match ``text`` (web-search syntax).

        PostgreSQL full-text search on the stored ``search_document`` (migration 0005); a word-by-word match elsewhere.
        """
        return search_claims(self, text)


class Verdict(models.TextChoices):
    """What a published review concludes about a claim; the claim carries it too (``Claim.verdict``)."""

    TRUE = "true", "True"
    MOSTLY_TRUE = "mostly_true", "Mostly true"
    MIXED = "mixed", "Mixed"
    MISLEADING = "misleading", "Misleading"
    MOSTLY_FALSE = "mostly_false", "Mostly false"
    FALSE = "false", "False"
    UNVERIFIABLE = "unverifiable", "Unverifiable"

    @property
    def rating_value(self):
        """The schema.org ClaimReview ratingValue (1 worst … 5 best), or None when unrated."""
        return RATING_VALUES.get(self)


RATING_VALUES = {
    Verdict.TRUE: 5,
    Verdict.MOSTLY_TRUE: 4,
    Verdict.MIXED: 3,
    Verdict.MISLEADING: 2,
    Verdict.MOSTLY_FALSE: 2,
    Verdict.FALSE: 1,
}


class ClaimantType(models.TextChoices):
    """What a claimant is: exported as a schema.org ``Person``, ``Organization`` or ``GovernmentOrganization``."""

    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    GOVERNMENT = "government", "Government organization"


class ClaimantQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Newsroom members see every claimant; everyone else, those with a verified claim."""
        if is_newsroom(user):
            return self
        return self.filter(Exists(Claim.objects.verified().filter(claimant_entity=OuterRef("pk"))))


class Claimant(models.Model):
    """Who made claims: one entity whatever the spelling of its name (``ClaimantAlias``, ``claims.claimants``)."""

    Type = ClaimantType

    name = models.CharField(max_length=300, help_text="The name claims show (their `claimant`).")
    type = models.CharField(max_length=20, choices=ClaimantType.choices, default=ClaimantType.ORGANIZATION)
    description = models.TextField(blank=True, max_length=1000, help_text="Who this is, in a sentence.")
    # db_default too: the demo generator writes claimants with COPY and plain INSERTs.
    same_as = models.JSONField(
        default=list,
        db_default=[],
        blank=True,
        validators=[validate_same_as],
        help_text="http(s) URLs that identify the claimant (Wikidata, an official site): schema.org sameAs.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, db_default=1)

    history = HistoricalRecords()
    objects = ClaimantQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=ClaimantType.values), name="claimant_type_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="claimant_name_not_empty"),
        ]

    def __str__(self):
        return self.name


class ClaimantAlias(models.Model):
    """A name of a claimant. ``key`` (``claims.claimant_names.claimant_key``) is unique across claimants:
    one entity per name whatever the spelling. The claimant's own name is one of its aliases."""

    claimant = models.ForeignKey(Claimant, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300)
    key = models.CharField(max_length=300, unique=True, help_text="The normalised name (claims.claimant_names).")

    history = HistoricalRecords()

    class Meta:
        ordering = ["claimant", "name"]
        verbose_name_plural = "claimant aliases"
        constraints = [models.CheckConstraint(condition=~Q(key=""), name="claimant_alias_key_not_empty")]

    def __str__(self):
        return self.name


class ClaimStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ACCEPTED = "accepted", "Accepted"
    DISMISSED = "dismissed", "Dismissed"
    IN_REVIEW = "in_review", "In review"
    VERIFIED = "verified", "Verified"


class Claim(models.Model):
    Status = ClaimStatus

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="claims")
    quote = models.TextField(help_text="Verbatim text of the claim: article.body[start:end].")
    start = models.PositiveIntegerField(help_text="Offset of the first character of the quote.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character of the quote.")
    claim_reviewed = models.TextField(blank=True, help_text="Reviewer-edited wording of the claim.")
    claimant = models.CharField(max_length=300, blank=True, db_index=True)
    # The entity; ``claimant`` is its name as the API shows it (kept equal to ``claimant_entity.name``).
    claimant_entity = models.ForeignKey(
        Claimant, null=True, blank=True, on_delete=models.PROTECT, related_name="claims", db_index=False
    )
    claimed_at = models.DateField(null=True, blank=True, help_text="When the claim was made.")
    check_worthiness = models.FloatField(default=0.5)
    # db_default too: the demo generator and benchmarks write claims with COPY and plain INSERTs.
    check_worthiness_reasons = models.JSONField(
        default=list,
        db_default=[],
        blank=True,
        help_text='Why extraction gave the check-worthiness score it did ("number", "named source", '
        '"speculation", …). Cleared when someone sets the score by hand.',
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CANDIDATE)
    # A ``Verdict`` value, or "" until a review is published: denormalised from the published review by
    # reviews.workflow, so lists and filters need no join.
    verdict = models.CharField(max_length=20, blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="claims")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The reviewer working on the claim; set only through ``claims.services.assign_claim`` (or
    # ``update_claim``), whose ``check_assignment`` says who may assign whom.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_claims",
        db_index=False,
        help_text="The reviewer working on this claim.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(m2m_fields=[tags])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "-id"], name="claim_status_id"),
            models.Index(fields=["updated_at", "id"], name="claim_updated_at_id"),
            models.Index(fields=["article", "start"], name="claim_article_start"),
            # ?ordering=(-)check_worthiness and (-)created_at, the triage queue, the admin's sortable
            # columns: without them every page sorted the whole table (0.27–0.35 s at 1M claims).
            models.Index(fields=["check_worthiness", "id"], name="claim_worthiness_id"),
            models.Index(fields=["status", "check_worthiness", "id"], name="claim_status_worthiness_id"),
            models.Index(fields=["created_at", "id"], name="claim_created_at_id"),
            # claims/?claimant_id= by id; a claimant's record (its verified claims' verdicts).
            models.Index(fields=["claimant_entity", "id"], name="claim_claimant_id"),
            models.Index(
                fields=["claimant_entity", "verdict"], condition=Q(status="verified"), name="claim_verified_claimant"
            ),
            # claims/?assignee=, "assigned to me" on the admin's landing page (newest first).
            models.Index(fields=["assignee", "id"], name="claim_assignee_id"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["article", "start", "end"], name="claim_unique_span"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="claim_end_after_start"),
            models.CheckConstraint(condition=Q(end=models.F("start") + Length("quote")), name="claim_quote_fits_span"),
            models.CheckConstraint(
                condition=Q(check_worthiness__gte=0) & Q(check_worthiness__lte=1),
                name="claim_check_worthiness_0_1",
            ),
            models.CheckConstraint(condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"),
        ]

    def __str__(self):
        text = self.claim_reviewed or self.quote
        return text if len(text) <= 80 else text[:77] + "…"

    @property
    def matched_to(self):
        """The id of the reviewed claim this claim is a confirmed appearance of (``ClaimMatch``), or None.

        Read from the ``matched_claim_id`` annotation (``ClaimQuerySet.with_matched_to``) when the queryset has it.
        """
        if "matched_claim_id" in self.__dict__:
            return self.__dict__["matched_claim_id"]
        return (
            ClaimMatch.objects.filter(claim_id=self.pk, state=MatchState.CONFIRMED)
            .values_list("reviewed_claim_id", flat=True)
            .first()
        )


class MatchState(models.TextChoices):
    SUGGESTED = "suggested", "Suggested"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


# A claim's open match: its suggestion or its confirmed match (at most one of either, never both).
OPEN_MATCH_STATES = (MatchState.SUGGESTED, MatchState.CONFIRMED)


class ClaimMatch(models.Model):
    """A claim (an *appearance*) that repeats a reviewed claim, as suggested, confirmed or rejected.

    ``claims.matching`` writes these rows and nothing else does. A suggestion is made when a claim is
    created or extracted and an already reviewed claim says the same thing; a reviewer confirms it
    (the appearance is then verified by the reviewed claim's published review), or rejects it (that
    pair is never suggested again); undoing a confirmed match withdraws it. Rows are never deleted:
    with their history they say who decided what, and when.
    """

    State = MatchState

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="matches")
    reviewed_claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="appearance_matches")
    state = models.CharField(max_length=20, choices=MatchState.choices, default=MatchState.SUGGESTED)
    score = models.FloatField(null=True, blank=True, help_text="The suggestion's score; null when confirmed by hand.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # What readers see of the appearance (``reviews.record.snapshot`` of the claim and its article), taken
    # when the reviewed claim's review is published (or the match confirmed while it is): the appearance's
    # published record. Null while the match is not confirmed or the reviewed claim is not published.
    record = models.JSONField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["record"])

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "claim matches"
        constraints = [
            models.UniqueConstraint(fields=["claim", "reviewed_claim"], name="claim_match_unique_pair"),
            models.UniqueConstraint(
                fields=["claim"], condition=Q(state__in=OPEN_MATCH_STATES), name="claim_match_one_open_per_claim"
            ),
            models.CheckConstraint(condition=~Q(claim=models.F("reviewed_claim")), name="claim_match_not_self"),
            models.CheckConstraint(condition=Q(state__in=MatchState.values), name="claim_match_state_valid"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=1)), name="claim_match_score_0_1"
            ),
        ]
        indexes = [models.Index(fields=["reviewed_claim", "state"], name="claim_match_reviewed_state")]

    def __str__(self):
        return f"claim {self.claim_id} → claim {self.reviewed_claim_id} ({self.state})"


class ExternalFactCheckQuerySet(models.QuerySet):
    def search(self, text):
        """Fact-checks whose reviewed claim, claimant or publisher match ``text`` (web-search syntax, as claims)."""
        return search_external_fact_checks(self, text)


class ExternalFactCheck(models.Model):
    """Another organisation's published fact-check, imported from its schema.org ClaimReview.

    Public data: everyone may read it. One row per ClaimReview ``url``; importing the same URL again
    updates the row (``claims.claimreview_import``). ``data`` keeps the object as it was read.
    """

    url = models.URLField(max_length=2000, unique=True, validators=[http_url], help_text="The ClaimReview's url.")
    publisher = models.CharField(max_length=300, blank=True, help_text="Its author: the fact-checking organisation.")
    publisher_url = models.URLField(max_length=2000, blank=True, validators=[http_url])
    claim_reviewed = models.TextField(help_text="claimReviewed: the claim as the fact-checker words it.")
    claimant = models.CharField(max_length=300, blank=True, help_text="itemReviewed.author's name.")
    claimant_type = models.CharField(
        max_length=50, blank=True, help_text='itemReviewed.author\'s schema.org type ("Person", "Organization").'
    )
    rating_text = models.CharField(max_length=300, blank=True, help_text="reviewRating.alternateName.")
    rating_value = models.FloatField(null=True, blank=True, help_text="reviewRating.ratingValue, when numeric.")
    best_rating = models.FloatField(null=True, blank=True)
    worst_rating = models.FloatField(null=True, blank=True)
    date_published = models.DateTimeField(null=True, blank=True, help_text="The fact-check's publication.")
    date_modified = models.DateTimeField(null=True, blank=True)
    claim_date = models.DateField(null=True, blank=True, help_text="When the claim was made (itemReviewed).")
    appearances = models.JSONField(
        default=list, blank=True, help_text="URLs where the claim appeared, firstAppearance first."
    )
    language = models.CharField(max_length=35, blank=True, help_text="BCP 47 code (inLanguage), if given.")
    data = models.JSONField(help_text="The ClaimReview object as imported.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ExternalFactCheckQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = "external fact-check"
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="external_fact_check_url_is_http",
            ),
            models.CheckConstraint(
                condition=Q(publisher_url="")
                | Q(publisher_url__startswith="http://")
                | Q(publisher_url__startswith="https://"),
                name="external_fact_check_publisher_url_is_http",
            ),
            models.CheckConstraint(
                condition=~Q(claim_reviewed=""), name="external_fact_check_claim_reviewed_not_empty"
            ),
            # A rating: its text, or a number between its bounds.
            models.CheckConstraint(
                condition=~Q(rating_text="") | Q(rating_value__isnull=False), name="external_fact_check_has_rating"
            ),
            models.CheckConstraint(
                condition=Q(best_rating__isnull=True)
                | Q(worst_rating__isnull=True)
                | Q(worst_rating__lt=models.F("best_rating")),
                name="external_fact_check_worst_below_best",
            ),
            models.CheckConstraint(
                condition=Q(rating_value__isnull=True)
                | (
                    (Q(best_rating__isnull=True) | Q(rating_value__lte=models.F("best_rating")))
                    & (Q(worst_rating__isnull=True) | Q(rating_value__gte=models.F("worst_rating")))
                ),
                name="external_fact_check_rating_within_bounds",
            ),
        ]

    def __str__(self):
        text = self.claim_reviewed
        return text if len(text) <= 80 else text[:77] + "…"
