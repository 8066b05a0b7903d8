"""Fill the database fast with realistic demo data: articles, claims, tags, reviews and evidence.

Rows are written in batches, each in its own transaction: with ``COPY … FROM STDIN`` on PostgreSQL and
multi-row ``INSERT``s elsewhere. Model ``save()``, signals and django-simple-history are bypassed, so
bulk demo data has no history rows. Every invariant the database enforces still holds (the quote
triggers, one published review per claim, …) and claim statuses follow their reviews exactly as
``reviews.workflow.sync_claim_status`` would derive them.
"""

import queue
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.text import slugify

from claims.models import Article, Claim, Tag, compute_content_hash
from factcheck.roles import EDITORS, REVIEWERS
from reviews.models import Evidence, Review, Verdict

# --- Vocabulary --------------------------------------------------------------------------------
# Place names carry non-ASCII letters on purpose: offsets count characters, not bytes.
PLACES = [
    "Kharkiv", "Izium", "Kupiansk", "Balakliia", "Zaporizhzhia", "Dnipro", "Kyiv", "Lviv", "Odesa",
    "Mykolaiv", "Kherson", "Donetsk", "Bakhmut", "Sumy", "Chernihiv", "Poltava", "Kraków", "Łódź",
    "Gdańsk", "Brno", "Ústí nad Labem", "Zürich", "Malmö", "Besançon", "Kraljevo", "Tiraspol",
    "Chișinău", "Iași", "Győr", "Tallinn", "Tartu", "Vilnius", "Rīga", "Reykjavík", "São Paulo",
    "Bogotá", "Córdoba", "Montréal", "the capital", "the border region", "the eastern provinces",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip
PERIODS = [
    "two days", "three days", "a week", "ten days", "a fortnight", "a month", "six weeks",
    "three months", "the first quarter", "the past year", "48 hours", "the weekend",
]  # fmt: skip
YEARS = [str(year) for year in range(1991, 2025)]

# (subject as written in a sentence, claimant as stored)
SPEAKERS = {
    "military": [
        ("the Ministry of Defence", "Ministry of Defence"),
        ("the General Staff", "General Staff"),
        ("President Volodymyr Zelenskyy", "Volodymyr Zelenskyy"),
        ("the Kremlin", "Kremlin"),
        ("a military spokesman", "Military spokesman"),
        ("the regional governor", "Regional governor"),
        ("the Institute for the Study of War", "Institute for the Study of War"),
    ],
    "economy": [
        ("the central bank", "Central bank"),
        ("the finance minister", "Finance minister"),
        ("the national statistics office", "National statistics office"),
        ("the prime minister", "Prime minister"),
        ("the opposition leader", "Opposition leader"),
        ("the chamber of commerce", "Chamber of commerce"),
    ],
    "energy": [
        ("the energy ministry", "Energy ministry"),
        ("the grid operator", "Grid operator"),
        ("the state gas company", "State gas company"),
        ("the deputy prime minister", "Deputy prime minister"),
    ],
    "health": [
        ("the health ministry", "Health ministry"),
        ("the World Health Organization", "World Health Organization"),
        ("a hospital director", "Hospital director"),
        ("the chief medical officer", "Chief medical officer"),
    ],
    "migration": [
        ("the UN refugee agency", "UNHCR"),
        ("the border guard service", "Border guard service"),
        ("the interior minister", "Interior minister"),
        ("a viral social media post", "Social media post"),
    ],
    "infrastructure": [
        ("the infrastructure ministry", "Infrastructure ministry"),
        ("the state railway company", "State railway company"),
        ("the mayor", "Mayor"),
        ("local officials", "Local officials"),
    ],
    "politics": [
        ("the electoral commission", "Electoral commission"),
        ("the president's office", "President's office"),
        ("an opposition lawmaker", "Opposition lawmaker"),
        ("the governing party", "Governing party"),
        ("a widely shared video", "Social media video"),
    ],
    "climate": [
        ("the weather service", "Weather service"),
        ("the environment minister", "Environment minister"),
        ("a climate research institute", "Climate research institute"),
    ],
}

# (topic, tags, clause); slots: {place} {n} {pct} {period} {month} {year} {money} {weekday}
CLAIM_CLAUSES = [
    ("military", ["military", "casualties"], "{n} soldiers were killed near {place} in {period}"),
    ("military", ["military"], "troops liberated more than {small} towns and villages in {period}"),
    ("military", ["military", "equipment"], "{n} armoured vehicles and artillery pieces were destroyed near {place}"),
    ("military", ["military"], "forces around {place} were “regrouped” to reinforce the front in the east"),
    ("military", ["military", "casualties"], "{n} civilians have been killed in {place} since {month}"),
    ("military", ["military", "drones"], "air defences shot down {small} of {small2} drones launched overnight"),
    ("military", ["military"], "the front line had moved {small} kilometres east of {place} in {period}"),
    ("economy", ["economy", "inflation"], "inflation fell to {pct} in {month}, the lowest level since {year}"),
    ("economy", ["economy"], "the economy grew by {pct} in the first quarter"),
    ("economy", ["economy", "jobs"], "unemployment rose to {pct}, the highest level since {year}"),
    ("economy", ["economy", "food-prices"], "the price of bread has risen by {pct} since {month}"),
    ("economy", ["economy", "budget"], "the government spent {money} on pensions in {year}"),
    ("economy", ["economy", "wages"], "average wages in {place} are {pct} higher than a year ago"),
    ("economy", ["economy", "trade"], "grain exports through {place} reached {n} tonnes in {month}"),
    ("energy", ["energy"], "{n} megawatts of generating capacity were restored in {place} in {period}"),
    ("energy", ["energy", "gas"], "gas storage facilities are {pct} full ahead of the winter"),
    ("energy", ["energy"], "power was cut to {n} households in {place} after the strike on {weekday}"),
    ("energy", ["energy", "prices"], "household electricity bills have doubled since {year}"),
    ("health", ["health"], "{n} people were treated for injuries in hospitals in {place}"),
    ("health", ["health", "vaccines"], "vaccination rates among adults reached {pct} in {month}"),
    ("health", ["health"], "waiting times for surgery in {place} have fallen by {pct}"),
    ("health", ["health"], "{small} hospitals in the region were damaged in {period}"),
    ("migration", ["migration", "refugees"], "{n} refugees crossed the border at {place} in {period}"),
    ("migration", ["migration"], "{pct} of those who fled have returned to {place}"),
    ("migration", ["migration", "refugees"], "the number of asylum applications doubled in {year}"),
    ("infrastructure", ["infrastructure", "transport"], "the railway bridge at {place} was destroyed on {weekday}"),
    ("infrastructure", ["infrastructure"], "{n} kilometres of road were repaired in {year}"),
    ("infrastructure", ["infrastructure", "transport"], "trains between {place} and {place2} run again"),
    ("infrastructure", ["infrastructure", "housing"], "{n} homes in {place} were left without heating"),
    ("politics", ["politics", "elections"], "turnout in {place} was {pct}, up from {pct2} at the last election"),
    ("politics", ["politics"], "the new law was passed with {small} votes in favour"),
    ("politics", ["politics", "corruption"], "{money} in aid was diverted by officials in {place}"),
    ("politics", ["politics", "elections"], "{n} ballots were declared invalid in {place}"),
    ("climate", ["climate"], "temperatures in {place} reached {small} degrees, a record for {month}"),
    ("climate", ["climate", "floods"], "the floods in {place} were the worst since {year}"),
    ("climate", ["climate"], "emissions fell by {pct} in {year}"),
]
ATTRIBUTIONS = [
    # (sentence pattern, whether the quote is the capitalised clause); {S} subject, {C} clause
    ("{S} said on {weekday} that {C}.", False),
    ("According to {s}, {C}.", False),
    ("“{C},” {s} said in a statement.", True),
    ("{S} claimed that {C}, a figure that could not be independently verified.", False),
    ("In a post on social media, {s} wrote that {C}.", False),
    ("{C}, {s} told reporters on {weekday}.", True),
    ("{S} insisted that {C}.", False),
]
FILLER = [
    "The statement did not give further details.",
    "Independent verification of the figures was not immediately possible.",
    "Journalists were not allowed to visit the area.",
    "The claim was repeated by several accounts with large followings on {weekday}.",
    "The situation remains tense, according to people who spoke on condition of anonymity.",
    "Satellite images taken on {weekday} show damage to several buildings in {place}.",
    "The figures could not be reconciled with those published by the statistics office in {month}.",
    "A spokesperson said a fuller account would be published within {period}.",
    "The issue has become a central theme of the campaign.",
    "Similar claims circulated widely in {month} {year}.",
    "The ministry's website was briefly unavailable on {weekday}.",
    "Diplomats described the talks as “frank but constructive.”",
    "Some of the footage shared online was later found to date from {year}.",
    "{Place} has been under a night-time curfew since {month}.",
    "Schools in {place} moved to remote teaching for {period}.",
    "Prices for basic goods in {place} have been volatile for months.",
]
FILLER_SUBJECTS = [
    "Residents of {place}", "Officials in {place}", "Aid workers", "Local journalists", "Analysts",
    "Diplomats", "Farmers in the region", "Teachers in {place}", "Volunteers", "Shop owners in {place}",
    "Opposition figures", "Economists", "Doctors at the main hospital", "Railway workers", "Several witnesses",
    "Human rights groups", "Two senior lawmakers", "Independent observers",
]  # fmt: skip
FILLER_PREDICATES = [
    "described long queues at the few shops that remained open",
    "said the situation had barely changed since {month}",
    "declined to comment on the figures",
    "cautioned that early estimates are often revised",
    "called for a parliamentary inquiry into the numbers",
    "said they had heard explosions late on {weekday}",
    "pointed out that the same figure had been published in {year}",
    "questioned how the numbers had been collected",
    "said access to {place} remained difficult",
    "have repeatedly called for safe access to the area",
    "said prices had risen sharply over {period}",
    "expect more detailed data within {period}",
    "noted that the official methodology changed in {year}",
    "said the harvest came in late this year",
    "reported power cuts lasting several hours",
    "described the mood as anxious but calm",
    "said the numbers were being used for political ends",
    "asked the government to publish the underlying data",
]  # fmt: skip
PUBLISHERS = [
    ("Northern Herald", "northern-herald.example"),
    ("Kyiv Ledger", "kyiv-ledger.example"),
    ("Baltic Courier", "baltic-courier.example"),
    ("The Danube Post", "danube-post.example"),
    ("Eastern Wire", "eastern-wire.example"),
    ("Metro Daily", "metro-daily.example"),
    ("Radio Free Plains", "radio-free-plains.example"),
    ("The Civic Observer", "civic-observer.example"),
]
FIRST_NAMES = ["Olena", "Andriy", "Maria", "Piotr", "Sofia", "Tomás", "Ingrid", "Jonas", "Aylin", "Dmytro", "Chloé"]
LAST_NAMES = ["Kovalenko", "Nowak", "Svensson", "Horváth", "Moreau", "Petrenko", "Jansen", "Ionescu", "Müller"]
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
PLACE_TAGS = {
    place: place.lower()
    for place in [
        "Kharkiv",
        "Izium",
        "Kupiansk",
        "Zaporizhzhia",
        "Dnipro",
        "Kyiv",
        "Lviv",
        "Odesa",
        "Kherson",
        "Bakhmut",
    ]
}
TAG_NAMES = sorted({tag for _, tags, _ in CLAIM_CLAUSES for tag in tags} | set(PLACE_TAGS.values()))

TIMELINE_START = datetime(2023, 1, 1, tzinfo=UTC)
TIMELINE_END = datetime(2026, 6, 30, tzinfo=UTC)
FILLER_POOL_SIZE = 5000
DEMO_REVIEWERS = 20
DEMO_EDITORS = 5


def _capitalize(text):
    return text[:1].upper() + text[1:]


class DemoRandom(random.Random):
    """``random.Random`` with cheaper ``choice``/``randint`` (float scaling): demo data needs speed, not rigour."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))


class _Slots(dict):
    """Template slots drawn on first use, so a template costs only the draws it needs."""

    def __init__(self, newsroom):
        super().__init__()
        self.newsroom = newsroom

    def __missing__(self, slot):
        rng = self.newsroom.rng
        if slot in ("place", "place2"):
            value = rng.choice(PLACES)
        elif slot == "Place":
            value = _capitalize(rng.choice(PLACES))
        elif slot == "n":
            value = self.newsroom._number()
        elif slot == "small":
            value = rng.randint(2, 60)
        elif slot == "small2":
            value = rng.randint(61, 120)
        elif slot == "pct":
            value = f"{rng.randint(1, 40)}.{rng.randint(0, 9)}%"
        elif slot == "pct2":
            value = f"{rng.randint(1, 40)}%"
        elif slot == "period":
            value = rng.choice(PERIODS)
        elif slot == "month":
            value = rng.choice(MONTHS)
        elif slot == "year":
            value = rng.choice(YEARS)
        elif slot == "money":
            value = f"{rng.choice('€$£')}{rng.randint(2, 900)} {rng.choice(['million', 'billion'])}"
        elif slot == "weekday":
            value = rng.choice(WEEKDAYS)
        else:
            raise KeyError(slot)
        self[slot] = value
        return value


@dataclass
class Batch:
    """The rows of one batch, as tuples in the column order of ``TABLES``."""

    articles: list = field(default_factory=list)
    claims: list = field(default_factory=list)
    claim_tags: list = field(default_factory=list)
    reviews: list = field(default_factory=list)
    evidence: list = field(default_factory=list)


ARTICLE_COLUMNS = [
    "id", "title", "url", "publisher", "author", "published_at", "language", "body", "content_hash",
    "created_by_id", "created_at", "updated_at",
]  # fmt: skip
CLAIM_COLUMNS = [
    "id", "article_id", "quote", "start", "end", "claim_reviewed", "claimant", "claimed_at", "check_worthiness",
    "status", "verdict", "created_by_id", "created_at", "updated_at", "version",
]  # fmt: skip
CLAIM_TAG_COLUMNS = ["id", "claim_id", "tag_id"]
REVIEW_COLUMNS = [
    "id", "claim_id", "author_id", "verdict", "rating_text", "summary", "state", "editor_comment", "created_at",
    "updated_at", "submitted_at", "published_at", "published_by_id", "version",
]  # fmt: skip
EVIDENCE_COLUMNS = [
    "id", "review_id", "url", "title", "publisher", "quote", "stance", "source_type", "published_at",
    "accessed_at", "archive_url", "added_by_id", "created_at", "updated_at",
]  # fmt: skip


class Newsroom:
    """Writes plausible news articles with claims at real offsets, and the reviews of those claims.

    Deterministic for a given seed and given ids: the same seed on an empty database gives the same data.
    Ids come from ``next_ids(model, count)`` so that appending to a database never reuses one.
    """

    def __init__(self, *, seed, next_ids, reviewers, editors, tags, total_claims, **shares):
        self.rng = DemoRandom(seed)
        self.next_ids = next_ids
        self.reviewers = reviewers
        self.editors = editors
        self.tags = tags  # name -> id
        self.total_claims = total_claims
        self.verified_fraction = shares["verified_fraction"]
        self.in_review_fraction = shares["in_review_fraction"]
        self.claims_per_article = shares["claims_per_article"]
        self.claims_written = 0
        self._verdicts, self._verdict_weights = zip(*VERDICT_WEIGHTS, strict=True)
        # Context sentences are drawn from a pool: varied enough, and much cheaper than filling each one.
        self._fillers = [self._new_filler() for _ in range(FILLER_POOL_SIZE)]

    # --- text ----------------------------------------------------------------------------------
    def _number(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return f"{rng.randint(2, 99)}"
        if roll < 0.8:
            return f"{rng.randint(100, 9_999):,}"
        return f"{rng.randint(10_000, 2_000_000):,}"

    def _fill(self, template):
        if "{" not in template:
            return template
        return template.format_map(_Slots(self))

    def _filler(self):
        return self.rng.choice(self._fillers)

    def _new_filler(self):
        """A sentence of context around the claims."""
        rng = self.rng
        if rng.random() < 0.25:
            return self._fill(rng.choice(FILLER))
        return f"{self._fill(rng.choice(FILLER_SUBJECTS))} {self._fill(rng.choice(FILLER_PREDICATES))}."

    def _claim_sentence(self):
        """A sentence with a claim in it: (sentence, offset of the quote in it, quote, claimant, tags, clause)."""
        rng = self.rng
        topic, tags, clause_template = rng.choice(CLAIM_CLAUSES)
        clause = self._fill(clause_template)
        if rng.random() < 0.12:  # the article itself asserts it
            quote = _capitalize(clause) + "."
            return quote, 0, quote, "", tags, clause
        subject, claimant = rng.choice(SPEAKERS[topic])
        pattern, capitalised = rng.choice(ATTRIBUTIONS)
        quote = _capitalize(clause) if capitalised else clause
        sentence = pattern.format(S=_capitalize(subject), s=subject, C=quote, weekday=rng.choice(WEEKDAYS))
        place_tag = next((PLACE_TAGS[p] for p in PLACE_TAGS if p in clause), None)
        if place_tag:
            tags = [*tags, place_tag]
        return sentence, sentence.index(quote), quote, claimant, tags, clause

    def article(self, article_id, claim_count, when):
        """One article: its row values and its claims as ``(start, end, quote, claimant, tags, clause)``."""
        rng = self.rng
        publisher, domain = rng.choice(PUBLISHERS)
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        sentences = [(self._filler(), None) for _ in range(rng.randint(22, 42))]
        for _ in range(claim_count):
            sentence, offset, quote, claimant, tags, clause = self._claim_sentence()
            sentences.insert(rng.randint(0, len(sentences)), (sentence, (offset, quote, claimant, tags, clause)))
        dateline = f"{rng.choice(PLACES).upper()}, {when:%d %B %Y} ({publisher}) — "
        parts, claims, position = [dateline], [], len(dateline)
        for index, (sentence, claim) in enumerate(sentences):
            if index:
                separator = "\n\n" if rng.random() < 0.22 else " "
                parts.append(separator)
                position += len(separator)
            if claim is not None:
                offset, quote, claimant, tags, clause = claim
                start = position + offset
                claims.append((start, start + len(quote), quote, claimant, tags, clause))
            parts.append(sentence)
            position += len(sentence)
        # The reference makes every body unique, so appending never collides on the content hash.
        parts.append(f"\n\n(Reporting by {author}; ref. {domain.split('.')[0].upper()}-{article_id})")
        body = "".join(parts)
        first_clause = claims[0][5] if claims else sentences[0][0]
        title = f"{_capitalize(claims[0][3] or publisher) if claims else publisher} says {first_clause}"[:300]
        url = f"https://www.{domain}/{when:%Y/%m/%d}/{slugify(first_clause)[:60].strip('-')}-{article_id}"
        return (title, url, publisher, author, body), claims

    # --- rows ----------------------------------------------------------------------------------
    def _when(self):
        """A moment on the demo timeline, moving forward as claims are written (ids grow with time)."""
        progress = self.claims_written / max(self.total_claims, 1)
        span = (TIMELINE_END - TIMELINE_START).total_seconds()
        jitter = self.rng.uniform(-86_400, 86_400)
        moment = TIMELINE_START + timedelta(seconds=min(max(progress * span + jitter, 0), span))
        return moment.replace(microsecond=0)

    def _claim_state(self):
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
        pending_reviews = []  # (claim_id, claim_created_at, status, clause) until review ids are known
        claim_tags = []
        for size in plans:
            when = self._when()
            article_id = next(article_ids)
            (title, url, publisher, author, body), spans = self.article(article_id, size, when)
            created = when + timedelta(minutes=rng.randint(5, 600))
            batch.articles.append(
                (
                    article_id,
                    title,
                    url,
                    publisher,
                    author,
                    when,
                    "en",
                    body,
                    compute_content_hash(body),
                    None,
                    created,
                    created,
                )
            )
            for start, end, quote, claimant, tags, clause in spans:
                claim_id = next(claim_ids)
                status = self._claim_state()
                claim_created = created + timedelta(minutes=rng.randint(1, 240))
                reviewed = status in (Claim.Status.VERIFIED, Claim.Status.IN_REVIEW)
                batch.claims.append(
                    [
                        claim_id,
                        article_id,
                        quote,
                        start,
                        end,
                        _capitalize(clause) + "." if reviewed and rng.random() < 0.7 else "",
                        claimant,
                        when.date(),
                        round((rng.random() + rng.random()) / 2, 3),
                        status,
                        "",
                        rng.choice(self.reviewers) if rng.random() < 0.3 else None,
                        claim_created,
                        claim_created,
                        1,
                    ]
                )
                for name in dict.fromkeys(tags):
                    claim_tags.append((claim_id, self.tags[name]))
                if reviewed:
                    pending_reviews.append((len(batch.claims) - 1, claim_created, status, clause))
            self.claims_written += size
        tag_row_ids = self.next_ids(Claim.tags.through, len(claim_tags))
        batch.claim_tags = [(row_id, *row) for row_id, row in zip(tag_row_ids, claim_tags, strict=True)]
        self._reviews(batch, pending_reviews)
        batch.claims = [tuple(row) for row in batch.claims]
        return batch

    def _reviews(self, batch, pending):
        """Reviews and evidence for the claims under review or verified; sets the claims' verdicts."""
        rng = self.rng
        plans = []  # (claim index, [(state, created, submitted, published, verdict)])
        for index, claim_created, status, _clause in pending:
            created = claim_created + timedelta(hours=rng.randint(1, 72))
            reviews = []
            if status == Claim.Status.VERIFIED:
                if rng.random() < 0.12:  # corrected later: the first verdict was superseded
                    reviews.append(self._review_times(Review.State.SUPERSEDED, created))
                    created = reviews[-1][3] + timedelta(days=rng.randint(1, 60))
                reviews.append(self._review_times(Review.State.PUBLISHED, created))
                if rng.random() < 0.04:  # a further correction in progress
                    reviews.append(self._review_times(Review.State.DRAFT, reviews[-1][3] + timedelta(days=3)))
            else:
                state = Review.State.SUBMITTED if rng.random() < 0.4 else Review.State.DRAFT
                reviews.append(self._review_times(state, created))
            plans.append((index, reviews))
        review_ids = iter(self.next_ids(Review, sum(len(reviews) for _, reviews in plans)))
        evidence_plan = []
        for index, reviews in plans:
            claim = batch.claims[index]
            last_change = claim[13]
            for state, created, submitted, published, verdict in reviews:
                review_id = next(review_ids)
                author = rng.choice(self.reviewers)
                returned = state == Review.State.DRAFT and submitted is not None
                updated = published or submitted or created
                leaning = VERDICT_LEANING[verdict]
                batch.reviews.append(
                    (
                        review_id,
                        claim[0],
                        author,
                        verdict,
                        Verdict(verdict).label,
                        self._fill(rng.choice(SUMMARIES[leaning])) + " " + self._fill(rng.choice(SUMMARIES[leaning])),
                        state,
                        rng.choice(EDITOR_COMMENTS) if returned else "",
                        created,
                        updated,
                        submitted,
                        published,
                        rng.choice(self.editors) if published else None,
                        {
                            Review.State.DRAFT: 1 + 2 * returned,
                            Review.State.SUBMITTED: 2,
                            Review.State.PUBLISHED: 3,
                            Review.State.SUPERSEDED: 4,
                        }[state],
                    )
                )
                if state == Review.State.PUBLISHED:
                    claim[10] = verdict
                last_change = max(last_change, updated)
                # Submitting needs evidence (reviews.workflow.submit); drafts may have none yet.
                count = rng.randint(1, 3) if submitted else rng.randint(0, 2)
                evidence_plan.append((review_id, author, created, leaning, count))
            claim[13] = last_change
        evidence_ids = iter(self.next_ids(Evidence, sum(plan[4] for plan in evidence_plan)))
        for review_id, author, created, leaning, count in evidence_plan:
            for number in range(count):
                evidence_id = next(evidence_ids)
                publisher, domain, source_type, title = rng.choice(EVIDENCE_SOURCES)
                url = f"https://{domain}/{rng.choice(['reports', 'news', 'data', 'posts'])}/{review_id}-{number + 1}"
                published = (created - timedelta(days=rng.randint(1, 400))).date()
                archive = f"https://web.archive.org/web/{created:%Y%m%d%H%M%S}/{url}" if rng.random() < 0.3 else ""
                stance = STANCE_FOR[leaning] if rng.random() < 0.8 else Evidence.Stance.CONTEXT
                added = created + timedelta(minutes=rng.randint(1, 600))
                batch.evidence.append(
                    (
                        evidence_id,
                        review_id,
                        url,
                        f"{title}, {published:%B %Y}",
                        publisher,
                        self._filler(),
                        stance,
                        source_type,
                        published,
                        created.date(),
                        archive,
                        author,
                        added,
                        added,
                    )
                )

    def _review_times(self, state, created):
        rng = self.rng
        verdict = rng.choices(self._verdicts, self._verdict_weights)[0]
        submitted = published = None
        if state != Review.State.DRAFT or rng.random() < 0.2:  # some drafts were returned by an editor
            submitted = created + timedelta(hours=rng.randint(1, 96))
        if state in (Review.State.PUBLISHED, Review.State.SUPERSEDED):
            published = submitted + timedelta(hours=rng.randint(1, 48))
        return state, created, submitted, published, verdict


# --- Writing -----------------------------------------------------------------------------------
TABLES = [
    (Article, ARTICLE_COLUMNS, "articles"),
    (Claim, CLAIM_COLUMNS, "claims"),
    (Claim.tags.through, CLAIM_TAG_COLUMNS, "claim_tags"),
    (Review, REVIEW_COLUMNS, "reviews"),
    (Evidence, EVIDENCE_COLUMNS, "evidence"),
]


class Writer:
    """Inserts rows with explicit ids; ids are taken so that no other writer can take them too."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.quote = connection.ops.quote_name
        self._next_free = {}

    def next_ids(self, model, count):
        table = model._meta.db_table
        if table not in self._next_free:
            self.cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {self.quote(table)}")
            self._next_free[table] = self.cursor.fetchone()[0]
        first = self._next_free[table]
        self._next_free[table] = first + count
        return range(first, first + count)

    def forget_ids(self):
        self._next_free.clear()

    def write(self, model, columns, rows):
        if not rows:
            return
        ops = connection.ops
        adapt = {datetime: ops.adapt_datetimefield_value, date: ops.adapt_datefield_value}
        names = ", ".join(self.quote(column) for column in columns)
        per_statement = max(1, 900 // len(columns))  # SQLite allows 999 parameters per statement
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(chunk))
            params = [adapt[type(value)](value) if type(value) in adapt else value for row in chunk for value in row]
            self.cursor.execute(
                f"INSERT INTO {self.quote(model._meta.db_table)} ({names}) VALUES {placeholders}", params
            )


class PostgresWriter(Writer):
    """COPY into the tables; ids come from the tables' own sequences, so concurrent writers never clash."""

    def next_ids(self, model, count):
        if count == 0:
            return []
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in self.cursor.fetchall()]

    # Claims are checked against their article bodies by a statement-level trigger (migration 0004). Its
    # first version scanned the statement's rows once per article, and databases migrated then still run
    # it: 500-row statements keep that quadratic scan short (20,000 claims: 17 s -> 2 s) and cost nothing
    # with the current single-pass version.
    ROWS_PER_STATEMENT = {Claim: 500}

    def write(self, model, columns, rows):
        names = ", ".join(self.quote(column) for column in columns)
        chunk = self.ROWS_PER_STATEMENT.get(model, len(rows))
        for first in range(0, len(rows), chunk):
            with self.cursor.cursor.copy(f"COPY {self.quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in rows[first : first + chunk]:
                    copy.write_row(row)


class Command(BaseCommand):
    help = (
        "Generate realistic demo data for benchmarks and demos: articles (~3 KB bodies), claims at real offsets, "
        "tags, reviews (draft, submitted, published, superseded) and evidence, with claim statuses that follow "
        "the reviews. Fast: COPY on PostgreSQL, multi-row INSERTs elsewhere, one transaction per batch. "
        "Running it again appends more data. Bypasses model save() and signals: no history rows are written "
        "for generated data (expected for bulk demo data)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--claims", type=int, required=True, help="How many claims to add.")
        parser.add_argument(
            "--verified-fraction", type=float, default=0.2, help="Share of claims with a published review (0.2)."
        )
        parser.add_argument(
            "--in-review-fraction", type=float, default=0.1, help="Share with a draft or submitted review (0.1)."
        )
        parser.add_argument("--claims-per-article", type=int, default=6, help="Average claims per article (6).")
        parser.add_argument("--batch-size", type=int, default=20_000, help="Claims per transaction (20000).")
        parser.add_argument("--seed", type=int, default=None, help="Random seed, for reproducible data.")

    def handle(self, *args, claims, batch_size, seed, **options):
        verified_fraction, in_review_fraction = options["verified_fraction"], options["in_review_fraction"]
        claims_per_article = options["claims_per_article"]
        if claims < 1:
            raise CommandError("--claims must be at least 1.")
        if not (0 <= verified_fraction <= 1 and 0 <= in_review_fraction <= 1 - verified_fraction):
            raise CommandError("Fractions must be in [0, 1] and add up to at most 1.")
        if batch_size < 1 or claims_per_article < 1:
            raise CommandError("--batch-size and --claims-per-article must be positive.")
        if seed is None:
            seed = random.SystemRandom().randrange(2**31)
        started = time.monotonic()
        reviewers, editors = self._users()
        tags = {tag.name: tag.pk for tag in Tag.objects.for_names(TAG_NAMES)}
        totals = dict.fromkeys([label for _, _, label in TABLES], 0)
        vendor = connection.vendor
        self.stdout.write(f"Generating {claims:,} claims (seed {seed}, {vendor}, batches of {batch_size:,})…")
        self._started, self._claims, self._done = started, claims, 0
        with connection.cursor() as cursor:
            writer = PostgresWriter(cursor) if vendor == "postgresql" else Writer(cursor)
            newsroom = Newsroom(
                seed=seed,
                next_ids=writer.next_ids,
                reviewers=reviewers,
                editors=editors,
                tags=tags,
                total_claims=claims,
                verified_fraction=verified_fraction,
                in_review_fraction=in_review_fraction,
                claims_per_article=claims_per_article,
            )
            sizes = [min(batch_size, claims - done) for done in range(0, claims, batch_size)]
            if vendor == "postgresql" and not connection.in_atomic_block:
                self._write_pipelined(newsroom, sizes, totals)
            else:
                for size in sizes:
                    with transaction.atomic():
                        writer.forget_ids()
                        self._write_batch(writer, newsroom.batch(size), totals)
            analyzed = self._analyze(cursor)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {totals['claims']:,} claims in {totals['articles']:,} articles, "
                f"{totals['reviews']:,} reviews, {totals['evidence']:,} evidence, {totals['claim_tags']:,} claim tags "
                f"in {elapsed:.1f}s ({totals['claims'] / elapsed:,.0f} claims/s, seed {seed}, {analyzed}; "
                "no history rows)."
            )
        )

    def _write_batch(self, writer, batch, totals):
        for model, columns, label in TABLES:
            rows = getattr(batch, label)
            writer.write(model, columns, rows)
            totals[label] += len(rows)
        self._done += len(batch.claims)
        elapsed = time.monotonic() - self._started
        self.stdout.write(
            f"  {self._done:>12,} / {self._claims:,} claims ({self._done / self._claims:5.1%})  {elapsed:7.1f}s  "
            f"{self._done / elapsed:>9,.0f} claims/s"
        )

    def _write_pipelined(self, newsroom, sizes, totals):
        """Generate the next batch while a second connection COPYs the previous one (two cores, twice the pace).

        Ids are taken from the sequences as the batch is generated, so they are never handed out twice.
        """
        batches = queue.Queue(maxsize=1)
        failures = []

        def write_batches():
            try:
                with connection.cursor() as cursor:
                    writer = PostgresWriter(cursor)
                    while (batch := batches.get()) is not None:
                        with transaction.atomic():
                            self._write_batch(writer, batch, totals)
            except BaseException as exc:
                failures.append(exc)
            finally:
                connection.close()

        def hand_over(batch):
            while not failures:
                try:
                    batches.put(batch, timeout=0.5)
                    return
                except queue.Full:
                    continue

        writer_thread = threading.Thread(target=write_batches, name="generate_demo_data-writer", daemon=True)
        writer_thread.start()
        for size in sizes:
            if failures:
                break
            hand_over(newsroom.batch(size))
        hand_over(None)
        writer_thread.join()
        if failures:
            raise failures[0]

    def _users(self):
        """The demo reviewers and editors (no usable password), created once and reused."""
        User = get_user_model()
        ids = {}
        roles = [(REVIEWERS, "demo-reviewer", DEMO_REVIEWERS), (EDITORS, "demo-editor", DEMO_EDITORS)]
        for group_name, prefix, count in roles:
            group, _ = Group.objects.get_or_create(name=group_name)
            names = [f"{prefix}-{number:02d}" for number in range(1, count + 1)]
            existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
            for name in names:
                if name not in existing:
                    user = User(username=name, first_name=name.split("-")[1].title())
                    user.set_unusable_password()
                    user.save()
            users = list(User.objects.filter(username__in=names).order_by("username"))
            group.user_set.add(*users)
            ids[group_name] = [user.pk for user in users]
        return ids[REVIEWERS], ids[EDITORS]

    def _analyze(self, cursor):
        """Refresh the planner's statistics (and, outside a transaction on PostgreSQL, the visibility map)."""
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model, _, _ in TABLES)
        if connection.vendor != "postgresql":
            cursor.execute("ANALYZE")
            return "analyzed"
        if connection.in_atomic_block:
            cursor.execute(f"ANALYZE {tables}")
            return "analyzed"
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
        return "vacuumed and analyzed"
