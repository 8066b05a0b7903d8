"""Demo fact-checks from elsewhere: other organisations' ClaimReviews of claims like the newsroom's own.

Each is the reworded claim of a stored (generated) claim — attribution dropped, a few words swapped
for synonyms, some left out — as another fact-checker would word it, with that publisher's own
rating scale (PolitiFact's six steps, Full Fact's words without numbers, …), dates after the claim,
and the claim's article as its appearance. Written as ``claims.claimreview_import`` would store them,
``data`` holding the ClaimReview object, with COPY or plain INSERTs (``reviews.demo.writing``).
"""

import json
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.db import connection, transaction
from django.utils.text import slugify

from claims.models import ExternalFactCheck
from reviews.demo.text import DemoRandom, capitalize

# (name, site, rating scale: [(alternateName, ratingValue or None)], best, worst)
PUBLISHERS = [
    (
        "PolitiFact",
        "https://www.politifact.com/",
        [("True", 6), ("Mostly True", 5), ("Half True", 4), ("Mostly False", 3), ("False", 2), ("Pants on Fire", 1)],
        6,
        1,
    ),
    (
        "Full Fact",
        "https://fullfact.org/",
        [("Correct", None), ("Incorrect", None), ("Needs context", None)],
        None,
        None,
    ),
    (
        "AFP Fact Check",
        "https://factcheck.afp.com/",
        [("False", 1), ("Misleading", 2), ("Missing context", 3), ("True", 5)],
        5,
        1,
    ),
    ("Reuters Fact Check", "https://www.reuters.com/fact-check/", [("False", None), ("Misleading", None)], None, None),
    ("StopFake", "https://www.stopfake.org/en/", [("Fake", 1), ("Manipulation", 2)], 5, 1),
    ("Correctiv", "https://correctiv.org/faktencheck/", [("Falsch", 1), ("Größtenteils falsch", 2)], 5, 1),
    ("Africa Check", "https://africacheck.org/", [("Correct", 5), ("Mostly correct", 4), ("Incorrect", 1)], 5, 1),
    ("Maldita.es", "https://maldita.es/", [("Falso", 1), ("Engañoso", 2)], 5, 1),
    ("Lead Stories", "https://leadstories.com/", [("Fake", None), ("Not true", None)], None, None),
    ("Snopes", "https://www.snopes.com/", [("True", 5), ("Mixture", 3), ("False", 1)], 5, 1),
]
SYNONYMS = {
    "troops": "forces",
    "forces": "troops",
    "killed": "dead",
    "liberated": "recaptured",
    "destroyed": "wrecked",
    "more than": "over",
    "fell": "dropped",
    "rose": "climbed",
    "since": "from",
    "near": "around",
    "were": "had been",
    "has": "had",
    "percent": "%",
    "million": "m",
}
CLAIMANT_TYPES = ("Person", "Organization")


class ExternalFactCheckRow(NamedTuple):
    id: int
    url: str
    publisher: str
    publisher_url: str
    claim_reviewed: str
    claimant: str
    claimant_type: str
    rating_text: str
    rating_value: float | None
    best_rating: float | None
    worst_rating: float | None
    date_published: datetime
    date_modified: datetime | None
    claim_date: object
    appearances: str  # JSON text
    language: str
    data: str  # JSON text: the ClaimReview object
    imported_by_id: int | None
    imported_at: datetime
    updated_at: datetime


def reword(text, rng):
    """``text`` as another fact-checker might word it: synonyms for some words, a word or two left out."""
    words = text.rstrip(".").split()
    out = []
    for index, word in enumerate(words):
        pair = f"{word} {words[index + 1]}" if index + 1 < len(words) else ""
        if pair in SYNONYMS and rng.random() < 0.6:
            out.append(SYNONYMS[pair])
            words[index + 1] = ""
            continue
        if not word:
            continue
        if word in SYNONYMS and rng.random() < 0.5:
            out.append(SYNONYMS[word])
        elif len(words) > 8 and index > 1 and rng.random() < 0.06:
            continue  # left out
        else:
            out.append(word)
    return capitalize(" ".join(out)) + "."


