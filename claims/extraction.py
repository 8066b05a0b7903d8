"""Candidate claims from article text: which sentences are worth checking, and who made them.

Rule-based and English-only, on purpose: it runs offline with nothing but the standard library, is
fast (a 100 KB article in a few tens of milliseconds), and every decision can be explained to a
reviewer (``Candidate.reasons``). A claim is a sentence, or the reported clause of one ("X said
*that …*", "*“…”*, X said", "according to X, *…*"), with exact offsets into the body.

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

import bisect
import functools
import itertools
import re
import time
from dataclasses import dataclass, field

PROPOSAL_THRESHOLD = 0.5
MAX_SENTENCE_CHARS = 1000
MIN_SENTENCE_WORDS = 4
# Reporting verbs tried as the attribution of one sentence: news sentences have one to three (the
# labelled set at most two); "said, said, said, …" would otherwise cost ~70 µs a verb.
MAX_VERBS_PER_SENTENCE = 12


class ExtractionTimeout(Exception):
    """Analysing a text took longer than its time budget; nothing was stored."""

    def __init__(self, time_limit):
        self.time_limit = time_limit
        super().__init__(f"the text is too long or too complex to extract claims from within {time_limit:g} seconds.")


def _word_set(words):
    return frozenset(words.split())


# --- Sentences ----------------------------------------------------------------------------------

ABBREVIATIONS = _word_set(
    """mr mrs ms dr prof gen lt col sgt capt cpl gov sen rep st jr sr inc ltd co corp vs etc
    e.g i.e no nos jan feb mar apr aug sep sept oct nov dec fig approx dept est mt ft pres
    rev hon adm cmdr maj brig u.s u.k u.n u.s.a a.m p.m"""
)
LINE = re.compile(r"[^\n]+")
# Starts only at the first mark of a run, and never gives back what it took: a run of 400,000 dots
# is read once, not once from each of its positions.
SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[”\"’)\]]*+(?=\s++[“\"‘(\[]?[A-Z0-9À-Ý])")
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


# --- Attribution --------------------------------------------------------------------------------

# Verbs that report what somebody asserted. Lower case only, so that nouns such as "States" or
# "Claims" at the start of a name are not taken for verbs.
SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|stated|announced|announces|reported|confirmed|confirms|denied|denies|"
    "insisted|insists|claimed|warned|warns|noted|explained|wrote|writes|acknowledged|acknowledges|"
    "admitted|admits|assured|pointed out|points out|estimated|revealed|disclosed|declared|maintained|"
    "alleged|asserted|stressed|emphasi[sz]ed|recalled|promised|urged|recommended|recommends|conceded|"
    "testified|indicated|countered|replied|responded|concluded|found|finds"
)
# Verbs that report an opinion or a reaction: the speaker is still the claimant, but the
# statement is a judgement rather than a fact.
OPINION_VERBS = "argued|argues|accused|accuses|blamed|blames|criticised|criticized|suggested|suggests"
# Verbs of showing or publishing: attribute only when what was shown carries content
# ("posted photos of …", "data show that …"), not for "tweeted a grape emoji".
SHOWING_VERBS = "showed|shows|show|posted|posts|tweeted|tweets|published|shared|broadcast"

DIRECT_VERBS = _word_set(
    "said says say added adds wrote writes insisted insists claimed claims estimated warned warns argued argues"
)
ATTRIBUTION_VERB = re.compile(rf"\b({SPEECH_VERBS}|{OPINION_VERBS}|{SHOWING_VERBS})\b")
OPINION_VERB = re.compile(rf"^(?:{OPINION_VERBS})$")
SHOWING_VERB = re.compile(rf"^(?:{SHOWING_VERBS})$")
# Words that open an adverbial after a reporting verb ("said *on Friday*", "wrote *in* a post")
# rather than the reported clause itself ("said *the army* had left").
ADVERBIAL_START = re.compile(
    r"^\s*(?:on|late|early|last|this|earlier|later|in|at|during|after|before|to|via|through|from|"
    r"separately|yesterday|today|tonight|again|also|repeatedly|publicly|privately|when|while)\b"
)
# An opening phrase ("After the vote, the minister said …") is not the content of what follows.
INTRODUCTORY = re.compile(
    r"^\W*(?:after|before|in|on|at|during|following|despite|as|when|while|since|with|amid|for|by|"
    r"earlier|later|meanwhile|however)\b",
    re.IGNORECASE,
)
REPORTED_CLAUSE = re.compile(r"\bthat\s+|:\s*(?=[“\"])|:\s+")
CONTENT_ARTEFACT = re.compile(
    r"^\W*(?:\w+\W+){0,6}?(?:photos?|pictures?|images?|footage|videos?|maps?|documents?|figures|data|"
    r"statements?|reports?|letters?|messages?|screenshots?)\b[^.]{0,40}?\b(?:of|showing|that|which|saying)\b"
)
PROVENANCE = re.compile(
    r"\b(?:photos?|pictures?|images?|footage|videos?|figures|data|documents?|recordings?)\b"
    r"[^.,;]{0,30}?\b(?:supplied|released|provided|published|distributed|issued|shared)\s+by\s+"
    r"(?P<source>(?:the\s+)?[\w’'\-]+(?:\s+(?:of\s+)?[\w’'\-]+){0,5}?)"
    r"(?=\s+(?:showing|which|that|who|to|in|on|from|as)\b|\s*[,.;]|$)"
)
# Inside one sentence a full stop only follows an abbreviation ("Dr. Okafor").
ACCORDING_TO = re.compile(r"\baccording to\s+(?P<source>[^,;:“”\"]{2,120})", re.IGNORECASE)
QUOTE_FIRST = re.compile(r"^[“\"](?P<quote>[^”\"]{8,}?)[”\"]\s*,?\s*")
SPEAKER_AFTER_QUOTE = re.compile(
    r"^(?P<verb>said|says|added|adds|told|wrote|writes|insisted|explained|warned|noted|recalled|"
    r"continued|declared|stressed)\s+(?P<speaker>[^,.;:“”\"]{2,80})"
)
SPEAKER_BEFORE_VERB = re.compile(
    rf"^(?P<speaker>[^,.;:“”\"]{{1,80}}?)\s+(?:has\s+|had\s+|also\s+|later\s+)?(?P<verb>{SPEECH_VERBS})\b"
)
INVERTED_END = re.compile(
    r",\s+(?P<verb>said|says|added|adds|wrote|writes)\s+(?P<speaker>[^,.;:“”\"]{2,80}?)(?:,[^,;:“”\"]{0,80})?[.!]?$"
)

PRONOUNS = {
    "he": "person",
    "she": "person",
    "his": "person",
    "her": "person",
    "him": "person",
    "it": "other",
    "its": "other",
    "they": "other",
    "their": "other",
    "them": "other",
}
CLAUSE_BOUNDARY = re.compile(
    r"(?:[,;:(—–]|\b(?:that|after|before|when|while|because|since|as|but|although|though|where|which|who|and then)\b)"
)
# The noise patterns read each run of spaces and commas one way only: written as "\s*,?\s+" repeated,
# a run of spaces between words split in exponentially many ways before "$" failed (a 138-character
# speaker took minutes). Atomic groups and possessive quantifiers never give back what they took,
# and no word below is the start of another, so the matches are the same.
LEADING_NOISE = re.compile(
    r"^(?:(?>but|and|yet|so|also|still|meanwhile|however|moreover|later|earlier|then|now|separately|"
    r"yesterday|today|on \w++|in a statement|in the morning|in the evening)(?:\s*+,)?\s++)++",
    re.IGNORECASE,
)
_TRAILING_NOISE_WORD = (
    r"(?>has|have|had|also|later|previously|then|again|repeatedly|separately|further|already|"
    r"earlier|once|yesterday|today|tonight|recently|however|on \w++|last \w++|this \w++|in a statement)"
)
# Starts at a space that follows no space: the longest noise ending the text starts there or at a comma.
TRAILING_NOISE = re.compile(
    rf"(?<!\s)(?:\s*+,)?+\s++{_TRAILING_NOISE_WORD}(?:(?:\s*+,){{0,2}}+\s++{_TRAILING_NOISE_WORD})*+\s*+,?+$",
    re.IGNORECASE,
)
BAD_SUBJECT_END = re.compile(
    r"\b(?:was|were|is|are|be|been|being|not|to|of|by|for|with|the|a|an|would|could|may|might|will|"
    r"should|can|must|do|does|did|who|which|that)$",
    re.IGNORECASE,
)
SOURCE_OWNER = re.compile(
    r"^(?P<owner>.+?)[’']s?\s+(?:\w+\s+){0,3}?(?:figures|data|report|statement|estimates?|"
    r"version|account|records?|survey|analysis|study|audit|website|count|tally|numbers)\b"
)
SOURCE_BY = re.compile(r"\b(?:by|from)\s+(?P<owner>.+)$")
TITLES = (
    r"President|Vice President|Prime Minister|Minister|minister|Governor|governor|Mayor|mayor|Chancellor|"
    r"Senator|senator|Secretary|secretary|Dr\.?|Prof\.?|Professor|professor|Mr\.?|Mrs\.?|Ms\.?|General|Gen\.?|"
    r"Colonel|Col\.?|Commander|commander|Chief|chief|Head|head|spokesman|spokeswoman|spokesperson|Director|"
    r"director|CEO|executive|Leader|leader|Judge|judge|Ambassador|ambassador|Speaker|Lieutenant|Captain|Sheriff|"
    r"prosecutor|Prosecutor|lawyer|attorney|Attorney|official|inspector|Inspector|chairman|chairwoman|chair|"
    r"economist|analyst|founder|editor|Commissioner|commissioner|Superintendent|superintendent"
)
NAME_WORD = r"(?:[A-ZÀ-Ý][\w’'\-.]*|de|da|van|von|der|bin|al|del|la|le|dos)"
TITLED_NAME = re.compile(rf"\b(?:{TITLES})\s+(?P<name>[A-ZÀ-Ý][\w’'\-.]*(?:\s+{NAME_WORD}){{0,3}})$")
# "environmental group Blue Sarn", "opposition Social Democrats": the name without its description.
DESCRIBED_NAME = re.compile(rf"^(?:[a-z][\w\-]*\s+){{1,3}}(?P<name>[A-ZÀ-Ý][\w’'\-.]*(?:\s+{NAME_WORD}){{0,3}})$")
MENTION = re.compile(rf"[A-ZÀ-Ý][\w’'\-.]*(?:\s+(?:of\s+(?:the\s+)?)?{NAME_WORD})+")
PROPER_NAME = re.compile(rf"^[A-ZÀ-Ý][\w’'\-.]*(?:\s+{NAME_WORD}){{0,4}}$")
ORGANISATION_WORDS = _word_set(
    """ministry government office department agency bank service court forces force council committee
    party republic organization organisation centre center university hospital company group association
    union police army military media authorities authority administration commission institute board
    registry parliament senate house kremlin president's news times post agency press"""
)
ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
ASIDE_AT_END = re.compile(r",\s*(?:however|meanwhile|though|too|in turn)\s*,?$", re.IGNORECASE)
RELATIVE = re.compile(r"(?:who|which|whose|where|when)\b")
RELATIVE_ASIDE = re.compile(r"^\s*,\s*(?:who|which|whose|where)\b[^,]*,")
EXPLETIVE = re.compile(r"\b(?:it is|there (?:is|are|was|were))\b", re.IGNORECASE)
NAME_TOKEN = re.compile(r"[^\W_]+")
NOT_A_CLAUSE = re.compile(r"\s*(?:that\b|[,.;:!?“\"])")
STOP_WORDS = _word_set("the a an of and for in on at to 's ’s")


