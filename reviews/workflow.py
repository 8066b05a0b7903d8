"""The review workflow: every rule about who may do what to a review, in one place.

The API, the admin and the management commands call these functions; none of them change a review's
state or a claim's derived status any other way. Each function runs in a transaction and records
who did it in the history, and what happened as events for client apps (``reviews.events``).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from claims.models import Claim, ClaimMatch
from factcheck.concurrency import advance_version, bump_version, check_version
from factcheck.exceptions import ConflictError
from factcheck.roles import is_editor, is_newsroom
from reviews import events, matches, record
from reviews.models import EventType, Evidence, Review

REVIEW_FIELDS = ("verdict", "rating_text", "summary")
EVIDENCE_FIELDS = (
    "url",
    "title",
    "publisher",
    "quote",
    "stance",
    "source_type",
    "published_at",
    "accessed_at",
    "archive_url",
)


class InvalidTransition(ConflictError):
    """The action does not apply to the review in its current state (the API answers 409)."""


class RecordFrozen(ConflictError):
    """A change of a verified claim's published record outside a correction (the API answers 409)."""


# --- The published record changes only through the workflow ----------------------------------------
# What readers see of a verified claim and of its article (``record.CLAIM_FIELDS``, ``record.ARTICLE_FIELDS``)
# is fixed by an editor's approval. Changing it takes a correction: a new review of the claim, opened before
# the edit and published by an editor. Readers are served the snapshot of the published review
# (``record.snapshot``) until then. ``claims.services`` asks before every write (``claims.signals``);
# ``ReviewsConfig.ready`` connects the two receivers below, so the API, the admin and the commands all obey.

OPEN_STATES = (Review.State.DRAFT, Review.State.SUBMITTED)
HOW_TO_CORRECT = (
    "To correct it, start a correction (a new review of the claim), edit the claim while it is open, and have "
    "an editor publish the review; readers keep seeing the published record until then."
)


def _without_open_correction(claims):
    """The verified claims among ``claims`` that have no draft or submitted review: their record is frozen.

    An appearance (``reviews.matches``) has no review of its own: its record opens with a correction of
    the reviewed claim it appears for, whose publication takes it again.
    """
    open_review = Review.objects.filter(claim=OuterRef("pk"), state__in=OPEN_STATES)
    open_twin_review = Review.objects.filter(
        state__in=OPEN_STATES,
        claim__appearance_matches__claim=OuterRef("pk"),
        claim__appearance_matches__state=ClaimMatch.State.CONFIRMED,
    )
    return claims.verified().exclude(Exists(open_review)).exclude(Exists(open_twin_review))


def record_frozen(claim):
    """Whether the published record of ``claim`` cannot change now (verified, and no correction open)."""
    return (
        claim.status == Claim.Status.VERIFIED and _without_open_correction(Claim.objects.filter(pk=claim.pk)).exists()
    )


def claims_freezing_article(article):
    """The ids of ``article``'s verified claims with no correction open: while any, its record fields are frozen."""
    return list(
        _without_open_correction(Claim.objects.filter(article=article)).order_by("pk").values_list("pk", flat=True)
    )


def _listed(names):
    return ", ".join(names)


def refuse_frozen_claim_change(sender, *, instance, changed, **kwargs):
    """``claims.signals.claim_changing`` receiver: refuse a change of a frozen claim's record fields."""
    fields = [name for name in record.CLAIM_FIELDS if name in changed]
    if fields and record_frozen(instance):
        raise RecordFrozen(
            f"This claim is verified: its {_listed(fields)} are part of the published fact-check and cannot change "
            f"on their own. {HOW_TO_CORRECT}"
        )


def refuse_frozen_article_change(sender, *, instance, changed, **kwargs):
    """``claims.signals.article_changing`` receiver: an article's record fields change only while every
    verified claim of it has a correction open, since each of their published records shows them."""
    fields = [name for name in record.ARTICLE_FIELDS if name in changed]
    if not fields:
        return
    # Locked until the caller's write commits, so that no correction is published between this check and
    # the write. (Its own transaction when the caller, e.g. a form's check before saving, holds none.)
    with transaction.atomic():
        verified = Claim.objects.select_for_update().filter(article=instance, status=Claim.Status.VERIFIED)
        list(verified.values_list("pk"))
        frozen = claims_freezing_article(instance)
    if frozen:
        shown = _listed(str(pk) for pk in frozen[:20]) + (" …" if len(frozen) > 20 else "")
        raise RecordFrozen(
            f"This article's {_listed(fields)} are part of the published fact-checks of its verified claims and "
            f"change only while each of them has a correction open; claim(s) {shown} have none. Start a correction "
            "(a new review) of each, edit the article, and have an editor publish the reviews; readers keep seeing "
            "the published record until then."
        )


