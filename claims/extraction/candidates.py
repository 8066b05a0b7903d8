"""Candidate claims: the whole extraction of a text, within a time budget, and storing an article's.

``analyse`` runs each sentence through attribution and scoring; ``find_candidates`` keeps the ones
worth proposing; ``extract_claims`` stores them as ``candidate`` claims of an article.
``score_sentences`` scores sentences given one by one, each whole. Past the time budget,
``ExtractionTimeout`` is raised before anything is stored; a language other than those of
``SUPPORTED_LANGUAGES``, ``UnsupportedLanguage``.
"""

import bisect
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from claims.claimants import resolve_many
from claims.extraction.attribution import PROVENANCE, Attribution, attribute, quotation_speakers
from claims.extraction.claimants import Speakers
from claims.extraction.model import model
from claims.extraction.scoring import PROPOSAL_THRESHOLD, score
from claims.extraction.sentences import sentence_spans
from claims.models import Article, Claim
from claims.signals import claims_created

MAX_SENTENCE_CHARS = 1000
MIN_SENTENCE_WORDS = 4
# The languages the extractor reads (BCP 47 primary subtags); an article in another is not analysed.
SUPPORTED_LANGUAGES = ("en",)
LANGUAGE_NAMES = {"en": "English"}
# Why a sentence is not analysed at all (score 0.0): the reason a reviewer or client is given.
TOO_LONG = "too long to check"
TOO_SHORT = "too short to check"
NOT_ENGLISH = "not English prose"
# The model's share of a score (the rules have the rest) and the blend's decision point, chosen on
# CheckThat! dev and the project's own labelled news (claims/eval/): 0.8 and 0.45 keep the model's dev
# F1 within 0.01 and the rules' recall on news (0.93). The score is rescaled so that 0.45 becomes 0.5.
MODEL_WEIGHT = 0.8
BLEND_DECISION = 0.45
# A prediction is not a checkable fact: with a modal hedge the score is scaled down (the debates the
# model learned from label many "I think …" and "if …" sentences check-worthy, so only modals count).
MODAL_HEDGE = re.compile(
    r"\b(?:may|might|could(?! not)(?!n[’']t)|perhaps|possibly|probably|likely|unlikely|potentially)\b"
)
SPECULATION_FACTOR = 0.6
# What the rules find uncheckable as stated caps the score whatever the model says.
UNCHECKABLE = {"not confirmed": 0.1, "open question": 0.15}
# Sentences per model call in ``analyse``; the time budget is checked between calls.
MODEL_CHUNK = 512


class ExtractionTimeout(Exception):
    """Analysing a text took longer than its time budget; nothing was stored."""

    def __init__(self, time_limit):
        self.time_limit = time_limit
        super().__init__(f"the text is too long or too complex to extract claims from within {time_limit:g} seconds.")


class UnsupportedLanguage(Exception):
    """The text is in a language the extractor does not read; nothing was analysed or stored."""

    def __init__(self, language):
        self.language = language
        self.supported_languages = list(SUPPORTED_LANGUAGES)
        supported = ", ".join(f"{LANGUAGE_NAMES[code]} ({code})" for code in SUPPORTED_LANGUAGES)
        only = " only" if len(SUPPORTED_LANGUAGES) == 1 else ""
        super().__init__(f"Claim extraction supports {supported}{only}; this text is in {language!r}.")


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
        """Whether the extractor proposes it as a claim: its score reaches ``PROPOSAL_THRESHOLD``."""
        return self.check_worthiness >= PROPOSAL_THRESHOLD


@dataclass(frozen=True)
class Reading:
    """What attribution made of one sentence: the part to score, and who said it.

    ``content_start``/``content_end`` index into ``sentence``; ``features`` is the content the
    score reads (a speaker's name taken out of a speech act reported whole).
    """

    sentence: str
    content_start: int
    content_end: int
    features: str
    claimant: str
    attribution: Attribution | None

    @property
    def content(self):
        return self.sentence[self.content_start : self.content_end]


def _readable_english(sentence):
    """Enough Latin-script words to be English prose: not a table, binary junk or another script."""
    visible = len(sentence) - sentence.count(" ")
    if sentence.isascii():
        letters = latin = len(sentence) - len(sentence.translate(ASCII_LETTERS))
    else:
        letters = len(LETTER.findall(sentence))
        latin = len(LATIN_LETTER.findall(sentence))
    return letters >= 0.6 * visible and latin >= 0.85 * letters


