"""``ExportedClaim`` records, built from the rows ``reading.py`` reads: the shape every format writes."""

from collections import namedtuple

from reviews.models import RATING_VALUES
from reviews.workflow import EVIDENCE_FIELDS

ExportedClaim = namedtuple("ExportedClaim", ["detail", "article"])
ExportedClaim.__doc__ = """One verified claim: ``detail`` is the API's claim detail (a plain dict);
``article`` the article facts ClaimReview needs besides (publisher, author, published_at, language)."""

# The columns of the rows ``build`` takes, in its order.
CLAIM_COLUMNS = (
    "id",
    "article_id",
    "quote",
    "start",
    "end",
    "claim_reviewed",
    "claimant",
    "claimed_at",
    "check_worthiness",
    "status",
    "verdict",
    "created_at",
    "updated_at",
    "version",
    "article__title",
    "article__url",
    "article__publisher",
    "article__author",
    "article__published_at",
    "article__language",
    "published__id",
    "published__author__username",
    "published__verdict",
    "published__rating_text",
    "published__summary",
    "published__published_at",
)
REVIEW_ID = CLAIM_COLUMNS.index("published__id")
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


def build(claims, tag_rows, evidence_rows, render):
    """ExportedClaims of a batch of claim rows, with the tags and evidence of those claims."""
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
            quote,
            start,
            end,
            claim_reviewed,
            claimant,
            claimed_at,
            check_worthiness,
            status,
            verdict,
            created_at,
            updated_at,
            version,
            article_title,
            article_url,
            article_publisher,
            article_author,
            article_published_at,
            article_language,
            review_id,
            review_author,
            review_verdict,
            rating_text,
            summary,
            published_at,
        ) = row
        detail = {
            "id": claim_id,
            "article": article_id,
            "quote": quote,
            "start": start,
            "end": end,
            "claim_reviewed": claim_reviewed,
            "claimant": claimant,
            "claimed_at": render_date(claimed_at),
            "check_worthiness": float(check_worthiness),
            "status": status,
            "verdict": verdict,
            "tags": tags[claim_id],
            "created_at": render(created_at),
            "updated_at": render(updated_at),
            "version": version,
            "article_title": article_title,
            "article_url": article_url,
            "published_review": {
                "id": review_id,
                "author": review_author,
                "verdict": review_verdict,
                "rating_text": rating_text,
                "rating_value": RATING_VALUES.get(review_verdict),
                "summary": summary,
                "published_at": render(published_at),
                "evidence": evidence[review_id],
            },
        }
        article = {
            "publisher": article_publisher,
            "author": article_author,
            "published_at": render(article_published_at),
            "language": article_language,
        }
        yield ExportedClaim(detail, article)
