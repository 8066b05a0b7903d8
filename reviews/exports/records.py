"""``ExportedClaim`` records, built from the rows ``reading.py`` reads: the shape every format writes."""

from collections import namedtuple

from reviews.exports.jsontext import loads
from reviews.models import RATING_VALUES
from reviews.workflow import EVIDENCE_FIELDS

ExportedClaim = namedtuple("ExportedClaim", ["detail", "article"])
ExportedClaim.__doc__ = """One verified claim: ``detail`` is the API's claim detail (a plain dict);
``article`` the article facts ClaimReview needs besides (publisher, author, published_at, language)."""

# The columns of the rows ``build`` takes, in its order. What readers see of the claim and its article
# (``reviews.record``: quote, offsets, wording, claimant, date; title, URL, publisher, author, date,
# language) is the published review's ``record``, one JSON column read as text, never the live rows:
# an edit of the claim reaches an export only with the correction an editor publishes.
CLAIM_COLUMNS = (
    "id",
    "article_id",
    "check_worthiness",
    "status",
    "verdict",
    "created_at",
    "updated_at",
    "version",
    "published__record",
    "published__id",
    "published__author__username",
    "published__verdict",
    "published__rating_text",
    "published__summary",
    "published__published_at",
    "published__first_published_at",
    "published__correction",
    # The claimant entity, live (not part of the published record): its id, and what ClaimReview types
    # its author with (claims.Claimant.type, same_as). Read by name below, not unpacked with the rest.
    "claimant_entity_id",
    "claimant_entity__type",
    "claimant_entity__same_as",
)
JSON_COLUMNS = {"published__record", "published__correction", "claimant_entity__same_as"}
REVIEW_ID = CLAIM_COLUMNS.index("published__id")
CLAIMANT_ID = CLAIM_COLUMNS.index("claimant_entity_id")
CLAIMANT_TYPE = CLAIM_COLUMNS.index("claimant_entity__type")
CLAIMANT_SAME_AS = CLAIM_COLUMNS.index("claimant_entity__same_as")
EVIDENCE_COLUMNS = (
    "review_id",
    "id",
    *EVIDENCE_FIELDS,
    "added_by__username",
    "created_at",
    "updated_at",
)


def render_date(value):
    return value.isoformat() if value else None


def appearances_of(claims, appearance_rows, render_text):
    """{claim id: [its appearances as the API lists them]} from ``reading.appearance_rows``: one entry per
    claim exported (a claim verified on its own review), its appearances from their published records."""
    appearances = {row[0]: [] for row in claims}
    for reviewed_id, claim_id, article_id, shown in appearance_rows:
        if reviewed_id not in appearances:
            continue
        shown = loads(shown)
        article = shown["article"]
        appearances[reviewed_id].append(
            {
                "claim": claim_id,
                "article": article_id,
                "quote": shown["quote"],
                "article_title": article["title"],
                "article_url": article["url"],
                "article_published_at": render_text(article["published_at"]),
            }
        )
    return appearances


def build(claims, tag_rows, evidence_rows, render, render_text, appearance_rows=()):
    """ExportedClaims of a batch of claim rows, with the tags, evidence and appearances of those claims.

    ``render`` writes a timestamp column as read; ``render_text`` a timestamp of the record (ISO 8601
    text in UTC) in the export's time zone. An export holds one entry per reviewed claim: its
    appearances (``reviews.matches``) are listed in it, never exported on their own.
    """
    appearances = appearances_of(claims, appearance_rows, render_text)
    tags = {row[0]: [] for row in claims}
    for claim_id, name in tag_rows:
        if claim_id in tags:  # a claim verified since the batch was read is in the next export
            tags[claim_id].append(name)
    evidence = {row[REVIEW_ID]: [] for row in claims}
    for row in evidence_rows:
        if row[0] not in evidence:
            continue
        evidence[row[0]].append(
            {
                "id": row[1],
                "review": row[0],
                "url": row[2],
                "title": row[3],
                "publisher": row[4],
                "quote": row[5],
                "stance": row[6],
                "source_type": row[7],
                "published_at": render_date(row[8]),
                "accessed_at": render_date(row[9]),
                "archive_url": row[10],
                "added_by": row[11],
                "created_at": render(row[12]),
                "updated_at": render(row[13]),
            }
        )

    for row in claims:
        (
            claim_id,
            article_id,
            check_worthiness,
            status,
            verdict,
            created_at,
            updated_at,
            version,
            record,
            review_id,
            review_author,
            review_verdict,
            rating_text,
            summary,
            published_at,
            first_published_at,
            correction,
        ) = row[:CLAIMANT_ID]
        record = loads(record)
        published = record["article"]
        published_at = render(published_at)
        first_published_at = render(first_published_at)
        detail = {
            "id": claim_id,
            "article": article_id,
            "quote": record["quote"],
            "start": record["start"],
            "end": record["end"],
            "claim_reviewed": record["claim_reviewed"],
            "claimant": record["claimant"],
            "claimant_id": row[CLAIMANT_ID],
            "claimed_at": record["claimed_at"],
            "check_worthiness": float(check_worthiness),
            "status": status,
            "verdict": verdict,
            "matched_to": None,  # a claim with a review of its own is no appearance
            "tags": tags[claim_id],
            "created_at": render(created_at),
            "updated_at": render(updated_at),
            "version": version,
            "article_title": published["title"],
            "article_url": published["url"],
            "published_review": {
                "id": review_id,
                "author": review_author,
                "verdict": review_verdict,
                "rating_text": rating_text,
                "rating_value": RATING_VALUES.get(review_verdict),
                "summary": summary,
                "published_at": published_at,
                "first_published_at": first_published_at,
                # A correction is published after the claim's first publication (see Review.date_modified).
                "date_modified": published_at if published_at != first_published_at else None,
                "correction": [] if correction == "[]" else loads(correction),  # most are first publications
                "evidence": evidence[review_id],
            },
            "appearances": appearances[claim_id],
        }
        article = {
            "publisher": published["publisher"],
            "author": published["author"],
            "published_at": render_text(published["published_at"]),
            "language": published["language"],
            # The claimant entity as it is now (a merge or an edit shows at once): ClaimReview's author type
            # and sameAs. The name stays the published record's.
            "claimant_type": row[CLAIMANT_TYPE],
            "claimant_same_as": [] if row[CLAIMANT_SAME_AS] in (None, "[]") else loads(row[CLAIMANT_SAME_AS]),
        }
        yield ExportedClaim(detail, article)