def _locked(review):
    """The review as it is now, locked until the transaction ends.

    The copy a request loaded may be stale: another request may have submitted or published the
    review since. Every check and write below works on the locked row instead. Reviews are always
    locked before their claim (see ``publish``), so two workflow steps never deadlock.
    """
    return Review.objects.select_for_update().get(pk=review.pk)


def _save(instance, *, by, reason=None, **kwargs):
    instance._history_user = by
    instance._change_reason = reason
    instance.save(**kwargs)


def can_edit(review, user):
    """Authors edit their own drafts; editors edit any review that is not published or superseded."""
    if review.state == Review.State.DRAFT and review.author_id == getattr(user, "pk", None):
        return is_newsroom(user)
    return is_editor(user) and review.state in (Review.State.DRAFT, Review.State.SUBMITTED)


def _require_edit(review, user):
    if not is_newsroom(user):
        raise PermissionDenied("Only reviewers and editors may change reviews.")
    if review.state in (Review.State.PUBLISHED, Review.State.SUPERSEDED):
        raise InvalidTransition(
            f"This review is {review.state}; published reviews are never edited. Write a new review to correct it."
        )
    if not can_edit(review, user):
        if review.author_id != user.pk:
            raise PermissionDenied("Only the author or an editor may change this review.")
        raise InvalidTransition(f"This review is {review.state}; only an editor may change it now.")


# --- Who may take which step now ---------------------------------------------------------------------
# Each step function below runs its ``check_<step>`` on the locked review before anything else; the admin's
# buttons (``available_steps``) run the same ones, so a page never offers a step the API would refuse. A check
# raises PermissionDenied (who) or InvalidTransition (state). What the review's data still lacks (a summary,
# evidence, the claim's reviewed wording) is ``missing_for_<step>``: the step refuses with it (400), and a
# page shows it beside the step rather than hiding the step.


def check_create_review(claim, by):
    """Refuse unless ``by`` may start a review of ``claim`` now (newsroom; not dismissed; not an appearance)."""
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may write reviews.")
    if claim.status == Claim.Status.DISMISSED:
        raise InvalidTransition("This claim was dismissed as not check-worthy; accept it before reviewing it.")
    twin = ClaimMatch.objects.filter(claim=claim, state=ClaimMatch.State.CONFIRMED).values_list(
        "reviewed_claim_id", flat=True
    )
    if twin:
        raise InvalidTransition(
            f"This claim is an appearance of claim {twin[0]}, whose review verifies it; review claim {twin[0]}, or "
            "undo the match first."
        )


def check_submit(review, by):
    """Refuse unless ``by`` may submit ``review`` now: a draft, by its author or an editor."""
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may submit reviews.")
    if review.state != Review.State.DRAFT:
        raise InvalidTransition(f"Only drafts can be submitted; this review is {review.state}.")
    _require_edit(review, by)


def missing_for_submit(review):
    """What ``review`` lacks before it can be submitted: ``{field: message}``, empty when nothing."""
    missing = {}
    if not review.summary.strip():
        missing["summary"] = "Write a summary explaining the verdict before submitting."
    if not review.evidence.exists():
        missing["evidence"] = "Attach at least one piece of evidence before submitting."
    return missing


def check_publish(review, by):
    """Refuse unless ``by`` may publish ``review`` now: a submitted review, by an editor."""
    if not is_editor(by):
        raise PermissionDenied("Only editors may publish reviews.")
    if review.state != Review.State.SUBMITTED:
        raise InvalidTransition(f"Only submitted reviews can be published; this review is {review.state}.")


def missing_for_publish(review, claim):
    """What ``review`` of ``claim`` lacks before it can be published: ``{field: message}``."""
    if not claim.claim_reviewed.strip():
        # ClaimReview's claimReviewed is the reviewed wording, never the raw quote in its place.
        return {
            "claim_reviewed": "The claim has no reviewed wording: set the claim's claim_reviewed before publishing."
        }
    return {}


