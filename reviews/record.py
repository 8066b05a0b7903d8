"""The published record: what readers see of a verified claim, fixed by an editor's approval.

When an editor publishes a review, ``workflow.publish`` stores on it a snapshot of the claim and its
article as they are at that moment (``snapshot``). Readers (anonymous API clients, the public review
page, every export) are served that snapshot, never the live rows, so an edit of the claim or the
article reaches them only when an editor publishes the next review of the claim: a correction. The
correction records what it changed (``changes``), which readers see as "Updated on …" and the
ClaimReview as ``dateModified``.
"""

from datetime import UTC

from factcheck.formats import iso_datetime

# What readers see of a claim and of its article; ``snapshot`` keeps exactly these.
CLAIM_FIELDS = ("quote", "start", "end", "claim_reviewed", "claimant", "claimed_at")
ARTICLE_FIELDS = ("title", "url", "publisher", "author", "published_at", "language")
# What readers see of the review itself (with its evidence), compared between two publications.
REVIEW_FIELDS = ("verdict", "rating_text", "summary")


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
