"""Reviews and evidence for the demo claims under review or verified, as the workflow would leave them.

Review versions and claim statuses come from ``reviews.workflow`` (``review_version``,
``derive_claim_status``), so the generated rows follow the same rules as reviews written through it.
"""

import json
from datetime import datetime, timedelta
from typing import NamedTuple

from claims.models import Claim
from reviews.demo.records import EvidenceRow, ReviewRow
from reviews.models import Evidence, Review, Verdict
from reviews.record import snapshot
from reviews.workflow import derive_claim_status, review_version

EVIDENCE_SOURCES = [
    ("Official", "stats.gov.example", Evidence.SourceType.DATA, "Monthly statistical bulletin"),
    ("Ministry", "ministry.gov.example", Evidence.SourceType.OFFICIAL, "Official statement"),
    ("Wire service", "wire-service.example", Evidence.SourceType.NEWS, "Field report"),
    ("University", "research.example.edu", Evidence.SourceType.ACADEMIC, "Working paper"),
    ("Interview", "podcast.example", Evidence.SourceType.EXPERT, "Interview with an analyst"),
    ("Social", "social.example", Evidence.SourceType.SOCIAL_MEDIA, "Original post"),
    ("Fact-checkers", "factcheck-network.example", Evidence.SourceType.FACT_CHECK, "Earlier fact-check"),
]
SUMMARIES = {
    "refute": [
        "Official figures for {period} show a far smaller number than claimed.",
        "The only source for the figure is an unverified post; the published data say otherwise.",
        "Records from {place} contradict the statement on every point we could check.",
    ],
    "support": [
        "The figure matches the official data published in {month}.",
        "Two independent sources confirm the statement.",
        "The statistics office's own tables give the same number.",
    ],
    "mixed": [
        "The number is roughly right but leaves out the context that changes its meaning.",
        "Part of the statement is supported by the data; the rest could not be checked.",
        "The claim compares figures that were measured in different ways.",
    ],
}
VERDICT_WEIGHTS = [
    (Verdict.FALSE, 25),
    (Verdict.MOSTLY_FALSE, 15),
    (Verdict.MISLEADING, 14),
    (Verdict.MIXED, 10),
    (Verdict.MOSTLY_TRUE, 13),
    (Verdict.TRUE, 15),
    (Verdict.UNVERIFIABLE, 8),
]
VERDICT_LEANING = {
    Verdict.FALSE: "refute",
    Verdict.MOSTLY_FALSE: "refute",
    Verdict.MISLEADING: "mixed",
    Verdict.MIXED: "mixed",
    Verdict.MOSTLY_TRUE: "support",
    Verdict.TRUE: "support",
    Verdict.UNVERIFIABLE: "mixed",
}
STANCE_FOR = {"refute": Evidence.Stance.REFUTES, "support": Evidence.Stance.SUPPORTS, "mixed": Evidence.Stance.CONTEXT}
EDITOR_COMMENTS = [
    "Please add a primary source for the figure.",
    "The summary should say which data set was used.",
    "Check the date of the second source.",
]


class ClaimToReview(NamedTuple):
    """A claim of the batch (``batch.claims[index]``) that reviews take to ``outcome``."""

    index: int
    created_at: datetime
    outcome: str


class PlannedReview(NamedTuple):
    state: str
    created_at: datetime
    submitted_at: datetime | None
    published_at: datetime | None
    verdict: str