@functools.lru_cache(maxsize=4096)
def _clean_speaker(raw):
    """A speaker phrase as a claimant: no leading conjunctions or articles, no title before a name."""
    speaker = " ".join(raw.split()).strip(" ,;:—–-")
    if speaker.endswith(".") and speaker.rsplit(None, 1)[-1].rstrip(".").lower() not in ABBREVIATIONS:
        speaker = speaker[:-1]
    speaker = LEADING_NOISE.sub("", speaker)
    speaker = TRAILING_NOISE.sub("", speaker).strip(" ,")
    owner = SOURCE_OWNER.match(speaker)
    if owner:
        speaker = owner.group("owner")
    by = SOURCE_BY.search(speaker)
    if by and not PROPER_NAME.match(speaker):
        speaker = by.group("owner")
    speaker = ARTICLE.sub("", speaker).strip(" ,")
    titled = TITLED_NAME.search(speaker) or DESCRIBED_NAME.match(speaker)
    if titled:
        speaker = titled.group("name")
    return speaker


def _last_boundary_end(sentence, end):
    """Where the last clause boundary of ``sentence[:end]`` ends (0 if none).

    Reads back from ``end`` in a doubling window rather than through every boundary from the start:
    a sentence of a hundred "said, said, …" asks this once per verb.
    """
    size = 64
    while True:
        low = max(0, end - size)
        # Boundaries are punctuation or whole words (``\b`` sees the character before ``low``), so the
        # window finds exactly the boundaries of the whole prefix that start inside it.
        ends = [match.end() for match in CLAUSE_BOUNDARY.finditer(sentence, low, end)]
        if ends or low == 0:
            return ends[-1] if ends else 0
        size *= 2


