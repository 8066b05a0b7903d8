"""Recurring claims: confirming that a claim is an appearance of a reviewed claim, undoing it, rejecting a suggestion.

``claims.matching`` suggests matches; the rules of deciding them live here, beside the workflow,
because a confirmed match ties the appearance to the reviewed claim's reviews:

- the appearance is verified by the reviewed claim's published review: its status and verdict
  follow the reviewed claim's (``in_review`` while that claim is in review, ``verified`` with its
  verdict once published), and ``workflow.publish`` and every other step that changes the reviewed
  claim's status carry it to all its appearances in the same transaction (``sync_appearances``);
- readers see an appearance once its twin is published, as the published record shows it: the
  appearance's own quote and article, snapshot when the twin's review is published (or when the match
  is confirmed, if it is already), with the twin's published review. A correction of the twin takes a
  new snapshot of every appearance; undoing the match takes it away from readers;
- the target must be reviewed (a review of its own, in progress or published); the appearance must
  have no review of its own, nor appearances of its own. No chains: a target that is itself an
  appearance is resolved to the claim it appears for (its root);
- undoing a match gives the appearance back its own derived status (``accepted``, since it has no review).

Every function runs in a transaction, locks the reviewed claim before the appearance (as ``publish``
locks its claim before the appearances), and records who decided and when on the ``ClaimMatch`` row,
in its history and in the appearance's history.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from claims.models import Claim, ClaimMatch
from factcheck.concurrency import bump_version
from factcheck.exceptions import ConflictError
from factcheck.formats import iso_datetime
from factcheck.roles import is_newsroom
from reviews import events, record
from reviews.models import EventType, Review, published_review_prefetch

FOLLOWED = (Claim.Status.IN_REVIEW, Claim.Status.VERIFIED)


class MatchConflict(ConflictError):
    """The match cannot be made or undone in the claims' current state (the API answers 409)."""


def appearance_status(own_status, reviewed_status, reviewed_verdict):
    """The ``(status, verdict)`` of an appearance whose reviewed claim has ``reviewed_status``/``reviewed_verdict``.

    It follows a reviewed claim in review or verified; otherwise (the reviewed claim's review was
    deleted, or the match undone: pass ``reviewed_status=None``) it has its own derived status, which,
    having no review of its own, is ``accepted`` after ``in_review``/``verified``.
    """
    if reviewed_status in FOLLOWED:
        return reviewed_status, reviewed_verdict if reviewed_status == Claim.Status.VERIFIED else ""
    if own_status in FOLLOWED:
        return Claim.Status.ACCEPTED, ""
    return own_status, ""


def _set_status(claim, status, verdict, *, by, reason):
    if (claim.status, claim.verdict) == (status, verdict):
        return claim
    claim.status, claim.verdict = status, verdict
    bump_version(claim)
    claim._history_user = by if by is not None and by.is_authenticated else None
    claim._change_reason = reason
    claim.save(update_fields=["status", "verdict", "version", "updated_at"])
    return claim


def _save_match(match, *, by, reason):
    match._history_user = by if by is not None and by.is_authenticated else None
    match._change_reason = reason
    match.save()
    return match


def _snapshot(appearance):
    return record.snapshot(appearance, appearance.article)


def sync_appearances(reviewed, *, by=None, republish=False):
    """Carry ``reviewed``'s status and verdict to its confirmed appearances (locked, in id order).

    With ``republish`` (an editor published a review of ``reviewed``), every appearance's published
    record is taken again: a correction reaches all of them. Called by ``workflow.sync_claim_status``
    and ``workflow.publish``, in their transaction.
    """
    matches = list(
        ClaimMatch.objects.filter(reviewed_claim=reviewed, state=ClaimMatch.State.CONFIRMED).order_by("claim_id")
    )
    if not matches:
        return []
    appearances = Claim.objects.select_for_update().select_related("article").in_bulk([m.claim_id for m in matches])
    for match in matches:
        appearance = match.claim = appearances[match.claim_id]  # the caller records events of it
        status, verdict = appearance_status(appearance.status, reviewed.status, reviewed.verdict)
        _set_status(appearance, status, verdict, by=by, reason=f"status follows claim {reviewed.pk}")
        if republish and reviewed.status == Claim.Status.VERIFIED:
            match.record = _snapshot(appearance)
            _save_match(match, by=by, reason=f"published with claim {reviewed.pk}")
    return matches


def open_match(claim):
    """The claim's suggestion or confirmed match (a ``ClaimMatch``), or None."""
    return (
        ClaimMatch.objects.filter(claim=claim, state__in=[ClaimMatch.State.SUGGESTED, ClaimMatch.State.CONFIRMED])
        .select_related("reviewed_claim")
        .first()
    )


