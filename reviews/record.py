"""The published record: what readers see of a verified claim, fixed by an editor's approval.

When an editor publishes a review, ``workflow.publish`` stores on it a snapshot of the claim and its
article as they are at that moment (``snapshot``). Readers (anonymous API clients, the public review
page, every export) are served that snapshot, never the live rows, so an edit of the claim or the
article reaches them only when an editor publishes the next review of the claim: a correction. The
correction records what it changed (``changes``), which readers see as "Updated on …" and the
ClaimReview as ``dateModified``.
"""

from datetime import UTC, date, datetime

from factcheck.formats import iso_datetime

# What readers see of a claim and of its article; ``snapshot`` keeps exactly these.
CLAIM_FIELDS = ("quote", "start", "end", "claim_reviewed", "claimant", "claimed_at")
ARTICLE_FIELDS = ("title", "url", "publisher", "author", "published_at", "language")
# What readers see of the review itself (with its evidence), compared between two publications.
REVIEW_FIELDS = ("verdict", "rating_text", "summary")
# The ``field`` of a correction's changes (``changes``), in their order.
CORRECTED_FIELDS = (*CLAIM_FIELDS, *(f"article.{name}" for name in ARTICLE_FIELDS), *REVIEW_FIELDS, "evidence")


def snapshot(claim, article):
    """The published record of ``claim`` (in ``article``): a JSON-ready dict, dates as ISO 8601 text."""
    return {
        "quote": claim.quote,
        "start": claim.start,
        "end": claim.end,
        "claim_reviewed": claim.claim_reviewed,
        "claimant": claim.claimant,
        "claimed_at": claim.claimed_at.isoformat() if claim.claimed_at else None,
        "article": {
            "title": article.title,
            "url": article.url,
            "publisher": article.publisher,
            "author": article.author,
            "published_at": iso_datetime(article.published_at, zone=UTC),
            "language": article.language,
        },
    }


def show(claim, record):
    """Set on ``claim``, and on its article when it was loaded with it, what readers see of them: the
    published ``record``. For serving readers only: the instance no longer holds the live row, so it
    must never be saved.
    """
    for name in ("quote", "start", "end", "claim_reviewed", "claimant"):
        setattr(claim, name, record[name])
    claim.claimed_at = date.fromisoformat(record["claimed_at"]) if record["claimed_at"] else None
    if claim._meta.get_field("article").is_cached(claim):
        show_article(claim.article, record["article"])
    return claim


def show_article(article, published):
    """Set on ``article`` what readers see of it: the article part of a published record. Never saved."""
    for name in ("title", "url", "publisher", "author", "language"):
        setattr(article, name, published[name])
    article.published_at = datetime.fromisoformat(published["published_at"]) if published["published_at"] else None
    return article


# How a reader is told what a correction changed (``describe``): a field named alone is "… changed",
# one with ``True`` also shows its old and new value.
CHANGE_LABELS = {
    "verdict": ("Verdict", True),
    "rating_text": ("Rating", True),
    "summary": ("Explanation", False),
    "evidence": ("Evidence", False),
    "quote": ("Quoted passage", False),
    "start": ("Position in the article", False),
    "end": ("Position in the article", False),
    "claim_reviewed": ("Reviewed wording", False),
    "claimant": ("Claimant", True),
    "claimed_at": ("Date of the claim", True),
    "article.title": ("Article title", False),
    "article.url": ("Article URL", False),
    "article.publisher": ("Article publisher", True),
    "article.author": ("Article author", True),
    "article.published_at": ("Article date", False),
    "article.language": ("Article language", True),
}


def describe(correction, verdict_labels=None):
    """What a ``correction`` (a review's list of ``{field, old, new}``) changed, in words for readers, in
    its order, each once: ``"Verdict: False → Mostly false"``, ``"Reviewed wording changed"``.

    ``verdict_labels`` maps verdict values to their labels (``{"false": "False", …}``).
    """
    verdict_labels = verdict_labels or {}
    lines = []
    for change in correction:
        label, with_values = CHANGE_LABELS.get(change["field"], (change["field"], False))
        if change["field"] in ("start", "end") and any(c["field"] == "quote" for c in correction):
            continue  # the new passage is at a new position: saying so once is enough
        if with_values:
            old, new = change["old"], change["new"]
            if change["field"] == "verdict":
                old, new = verdict_labels.get(old, old), verdict_labels.get(new, new)
            line = f"{label}: {old or '(none)'} → {new or '(none)'}"
        else:
            line = f"{label} changed"
        if line not in lines:
            lines.append(line)
    return lines


def _flat(record, review, evidence_urls):
    """Everything readers see of one publication, as ``{field: value}`` (article fields as ``article.<name>``)."""
    flat = {name: record[name] for name in CLAIM_FIELDS}
    flat.update({f"article.{name}": record["article"][name] for name in ARTICLE_FIELDS})
    flat.update({name: getattr(review, name) for name in REVIEW_FIELDS})
    flat["evidence"] = sorted(evidence_urls)
    return flat


def changes(previous, previous_evidence_urls, review, record, evidence_urls):
    """What publishing ``review`` (with ``record``) changes for readers, against the ``previous`` publication.

    A list of ``{"field", "old", "new"}`` in a fixed order; empty when nothing readers see differs.
    """
    old = _flat(previous.record, previous, previous_evidence_urls)
    new = _flat(record, review, evidence_urls)
    return [{"field": name, "old": old[name], "new": new[name]} for name in new if old[name] != new[name]]
