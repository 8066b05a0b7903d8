"""Google's requirements for ClaimReview structured data, as a validator for the tests.

Encoded from Google Search Central's "Fact check (ClaimReview) structured data" page
(developers.google.com/search/docs/appearance/structured-data/factcheck), its type definitions:

- ClaimReview, required: ``claimReviewed`` (Text: a short summary of the claim, which must not carry the
  rating), ``reviewRating`` (Rating), ``url`` (URL of the page with the full fact check); recommended:
  ``author`` (the publishing Organization, with its ``name``), ``datePublished`` (ISO 8601),
  ``itemReviewed`` (Claim).
- Rating, required: ``alternateName`` (the textual verdict, the one shown in results); recommended:
  ``ratingValue``, ``bestRating``, ``worstRating``, numbers, with worst ≤ value ≤ best when numeric.
- Claim, recommended: ``author`` (Organization or Person, with its ``name``), ``datePublished``,
  ``appearance`` and ``firstAppearance`` (URL or CreativeWork, with its ``url`` when known).
- JSON-LD: ``@context`` schema.org, an ``@type`` on every object.

The recommended properties are held as strictly as the required ones here: this service always knows
them. ``problems(item)`` returns what breaks a rule, as text; an empty list is a valid ClaimReview. Kept
next to the tests (not in the app): it checks the output, it does not make it.
"""

from datetime import date, datetime
from urllib.parse import urlsplit

SCHEMA_CONTEXTS = {"https://schema.org", "http://schema.org", "https://schema.org/", "http://schema.org/"}
ORGANIZATION_TYPES = {"Organization", "GovernmentOrganization", "NewsMediaOrganization", "NGO", "Corporation"}
CLAIM_AUTHOR_TYPES = {"Person", *ORGANIZATION_TYPES}
# A rating put in claimReviewed instead of reviewRating ("False: …"), which the guidelines forbid.
RATING_WORDS = ("true", "false", "mostly true", "mostly false", "misleading", "half true", "mixed", "unverifiable")


def _url(value):
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _iso(value, *, date_only=False):
    if not isinstance(value, str) or not value:
        return False
    try:
        if date_only and len(value) == 10:
            date.fromisoformat(value)
        else:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _named(thing, types, where):
    found = []
    if not isinstance(thing, dict):
        return [f"{where}: not an object"]
    if thing.get("@type") not in types:
        found.append(f"{where}.@type: {thing.get('@type')!r} is not one of {sorted(types)}")
    if not isinstance(thing.get("name"), str) or not thing["name"].strip():
        found.append(f"{where}.name: missing or empty")
    for link in thing.get("sameAs", []) if isinstance(thing.get("sameAs"), list) else [thing.get("sameAs")]:
        if link is not None and not _url(link):
            found.append(f"{where}.sameAs: {link!r} is not a URL")
    return found


def _rating(rating):
    found = []
    if not isinstance(rating, dict) or rating.get("@type") != "Rating":
        return ["reviewRating: not a Rating"]
    if not isinstance(rating.get("alternateName"), str) or not rating["alternateName"].strip():
        found.append("reviewRating.alternateName: required, the textual rating")
    numbers = {name: rating.get(name) for name in ("ratingValue", "bestRating", "worstRating")}
    given = {name: value for name, value in numbers.items() if value is not None}
    if given:
        if set(given) != set(numbers):
            found.append(f"reviewRating: ratingValue, bestRating and worstRating go together (got {sorted(given)})")
        elif not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in given.values()):
            found.append("reviewRating: ratingValue, bestRating and worstRating must be numbers")
        elif not numbers["worstRating"] <= numbers["ratingValue"] <= numbers["bestRating"]:
            found.append("reviewRating: ratingValue must lie between worstRating and bestRating")
    return found


def _appearance(work, where):
    if isinstance(work, str):
        return [] if _url(work) else [f"{where}: {work!r} is not a URL"]
    if not isinstance(work, dict) or work.get("@type") not in {"CreativeWork", "NewsArticle", "Article", "WebPage"}:
        return [f"{where}: neither a URL nor a CreativeWork"]
    found = []
    if "url" in work and not _url(work["url"]):
        found.append(f"{where}.url: {work['url']!r} is not a URL")
    if "datePublished" in work and not _iso(work["datePublished"]):
        found.append(f"{where}.datePublished: not ISO 8601")
    return found


def problems(item, *, article_urls=()):
    """What makes ``item`` (a parsed ClaimReview) fall short of Google's rules. ``article_urls``: the
    appearances known to have a URL, which must then carry it."""
    found = []
    if item.get("@context") not in SCHEMA_CONTEXTS:
        found.append(f"@context: {item.get('@context')!r} is not schema.org")
    if item.get("@type") != "ClaimReview":
        found.append("@type: not ClaimReview")
    reviewed = item.get("claimReviewed")
    if not isinstance(reviewed, str) or not reviewed.strip():
        found.append("claimReviewed: required, non-empty text")
    elif reviewed.strip().lower().rstrip(".") in RATING_WORDS:
        found.append("claimReviewed: is a rating, not the claim")
    if not _url(item.get("url")):
        found.append("url: required, an absolute http(s) URL")
    found += _rating(item.get("reviewRating"))
    found += _named(item.get("author"), ORGANIZATION_TYPES, "author")
    if not _iso(item.get("datePublished")):
        found.append("datePublished: required here, ISO 8601")
    if "dateModified" in item and not _iso(item["dateModified"]):
        found.append("dateModified: not ISO 8601")
    claim = item.get("itemReviewed")
    if not isinstance(claim, dict) or claim.get("@type") != "Claim":
        return [*found, "itemReviewed: not a Claim"]
    if "author" in claim:
        found += _named(claim["author"], CLAIM_AUTHOR_TYPES, "itemReviewed.author")
    if "datePublished" in claim and not _iso(claim["datePublished"], date_only=True):
        found.append("itemReviewed.datePublished: not ISO 8601")
    appearances = claim.get("appearance")
    appearances = appearances if isinstance(appearances, list) else [appearances] if appearances else []
    if not appearances and "firstAppearance" not in claim:
        found.append("itemReviewed: neither appearance nor firstAppearance")
    for index, work in enumerate(appearances):
        found += _appearance(work, f"itemReviewed.appearance[{index}]")
    if "firstAppearance" in claim:
        found += _appearance(claim["firstAppearance"], "itemReviewed.firstAppearance")
    urls = {work.get("url") if isinstance(work, dict) else work for work in appearances}
    if "firstAppearance" in claim:
        first = claim["firstAppearance"]
        urls.add(first.get("url") if isinstance(first, dict) else first)
    for url in article_urls:
        if url not in urls:
            found.append(f"itemReviewed: the known appearance {url} is not listed with its url")
    return found
