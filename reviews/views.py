"""The public page of a published review: what the ClaimReview ``url`` of the exports points to."""

import json

from django.http import Http404
from django.shortcuts import render
from django.utils.safestring import mark_safe

from claims.models import Claim
from reviews import exports
from reviews.models import Review

# The characters that could end a <script> element or start an HTML comment inside it.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def review_page(request, review_id):
    """A published review with its claim, evidence and embedded ClaimReview JSON-LD.

    Superseded reviews stay readable (a published page never disappears) and point to the
    current one; drafts and submitted reviews are 404.
    """
    review = (
        Review.objects.filter(pk=review_id, state__in=[Review.State.PUBLISHED, Review.State.SUPERSEDED])
        .select_related("claim__article")
        .prefetch_related("evidence")
        .first()
    )
    if review is None:
        raise Http404("No published review with this id.")
    current = review
    json_ld = None
    if review.state == Review.State.PUBLISHED:
        exported = next(iter(exports.exported_claims(Claim.objects.filter(pk=review.claim_id))), None)
        if exported is not None:
            data = json.dumps(exports.claim_review(exported), ensure_ascii=False, indent=2)
            json_ld = mark_safe(data.translate(_SCRIPT_ESCAPES))  # escaped above for a <script> element
    else:
        current = Review.objects.filter(claim_id=review.claim_id, state=Review.State.PUBLISHED).first()
    context = {"review": review, "claim": review.claim, "current": current, "json_ld": json_ld}
    return render(request, "reviews/review_page.html", context)
