"""Claimants: a speaker phrase as written, cleaned into a name and resolved to who it refers to.

A short mention ("the ministry", "Okafor") is resolved to the fuller name met earlier in the article
("Russian Ministry of Defense", "Lena Okafor"); "he", "she", "it" and "they" to the latest speaker
of that kind.
"""

import functools
import re
from dataclasses import dataclass, field

from claims.extraction.sentences import ABBREVIATIONS, _word_set

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
SOURCE_OWNER = re.compile(
    r"^(?P<owner>.+?)[’']s?\s+(?:\w+\s+){0,3}?(?:figures|data|report|statement|estimates?|"
    r"version|account|records?|survey|analysis|study|audit|website|count|tally|numbers)\b"
)
SOURCE_BY = re.compile(r"\b(?:by|from)\s+(?P<owner>.+)$")
TITLES = (
    r"President|Vice President|Prime Minister|Gov\.|Sen\.|Rep\.|"
    r"Minister|minister|Governor|governor|Mayor|mayor|Chancellor|"
    r"Senator|senator|Secretary|secretary|Dr\.?|Prof\.?|Professor|professor|Mr\.?|Mrs\.?|Ms\.?|General|Gen\.?|"
    r"Colonel|Col\.?|Commander|commander|Chief|chief|Head|head|spokesman|spokeswoman|spokesperson|Director|"
    r"director|CEO|executive|Leader|leader|Judge|judge|Ambassador|ambassador|Speaker|Lieutenant|Captain|Sheriff|"
    r"prosecutor|Prosecutor|lawyer|attorney|Attorney|official|inspector|Inspector|chairman|chairwoman|chair|"
    r"economist|analyst|founder|editor|Commissioner|commissioner|Superintendent|superintendent"
)
# The particles end at a word boundary: "He al|so" is not a name.
NAME_WORD = r"(?:[A-ZÀ-Ý][\w’'\-.]*|(?:de|da|van|von|der|bin|al|del|la|le|dos)\b)"
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
NAME_PARTICLES = _word_set("de da van von der bin al del la le dos")
# Who is speaking but has no name here: "I", "we", "you" (and their contractions) name nobody.
UNNAMED = _word_set(
    """i me my we us our you your i've i'm i'd i'll we've we're we'd we'll you've you're you'd you'll
    i’ve i’m i’d i’ll we’ve we’re we’d we’ll you’ve you’re you’d you’ll one someone somebody everyone
    everybody anyone nobody this that these those what who which"""
)
# A speaker phrase cut out of a clause rather than a noun phrase: it starts or ends with a function word
# ("with newly", "secretary of state and", "for example") or is an adverb ("strongly").
FRAGMENT_EDGE = _word_set(
    """with without to of in on at by for from into onto about after before during since until as than
    and or but nor so yet because although though if that which who whom whose where when while what how
    why not very also just even only despite once unless whether example instance following according
    including regarding concerning"""
)
ADVERBS = _word_set("also then since now still again already never not ever first later once just even")
CONTRACTION = re.compile(r"[’']")
AUXILIARIES = _word_set(
    "is are was were be been being has have had do does did will would can could should may might must"
)
# A subordinate clause or an aside in front of the subject: "When Trump said …", "Although he said …".
SUBORDINATE = re.compile(
    r"^(?:when|while|as|although|though|if|because|since|after|before|once|until|unless|whereas)\s+(?=\S)",
    re.IGNORECASE,
)
# A title that only a person has: "Mr. Obama said" is a person's "he" even with the surname alone.
PERSONAL_TITLE = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|President|Senator|Governor)\b\.?\s+[A-ZÀ-Ý]")
# The subject of a sentence, after an introductory phrase: "In Ohio on Monday, Ms. Roe said …".
SUBJECT_NAME = re.compile(
    r"(?:(?:In|On|At|After|Before|During|Last|Earlier|Later|But|And|With|Without|As|Since|Despite|Although|"
    rf"Though|While|When|For|From|Following|Asked|Speaking|Like|Unlike|Still|Yet|So|Then|Now|Meanwhile|"
    rf"However|Instead|Indeed|Also)\b[^,.;:“”\"]{{0,80}},\s+)?"
    rf"(?P<name>[A-ZÀ-Ý][\w’'\-.]*(?:\s+{NAME_WORD}){{0,3}})(?=\s+[a-z]|,|\s+\()"
)
ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
NAME_TOKEN = re.compile(r"[^\W_]+")
STOP_WORDS = _word_set("the a an of and for in on at to 's ’s")