def _skipped(sentence):
    """Why ``sentence`` is not analysed (a reason for its 0.0), or None when it is."""
    if len(sentence) > MAX_SENTENCE_CHARS:
        return TOO_LONG
    if len(sentence.split()) < MIN_SENTENCE_WORDS:
        return TOO_SHORT
    if not _readable_english(sentence):
        return NOT_ENGLISH
    return None


def _trim(text, start, end):
    """Shrink ``[start, end)`` past surrounding spaces and a final full stop or comma outside quotes."""
    while start < end and text[start] in " \t,;:":
        start += 1
    while end > start and text[end - 1] in " \t,;:.!":
        end -= 1
    return start, end


def _read(sentence, speakers):
    """Attribute ``sentence`` (the speakers met so far resolve pronouns and short mentions) and
    remember its speaker in ``speakers`` for the sentences after it."""
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
    if attribution is not None and claimant and not attribution.continuation:
        speakers.spoke(claimant, attribution.speaker)
    speakers.note_mentions(sentence)
    return Reading(sentence, content_start, content_end, features, claimant[:300], attribution)


def _rule_score(reading):
    """The rules' check-worthiness of one sentence as ``(score, [reason, …])`` (claims.extraction.scoring)."""
    attribution = reading.attribution
    return score(
        reading.features,
        attributed=bool(reading.claimant) and not (attribution and attribution.continuation),
        opinion=bool(attribution and attribution.opinion),
        continuation=bool(attribution and attribution.continuation and reading.claimant),
        whole_sentence=reading.sentence,
    )


def _combine(sentence, probability, cues, rule_value, rule_reasons):
    """One sentence's score and reasons from the model's probability and cue words and the rules' verdict.

    Mostly the model's; the rules' share keeps what they know of news (a named source, a reported
    clause), a prediction ("could", "may") weighs less, and what cannot be checked as stated ("not
    confirmed", an open question) stays capped.
    """
    value = MODEL_WEIGHT * probability + (1 - MODEL_WEIGHT) * rule_value
    for reason, cap in UNCHECKABLE.items():
        if reason in rule_reasons:
            value = min(value, cap)
    if "speculation" in rule_reasons and MODAL_HEDGE.search(sentence):
        value *= SPECULATION_FACTOR
    # Rescaled so that the blend's own decision point is the proposal threshold, 0.5.
    if value < BLEND_DECISION:
        value = value / BLEND_DECISION * PROPOSAL_THRESHOLD
    else:
        value = PROPOSAL_THRESHOLD + (value - BLEND_DECISION) / (1 - BLEND_DECISION) * (1 - PROPOSAL_THRESHOLD)
    explanation = f"model {probability:.2f}"
    if cues:
        explanation += ": " + ", ".join(f"“{cue}”" for cue in cues)
    return round(min(max(value, 0.0), 1.0), 2), [explanation, *rule_reasons]


def _scores(readings, deadline=None, time_limit=None):
    """The score and reasons of each reading, in order: the model in batches, the rules beside it."""
    scores = []
    for start in range(0, len(readings), MODEL_CHUNK):
        if deadline is not None and time.monotonic() >= deadline:
            raise ExtractionTimeout(time_limit)
        chunk = readings[start : start + MODEL_CHUNK]
        explained = model().explain([reading.sentence for reading in chunk])
        for reading, (probability, cues) in zip(chunk, explained, strict=True):
            scores.append(_combine(reading.sentence, probability, cues, *_rule_score(reading)))
    return scores


def _deadline(time_limit):
    return None if time_limit is None else time.monotonic() + time_limit


def analyse(text, *, time_limit=None, every=False):
    """Every sentence of ``text`` as a ``Candidate``, scored, with its claimant; English prose only.

    A candidate is the sentence, or the clause of it that is the claim. Sentences too short, too long
    or not English prose are left out; with ``every`` they are included too, whole, scored 0.0 with
    the reason, so that each sentence of ``text`` has exactly one candidate, in text order.
    With ``time_limit`` (seconds), raises ``ExtractionTimeout`` once the analysis has taken longer.
    """
    deadline = _deadline(time_limit)
    speakers = Speakers()
    # A lone "\r" ends a line as "\n" does (an article body is normalised so); same length, same offsets.
    lines = text.replace("\r", "\n") if "\r" in text else text
    found, readings = [], []  # per sentence: a skipped Candidate, or (offset, reading) still to score
    own_speakers = []  # (sentence start, end, claimant of its own attribution) of each reading
    for start, end in sentence_spans(lines):
        # Each sentence costs at most MAX_SENTENCE_CHARS of linear work, so checking here is fine-grained enough.
        if deadline is not None and time.monotonic() >= deadline:
            raise ExtractionTimeout(time_limit)
        sentence = text[start:end]
        reason = _skipped(sentence)
        if reason is not None:
            if every:
                found.append(Candidate(start, end, sentence, "", 0.0, (reason,)))
            continue
        reading = _read(sentence, speakers)
        readings.append(reading)
        found.append((start, reading))
        attribution = reading.attribution
        own = reading.claimant if attribution is not None and not attribution.continuation else ""
        own_speakers.append((start, end, own))
    # A quotation over several sentences is its speaker's throughout (the claimant only; scores stand).
    quoted = iter(quotation_speakers(text, own_speakers))
    scores = iter(_scores(readings, deadline, time_limit))
    candidates = []
    for item in found:
        if isinstance(item, Candidate):
            candidates.append(item)
            continue
        start, reading = item
        value, reasons = next(scores)
        speaker = next(quoted)
        candidates.append(
            Candidate(
                start=start + reading.content_start,
                end=start + reading.content_end,
                quote=reading.content,
                claimant=reading.claimant if speaker is None else speaker[:300],
                check_worthiness=value,
                reasons=tuple(reasons),
            )
        )
    return candidates


