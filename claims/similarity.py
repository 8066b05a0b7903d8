"""Near-duplicate claims: which stored claims say nearly the same thing as a text."""

import re
from difflib import SequenceMatcher

WORD = re.compile(r"\w+", re.UNICODE)


def similar_claims(text, queryset, *, limit=10, exclude=None):
    """The claims in ``queryset`` most similar to ``text``, as ``[{"claim": …, "score": …}]``."""
    words = sorted({w.lower() for w in WORD.findall(text) if len(w) > 3}, key=len, reverse=True)[:5]
    if not words:
        return []
    from django.db.models import Q

    condition = Q()
    for word in words:
        condition |= Q(quote__icontains=word)
    candidates = queryset.filter(condition)
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude)
    scored = []
    for claim in candidates.with_related()[:500]:
        score = SequenceMatcher(None, text.lower(), (claim.claim_reviewed or claim.quote).lower()).ratio()
        if score >= 0.3:
            scored.append({"claim": claim, "score": round(score, 4)})
    scored.sort(key=lambda match: match["score"], reverse=True)
    return scored[:limit]