def root_of(claim_id):
    """The claim ``claim_id`` is an appearance of (confirmed), or ``claim_id`` itself."""
    root = (
        ClaimMatch.objects.filter(claim_id=claim_id, state=ClaimMatch.State.CONFIRMED)
        .values_list("reviewed_claim_id", flat=True)
        .first()
    )
    return root if root is not None else claim_id


def _require_newsroom(by):
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may decide matches.")


@transaction.atomic
def confirm_match(claim, *, reviewed_claim_id, by):
    """Confirm that ``claim`` is an appearance of the reviewed claim ``reviewed_claim_id``; return the match.

    Confirming the match it already has changes nothing. A target that is itself an appearance is
    resolved to its root. Any other suggestion of the claim is withdrawn.
    """
    _require_newsroom(by)
    if reviewed_claim_id == claim.pk:
        raise ValidationError({"claim": "A claim cannot be matched to itself."})
    if not Claim.objects.filter(pk=reviewed_claim_id).exists():
        raise ValidationError({"claim": f"There is no claim {reviewed_claim_id}."})
    target_id = root_of(reviewed_claim_id)
    if target_id == claim.pk:
        raise ValidationError({"claim": "A claim cannot be matched to itself."})
    reviewed = Claim.objects.select_for_update().get(pk=target_id)
    claim = Claim.objects.select_for_update().select_related("article").get(pk=claim.pk)
    if root_of(target_id) != target_id:  # became an appearance before the lock was taken
        raise MatchConflict(f"Claim {target_id} is itself an appearance of another claim now; try again.")
    if reviewed.status not in FOLLOWED or not Review.objects.filter(claim=reviewed).exists():
        raise MatchConflict(
            f"Claim {reviewed.pk} has not been reviewed: only a claim with a review of its own, in progress or "
            "published, can be matched to."
        )
    if Review.objects.filter(claim=claim).exists():
        raise MatchConflict(
            f"Claim {claim.pk} has a review of its own (in progress or published): it cannot become an appearance "
            "of another claim."
        )
    appearances = list(
        ClaimMatch.objects.filter(reviewed_claim=claim, state=ClaimMatch.State.CONFIRMED).values_list(
            "claim_id", flat=True
        )
    )
    if appearances:
        raise MatchConflict(
            f"Claims {', '.join(map(str, appearances))} are appearances of claim {claim.pk}: it cannot itself be "
            "matched to another claim."
        )
    current = ClaimMatch.objects.select_for_update().filter(
        claim=claim, state__in=[ClaimMatch.State.SUGGESTED, ClaimMatch.State.CONFIRMED]
    )
    for match in current:
        if match.state == ClaimMatch.State.CONFIRMED:
            if match.reviewed_claim_id == reviewed.pk:
                return match
            raise MatchConflict(
                f"Claim {claim.pk} is already an appearance of claim {match.reviewed_claim_id}; undo that match first."
            )
        if match.reviewed_claim_id != reviewed.pk:
            match.state = ClaimMatch.State.WITHDRAWN
            _save_match(match, by=by, reason=f"replaced by a confirmed match to claim {reviewed.pk}")
    match = ClaimMatch.objects.filter(claim=claim, reviewed_claim=reviewed).first() or ClaimMatch(
        claim=claim, reviewed_claim=reviewed
    )
    match.state = ClaimMatch.State.CONFIRMED
    match.decided_by = by
    match.decided_at = timezone.now()
    match.record = _snapshot(claim) if reviewed.status == Claim.Status.VERIFIED else None
    _save_match(match, by=by, reason="confirmed")
    status, verdict = appearance_status(claim.status, reviewed.status, reviewed.verdict)
    _set_status(claim, status, verdict, by=by, reason=f"appearance of claim {reviewed.pk} (match confirmed)")
    events.record(EventType.CLAIM_MATCHED, [claim], by=by)
    if claim.status == Claim.Status.VERIFIED:  # verified by the reviewed claim's published review, from now on
        events.record(EventType.CLAIM_VERIFIED, [claim], by=by)
    return match


@transaction.atomic
def undo_match(claim, *, by):
    """Undo the claim's confirmed match: it is withdrawn, readers no longer see the claim, and its status is
    its own again (``accepted``). Returns the withdrawn match."""
    _require_newsroom(by)
    found = ClaimMatch.objects.filter(claim=claim, state=ClaimMatch.State.CONFIRMED).first()
    if found is None:
        raise MatchConflict(f"Claim {claim.pk} has no confirmed match to undo.")
    Claim.objects.select_for_update().filter(pk=found.reviewed_claim_id).values_list("pk").first()
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    match = ClaimMatch.objects.select_for_update().get(pk=found.pk)
    if match.state != ClaimMatch.State.CONFIRMED:
        raise MatchConflict(f"Claim {claim.pk} has no confirmed match to undo.")
    match.state = ClaimMatch.State.WITHDRAWN
    match.record = None
    match.decided_by = by
    match.decided_at = timezone.now()
    _save_match(match, by=by, reason="undone")
    status, verdict = appearance_status(claim.status, None, "")
    _set_status(claim, status, verdict, by=by, reason=f"match to claim {match.reviewed_claim_id} undone")
    return match


