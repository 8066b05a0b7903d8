"""The public page of a published review: what the ClaimReview ``url`` of the exports points to."""

import json
from datetime import date, datetime

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from claims.models import Claim, Verdict
from reviews import exports, record
from reviews.models import Review

# The characters that could end a <script> element or start an HTML comment inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
# Quotation marks of the languages articles are in: a quote that starts or ends with one is shown as it is.
QUOTATION_MARKS = '“”„‟"«»‘’‚‛‹›「」'


def quoted(text):
    """``text`` in quotation marks, unless it already starts or ends with one (then it would show two)."""
    stripped = text.strip()
    if stripped and (stripped[0] in QUOTATION_MARKS or stripped[-1] in QUOTATION_MARKS):
        return text
    return f"“{text}”"


def review_page(request, review_id):
    """A published review with its claim, evidence and embedded ClaimReview JSON-LD.

    The claim and its article are shown as this review published them (its record), whatever the
    claim row says now: a superseded page still shows what it published, and points to the current
    review; a correction says when it was updated and what changed. Drafts and submitted reviews are 404.
    """
    review = (
        Review.objects.filter(pk=review_id, state__in=[Review.State.PUBLISHED, Review.State.SUPERSEDED])
        .prefetch_related("evidence")
        .first()
    )
    if review is None:
        raise Http404("No published review with this id.")
    current = review
    json_ld = None
    appearances = []
    if review.state == Review.State.PUBLISHED:
        exported = next(iter(exports.exported_claims(Claim.objects.filter(pk=review.claim_id))), None)
        if exported is not None:
            # A recurring claim: the other articles it appeared in (reviews.matches), as published with this review.
            appearances = exported.detail["appearances"]
            data = json.dumps(exports.claim_review(exported), ensure_ascii=False, indent=2)
            json_ld = mark_safe(data.translate(_SCRIPT_ESCAPES))  # escaped above for a <script> element
    else:
        current = Review.objects.filter(claim_id=review.claim_id, state=Review.State.PUBLISHED).first()
    evidence = list(review.evidence.all())
    for item in evidence:
        item.quoted = quoted(item.quote) if item.quote else ""
    context = {
        "review": review,
        "claim": published_claim(review.record),
        "current": current,
        "json_ld": json_ld,
        "evidence": evidence,
        "appearances": appearances,
        "changes": record.describe(review.correction, dict(Verdict.choices)),
    }
    return render(request, "reviews/review_page.html", context)


def published_claim(snapshot):
    """The claim and article of a review's record, with dates as dates and the quote in quotation marks."""
    article = dict(snapshot["article"])
    if article["published_at"]:
        article["published_at"] = datetime.fromisoformat(article["published_at"])
    return {
        **snapshot,
        "claimed_at": date.fromisoformat(snapshot["claimed_at"]) if snapshot["claimed_at"] else None,
        "quoted": quoted(snapshot["quote"]),
        "article": article,
    }
