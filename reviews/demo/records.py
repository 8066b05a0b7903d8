"""The rows the demo generator writes, as named records whose fields are the tables' columns, in order.

Records are tuples, so they go to ``COPY`` and ``INSERT`` as they are; ``TABLES`` derives the column
lists from the field names.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from claims.models import Article, Claim
from reviews.models import Evidence, Review


class ArticleRow(NamedTuple):
    id: int
    title: str
    url: str
    publisher: str
    author: str
    published_at: datetime
    language: str
    body: str
    content_hash: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime


class ClaimRow(NamedTuple):
    id: int
    article_id: int
    quote: str
    start: int
    end: int
    claim_reviewed: str
    claimant: str
    claimed_at: date
    check_worthiness: float
    status: str
    verdict: str
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime
    version: int
    claimant_entity_id: int | None  # the claimant entity whose name ``claimant`` is (claims.claimants)


class ClaimTagRow(NamedTuple):
    id: int
    claim_id: int
    tag_id: int


class ReviewRow(NamedTuple):
    id: int
    claim_id: int
    author_id: int
    verdict: str
    rating_text: str
    summary: str
    state: str
    editor_comment: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    published_by_id: int | None
    version: int
    record: str | None  # JSON text: reviews.record.snapshot of the claim and article, once published
    first_published_at: datetime | None
    correction: str  # JSON text


class EvidenceRow(NamedTuple):
    id: int
    review_id: int
    url: str
    title: str
    publisher: str
    quote: str
    stance: str
    source_type: str
    published_at: date
    accessed_at: date
    archive_url: str
    added_by_id: int
    created_at: datetime
    updated_at: datetime


@dataclass
class Batch:
    """The rows of one batch, written in one transaction in the order of ``TABLES``."""

    articles: list[ArticleRow] = field(default_factory=list)
    claims: list[ClaimRow] = field(default_factory=list)
    claim_tags: list[ClaimTagRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    evidence: list[EvidenceRow] = field(default_factory=list)


# (model, columns, the Batch attribute holding its rows); parents before children.
TABLES = [
    (Article, ArticleRow._fields, "articles"),
    (Claim, ClaimRow._fields, "claims"),
    (Claim.tags.through, ClaimTagRow._fields, "claim_tags"),
    (Review, ReviewRow._fields, "reviews"),
    (Evidence, EvidenceRow._fields, "evidence"),
]
