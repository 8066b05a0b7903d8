"""The rows of one batch of demo data: articles, their claims and tags, then the claims' reviews."""

from datetime import UTC, datetime, timedelta

from claims.models import Article, Claim, compute_content_hash
from reviews.demo.records import ArticleRow, Batch, ClaimRow, ClaimTagRow
from reviews.demo.reviewing import ClaimToReview, ReviewDesk
from reviews.demo.text import DemoRandom, NewsText, capitalize

TIMELINE_START = datetime(2023, 1, 1, tzinfo=UTC)
TIMELINE_END = datetime(2026, 6, 30, tzinfo=UTC)
# Outcomes reached through reviews; the others are triage decisions and are the claim's status as they are.
REVIEWED_OUTCOMES = (Claim.Status.VERIFIED, Claim.Status.IN_REVIEW)


class Newsroom:
    """Writes plausible news articles with claims at real offsets, and the reviews of those claims.

    Deterministic for a given seed and given ids: the same seed on an empty database gives the same data.
    Ids come from ``next_ids(model, count)`` so that appending to a database never reuses one.
    """

    def __init__(self, *, seed, next_ids, reviewers, editors, tags, total_claims, claimants=None, **shares):
        self.rng = DemoRandom(seed)
        self.next_ids = next_ids
        self.reviewers = reviewers
        self.tags = tags  # name -> id
        self.claimants = claimants or {}  # claimant as the text has it -> (entity id, entity name)
        self.total_claims = total_claims
        self.verified_fraction = shares["verified_fraction"]
        self.in_review_fraction = shares["in_review_fraction"]
        self.claims_per_article = shares["claims_per_article"]
        self.claims_written = 0
        self.text = NewsText(self.rng)
        self.review_desk = ReviewDesk(self.rng, self.text, next_ids=next_ids, reviewers=reviewers, editors=editors)

    def _when(self):
        """A moment on the demo timeline, moving forward as claims are written (ids grow with time)."""
        progress = self.claims_written / max(self.total_claims, 1)
        span = (TIMELINE_END - TIMELINE_START).total_seconds()
        jitter = self.rng.uniform(-86_400, 86_400)
        moment = TIMELINE_START + timedelta(seconds=min(max(progress * span + jitter, 0), span))
        return moment.replace(microsecond=0)

    def _outcome(self):
        """Where a claim ends up: verified or in review (through reviews), or a triage status."""
        roll = self.rng.random()
        if roll < self.verified_fraction:
            return Claim.Status.VERIFIED
        roll -= self.verified_fraction
        if roll < self.in_review_fraction:
            return Claim.Status.IN_REVIEW
        rest = self.rng.random()
        if rest < 0.45:
            return Claim.Status.CANDIDATE
        return Claim.Status.ACCEPTED if rest < 0.8 else Claim.Status.DISMISSED

    def batch(self, claim_count):
        """The rows for the next ``claim_count`` claims and everything that belongs with them."""
        rng = self.rng
        plans, planned = [], 0
        while planned < claim_count:
            size = min(max(1, round(rng.triangular(2, 2 * self.claims_per_article - 2))), claim_count - planned)
            plans.append(size)
            planned += size
        article_ids = iter(self.next_ids(Article, len(plans)))
        claim_ids = iter(self.next_ids(Claim, claim_count))
        batch = Batch()
        to_review = []  # reviewed once all claims (and so all random draws for them) are done
        claim_tags = []
        for size in plans:
            when = self._when()
            article_id = next(article_ids)
            text, quoted_claims = self.text.article(article_id, size, when)
            created = when + timedelta(minutes=rng.randint(5, 600))
            batch.articles.append(
                ArticleRow(
                    id=article_id,
                    title=text.title,
                    url=text.url,
                    publisher=text.publisher,
                    author=text.author,
                    published_at=when,
                    language="en",
                    body=text.body,
                    content_hash=compute_content_hash(text.body),
                    created_by_id=None,
                    created_at=created,
                    updated_at=created,
                )
            )
            for quoted in quoted_claims:
                claim_id = next(claim_ids)
                outcome = self._outcome()
                claim_created = created + timedelta(minutes=rng.randint(1, 240))
                reviewed = outcome in REVIEWED_OUTCOMES
                entity_id, claimant = self.claimants.get(quoted.claimant, (None, quoted.claimant))
                batch.claims.append(
                    ClaimRow(
                        id=claim_id,
                        article_id=article_id,
                        quote=quoted.quote,
                        start=quoted.start,
                        end=quoted.end,
                        # A published review needs the reviewed wording (reviews.workflow.publish).
                        claim_reviewed=(
                            capitalize(quoted.clause) + "."
                            if reviewed and (rng.random() < 0.7 or outcome == Claim.Status.VERIFIED)
                            else ""
                        ),
                        claimant=claimant,
                        claimed_at=when.date(),
                        check_worthiness=round((rng.random() + rng.random()) / 2, 3),
                        # A claim is accepted before it is reviewed; its reviews then decide its status.
                        status=Claim.Status.ACCEPTED if reviewed else outcome,
                        verdict="",
                        created_by_id=rng.choice(self.reviewers) if rng.random() < 0.3 else None,
                        created_at=claim_created,
                        updated_at=claim_created,
                        version=1,
                        claimant_entity_id=entity_id,
                    )
                )
                for name in dict.fromkeys(quoted.tags):
                    claim_tags.append((claim_id, self.tags[name]))
                if reviewed:
                    to_review.append(ClaimToReview(len(batch.claims) - 1, claim_created, outcome))
            self.claims_written += size
        tag_row_ids = self.next_ids(Claim.tags.through, len(claim_tags))
        batch.claim_tags = [ClaimTagRow(row_id, *row) for row_id, row in zip(tag_row_ids, claim_tags, strict=True)]
        self.review_desk.review(batch, to_review)
        return batch
