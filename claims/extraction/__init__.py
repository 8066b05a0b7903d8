"""Candidate claims from article text: which sentences are worth checking, and who made them.

Rule-based and English-only, on purpose (``SUPPORTED_LANGUAGES``; an article in another language
is ``UnsupportedLanguage``): it runs offline with nothing but the standard library, is fast (a
100 KB article in a few tens of milliseconds), and every decision can be explained to a reviewer
(``Candidate.reasons``). A claim is a sentence, or the reported clause of one ("X said *that …*",
"*“…”*, X said", "according to X, *…*"), with exact offsets into the body.

The check-worthiness score adds up verifiable detail (numbers, dates, names, concrete events, a
named source) and takes away what cannot be checked: speculation ("may", "could", "likely"),
statements that something was *not* confirmed, open questions and opinion. Sentences scoring at
least ``PROPOSAL_THRESHOLD`` are proposed as candidate claims.

The claimant is the speaker the sentence attributes its content to: the subject of a reporting
verb ("Zelensky said …", "the ministry pointed out that …"), the source of "according to …", the
speaker after a quote ("“…,” she said"), or, for "he", "she", "it", "they" and quotes that carry on,
the speaker of an earlier sentence. A short mention ("the ministry", "Okafor") is resolved to the
fuller name met earlier in the article ("Russian Ministry of Defense", "Lena Okafor"). Sentences
without attribution are the article's own claims (empty claimant).

Every pattern reads its input in linear time (no nested or adjacent quantifiers that can share
characters without being atomic), and ``analyse`` takes an optional time budget on top, so no text
can hold a worker: past the budget it raises ``ExtractionTimeout`` before anything is stored.
"""

from claims.extraction.attribution import Attribution, attribute
from claims.extraction.candidates import (
    MAX_SENTENCE_CHARS,
    MIN_SENTENCE_WORDS,
    SUPPORTED_LANGUAGES,
    Candidate,
    ExtractionTimeout,
    UnsupportedLanguage,
    analyse,
    check_language,
    extract_claims,
    find_candidates,
    is_supported_language,
    score_sentences,
)
from claims.extraction.claimants import TRAILING_NOISE, Speakers, is_person
from claims.extraction.scoring import PROPOSAL_THRESHOLD, score
from claims.extraction.sentences import sentence_spans

__all__ = [
    "MAX_SENTENCE_CHARS",
    "MIN_SENTENCE_WORDS",
    "PROPOSAL_THRESHOLD",
    "SUPPORTED_LANGUAGES",
    "TRAILING_NOISE",
    "Attribution",
    "Candidate",
    "ExtractionTimeout",
    "Speakers",
    "UnsupportedLanguage",
    "analyse",
    "attribute",
    "check_language",
    "extract_claims",
    "find_candidates",
    "is_person",
    "is_supported_language",
    "score",
    "score_sentences",
    "sentence_spans",
]