def _subject_before(sentence, verb_start):
    """The speaker phrase just before a reporting verb, and where it starts; ``(None, None)`` if none."""
    left = sentence[:verb_start].rstrip()
    aside = ASIDE_AT_END.search(left, max(0, len(left) - 30))
    if aside:
        left = left[: aside.start()] + ","
    # A slice, not ``search(left, pos)``: TRAILING_NOISE looks behind its start, which must not see past it.
    tail = left[-80:]
    noise = TRAILING_NOISE.search(tail)
    if noise:
        left = left[: len(left) - len(tail) + noise.start()].rstrip()
    if not left:
        return None, None
    if left.endswith(","):
        # "A, B, said": an appositive. Prefer whichever of A and B is a proper name.
        body = left[:-1]
        comma = body.rfind(",")
        if comma < 0:
            return None, None
        second = body[comma + 1 :].strip()
        first_region = body[:comma]
        first_start = _last_boundary_end(sentence, len(first_region))
        first = first_region[first_start:].strip()
        first_clean = _clean_speaker(first)
        relative = RELATIVE.match(second)
        if relative or (first_clean and PROPER_NAME.match(first_clean) and not PROPER_NAME.match(second)):
            speaker, start = first, first_start
        else:
            speaker, start = second, first_start if first else comma + 1
        if not speaker:
            return None, None
        return speaker, start
    start = _last_boundary_end(sentence, len(left))
    speaker = left[start:].strip()
    return speaker or None, start