@transaction.atomic
def reject_match(claim, *, by, reviewed_claim_id=None):
    """Reject the claim's suggestion (or, with ``reviewed_claim_id``, that pair, suggested or not): the pair
    is never suggested again. A confirmed match is undone, not rejected. Returns the rejected match."""
    _require_newsroom(by)
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if reviewed_claim_id is None:
        match = ClaimMatch.objects.select_for_update().filter(claim=claim, state=ClaimMatch.State.SUGGESTED).first()
        if match is None:
            raise MatchConflict(f"Claim {claim.pk} has no match suggestion to reject.")
    else:
        if reviewed_claim_id == claim.pk:
            raise ValidationError({"claim": "A claim cannot be matched to itself."})
        if not Claim.objects.filter(pk=reviewed_claim_id).exists():
            raise ValidationError({"claim": f"There is no claim {reviewed_claim_id}."})
        match = ClaimMatch.objects.select_for_update().filter(
            claim=claim, reviewed_claim_id=reviewed_claim_id
        ).first() or ClaimMatch(claim=claim, reviewed_claim_id=reviewed_claim_id)
    if match.state == ClaimMatch.State.CONFIRMED:
        raise MatchConflict(
            f"Claim {claim.pk} is an appearance of claim {match.reviewed_claim_id}: undo the match instead."
        )
    if match.pk is not None and match.state == ClaimMatch.State.REJECTED:
        return match
    match.state = ClaimMatch.State.REJECTED
    match.decided_by = by
    match.decided_at = timezone.now()
    return _save_match(match, by=by, reason="rejected")


# --- What the API shows of matches ------------------------------------------------------------------


def twin_published_review(claim):
    """For an appearance: ``(published_reviews, record)``, its reviewed claim's published review (a list of
    at most one, prefetched as ``models.published_review_prefetch`` does) and the appearance's own
    published record; ``([], None)`` while the reviewed claim is not published or the claim is no appearance."""
    match = (
        ClaimMatch.objects.filter(claim=claim, state=ClaimMatch.State.CONFIRMED, record__isnull=False)
        .select_related("reviewed_claim")
        .first()
    )
    if match is None:
        return [], None
    twin = match.reviewed_claim
    prefetch_related_objects([twin], published_review_prefetch())
    return twin.published_reviews, match.record


def appearances(claim, *, readers):
    """The confirmed appearances of ``claim`` as the API lists them, by claim id: ``{claim, article, quote,
    article_title, article_url, article_published_at}``. Readers get those published (their record);
    reviewers and editors every confirmed one, as the rows are now."""
    matches = ClaimMatch.objects.filter(reviewed_claim=claim, state=ClaimMatch.State.CONFIRMED).order_by("claim_id")
    if readers:
        rows = matches.filter(record__isnull=False).values_list("claim_id", "claim__article_id", "record")
        return [appearance_item(claim_id, article_id, shown) for claim_id, article_id, shown in rows]
    rows = matches.values_list(
        "claim_id",
        "claim__article_id",
        "claim__quote",
        "claim__article__title",
        "claim__article__url",
        "claim__article__published_at",
    )
    return [
        {
            "claim": claim_id,
            "article": article_id,
            "quote": quote,
            "article_title": title,
            "article_url": url,
            "article_published_at": iso_datetime(published_at),
        }
        for claim_id, article_id, quote, title, url, published_at in rows
    ]


def appearance_item(claim_id, article_id, shown):
    """An appearance as readers see it, from its published record ``shown``."""
    article = shown["article"]
    return {
        "claim": claim_id,
        "article": article_id,
        "quote": shown["quote"],
        "article_title": article["title"],
        "article_url": article["url"],
        "article_published_at": iso_datetime(datetime.fromisoformat(article["published_at"]))
        if article["published_at"]
        else None,
    }


def suggestion(claim):
    """The claim's match suggestion as the API shows it to reviewers and editors, or None."""
    match = (
        ClaimMatch.objects.filter(claim=claim, state=ClaimMatch.State.SUGGESTED)
        .select_related("reviewed_claim")
        .first()
    )
    if match is None:
        return None
    reviewed = match.reviewed_claim
    return {
        "claim": reviewed.pk,
        "score": match.score,
        "quote": reviewed.quote,
        "claim_reviewed": reviewed.claim_reviewed,
        "status": reviewed.status,
        "verdict": reviewed.verdict,
    }
