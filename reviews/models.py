"""Reviews of claims (verdict, explanation, workflow state) and the evidence behind them."""

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.models import HistoricalRecords

from claims.models import RATING_VALUES, Claim, ClaimMatch, Verdict
from claims.validators import http_url
from factcheck.formats import iso_datetime
from factcheck.roles import is_editor, is_newsroom


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"


class Stance(models.TextChoices):
    SUPPORTS = "supports", "Supports the claim"
    REFUTES = "refutes", "Refutes the claim"
    CONTEXT = "context", "Context"


class ReviewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Anonymous: published. Reviewers: their own plus everything past draft. Editors: all."""
        if is_editor(user):
            return self
        if is_newsroom(user):
            return self.filter(~Q(state=Review.State.DRAFT) | Q(author=user))
        return self.filter(state=Review.State.PUBLISHED)

    def with_related(self):
        return self.select_related("claim", "author", "published_by").prefetch_related("evidence")

    def returned(self):
        """Drafts an editor returned to their author: they carry the editor's comment (``workflow.return_to_draft``)."""
        return self.filter(state=Review.State.DRAFT).exclude(editor_comment="")


class Review(models.Model):
    State = ReviewState

    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    verdict = models.CharField(max_length=20, choices=Verdict.choices)
    rating_text = models.CharField(max_length=100, blank=True, help_text="Shown to readers; defaults from the verdict.")
    summary = models.TextField(blank=True, help_text="The explanation of the verdict.")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    editor_comment = models.TextField(blank=True, help_text="Why an editor returned the review to draft.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every write; stale writes are refused.")
    # The published record (see ``reviews.record``): what readers are served of the claim and its
    # article, as they were when an editor published this review. Set by ``workflow.publish`` only.
    record = models.JSONField(null=True, blank=True, editable=False)
    first_published_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the claim's first review was published."
    )
    correction = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="What it changed in the published record: [{field, old, new}]; empty for a first publication.",
    )

    history = HistoricalRecords(excluded_fields=["record", "correction"])
    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["claim", "state"], name="review_claim_state"),
            # The admin's landing page (reviews/workspace.py) at a million claims: a user's drafts, returned
            # drafts and submitted reviews, newest first (120 ms → 12 ms a count); the reviews waiting longest
            # (260 ms → 0.2 ms); the latest published (470 ms → 0.1 ms).
            models.Index(fields=["author", "state", "updated_at", "id"], name="review_author_state_updated"),
            models.Index(fields=["submitted_at", "id"], condition=Q(state="submitted"), name="review_submitted_oldest"),
            models.Index(fields=["published_at", "id"], condition=Q(state="published"), name="review_published_recent"),
            # Drafts returned with a comment (``ReviewQuerySet.returned``), a few: 18 ms → 1.3 ms a count.
            models.Index(
                fields=["author", "updated_at", "id"],
                condition=Q(state="draft") & ~Q(editor_comment=""),
                name="review_returned",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["claim"], condition=Q(state="published"), name="one_published_review_per_claim"
            ),
            models.CheckConstraint(condition=Q(state__in=ReviewState.values), name="review_state_valid"),
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="review_verdict_valid"),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False), name="review_published_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["published", "superseded"])
                | Q(record__isnull=False, first_published_at__isnull=False),
                name="review_published_has_record",
            ),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()} — {self.claim}"

    def save(self, *args, **kwargs):
        if not self.rating_text and self.verdict:
            self.rating_text = Verdict(self.verdict).label
        super().save(*args, **kwargs)

    @property
    def rating_value(self):
        return RATING_VALUES.get(self.verdict)

    @property
    def date_modified(self):
        """When this publication corrected the claim's earlier one (its ``published_at``); None for a
        first publication or an unpublished review."""
        if self.first_published_at is None or self.published_at == self.first_published_at:
            return None
        return self.published_at


class Evidence(models.Model):
    Stance = Stance

    class SourceType(models.TextChoices):
        OFFICIAL = "official", "Official statement or record"
        NEWS = "news", "News report"
        ACADEMIC = "academic", "Academic or research"
        DATA = "data", "Data set or statistics"
        EXPERT = "expert", "Expert interview"
        SOCIAL_MEDIA = "social_media", "Social media"
        FACT_CHECK = "fact_check", "Another fact-check"
        OTHER = "other", "Other"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000, validators=[http_url])
    title = models.CharField(max_length=500, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    quote = models.TextField(blank=True, help_text="The excerpt of the source that matters.")
    stance = models.CharField(max_length=20, choices=Stance.choices, default=Stance.CONTEXT)
    source_type = models.CharField(max_length=20, choices=SourceType.choices, default=SourceType.OTHER)
    published_at = models.DateField(null=True, blank=True)
    accessed_at = models.DateField(null=True, blank=True)
    archive_url = models.URLField(max_length=2000, blank=True, validators=[http_url])
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"), name="evidence_url_is_http"
            ),
            models.CheckConstraint(
                condition=Q(archive_url="")
                | Q(archive_url__startswith="http://")
                | Q(archive_url__startswith="https://"),
                name="evidence_archive_url_is_http",
            ),
            models.CheckConstraint(condition=Q(stance__in=Stance.values), name="evidence_stance_valid"),
        ]

    def __str__(self):
        return self.title or self.url