class ReviewDesk:
    """Writes the reviews of claims and the evidence they cite; draws from the newsroom's ``rng``."""

    def __init__(self, rng, text, *, next_ids, reviewers, editors):
        self.rng = rng
        self.text = text
        self.next_ids = next_ids
        self.reviewers = reviewers
        self.editors = editors
        self._verdicts, self._verdict_weights = zip(*VERDICT_WEIGHTS, strict=True)

    def review(self, batch, claims):
        """Add reviews and evidence for ``claims`` to ``batch``; their claims' status and verdict follow."""
        rng = self.rng
        plans = [(claim, self._plan(claim)) for claim in claims]
        review_ids = iter(self.next_ids(Review, sum(len(reviews) for _, reviews in plans)))
        evidence_plan = []  # (review id, author, created, leaning, count) until evidence ids are known
        articles = {article.id: article for article in batch.articles}
        for claim, reviews in plans:
            row = batch.claims[claim.index]
            last_change, published_verdict, active = row.updated_at, None, False
            record = json.dumps(snapshot(row, articles[row.article_id]))
            first_published = next((planned.published_at for planned in reviews if planned.published_at), None)
            previous = None  # (verdict, summary) of the last review published
            for planned in reviews:
                review_id = next(review_ids)
                author = rng.choice(self.reviewers)
                returned = planned.state == Review.State.DRAFT and planned.submitted_at is not None
                updated = planned.published_at or planned.submitted_at or planned.created_at
                leaning = VERDICT_LEANING[planned.verdict]
                summary = self._summary(leaning) + " " + self._summary(leaning)
                correction = []
                if planned.published_at and previous is not None:  # a correction: what readers see changed
                    correction = [
                        {"field": name, "old": old, "new": new}
                        for name, old, new in (
                            ("verdict", previous[0], planned.verdict),
                            ("summary", previous[1], summary),
                        )
                        if old != new
                    ]
                if planned.published_at:
                    previous = (planned.verdict, summary)
                batch.reviews.append(
                    ReviewRow(
                        id=review_id,
                        claim_id=row.id,
                        author_id=author,
                        verdict=planned.verdict,
                        rating_text=Verdict(planned.verdict).label,
                        summary=summary,
                        state=planned.state,
                        editor_comment=rng.choice(EDITOR_COMMENTS) if returned else "",
                        created_at=planned.created_at,
                        updated_at=updated,
                        submitted_at=planned.submitted_at,
                        published_at=planned.published_at,
                        published_by_id=rng.choice(self.editors) if planned.published_at else None,
                        version=review_version(planned.state, times_returned=int(returned)),
                        record=record if planned.published_at else None,
                        first_published_at=first_published if planned.published_at else None,
                        correction=json.dumps(correction),
                    )
                )
                if planned.state == Review.State.PUBLISHED:
                    published_verdict = planned.verdict
                active = active or planned.state in (Review.State.DRAFT, Review.State.SUBMITTED)
                last_change = max(last_change, updated)
                # Submitting needs evidence (reviews.workflow.submit); drafts may have none yet.
                count = rng.randint(1, 3) if planned.submitted_at else rng.randint(0, 2)
                evidence_plan.append((review_id, author, planned.created_at, leaning, count))
            status, verdict = derive_claim_status(row.status, published_verdict, active)
            batch.claims[claim.index] = row._replace(status=status, verdict=verdict, updated_at=last_change)
        self._evidence(batch, evidence_plan)

    def _plan(self, claim):
        """The reviews taking ``claim`` to its outcome: one published (sometimes after a superseded one) or one open."""
        rng = self.rng
        created = claim.created_at + timedelta(hours=rng.randint(1, 72))
        if claim.outcome != Claim.Status.VERIFIED:
            state = Review.State.SUBMITTED if rng.random() < 0.4 else Review.State.DRAFT
            return [self._times(state, created)]
        reviews = []
        if rng.random() < 0.12:  # corrected later: the first verdict was superseded
            reviews.append(self._times(Review.State.SUPERSEDED, created))
            created = reviews[-1].published_at + timedelta(days=rng.randint(1, 60))
        reviews.append(self._times(Review.State.PUBLISHED, created))
        if rng.random() < 0.04:  # a further correction in progress
            reviews.append(self._times(Review.State.DRAFT, reviews[-1].published_at + timedelta(days=3)))
        return reviews

    def _times(self, state, created):
        rng = self.rng
        verdict = rng.choices(self._verdicts, self._verdict_weights)[0]
        submitted = published = None
        if state != Review.State.DRAFT or rng.random() < 0.2:  # some drafts were returned by an editor
            submitted = created + timedelta(hours=rng.randint(1, 96))
        if state in (Review.State.PUBLISHED, Review.State.SUPERSEDED):
            published = submitted + timedelta(hours=rng.randint(1, 48))
        return PlannedReview(state, created, submitted, published, verdict)

    def _summary(self, leaning):
        return self.text.fill(self.rng.choice(SUMMARIES[leaning]))

    def _evidence(self, batch, plan):
        rng = self.rng
        evidence_ids = iter(self.next_ids(Evidence, sum(count for *_, count in plan)))
        for review_id, author, created, leaning, count in plan:
            for number in range(count):
                evidence_id = next(evidence_ids)
                publisher, domain, source_type, title = rng.choice(EVIDENCE_SOURCES)
                url = f"https://{domain}/{rng.choice(['reports', 'news', 'data', 'posts'])}/{review_id}-{number + 1}"
                published = (created - timedelta(days=rng.randint(1, 400))).date()
                archive = f"https://web.archive.org/web/{created:%Y%m%d%H%M%S}/{url}" if rng.random() < 0.3 else ""
                stance = STANCE_FOR[leaning] if rng.random() < 0.8 else Evidence.Stance.CONTEXT
                added = created + timedelta(minutes=rng.randint(1, 600))
                batch.evidence.append(
                    EvidenceRow(
                        id=evidence_id,
                        review_id=review_id,
                        url=url,
                        title=f"{title}, {published:%B %Y}",
                        publisher=publisher,
                        quote=self.text.filler(),
                        stance=stance,
                        source_type=source_type,
                        published_at=published,
                        accessed_at=created.date(),
                        archive_url=archive,
                        added_by_id=author,
                        created_at=added,
                        updated_at=added,
                    )
                )
