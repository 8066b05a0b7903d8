"""Candidate claims: the whole extraction of a text, within a time budget, and storing an article's.

``analyse`` runs each sentence through attribution and scoring; ``find_candidates`` keeps the ones
worth proposing; ``extract_claims`` stores them as ``candidate`` claims of an article. Past the
time budget, ``ExtractionTimeout`` is raised before anything is stored.
"""

import bisect
import re
import time
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from claims.extraction.attribution import PROVENANCE, attribute, quotation_speakers
from claims.extraction.claimants import Speakers
from claims.extraction.scoring import PROPOSAL_THRESHOLD, score
from claims.extraction.sentences import sentence_spans
from claims.models import Article, Claim

MAX_SENTENCE_CHARS = 1000
MIN_SENTENCE_WORDS = 4


class ExtractionTimeout(Exception):
    """Analysing a text took longer than its time budget; nothing was stored."""

    def __init__(self, time_limit):
        self.time_limit = time_limit
        super().__init__(f"the text is too long or too complex to extract claims from within {time_limit:g} seconds.")


ASCII_LETTERS = str.maketrans("", "", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
LATIN_LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    quote: str
    claimant: str
    check_worthiness: float
    reasons: tuple = ()

    @property
    def proposed(self):
        return self.check_worthiness >= PROPOSAL_THRESHOLD


def _readable_english(sentence):
    """Enough Latin-script words to be English prose: not a table, binary junk or another script."""
    visible = len(sentence) - sentence.count(" ")
    if sentence.isascii():
        letters = latin = len(sentence) - len(sentence.translate(ASCII_LETTERS))
    else:
        letters = len(LETTER.findall(sentence))
        latin = len(LATIN_LETTER.findall(sentence))
    return letters >= 0.6 * visible and latin >= 0.85 * letters


def _trim(text, start, end):
    """Shrink ``[start, end)`` past surrounding spaces and a final full stop or comma outside quotes."""
    while start < end and text[start] in " \t,;:":
        start += 1
    while end > start and text[end - 1] in " \t,;:.!":
        end -= 1
    return start, end


def analyse(text, *, time_limit=None):
    """Every sentence of ``text`` as a ``Candidate``, scored, with its claimant; English prose only.

    With ``time_limit`` (seconds), raises ``ExtractionTimeout`` once the analysis has taken longer.
    """
    deadline = None if time_limit is None else time.monotonic() + time_limit
    speakers = Speakers()
    candidates = []
    own_speakers = []  # (sentence start, end, claimant of its own attribution) of each candidate
    for start, end in sentence_spans(text):
        # Each sentence costs at most MAX_SENTENCE_CHARS of linear work, so checking here is fine-grained enough.
        if deadline is not None and time.monotonic() >= deadline:
            raise ExtractionTimeout(time_limit)
        sentence = text[start:end]
        if len(sentence) > MAX_SENTENCE_CHARS or len(sentence.split()) < MIN_SENTENCE_WORDS:
            continue
        if not _readable_english(sentence):
            continue
        attribution = attribute(sentence)
        claimant = ""
        content_start, content_end = 0, len(sentence)
        if attribution is not None:
            if attribution.continuation:
                claimant = speakers.last
            else:
                claimant = speakers.resolve(attribution.speaker)
            content_start, content_end = attribution.content_start, attribution.content_end
        provenance = PROVENANCE.search(sentence)
        if provenance:
            claimant = speakers.resolve(provenance.group("source"))
        content_start, content_end = _trim(sentence, content_start, content_end)
        if content_end - content_start < 12 or len(sentence[content_start:content_end].split()) < 3:
            content_start, content_end = _trim(sentence, 0, len(sentence))
        content = sentence[content_start:content_end]
        features = content
        if attribution is not None and content_start == 0 and attribution.speaker and not attribution.continuation:
            # A speech act reported whole ("X admitted the loss of …"): the speaker's name is not a detail.
            features = content.replace(attribution.speaker, " ", 1)
        value, reasons = score(
            features,
            attributed=bool(claimant) and not (attribution and attribution.continuation),
            opinion=bool(attribution and attribution.opinion),
            continuation=bool(attribution and attribution.continuation and claimant),
            whole_sentence=sentence,
        )
        candidates.append(
            Candidate(
                start=start + content_start,
                end=start + content_end,
                quote=content,
                claimant=claimant[:300],
                check_worthiness=value,
                reasons=tuple(reasons),
            )
        )
        if attribution is not None and claimant and not attribution.continuation:
            speakers.spoke(claimant, attribution.speaker)
        speakers.note_mentions(sentence)
        own_speakers.append((start, end, claimant if attribution is not None and not attribution.continuation else ""))
    # A quotation over several sentences is its speaker's throughout (the claimant only; scores stand).
    for index, speaker in enumerate(quotation_speakers(text, own_speakers)):
        if speaker is not None:
            candidates[index] = replace(candidates[index], claimant=speaker[:300])
    return candidates


def is_supported_language(language):
    return (language or "en").split("-")[0].lower() == "en"


def find_candidates(text, language="en", *, time_limit=None):
    """The candidate claims of ``text`` worth proposing, in text order. Empty for other languages.

    Raises ``ExtractionTimeout`` if that takes longer than ``time_limit`` seconds (if given).
    """
    if not text or not text.strip() or not is_supported_language(language):
        return []
    return [candidate for candidate in analyse(text, time_limit=time_limit) if candidate.proposed]


class Taken:
    """The spans an article's claims already cover, for O(log n) overlap tests."""

    def __init__(self, spans):
        self.spans = sorted(spans)
        self.max_end = []
        furthest = 0
        for _, end in self.spans:
            furthest = max(furthest, end)
            self.max_end.append(furthest)

    def overlaps(self, start, end):
        """Whether ``[start, end)`` overlaps any taken span."""
        index = bisect.bisect_left(self.spans, (end,))
        return index > 0 and self.max_end[index - 1] > start


def extract_claims(article, *, by=None):
    """Store the article's proposed candidate claims; return the ``Claim`` objects created.

    Idempotent: a candidate overlapping a claim the article already has (extracted before, or
    entered by hand) is not proposed again. New claims are ``candidate``s, created by ``by``,
    dated from the article and recorded in the history. Raises ``ExtractionTimeout``, having
    stored nothing, when the text takes longer than ``FACTCHECK_EXTRACTION_TIME_LIMIT`` seconds.
    """
    candidates = find_candidates(article.body, article.language, time_limit=settings.FACTCHECK_EXTRACTION_TIME_LIMIT)
    if not candidates:
        return []
    claimed_at = article.published_on
    with transaction.atomic():
        # Serialise concurrent extractions of one article so both cannot add the same span.
        Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
        taken = Taken(article.claims.values_list("start", "end"))
        new = []
        for candidate in candidates:
            if taken.overlaps(candidate.start, candidate.end):
                continue
            new.append(
                Claim(
                    article=article,
                    quote=candidate.quote,
                    start=candidate.start,
                    end=candidate.end,
                    claimant=candidate.claimant,
                    check_worthiness=candidate.check_worthiness,
                    claimed_at=claimed_at,
                    status=Claim.Status.CANDIDATE,
                    created_by=by if by is not None and by.is_authenticated else None,
                )
            )
        if not new:
            return []
        user = by if by is not None and by.is_authenticated else None
        return bulk_create_with_history(
            new, Claim, batch_size=500, default_user=user, default_change_reason="extracted"
        )
