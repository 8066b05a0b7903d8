"""Sentences: where each sentence of an article's text starts and ends.

Paragraphs (lines) never merge; a full stop after an abbreviation ("Dr.") or an initial ("J.") does
not end a sentence.
"""

import re


def _word_set(words):
    return frozenset(words.split())


ABBREVIATIONS = _word_set(
    """mr mrs ms dr prof gen lt col sgt capt cpl gov sen rep st jr sr inc ltd co corp vs etc
    e.g i.e no nos jan feb mar apr aug sep sept oct nov dec fig approx dept est mt ft pres
    rev hon adm cmdr maj brig u.s u.k u.n u.s.a a.m p.m"""
)
LINE = re.compile(r"[^\n]+")
# Starts only at the first mark of a run, and never gives back what it took: a run of 400,000 dots
# is read once, not once from each of its positions.
# Two apostrophes stand for a quotation mark in some newspapers' text.
SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++(?:[”\"’)\]]|'')*+(?=\s++(?:''|[“\"‘(\[])?[A-Z0-9À-Ý])")
INITIAL = re.compile(r"(?:^|\s)(?:[A-Z]|(?:[A-Za-z]\.)+[A-Za-z])$")


def _last_word(text, start, end):
    """The last whitespace-separated word of ``text[start:end]`` ("" if none).

    Reads back only as far as that word (doubling a window), never the whole ``text[start:end]``: after
    a run of abbreviations ("Dr. Dr. Dr. …") ``start`` stays put while ``end`` moves on.
    """
    size = 32
    while True:
        low = max(start, end - size)
        piece = text[low:end].rstrip()
        word = piece.rsplit(None, 1)[-1] if piece else ""
        if low == start or (piece and len(word) < len(piece)):
            return word
        size *= 2


def sentence_spans(text):
    """``(start, end)`` of each sentence of ``text``, whitespace trimmed; paragraphs never merge."""
    spans = []
    for paragraph in LINE.finditer(text):
        base = paragraph.start()
        chunk = paragraph.group()
        start = 0
        for match in SENTENCE_END.finditer(chunk):
            end = match.start()
            if match.group().startswith(".") and (
                _last_word(chunk, start, end).lower().strip('(“"‘') in ABBREVIATIONS
                or INITIAL.search(chunk[max(start, end - 12) : end])
            ):
                continue
            spans.append((base + start, base + match.end()))
            start = match.end()
        spans.append((base + start, base + len(chunk)))
    trimmed = []
    for start, end in spans:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            start += len(piece) - len(piece.lstrip())
            trimmed.append((start, start + len(stripped)))
    return trimmed
