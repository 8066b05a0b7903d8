"""Check-worthiness: how much verifiable detail a claim carries, as a score in [0, 1] with reasons.

The score adds up verifiable detail (numbers, dates, names, concrete events, a named source) and
takes away what cannot be checked: speculation ("may", "could", "likely"), statements that
something was *not* confirmed, open questions and opinion. Sentences scoring at least
``PROPOSAL_THRESHOLD`` are proposed as candidate claims.
"""

import re

from claims.extraction.sentences import _word_set

PROPOSAL_THRESHOLD = 0.5

DIGITS = re.compile(r"\d")
WORD = re.compile(r"[A-Za-z’']+")
NUMBER_WORDS = _word_set(
    """one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty fifty
    hundred hundreds thousand thousands million millions billion billions dozen dozens half twice double
    doubled tripled halved quarter third thirds majority most"""
)
DATES = re.compile(
    r"\b(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|"
    r"July|August|September|October|November|December|yesterday|last (?:week|month|year)|"
    r"(?:since|in|until|by) (?:19|20)\d\d|overnight|fortnight)\b"
)
EVENT_WORDS = _word_set(
    """killed died dead wounded injured seized captured liberated entered left withdrew withdrawing
    retreated destroyed damaged attacked struck shelled occupied annihilated evacuated arrested detained
    rose risen fell fallen increased decreased climbed dropped grew grown shrank reached raised cut won
    lost loss approved rejected signed passed voted banned launched opened closed postponed delayed
    cancelled ordered received built began ended burned flooded imported exported awarded recorded spent
    paid fined sentenced convicted charged elected appointed resigned fired hired sold bought admitted
    announced recommended denied confirmed taken took used halted saved means lies carries"""
)
EVENT_PHRASES = re.compile(r"\b(?:carried out|ran out)\b")
AUXILIARIES = _word_set("has have had was were been")
PERFECT_OR_PASSIVE = re.compile(r"\b(?:has|have|had|was|were|been)\s+(?:\w+\s+)?\w+ed\b")
SUPERLATIVES = _word_set("first last largest biggest highest lowest fastest worst best most least record")
PROPER_NOUN = re.compile(r"(?<![“\"‘(\w’'.-])[A-ZÀ-Ý][a-zà-ÿ]+|\b[A-Z]{2,}\b")

# Hedges are matched case-sensitively ("may", not the month "May").
STRONG_HEDGES = _word_set(
    """may might perhaps possibly probably likely unlikely potentially rumoured rumored fear fears feared
    hope hopes hoped believe believes think thinks feel feels if"""
)
HEDGE_PHRASES = re.compile(r"\b(?:could(?! not)(?!n[’']t)|appears? to|seems? to|expected to|speculat\w*)")
HEDGE_TRIGGERS = _word_set("could appear appears seem seems expected speculation speculated speculate")
WEAK_HEDGES = _word_set("would should will reportedly allegedly")
WEAK_HEDGE_PHRASES = re.compile(r"\b(?:plans?|aims?|intends?|wants?) to\b")
WEAK_HEDGE_TRIGGERS = _word_set("plan plans aim aims intend intends want wants")
NOT_CONFIRMED = re.compile(
    r"\b(?:(?:did|does|do|has|have|had|could|would|was|were|is|are)(?:\s*n[o’']t|\s+not)\s+(?:\w+\s+){0,2}?"
    r"(?:confirm|confirmed|verify|verified|determine|determined|establish|established|comment|commented|"
    r"respond|responded|say|disclose|disclosed)|declined to (?:comment|confirm|say|disclose)|"
    r"refused to (?:comment|confirm|say)|no comment|unconfirmed|could not be (?:reached|verified)|"
    r"not (?:yet |immediately |independently )?(?:been )?(?:confirmed|verified))\b",
    re.IGNORECASE,
)
NEGATION_TRIGGERS = ("not ", "n’t", "n't", "declined", "refused", "unconfirmed", "no comment")
UNKNOWN = re.compile(
    r"^(?:it (?:is|was|remains) (?:not yet |still |also )?(?:unclear|not clear|not known|unknown|uncertain)|"
    r"whether\b|it remains to be seen)|\bremains? (?:unclear|to be seen|a mystery)\b",
    re.IGNORECASE,
)
UNKNOWN_TRIGGERS = ("clear", "known", "uncertain", "whether", "seen", "mystery")


def _words(text):
    """The words of ``text`` as written (the first one also lower-cased) and all lower-cased."""
    tokens = WORD.findall(text)
    written = set(tokens)
    if tokens:
        written.add(tokens[0].lower())
    return written, {token.lower() for token in tokens}


def _negated_or_open(sentence):
    """Why ``sentence`` cannot be checked as stated: ``"not confirmed"``, ``"open question"`` or ``None``."""
    lower = sentence.lower()
    if any(trigger in lower for trigger in NEGATION_TRIGGERS) and NOT_CONFIRMED.search(sentence):
        return "not confirmed"
    if sentence.rstrip(' ”"’').endswith("?"):
        return "open question"
    if any(trigger in lower for trigger in UNKNOWN_TRIGGERS) and UNKNOWN.search(sentence.strip()):
        return "open question"
    return None


def score(content, *, attributed, opinion=False, continuation=False, whole_sentence=""):
    """Check-worthiness of ``content`` in [0, 1] and the reasons, as ``(score, [reason, …])``."""
    written, lower = _words(content)
    reasons = []
    value = 0.25
    if DIGITS.search(content):
        value += 0.2
        reasons.append("number")
    elif lower & NUMBER_WORDS:
        value += 0.12
        reasons.append("quantity")
    if DATES.search(content):
        value += 0.1
        reasons.append("date")
    names = len(PROPER_NOUN.findall(content, 1))
    if names:
        value += min(names, 3) * 0.06
        reasons.append("names")
    if (
        lower & EVENT_WORDS
        or EVENT_PHRASES.search(content)
        or (lower & AUXILIARIES and PERFECT_OR_PASSIVE.search(content))
    ):
        value += 0.08
        reasons.append("event")
    if lower & SUPERLATIVES:
        value += 0.05
        reasons.append("superlative")
    if attributed:
        value += 0.05 if opinion else 0.2
        reasons.append("opinion of a named source" if opinion else "named source")
    elif continuation:
        value += 0.1
        reasons.append("quote")
    if written & STRONG_HEDGES or (lower & HEDGE_TRIGGERS and HEDGE_PHRASES.search(content)):
        value *= 0.4
        reasons.append("speculation")
    elif written & WEAK_HEDGES or (lower & WEAK_HEDGE_TRIGGERS and WEAK_HEDGE_PHRASES.search(content)):
        value -= 0.1
        reasons.append("hedged")
    unverifiable = _negated_or_open(whole_sentence or content)
    if unverifiable:
        value = min(value, 0.1 if unverifiable == "not confirmed" else 0.15)
        reasons.append(unverifiable)
    return round(min(max(value, 0.0), 1.0), 2), reasons