def published_review_prefetch():
    """The prefetch behind ``claim.published_reviews``: a list of the claim's published review (at most one),
    with its author and its evidence with who added each piece."""
    return Prefetch(
        "reviews",
        queryset=Review.objects.filter(state=Review.State.PUBLISHED)
        .select_related("author")
        .prefetch_related(Prefetch("evidence", Evidence.objects.select_related("added_by"))),
        to_attr="published_reviews",
    )


def with_published_review(claims):
    """``claims`` (a claim queryset), each carrying ``published_reviews`` (see ``published_review_prefetch``)."""
    return claims.prefetch_related(published_review_prefetch())


def published_article_record():
    """The article part of the newest published record among the outer article's claims: annotates
    articles with what readers see of them (``reviews.record``), in the articles' own query."""
    reviews = Review.objects.filter(claim__article=OuterRef("pk"), state=Review.State.PUBLISHED)
    # An article whose verified claims are all appearances (reviews.matches): the record taken of them.
    appearances = ClaimMatch.objects.filter(
        claim__article=OuterRef("pk"), state=ClaimMatch.State.CONFIRMED, record__isnull=False
    )
    return Coalesce(
        Subquery(
            reviews.order_by("-published_at", "-pk").values("record__article")[:1], output_field=models.JSONField()
        ),
        Subquery(
            appearances.order_by("-updated_at", "-pk").values("record__article")[:1], output_field=models.JSONField()
        ),
        output_field=models.JSONField(),
    )


def published_record():
    """The ``record`` of the outer claim's published review (``reviews.record``), or for an appearance
    (``reviews.matches``) the record taken of it when its reviewed claim was published: annotates claims
    with what readers see of them, in the claims' own query."""
    reviews = Review.objects.filter(claim=OuterRef("pk"), state=Review.State.PUBLISHED).order_by()
    return Coalesce(
        Subquery(reviews.values("record")[:1], output_field=models.JSONField()),
        appearance_record(),
        output_field=models.JSONField(),
    )


def appearance_record():
    """The published record of the outer claim as an appearance (``ClaimMatch.record``), or null."""
    matches = ClaimMatch.objects.filter(
        claim=OuterRef("pk"), state=ClaimMatch.State.CONFIRMED, record__isnull=False
    ).order_by()
    return Subquery(matches.values("record")[:1], output_field=models.JSONField())


class EventType(models.TextChoices):
    """What happened: ``<object>.<past tense>``. ``reviews.events`` records each in the change's own transaction."""

    CLAIM_CREATED = "claim.created", "Claim created"
    CLAIM_VERIFIED = "claim.verified", "Claim verified"
    CLAIM_MATCHED = "claim.matched", "Claim matched"
    REVIEW_SUBMITTED = "review.submitted", "Review submitted"
    REVIEW_RETURNED = "review.returned", "Review returned"
    REVIEW_PUBLISHED = "review.published", "Review published"
    REVIEW_SUPERSEDED = "review.superseded", "Review superseded"