@functools.lru_cache(maxsize=4096)
def _clean_speaker(raw):
    """A speaker phrase as a claimant: no leading conjunctions or articles, no title before a name."""
    speaker = " ".join(raw.split()).strip(' ,;:—–-“”"')
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
        and not any(word.endswith(("’", "'", "’s", "'s")) for word in words)  # "Editor’s Note", "Republicans’ Long"
    )


def _without_trailing_adverbs(phrase):
    """ "Cruz had effusively (praised)" → "Cruz": adverbs and auxiliaries between a subject and its verb."""
    words = phrase.split()
    while len(words) > 1 and (
        (words[-1].islower() and words[-1].endswith("ly") and words[-1] != "family")
        or words[-1] in AUXILIARIES
        or words[-1] in ADVERBS
    ):
        words.pop()
    return " ".join(words)


def _coordinated_subject(phrase):
    """The subject of the first of two coordinated verbs: "Ms. Sherry smiled and (said)" → "Ms. Sherry"."""
    words = phrase.split()
    if len(words) < 3 or words[-1].lower() not in ("and", "but", "then"):
        return phrase
    lead = 0
    while lead < len(words) - 1 and (words[lead][:1].isupper() or words[lead] in NAME_PARTICLES):
        lead += 1
    if lead == 0 and words[0].lower() in PRONOUNS:
        lead = 1
    return " ".join(words[:lead]) if lead else phrase


def is_speaker(claimant):
    """Whether a cleaned speaker phrase can be a claimant: a name or a description, not a fragment."""
    words = claimant.split()
    if not words or not any(ch.isalpha() for ch in claimant):
        return False
    lowered = [word.lower().strip("“”\"'’,") for word in words]
    if claimant.lower() in UNNAMED or lowered[0] in UNNAMED or CONTRACTION.split(lowered[0])[0] in PRONOUNS:
        return False
    first, last = words[0], words[-1]
    if first.lower() in FRAGMENT_EDGE or last.lower() in FRAGMENT_EDGE or first in AUXILIARIES or last in AUXILIARIES:
        return False
    # A capitalised word at the end is a name ("Theresa May"); a lower-case "-ly" word an adverb.
    return not any(word.islower() and word.endswith("ly") and word != "family" for word in (first, last))


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
            name = _clean_speaker(SUBORDINATE.sub("", match.group()))
            if name:
                self._remember(name, _tokens(name))
        subject = SUBJECT_NAME.match(sentence)
        if subject:
            # A sentence about a person ("Okafor left the room.") makes them the "he" or "she" of the next.
            name = self.resolve(subject.group("name"))
            if name and (is_person(name) or self._known_person(name) or PERSONAL_TITLE.match(subject.group("name"))):
                self.last_person = name

    def _known_person(self, name):
        """A surname alone ("Okafor") is a person's when a person of that name spoke before."""
        words = name.split()
        return len(words) == 1 and any(is_person(known) and known.split()[-1] == name for known in reversed(self.known))

    def resolve(self, phrase):
        """The claimant a speaker phrase refers to (a pronoun, a short mention or a new name).

        Never a pronoun, "I", "we", "you" or a fragment of a clause: what cannot be resolved to a
        speaker is ``""``.
        """
        cleaned = LEADING_NOISE.sub("", " ".join(phrase.split())).strip(' ,“”"')
        cleaned = SUBORDINATE.sub("", cleaned)
        word = cleaned.lower().split()[0] if cleaned else ""
        if word in PRONOUNS and len(cleaned.split()) <= 2:
            if PRONOUNS[word] == "person":
                # "he" is a person; "his version" may be a ministry's, written loosely.
                return self.last_person if len(cleaned.split()) == 1 else self.last_person or self.last
            return self.last_other or self.last
        cleaned = _coordinated_subject(_without_trailing_adverbs(cleaned))
        speaker = _clean_speaker(cleaned)
        if not is_speaker(speaker):
            return ""
        tokens = _tokens(speaker)
        if tokens:
            for name in reversed(self.known):
                if tokens < self.known[name] and is_speaker(name):
                    return name
        return speaker

    def spoke(self, claimant, phrase=""):
        """Remember ``claimant`` (written as ``phrase``) as the latest speaker."""
        if not claimant:
            return
        self.last = claimant
        if is_person(claimant) or self._known_person(claimant) or PERSONAL_TITLE.search(phrase):
            self.last_person = claimant
        else:
            self.last_other = claimant
        self._remember(claimant, _tokens(claimant) | _tokens(phrase))