def check_return_to_draft(review, by):
    """Refuse unless ``by`` may return ``review`` to its author now: a submitted review, by an editor."""
    if not is_editor(by):
        raise PermissionDenied("Only editors may return reviews.")
    if review.state != Review.State.SUBMITTED:
        raise InvalidTransition(f"Only submitted reviews can be returned; this review is {review.state}.")


def check_start_correction(review, by):
    """Refuse unless ``by`` may start a correction of ``review``: the claim's published review, and ``by`` may
    start a review of its claim (``check_create_review``)."""
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may write reviews.")
    if review.state != Review.State.PUBLISHED:
        raise InvalidTransition(
            f"Only the published review of a claim is corrected; this review is {review.state}. Correct the claim's "
            "published review instead."
        )
    check_create_review(review.claim, by)


def _refuse_missing(missing):
    if missing:
        raise ValidationError(missing)


def _check_read(review, version):
    """Refuse (409) a step taken on a copy of ``review`` (held locked) older than it is now; ``None``: no copy named."""
    if version is not None:
        check_version(review, version=version)


@dataclass(frozen=True)
class Step:
    """A workflow step a user may take on a review now (``available_steps``); ``missing`` is what the review
    still lacks for it (the step would refuse with these messages), empty when it can be taken as it is."""

    name: str
    missing: tuple = ()


def available_steps(review, user):
    """The steps ``user`` may take on ``review`` now, in workflow order: ``submit``, ``publish``,
    ``return_to_draft``, ``start_correction``. Judged by the checks the steps themselves run."""
    candidates = (
        ("submit", check_submit, lambda: missing_for_submit(review)),
        ("publish", check_publish, lambda: missing_for_publish(review, review.claim)),
        ("return_to_draft", check_return_to_draft, dict),
        ("start_correction", check_start_correction, dict),
    )
    steps = []
    for name, check, missing in candidates:
        try:
            check(review, user)
        except (PermissionDenied, InvalidTransition):
            continue
        steps.append(Step(name, tuple(missing().values())))
    return steps


def derive_claim_status(current_status, published_verdict, has_active_review):
    """The ``(status, verdict)`` a claim's reviews imply; pure, so the demo data generator uses it too.

    ``published_verdict`` is the verdict of the claim's published review (``None`` if it has none) and
    ``has_active_review`` says whether it has a draft or submitted one. A published review makes the
    claim verified with its verdict; otherwise an active review puts it in review; a claim whose last
    review went away goes back to accepted; any other status (candidate, accepted, dismissed) stays.
    """
    if published_verdict is not None:
        return Claim.Status.VERIFIED, published_verdict
    if has_active_review:
        return Claim.Status.IN_REVIEW, ""
    if current_status in (Claim.Status.IN_REVIEW, Claim.Status.VERIFIED):
        return Claim.Status.ACCEPTED, ""
    return current_status, ""


# Workflow steps each new review takes on the way to a state; ``submit``, ``return_to_draft``,
# ``publish`` and superseding (in ``publish``) each bump the review's version once.
STEPS_TO_STATE = {
    Review.State.DRAFT: (),
    Review.State.SUBMITTED: ("submit",),
    Review.State.PUBLISHED: ("submit", "publish"),
    Review.State.SUPERSEDED: ("submit", "publish", "superseded"),
}
STEPS_TO_RETURN = ("submit", "return_to_draft")


def review_version(state, *, times_returned=0):
    """The version a new review (version 1) reaches in ``state``, returned to its author ``times_returned`` times."""
    return 1 + len(STEPS_TO_STATE[state]) + len(STEPS_TO_RETURN) * times_returned


