"""The admin's landing page (``/admin/``): what needs this user now, by role.

Each section is a count and the first few items of one of the domain's querysets, each item linking to its
admin page, and a link to the admin list filtered the same way. Reviewers and editors get them; anyone
else (staff outside the newsroom) gets none, and the page is the stock app list.

Cheap at a million claims whatever the data: two queries per section, each served by an index
(``claim_status_worthiness_id``, ``claim_assignee_id``, ``review_author_state_updated``,
``review_submitted_oldest``, ``review_published_recent``, ``review_returned``), counts stopped at
``COUNT_CAP`` (shown as "1,000+"). Rendered by ``factcheck/templates/admin/index.html`` through the
``workspace`` template tag.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.timesince import timesince

from claims.models import Claim
from factcheck.roles import is_editor, is_newsroom
from reviews.models import Review

ITEMS = 5  # shown per section
COUNT_CAP = 1000  # counted up to; more is "1,000+"
# What still needs work on a claim assigned to someone: not verified, not dismissed.
OPEN_STATUSES = (Claim.Status.CANDIDATE, Claim.Status.ACCEPTED, Claim.Status.IN_REVIEW)


@dataclass
class Item:
    url: str
    label: str
    meta: str = ""
    comment: str = ""


@dataclass
class Section:
    key: str
    title: str
    empty: str
    url: str
    count: int = 0
    items: list = field(default_factory=list)

    @property
    def count_label(self):
        return f"{number_format(COUNT_CAP, force_grouping=True)}+" if self.count > COUNT_CAP else str(self.count)


def capped_count(queryset):
    """How many rows ``queryset`` has, counting no further than ``COUNT_CAP + 1``."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def changelist(model, **params):
    """The admin list of ``model`` filtered by ``params`` (its query string)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def _column(model, name):
    """The admin list's ``o`` index of the column ``name`` (1-based), for a "see all" sorted as the section."""
    return admin.site.get_model_admin(model).list_display.index(name) + 1


def _claim_item(claim, meta):
    return Item(reverse("admin:claims_claim_change", args=[claim.pk]), str(claim), meta)


def _review_item(review, meta, comment=""):
    return Item(
        reverse("admin:reviews_review_change", args=[review.pk]),
        f"{review.get_verdict_display()} — {review.claim}",
        meta,
        comment,
    )


def _when(moment):
    return f"{timesince(moment)} ago" if moment is not None else ""


def _fill(section, queryset, item):
    section.count = capped_count(queryset)
    section.items = [item(row) for row in queryset[:ITEMS]]
    return section


def sections(user):
    """The landing page's sections for ``user``, in the order a working day reads them; none outside the newsroom."""
    if not is_newsroom(user):
        return []
    editor = is_editor(user)
    reviews = Review.objects.visible_to(user).select_related("claim")
    mine = reviews.filter(author=user)
    drafts = mine.filter(state=Review.State.DRAFT)

    triage = Claim.objects.filter(status=Claim.Status.CANDIDATE).order_by("-check_worthiness", "-id")
    assigned = Claim.objects.filter(assignee=user, status__in=OPEN_STATUSES).order_by("-id")
    waiting = reviews.filter(state=Review.State.SUBMITTED)
    if not editor:
        waiting = waiting.filter(author=user)
    published = reviews.filter(state=Review.State.PUBLISHED).order_by("-published_at", "-id")
    me = {"author": "me"}

    return [
        _fill(
            Section(
                "triage",
                "Candidates to triage",
                "No candidate claims: nothing to triage.",
                changelist(Claim, status__exact="candidate", o=f"-{_column(Claim, 'worthiness')}"),
            ),
            triage,
            lambda claim: _claim_item(claim, f"score {claim.check_worthiness:.2f} · {claim.claimant or 'no claimant'}"),
        ),
        _fill(
            Section(
                "assigned",
                "Claims assigned to me",
                "No claim is assigned to you.",
                changelist(Claim, assignee="me", status__in=",".join(OPEN_STATUSES)),
            ),
            assigned,
            lambda claim: _claim_item(claim, f"{claim.get_status_display()} · {claim.claimant or 'no claimant'}"),
        ),
        _fill(
            Section(
                "drafts",
                "My drafts",
                "You have no drafts.",
                changelist(Review, state__exact="draft", returned="no", **me),
            ),
            drafts.filter(editor_comment="").order_by("-updated_at", "-id"),
            lambda review: _review_item(review, "draft"),
        ),
        _fill(
            Section(
                "returned",
                "Returned to me",
                "No draft of yours was returned.",
                changelist(Review, returned="yes", **me),
            ),
            mine.returned().order_by("-updated_at", "-id"),
            lambda review: _review_item(review, "returned by an editor", review.editor_comment),
        ),
        _fill(
            Section(
                "waiting",
                "Waiting for my approval" if editor else "Submitted, waiting for an editor",
                "Nothing is waiting for an editor.",
                changelist(Review, state__exact="submitted", **({} if editor else me)),
            ),
            waiting.order_by("submitted_at", "id"),  # the longest waiting first
            lambda review: _review_item(review, f"submitted {_when(review.submitted_at)}"),
        ),
        _fill(
            Section(
                "published",
                "Recently published",
                "Nothing is published yet.",
                changelist(Review, state__exact="published"),
            ),
            published,
            lambda review: _review_item(review, f"published {_when(review.published_at)}"),
        ),
    ]
