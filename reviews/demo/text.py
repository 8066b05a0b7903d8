"""Plausible news text: articles of 22–42 sentences with claims at known character offsets."""

import random
from typing import NamedTuple

from django.utils.text import slugify

from reviews.demo.vocabulary import (
    ATTRIBUTIONS,
    CLAIM_CLAUSES,
    FILLER,
    FILLER_PREDICATES,
    FILLER_SUBJECTS,
    FIRST_NAMES,
    LAST_NAMES,
    MONTHS,
    PERIODS,
    PLACE_TAGS,
    PLACES,
    PUBLISHERS,
    SPEAKERS,
    WEEKDAYS,
    YEARS,
)

FILLER_POOL_SIZE = 5000


def capitalize(text):
    return text[:1].upper() + text[1:]


class DemoRandom(random.Random):
    """``random.Random`` with cheaper ``choice``/``randint`` (float scaling): demo data needs speed, not rigour."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a, b):
        return a + int(self.random() * (b - a + 1))


class _Slots(dict):
    """Template slots drawn on first use, so a template costs only the draws it needs."""

    def __init__(self, text):
        super().__init__()
        self.text = text

    def __missing__(self, slot):
        rng = self.text.rng
        if slot in ("place", "place2"):
            value = rng.choice(PLACES)
        elif slot == "Place":
            value = capitalize(rng.choice(PLACES))
        elif slot == "n":
            value = self.text.number()
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


class ClaimSentence(NamedTuple):
    """A sentence with a claim in it; the quote starts ``offset`` characters into it."""

    sentence: str
    offset: int
    quote: str
    claimant: str
    tags: list
    clause: str


class QuotedClaim(NamedTuple):
    """A claim in an article: its quote is ``body[start:end]``."""

    start: int
    end: int
    quote: str
    claimant: str
    tags: list
    clause: str


class ArticleText(NamedTuple):
    title: str
    url: str
    publisher: str
    author: str
    body: str


class NewsText:
    """Writes the articles; every draw comes from ``rng``, so a seed gives the same text."""

    def __init__(self, rng):
        self.rng = rng
        # Context sentences are drawn from a pool: varied enough, and much cheaper than filling each one.
        self._fillers = [self._new_filler() for _ in range(FILLER_POOL_SIZE)]

    def number(self):
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return f"{rng.randint(2, 99)}"
        if roll < 0.8:
            return f"{rng.randint(100, 9_999):,}"
        return f"{rng.randint(10_000, 2_000_000):,}"

    def fill(self, template):
        """``template`` with its ``{slots}`` drawn at random."""
        if "{" not in template:
            return template
        return template.format_map(_Slots(self))

    def filler(self):
        """A sentence of context, from the pool."""
        return self.rng.choice(self._fillers)

    def _new_filler(self):
        rng = self.rng
        if rng.random() < 0.25:
            return self.fill(rng.choice(FILLER))
        return f"{self.fill(rng.choice(FILLER_SUBJECTS))} {self.fill(rng.choice(FILLER_PREDICATES))}."

    def _claim_sentence(self):
        rng = self.rng
        topic, tags, clause_template = rng.choice(CLAIM_CLAUSES)
        clause = self.fill(clause_template)
        if rng.random() < 0.12:  # the article itself asserts it
            quote = capitalize(clause) + "."
            return ClaimSentence(quote, 0, quote, "", tags, clause)
        subject, claimant = rng.choice(SPEAKERS[topic])
        pattern, capitalised = rng.choice(ATTRIBUTIONS)
        quote = capitalize(clause) if capitalised else clause
        sentence = pattern.format(S=capitalize(subject), s=subject, C=quote, weekday=rng.choice(WEEKDAYS))
        place_tag = next((PLACE_TAGS[p] for p in PLACE_TAGS if p in clause), None)
        if place_tag:
            tags = [*tags, place_tag]
        return ClaimSentence(sentence, sentence.index(quote), quote, claimant, tags, clause)

    def article(self, article_id, claim_count, when):
        """One article published at ``when`` with ``claim_count`` claims: ``(ArticleText, [QuotedClaim])``."""
        rng = self.rng
        publisher, domain = rng.choice(PUBLISHERS)
        author = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        sentences = [(self.filler(), None) for _ in range(rng.randint(22, 42))]
        for _ in range(claim_count):
            claim = self._claim_sentence()
            sentences.insert(rng.randint(0, len(sentences)), (claim.sentence, claim))
        dateline = f"{rng.choice(PLACES).upper()}, {when:%d %B %Y} ({publisher}) — "
        parts, claims, position = [dateline], [], len(dateline)
        for index, (sentence, claim) in enumerate(sentences):
            if index:
                separator = "\n\n" if rng.random() < 0.22 else " "
                parts.append(separator)
                position += len(separator)
            if claim is not None:
                start = position + claim.offset
                claims.append(
                    QuotedClaim(start, start + len(claim.quote), claim.quote, claim.claimant, claim.tags, claim.clause)
                )
            parts.append(sentence)
            position += len(sentence)
        # The reference makes every body unique, so appending never collides on the content hash.
        parts.append(f"\n\n(Reporting by {author}; ref. {domain.split('.')[0].upper()}-{article_id})")
        body = "".join(parts)
        first_clause = claims[0].clause if claims else sentences[0][0]
        title = f"{capitalize(claims[0].claimant or publisher) if claims else publisher} says {first_clause}"[:300]
        url = f"https://www.{domain}/{when:%Y/%m/%d}/{slugify(first_clause)[:60].strip('-')}-{article_id}"
        return ArticleText(title, url, publisher, author, body), claims
