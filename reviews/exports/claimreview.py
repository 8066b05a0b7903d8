"""schema.org ClaimReview: one object per published review, and the ``claimreview`` format, a JSON array of them."""

from datetime import datetime
from functools import partial

from django.conf import settings

from claims.claimant_names import claimant_type
from reviews.exports.jsontext import chunks, json_list

# The schema.org type of a claimant (``claims.Claimant.type``): Google reads ``Person`` or ``Organization``;
# ``GovernmentOrganization`` is an ``Organization``.
CLAIMANT_SCHEMA_TYPES = {"person": "Person", "organization": "Organization", "government": "GovernmentOrganization"}


def review_url(claim_id, review_id):
    """The public page of a review, under ``FACTCHECK_PUBLIC_BASE_URL``.

    ``FACTCHECK_REVIEW_URL_TEMPLATE`` (``{base}``, ``{claim_id}``, ``{review_id}``) overrides the shape.
    """
    return review_urls()(claim_id=claim_id, review_id=review_id)


def review_urls():
    """``review_url`` with the settings read once, for use on every row of an export."""
    template = getattr(settings, "FACTCHECK_REVIEW_URL_TEMPLATE", "{base}/reviews/{review_id}/")
    return partial(template.format, base=settings.FACTCHECK_PUBLIC_BASE_URL.rstrip("/"))


def organization():
    """The publishing organisation: the ClaimReview ``author``."""
    return {
        "@type": "Organization",
        "name": settings.FACTCHECK_ORGANIZATION_NAME,
        "url": settings.FACTCHECK_ORGANIZATION_URL,
    }


def claim_review(claim, *, publisher=None, url=None):
    """The schema.org ClaimReview (a dict) of a claim's published review.

    ``datePublished`` is the claim's first publication; a correction adds ``dateModified``, when it
    was published. The claim and its appearance are the published record (``reviews.record``); the
    claimant's type and ``sameAs`` come from its entity as it is now.
    ``publisher`` and ``url`` (from ``organization()`` and ``review_urls()``) save reading settings per claim.
    """
    detail, article = claim
    review = detail["published_review"]
    rating = {"@type": "Rating", "alternateName": review["rating_text"]}
    if review["rating_value"] is not None:
        rating.update(ratingValue=review["rating_value"], bestRating=5, worstRating=1)
    appearance = {"@type": "CreativeWork", "headline": detail["article_title"]}
    if detail["article_url"]:
        appearance["url"] = detail["article_url"]
    if article["published_at"]:
        appearance["datePublished"] = article["published_at"]
    if article["author"]:
        appearance["author"] = {"@type": "Person", "name": article["author"]}
    if article["publisher"]:
        appearance["publisher"] = {"@type": "Organization", "name": article["publisher"]}
    if article["language"]:
        appearance["inLanguage"] = article["language"]
    item = {"@type": "Claim"}
    if detail["claimant"]:
        item["author"] = claimant_author(
            detail["claimant"], article.get("claimant_type"), article.get("claimant_same_as")
        )
    if detail["claimed_at"]:
        item["datePublished"] = detail["claimed_at"]
    others = detail.get("appearances") or []
    if others:
        # A recurring claim (``reviews.matches``): every article it appeared in, the earliest first among equals.
        every = [appearance, *(_appearance(other) for other in others)]
        item["appearance"] = every
        dated = [work for work in every if work.get("datePublished")]
        item["firstAppearance"] = min(dated, key=lambda work: _instant(work["datePublished"])) if dated else every[0]
    else:
        item["appearance"] = appearance
    result = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": (url or review_urls())(claim_id=detail["id"], review_id=review["id"]),
        # The reviewed wording, which publishing requires (reviews.workflow.publish); never the raw quote.
        "claimReviewed": detail["claim_reviewed"],
        "author": publisher or organization(),
        "datePublished": review["first_published_at"],
        "reviewRating": rating,
        "itemReviewed": item,
    }
    if review["date_modified"]:
        result["dateModified"] = review["date_modified"]
    if review["summary"]:
        result["reviewBody"] = review["summary"]
    if review["evidence"]:
        result["citation"] = [_citation(evidence) for evidence in review["evidence"]]
    return result


def claimant_author(name, type=None, same_as=None):
    """The ``itemReviewed.author``: the claimant as a ``Person``, ``Organization`` or ``GovernmentOrganization``
    (its entity's type; guessed from the name for a claim linked to none), with ``sameAs`` when it has links."""
    author = {"@type": CLAIMANT_SCHEMA_TYPES[type or claimant_type(name)], "name": name}
    if same_as:
        author["sameAs"] = list(same_as)
    return author


def _appearance(other):
    """The CreativeWork of another appearance of the claim (an item of the detail's ``appearances``)."""
    work = {"@type": "CreativeWork", "headline": other["article_title"]}
    if other["article_url"]:
        work["url"] = other["article_url"]
    if other["article_published_at"]:
        work["datePublished"] = other["article_published_at"]
    return work


def _instant(text):
    return datetime.fromisoformat(text)


def _citation(evidence):
    work = {"@type": "CreativeWork", "url": evidence["url"]}
    if evidence["title"]:
        work["name"] = evidence["title"]
    if evidence["publisher"]:
        work["publisher"] = {"@type": "Organization", "name": evidence["publisher"]}
    if evidence["published_at"]:
        work["datePublished"] = evidence["published_at"]
    return work


def claim_reviews(claims):
    """The ClaimReview of each of ``claims``, with the settings read once."""
    publisher, url = organization(), review_urls()
    return (claim_review(claim, publisher=publisher, url=url) for claim in claims)


def write_claimreview(claims):
    """A JSON array of ClaimReview objects, one per line."""
    return chunks(json_list("[", claim_reviews(claims), "]\n"))