# Events clients outside the newsroom see (with ``public_data``): those about published work.
PUBLIC_EVENT_TYPES = frozenset({EventType.CLAIM_VERIFIED, EventType.REVIEW_PUBLISHED, EventType.REVIEW_SUPERSEDED})


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The newsroom sees every event; everyone else only the public ones (about published work)."""
        return self if is_newsroom(user) else self.filter(public_data__isnull=False)


class Event(models.Model):
    """Something that happened to a claim or a review, with the object as the API showed it then (the outbox).

    Written by ``reviews.events.record`` in the transaction of the change it describes: a rollback
    leaves no event, a commit always has it. Ids are in commit order (see ``reviews.events``), so a
    consumer reading the events after the last id it saw never skips one. Never changed once written.
    """

    Type = EventType

    class ObjectType(models.TextChoices):
        CLAIM = "claim", "Claim"
        REVIEW = "review", "Review"

    type = models.CharField(max_length=40, choices=EventType.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    object_type = models.CharField(max_length=20, choices=ObjectType.choices, editable=False)
    object_id = models.PositiveBigIntegerField(editable=False)
    # The object as the API showed it to the newsroom at that moment, and (for events about published work
    # only) as it showed it to everyone else: a frozen snapshot, as a webhook receiver expects it.
    data = models.JSONField(editable=False)
    public_data = models.JSONField(null=True, blank=True, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["type", "id"], name="event_type_id"),
            models.Index(fields=["object_type", "object_id"], name="event_object"),
            models.Index(fields=["id"], condition=Q(public_data__isnull=False), name="event_public_id"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(type__in=EventType.values), name="event_type_valid"),
            models.CheckConstraint(condition=Q(object_type__in=["claim", "review"]), name="event_object_type_valid"),
        ]

    def __str__(self):
        return f"{self.type} {self.object_type} {self.object_id}"

    @property
    def public(self):
        """Whether clients outside the newsroom see it: it is about published work."""
        return self.public_data is not None

    def shown(self, *, newsroom, zone=None):
        """The event as ``events/`` shows it to the newsroom (``newsroom``) or to everyone else; webhooks send
        the same. Everyone else is shown only public events, without ``actor``."""
        return {
            "id": self.id,
            "type": self.type,
            "created_at": iso_datetime(self.created_at, zone),
            "actor": self.actor.get_username() if newsroom and self.actor_id else None,
            "object": {
                "type": self.object_type,
                "id": self.object_id,
                "data": self.data if newsroom else self.public_data,
            },
        }


class WebhookSubscription(models.Model):
    """A client app's receiver of events, signed per Standard Webhooks (``reviews.webhooks``).

    The signing secret is stored encrypted (``factcheck.encryption``, with a key from the environment): a
    copy of the database alone does not let anyone sign. After a rotation the previous secret signs too
    until ``previous_secret_expires_at``, so receivers can switch without losing a delivery.
    """

    class Audience(models.TextChoices):
        PUBLIC = "public", "Public: events about published work, as readers see it"
        NEWSROOM = "newsroom", "Newsroom: every event, as reviewers and editors see it"

    ALL_TYPES = "*"

    name = models.CharField(max_length=200, help_text="What receives these events, for people reading the list.")
    url = models.CharField(max_length=2000, help_text="The receiver: an https URL reaching a public address.")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    event_types = models.JSONField(
        default=list, help_text='The event types sent, e.g. ["review.published"]; ["*"] for every type.'
    )
    active = models.BooleanField(default=True, help_text="Inactive subscriptions are sent nothing.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True, help_text="Why it was disabled, automatically or by someone.")
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(
        default=0, editable=False, help_text="Delivery attempts failed in a row (0 after any success)."
    )
    failing_since = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the current run of failed attempts began."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["active"], name="webhook_active")]
        constraints = [
            models.CheckConstraint(condition=Q(audience__in=["public", "newsroom"]), name="webhook_audience_valid"),
            models.CheckConstraint(
                condition=Q(active=True) | Q(disabled_at__isnull=False), name="webhook_inactive_has_disabled_at"
            ),
        ]

    def __str__(self):
        return self.name

    def wants(self, event):
        """Whether ``event`` is sent to this subscription: a type it asked for, that its audience may see."""
        if self.audience == self.Audience.PUBLIC and event.public_data is None:
            return False
        return self.ALL_TYPES in self.event_types or event.type in self.event_types


class WebhookDelivery(models.Model):
    """One event sent to one subscription: retried with the same ``webhook-id`` until it is delivered or fails.

    ``attempts`` counts every try, manual redeliveries included; the ``last_*``/``response_*`` fields describe
    the latest; ``next_attempt_at`` is when the next is due while it is pending.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True, help_text="The latest attempt's HTTP status.")
    response_body = models.TextField(blank=True, help_text="The start of the latest response's body.")
    duration_ms = models.PositiveIntegerField(null=True, blank=True, help_text="How long the latest attempt took.")
    error = models.TextField(blank=True, help_text="Why the latest attempt failed.")
    created_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["subscription", "id"], name="delivery_subscription_id"),
            models.Index(fields=["subscription", "status", "id"], name="delivery_subscription_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="delivery_once_per_subscription"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "delivered", "failed"]), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_at__isnull=False), name="delivery_delivered_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription} ({self.status})"

    @property
    def webhook_id(self):
        """The ``webhook-id`` header: the same on every attempt and every redelivery, for receivers to deduplicate."""
        return f"evt_{self.event_id}"