def claim_review(row, publisher):
    """The ClaimReview object a publisher would have published for ``row``."""
    rating = {"@type": "Rating", "alternateName": row.rating_text}
    if row.rating_value is not None:
        rating.update(ratingValue=row.rating_value, bestRating=row.best_rating, worstRating=row.worst_rating)
    item_reviewed = {"@type": "Claim", "datePublished": row.claim_date.isoformat(), "appearance": []}
    if row.claimant:
        item_reviewed["author"] = {"@type": row.claimant_type, "name": row.claimant}
    item_reviewed["appearance"] = [{"@type": "CreativeWork", "url": url} for url in json.loads(row.appearances)]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": row.url,
        "author": {"@type": "Organization", "name": publisher[0], "url": publisher[1]},
        "claimReviewed": row.claim_reviewed,
        "datePublished": row.date_published.date().isoformat(),
        "reviewRating": rating,
        "itemReviewed": item_reviewed,
        "inLanguage": "en",
    }


def source_claims(cursor, count, rng):
    """``count`` stored claims drawn at random (reproducibly): wording, claimant, date, article URL."""
    cursor.execute("SELECT MIN(id), MAX(id) FROM claims_claim")
    low, high = cursor.fetchone()
    if low is None:
        return []
    wanted = sorted({rng.randint(low, high) for _ in range(count * 2)})
    rows = []
    for first in range(0, len(wanted), 5000):
        chunk = wanted[first : first + 5000]
        placeholders = ", ".join(["%s"] * len(chunk))
        cursor.execute(
            "SELECT c.id, c.quote, c.claim_reviewed, c.claimant, c.claimed_at, a.url FROM claims_claim c"
            f" JOIN claims_article a ON a.id = c.article_id WHERE c.id IN ({placeholders}) ORDER BY c.id",
            chunk,
        )
        rows.extend(cursor.fetchall())
    rng.shuffle(rows)
    return rows[:count]


def write_external_fact_checks(*, count, seed, writer_class, progress=None, batch_size=20_000):
    """Write ``count`` demo external fact-checks (fewer if there are fewer claims); returns how many."""
    rng = DemoRandom(seed)
    written = 0
    now = datetime.now(UTC).replace(microsecond=0)
    with connection.cursor() as cursor:
        sources = source_claims(cursor, count, rng)
        writer = writer_class(cursor)
        columns = ExternalFactCheckRow._fields
        for first in range(0, len(sources), batch_size):
            with transaction.atomic():
                writer.forget_ids()
                chunk = sources[first : first + batch_size]
                ids = writer.next_ids(ExternalFactCheck, len(chunk))
                rows = [_row(row_id, source, rng, now) for row_id, source in zip(ids, chunk, strict=True)]
                writer.write(ExternalFactCheck, columns, rows)
            written += len(rows)
            if progress:
                progress(written)
    return written


def _row(row_id, source, rng, now):
    _claim_id, quote, claim_reviewed, claimant, claimed_at, article_url = source
    publisher = rng.choice(PUBLISHERS)
    name, site, scale, best, worst = publisher
    rating_text, rating_value = rng.choice(scale)
    reworded = reword(claim_reviewed or quote, rng)
    claimed_at = claimed_at or (now - timedelta(days=rng.randint(30, 900))).date()
    published = datetime.combine(claimed_at, datetime.min.time(), tzinfo=UTC) + timedelta(days=rng.randint(1, 20))
    slug = slugify(reworded)[:60].strip("-") or "claim"
    appearances = [article_url] if article_url else []
    row = ExternalFactCheckRow(
        id=row_id,
        url=f"{site}fact-check/{published:%Y/%m}/{slug}-{row_id}/",
        publisher=name,
        publisher_url=site,
        claim_reviewed=reworded,
        claimant=claimant,
        claimant_type=rng.choice(CLAIMANT_TYPES) if claimant else "",
        rating_text=rating_text,
        rating_value=float(rating_value) if rating_value is not None else None,
        best_rating=float(best) if rating_value is not None else None,
        worst_rating=float(worst) if rating_value is not None else None,
        date_published=published,
        date_modified=published + timedelta(days=2) if rng.random() < 0.1 else None,
        claim_date=claimed_at,
        appearances=json.dumps(appearances),
        language="en",
        data="",
        imported_by_id=None,
        imported_at=now,
        updated_at=now,
    )
    return row._replace(data=json.dumps(claim_review(row, publisher), ensure_ascii=False))