@transaction.atomic
def sync_claim_status(claim, *, by=None, republish=False):
    """Derive a claim's status and verdict from its reviews; save (and record) only if they changed.

    Its confirmed appearances follow it; with ``republish`` (a review of it was just published) their
    published records are taken again (``matches.sync_appearances``).
    """
    published = claim.reviews.filter(state=Review.State.PUBLISHED).values_list("verdict", flat=True).first()
    active = claim.reviews.filter(state__in=[Review.State.DRAFT, Review.State.SUBMITTED]).exists()
    status, verdict = derive_claim_status(claim.status, published, active)
    verified = status == Claim.Status.VERIFIED and (republish or claim.status != status)
    if (claim.status, claim.verdict) != (status, verdict):
        # A change like any other: clients holding the claim's old version must not overwrite it. Locked
        # (a no-op where the caller holds the lock already) so that the version read here is the one bumped.
        claim.version = Claim.objects.select_for_update().values_list("version", flat=True).get(pk=claim.pk)
        claim.status, claim.verdict = status, verdict
        bump_version(claim)
        _save(
            claim,
            by=by,
            reason="status follows reviews",
            update_fields=["status", "verdict", "version", "updated_at"],
        )
    # Its appearances follow it, in this transaction.
    synced = matches.sync_appearances(claim, by=by, republish=republish)
    if verified:  # its published verdict and record, taken (again) for it and each appearance
        events.record(EventType.CLAIM_VERIFIED, [claim, *(match.claim for match in synced)], by=by)
    return claim


def may_start_review(claim, *, by):
    """Whether ``check_create_review`` admits a new review of ``claim`` by ``by`` (for pages offering only the
    steps a user may take)."""
    try:
        check_create_review(claim, by)
    except (PermissionDenied, ConflictError):
        return False
    return True


@transaction.atomic
def create_review(claim, *, by, verdict, rating_text="", summary=""):
    """Start a draft review of ``claim`` by ``by`` (``check_create_review``); the claim moves to ``in_review``."""
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may write reviews.")
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    check_create_review(claim, by)
    review = Review(claim=claim, author=by, verdict=verdict, rating_text=rating_text, summary=summary)
    _save(review, by=by, reason="created")
    sync_claim_status(claim, by=by)
    return review


@transaction.atomic
def update_review(review, changes, *, by, if_match=None, version=None):
    """Apply ``changes`` (verdict, rating text, summary) to a review ``by`` may edit, refusing stale writes.

    ``if_match`` or ``version`` names the version the caller read (``advance_version``): with
    neither, 428. Only fields whose value changes count: a change that alters nothing writes nothing
    (no new version, no history entry) and returns the review as it is, once the version is checked.
    """
    review = _locked(review)
    _require_edit(review, by)
    unknown = set(changes) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    rating_text_given = "rating_text" in changes
    changes = {field: value for field, value in changes.items() if value != getattr(review, field)}
    if not changes:
        check_version(review, if_match=if_match, version=version)
        return review
    advance_version(review, if_match=if_match, version=version)
    for field, value in changes.items():
        setattr(review, field, value)
    if "verdict" in changes and not rating_text_given:
        review.rating_text = ""  # re-derived from the new verdict on save
    _save(review, by=by, reason="edited")
    return review


@transaction.atomic
def delete_review(review, *, by, if_match=None, version=None):
    """Delete a draft (never anything that was submitted or published) at the version the caller read.

    ``if_match`` or ``version`` names it (``check_version``): 428 with neither, 412/409 when stale.
    """
    review = _locked(review)
    _require_edit(review, by)
    if review.state != Review.State.DRAFT:
        raise InvalidTransition(f"Only drafts can be deleted; this review is {review.state}.")
    check_version(review, if_match=if_match, version=version, body=False)
    claim = review.claim
    review._history_user = by
    for evidence in review.evidence.all():
        evidence._history_user = by
        evidence.delete()
    review.delete()
    sync_claim_status(claim, by=by)


@transaction.atomic
def submit(review, *, by, version=None):
    """Send a draft to the editors. The author or an editor may; it needs a summary and evidence.

    ``version``, when given, is the version the caller read: a review changed since is refused (409).
    """
    if not is_newsroom(by):
        raise PermissionDenied("Only reviewers and editors may submit reviews.")
    review = _locked(review)
    check_submit(review, by)
    _check_read(review, version)
    _refuse_missing(missing_for_submit(review))
    review.state = Review.State.SUBMITTED
    review.submitted_at = timezone.now()
    bump_version(review)
    _save(review, by=by, reason="submitted")
    events.record(EventType.REVIEW_SUBMITTED, [review], by=by)
    return review