def _plausible_speaker(phrase):
    if not phrase or len(phrase) > 90 or len(phrase.split()) > 10:
        return False
    if any(ch.isdigit() for ch in phrase) or not any(ch.isalpha() for ch in phrase):
        return False
    if BAD_SUBJECT_END.search(phrase) or ATTRIBUTION_VERB.search(phrase):
        return False
    return not EXPLETIVE.search(phrase)


@functools.lru_cache(maxsize=4096)
def _tokens(name):
    words = NAME_TOKEN.findall(name.lower().replace("’s", "").replace("'s", ""))
    return frozenset(word for word in words if word not in STOP_WORDS)


def is_person(name):
    """A personal name: two to four capitalised words and nothing that names an organisation."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and bool(PROPER_NAME.match(name))
        and not any(word.lower().strip("’'s") in ORGANISATION_WORDS for word in words)
    )


@dataclass
class Speakers:
    """Who has spoken or been named so far in the article, to resolve pronouns and short mentions."""

    known: dict = field(default_factory=dict)  # claimant -> its words, most recent last
    last: str = ""
    last_person: str = ""
    last_other: str = ""

    def _remember(self, name, words):
        self.known[name] = self.known.pop(name, frozenset()) | words
        if len(self.known) > 100:
            del self.known[next(iter(self.known))]

    def note_mentions(self, sentence):
        for match in MENTION.finditer(sentence):
            name = _clean_speaker(match.group())
            if name:
                self._remember(name, _tokens(name))

    def resolve(self, phrase):
        """The claimant a speaker phrase refers to (a pronoun, a short mention or a new name)."""
        cleaned = LEADING_NOISE.sub("", " ".join(phrase.split())).strip(" ,")
        word = cleaned.lower().split()[0] if cleaned else ""
        if word in PRONOUNS and len(cleaned.split()) <= 2:
            if PRONOUNS[word] == "person":
                return self.last_person or self.last
            return self.last_other or self.last
        speaker = _clean_speaker(phrase)
        tokens = _tokens(speaker)
        if tokens:
            for name in reversed(self.known):
                if tokens < self.known[name]:
                    return name
        return speaker

    def spoke(self, claimant, phrase=""):
        """Remember ``claimant`` (written as ``phrase``) as the latest speaker."""
        if not claimant:
            return
        self.last = claimant
        if is_person(claimant):
            self.last_person = claimant
        else:
            self.last_other = claimant
        self._remember(claimant, _tokens(claimant) | _tokens(phrase))


@dataclass(frozen=True)
class Attribution:
    speaker: str  # as written ("she", "the office"); resolved later
    content_start: int
    content_end: int
    opinion: bool = False
    continuation: bool = False


def _content_after(sentence, position, *, direct):
    """Where the clause reported by a verb ending at ``position`` starts, or ``None``.

    ``direct`` verbs ("said", "added") may take the clause straight after them ("said the army had
    left"); others need "that" or a colon. A "that" after a comma belongs to another phrase.
    """
    tail = sentence[position:]
    if (
        direct
        and tail[:1].isspace()
        and tail.strip()
        and not ADVERBIAL_START.match(tail)
        and not NOT_A_CLAUSE.match(tail)
    ):
        return position + len(tail) - len(tail.lstrip())
    clause = REPORTED_CLAUSE.search(tail, 0, min(len(tail), 140))
    if clause and "," not in tail[: clause.start()]:
        return position + clause.end()
    return None


def _ends_sentence(sentence, position):
    """Whether only adverbials ("on Friday", "in its annual report") or an aside follow a verb."""
    segment = sentence[position:].split(",", 1)[0].strip(' .!”"')
    if not segment:
        return True
    return bool(ADVERBIAL_START.match(segment)) and len(segment) <= 60 and "that" not in segment.split()


def attribute(sentence):
    """How ``sentence`` attributes its content, or ``None`` if it is the article's own statement."""
    quoted = QUOTE_FIRST.match(sentence)
    if quoted:
        rest_at = quoted.end()
        rest = sentence[rest_at:]
        inner_start, inner_end = quoted.start("quote"), quoted.end("quote")
        while inner_end > inner_start and sentence[inner_end - 1] in ",.!? ":
            inner_end -= 1
        after = SPEAKER_AFTER_QUOTE.match(rest) or SPEAKER_BEFORE_VERB.match(rest)
        if after and _plausible_speaker(after.group("speaker").strip()):
            return Attribution(after.group("speaker"), inner_start, inner_end)

    according = ACCORDING_TO.search(sentence)
    if according:
        source = according.group("source").strip()
        if according.start() < 3 or sentence[: according.start()].strip(" ,") in ("But", "And", "However"):
            # "According to X, [who …,] content"
            rest_at = according.end()
            rest = sentence[rest_at:]
            skip = RELATIVE_ASIDE.match(rest)
            content_start = rest_at + (skip.end() if skip else len(rest) - len(rest.lstrip(" ,")))
            return Attribution(source, content_start, len(sentence))
        before = sentence[: according.start()].rstrip(" ,")
        after = sentence[according.end() :].strip(' .!”"')
        end = len(before) if not after else len(sentence)
        return Attribution(source, 0, end)

    for verb in itertools.islice(ATTRIBUTION_VERB.finditer(sentence), MAX_VERBS_PER_SENTENCE):
        name = verb.group()
        speaker, speaker_start = _subject_before(sentence, verb.start())
        if not _plausible_speaker(speaker):
            continue
        opinion = bool(OPINION_VERB.match(name))
        comma = sentence.rfind(",", 0, speaker_start + 1)
        introduction = INTRODUCTORY.match(sentence[:comma]) and "," not in sentence[:comma]
        if (
            comma > 0
            and not introduction
            and not sentence[comma + 1 : speaker_start].strip()
            and _ends_sentence(sentence, verb.end())
        ):
            # "Content, the ministry said (on Friday)."
            return Attribution(speaker, 0, comma, opinion=opinion)
        content_start = _content_after(sentence, verb.end(), direct=name in DIRECT_VERBS)
        if SHOWING_VERB.match(name) and content_start is None and not CONTENT_ARTEFACT.match(sentence[verb.end() :]):
            continue
        if content_start is not None:
            return Attribution(speaker, content_start, len(sentence), opinion=opinion)
        # A speech act reported whole: "X admitted the loss of …", "X denied the report".
        return Attribution(speaker, 0, len(sentence), opinion=opinion)

    inverted = INVERTED_END.search(sentence)
    if inverted and _plausible_speaker(inverted.group("speaker")):
        return Attribution(inverted.group("speaker"), 0, inverted.start())

    if quoted:
        # A quote with no speaker of its own carries on from the previous speaker.
        return Attribution("", 0, len(sentence), continuation=True)
    return None


# --- Check-worthiness ---------------------------------------------------------------------------

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


# --- Candidates ---------------------------------------------------------------------------------

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


# --- Storing ------------------------------------------------------------------------------------


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
    from django.conf import settings
    from django.db import transaction
    from simple_history.utils import bulk_create_with_history

    from claims.models import Article, Claim

    candidates = find_candidates(article.body, article.language, time_limit=settings.FACTCHECK_EXTRACTION_TIME_LIMIT)
    if not candidates:
        return []
    claimed_at = article.published_at.date() if article.published_at else None
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