def score_sentences(sentences, *, time_limit=None):
    """Each of ``sentences`` scored whole, on its own, as a ``Candidate`` (``start`` 0, ``end`` its length).

    One candidate per sentence, in order. The claimant is the speaker the sentence names (a pronoun or
    a quote carrying on from an earlier sentence has none: there is no article around it); a sentence
    the extractor would not analyse (too short or long, not English prose) scores 0.0 with the reason.
    Surrounding whitespace is ignored. Raises ``ExtractionTimeout`` past ``time_limit`` seconds.
    """
    deadline = _deadline(time_limit)
    found, readings = [], []  # per sentence: a skipped Candidate, or (sentence, reading) still to score
    for text in sentences:
        if deadline is not None and time.monotonic() >= deadline:
            raise ExtractionTimeout(time_limit)
        reason = _skipped(text.strip())
        if reason is not None:
            found.append(Candidate(0, len(text), text, "", 0.0, (reason,)))
            continue
        reading = _read(text.strip(), Speakers())
        readings.append(reading)
        found.append((text, reading))
    scores = iter(_scores(readings, deadline, time_limit))
    candidates = []
    for item in found:
        if isinstance(item, Candidate):
            candidates.append(item)
            continue
        text, reading = item
        value, reasons = next(scores)
        candidates.append(Candidate(0, len(text), text, reading.claimant, value, tuple(reasons)))
    return candidates


def is_supported_language(language):
    """Whether the extractor reads ``language`` (a BCP 47 tag; empty means English)."""
    return (language or "en").split("-")[0].lower() in SUPPORTED_LANGUAGES


def check_language(language):
    """Raise ``UnsupportedLanguage`` unless the extractor reads ``language``."""
    if not is_supported_language(language):
        raise UnsupportedLanguage(language)


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


def extract_claims(article, *, by=None, time_limit=None):
    """Store the article's proposed candidate claims; return the ``Claim`` objects created.

    Idempotent: a candidate overlapping a claim the article already has (extracted before, or
    entered by hand) is not proposed again. New claims are ``candidate``s, created by ``by``,
    dated from the article and recorded in the history, each linked to its claimant
    (``claims.claimants.resolve_many``). Raises ``ExtractionTimeout``, having
    stored nothing, when the text takes longer than ``FACTCHECK_EXTRACTION_TIME_LIMIT`` seconds, and
    ``UnsupportedLanguage`` when the article is in a language the extractor does not read.
    """
    check_language(article.language)
    time_limit = time_limit or settings.FACTCHECK_EXTRACTION_TIME_LIMIT
    candidates = find_candidates(article.body, article.language, time_limit=time_limit)
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
                    check_worthiness_reasons=list(candidate.reasons),
                    claimed_at=claimed_at,
                    status=Claim.Status.CANDIDATE,
                    created_by=by if by is not None and by.is_authenticated else None,
                )
            )
        if not new:
            return []
        user = by if by is not None and by.is_authenticated else None
        # Each claimant name resolved to its entity (found by its normalised name, else created); the
        # claim shows the entity's name.
        entities = resolve_many([claim.claimant for claim in new], by=by)
        for claim in new:
            entity = entities.get(claim.claimant)
            if entity is not None:
                claim.claimant_entity, claim.claimant = entity, entity.name
        created = bulk_create_with_history(
            new, Claim, batch_size=500, default_user=user, default_change_reason="extracted"
        )
        claims_created.send(sender=Claim, claims=created, by=by)
        return created