@transaction.atomic
def publish(review, *, by, version=None):
    """Publish a submitted review (editors only); the claim's previous published review is superseded.

    The claim needs its reviewed wording (``claim_reviewed``): the ClaimReview's ``claimReviewed``.

    The review, then its claim are locked, so two editors publishing reviews of one claim at once are
    serialised and there is never a moment with two published reviews (also a database constraint).
    Review before claim, as everywhere: an edit of the review checks its claim reference (a deferred
    foreign key) when it commits, so locking the claim first could deadlock with it. ``version``: as for
    ``submit``.
    """
    if not is_editor(by):
        raise PermissionDenied("Only editors may publish reviews.")
    review = _locked(review)
    claim = Claim.objects.select_for_update().get(pk=review.claim_id)
    check_publish(review, by)
    _check_read(review, version)
    _refuse_missing(missing_for_publish(review, claim))
    now = timezone.now()
    review.record = record.snapshot(claim, claim.article)
    review.first_published_at = now
    review.correction = []
    superseded = list(Review.objects.select_for_update().filter(claim=claim, state=Review.State.PUBLISHED))
    for previous in superseded:
        review.first_published_at = previous.first_published_at
        review.correction = record.changes(
            previous, _evidence_urls(previous), review, review.record, _evidence_urls(review)
        )
        previous.state = Review.State.SUPERSEDED
        bump_version(previous)
        _save(previous, by=by, reason=f"superseded by review {review.pk}")
    review.state = Review.State.PUBLISHED
    review.published_at = now
    review.published_by = by
    bump_version(review)
    _save(review, by=by, reason="published")
    # Every appearance of the claim is published with it: its record is taken again (a correction reaches all).
    sync_claim_status(claim, by=by, republish=True)
    events.record(EventType.REVIEW_SUPERSEDED, superseded, by=by)
    events.record(EventType.REVIEW_PUBLISHED, [review], by=by)
    return review


def _evidence_urls(review):
    return list(review.evidence.values_list("url", flat=True))


# The history's change reason for a return (``last_return`` reads it back).
RETURNED = "returned to draft"


def last_return(review):
    """The history row of the last time ``review`` was returned to draft (``history_user``, ``history_date``),
    or None when it never was."""
    return (
        review.history.filter(history_change_reason=RETURNED)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )


@transaction.atomic
def return_to_draft(review, *, by, comment, version=None):
    """Send a submitted review back to its author with an editor's comment (editors only).

    ``version``: as for ``submit``.
    """
    if not is_editor(by):
        raise PermissionDenied("Only editors may return reviews.")
    review = _locked(review)
    check_return_to_draft(review, by)
    _check_read(review, version)
    if not comment or not comment.strip():
        raise ValidationError({"comment": "Say what the author should change."})
    review.state = Review.State.DRAFT
    review.editor_comment = comment
    bump_version(review)
    _save(review, by=by, reason=RETURNED)
    events.record(EventType.REVIEW_RETURNED, [review], by=by)
    return review


@transaction.atomic
def start_correction(review, *, by, version=None):
    """Start a correction of ``review``, the claim's published review: a new draft review of its claim by ``by``
    (``create_review``), with the published verdict, rating text, summary and evidence to edit.

    Readers keep seeing ``review`` until an editor publishes the correction (``publish``), whose ``correction``
    then lists what changed. ``version``: as for ``submit``.
    """
    published = _locked(review)
    check_start_correction(published, by)
    _check_read(published, version)
    correction = create_review(
        published.claim, by=by, verdict=published.verdict, rating_text=published.rating_text, summary=published.summary
    )
    for evidence in published.evidence.all():
        add_evidence(correction, by=by, **{name: getattr(evidence, name) for name in EVIDENCE_FIELDS})
    return correction


@transaction.atomic
def add_evidence(review, *, by, **fields):
    """Attach evidence to a review ``by`` may edit."""
    review = _locked(review)
    _require_edit(review, by)
    evidence = Evidence(review=review, added_by=by, **fields)
    evidence.full_clean(exclude=["review", "added_by"])
    _save(evidence, by=by, reason="added")
    return evidence


@transaction.atomic
def update_evidence(evidence, changes, *, by):
    evidence.review = _locked(evidence.review)
    _require_edit(evidence.review, by)
    unknown = set(changes) - set(EVIDENCE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    for field, value in changes.items():
        setattr(evidence, field, value)
    evidence.full_clean(exclude=["review", "added_by"])
    _save(evidence, by=by, reason="edited")
    return evidence


@transaction.atomic
def delete_evidence(evidence, *, by):
    _require_edit(_locked(evidence.review), by)
    evidence._history_user = by
    evidence.delete()
