"""Triage: which claim statuses people may set by hand, and who may set them."""

from django.core.exceptions import ValidationError

from claims.models import Claim
from factcheck.roles import is_editor

MANUAL_STATUSES = {Claim.Status.CANDIDATE, Claim.Status.ACCEPTED, Claim.Status.DISMISSED}


def check_status_change(claim, new_status, *, by):
    """Raise ``ValidationError`` unless ``by`` may move ``claim`` (None for a new claim) to ``new_status``.

    ``in_review`` and ``verified`` follow from the claim's reviews and are never set by hand; a claim
    with a review in progress keeps its derived status; only editors dismiss.
    """
    current = claim.status if claim is not None else Claim.Status.CANDIDATE
    if new_status == current:
        return
    if new_status not in MANUAL_STATUSES:
        raise ValidationError(f"'{new_status}' follows from the claim's reviews and cannot be set by hand.")
    if current in (Claim.Status.IN_REVIEW, Claim.Status.VERIFIED):
        raise ValidationError(f"This claim is {current}; its status follows its reviews.")
    if new_status == Claim.Status.DISMISSED and not is_editor(by):
        raise ValidationError("Only editors may dismiss a claim.")


def set_status(claim, new_status, *, by):
    """Triage ``claim`` after ``check_status_change`` allowed it; recorded in the history."""
    check_status_change(claim, new_status, by=by)
    claim.status = new_status
    claim._history_user = by
    claim._change_reason = f"triaged as {new_status}"
    claim.version += 1
    claim.save(update_fields=["status", "version", "updated_at"])
    return claim
