"""Attribution: who a sentence attributes its content to, and which part of the sentence that is.

The subject of a reporting verb, the source of "according to …" or the speaker after a quote; a quote
with no speaker of its own carries on from the previous one. No attribution: the article's own claim.
"""

import bisect
import itertools
import re
from dataclasses import dataclass

from claims.extraction.claimants import FRAGMENT_EDGE, PROPER_NAME, TRAILING_NOISE, _clean_speaker, is_person
from claims.extraction.sentences import ABBREVIATIONS, _word_set

# Reporting verbs tried as the attribution of one sentence: news sentences have one to three (the
# labelled set at most two); "said, said, said, …" would otherwise cost ~70 µs a verb.
MAX_VERBS_PER_SENTENCE = 12
# Verbs that report what somebody asserted. Lower case only, so that nouns such as "States" or
# "Claims" at the start of a name are not taken for verbs.
SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|stated|announced|announces|reported|confirmed|confirms|denied|denies|"
    "insisted|insists|claimed|warned|warns|noted|explained|wrote|writes|acknowledged|acknowledges|"
    "admitted|admits|assured|pointed out|points out|estimated|revealed|disclosed|declared|maintained|"
    "alleged|asserted|stressed|emphasi[sz]ed|recalled|promised|urged|recommended|recommends|conceded|"
    "testified|indicated|countered|replied|responded|concluded|found|finds|"
    # Speech acts reported whole as often as with a clause: "X asked whether …", "X called it …".
    "asked|asks|called|calls|described|describes|predicted|predicts|contended|contends|questioned|questions|"
    "mentioned|joked|jokes|quipped|vowed|vows|pledged|pledges|complained|complains|boasted|boasts|cited|cites|"
    "reveals|conceded|concedes|insist|explains|argue|promises|warn|deny|vow|pledge|predict|acknowledge|"
    "concede|contend|allege|maintain|claims|concludes|notes|"
    # In the present progressive: "The White House is saying that …"
    "(?:is|are|was|were)\\s+(?:[a-z]+ly\\s+)?(?:saying|telling|confirming|stressing|warning|arguing|insisting|claiming|"
    "predicting|promising|pledging|urging|vowing|denying|suggesting|asking|reporting|announcing|calling|"
    "accusing|criticizing|touting|blaming|demanding|complaining|questioning)|"
    "agreed|agrees|continued|continues|reiterated|repeated|proclaimed|touted|touts|"
    "contended|predicted|dismissed|dismisses|praised|praises|lamented|laments|recounted|observed"
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
# Not after a hyphen: "self-proclaimed", "so-called" are adjectives.
ATTRIBUTION_VERB = re.compile(rf"(?<!-)\b({SPEECH_VERBS}|{OPINION_VERBS}|{SHOWING_VERBS})\b")
SPEECH_VERB = re.compile(rf"(?<!-)\b(?:{SPEECH_VERBS}|{OPINION_VERBS})\b")
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
REPORTED_CLAUSE = re.compile(r"\bthat\s+|:\s*(?=[“\"])|:\s+|^,\s*(?=[“\"])")
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
# A character of a speaker's name: no punctuation but the full stop of a title or an initial ("Mr. J. Roe").
SPEAKER_CHAR = (
    r"(?:[^,.;:“”\"]|(?:(?<=\bMr)|(?<=\bMrs)|(?<=\bMs)|(?<=\bDr)|(?<=\bSen)|(?<=\bRep)|(?<=\bGov)|(?<=\bGen)"
    r"|(?<=\bLt)|(?<=\bCol)|(?<=\bSt)|(?<=\bProf)|(?<=\b[A-Z]))\.(?=\s+[A-Z]))"
)
SPEAKER_AFTER_QUOTE = re.compile(
    r"^(?P<verb>said|says|added|adds|told|wrote|writes|insisted|explained|warned|noted|recalled|"
    r"replied|responded|asked|answered|argued|claimed|tweeted|posted|joked|quipped|concluded|conceded|"
    rf"continued|declared|stressed)\s+(?P<speaker>{SPEAKER_CHAR}{{2,80}})"
)
SPEAKER_BEFORE_VERB = re.compile(
    rf"^(?P<speaker>{SPEAKER_CHAR}{{1,80}}?)\s+(?:has\s+|had\s+|also\s+|later\s+)?(?P<verb>{SPEECH_VERBS})\b"
)
INVERTED_END = re.compile(
    rf",[”\"]?\s+(?P<verb>said|says|added|adds|wrote|writes)\s+(?P<speaker>{SPEAKER_CHAR}{{2,80}}?)"
    r"(?:,[^;:“”\"]{0,160})?[.!]?$"
)
CLAUSE_BOUNDARY = re.compile(
    r"(?:[,;:(—–”\"!?]|\b(?:that|after|before|when|while|because|since|as|but|although|though|where|which|who|"
    r"and then)\b)"
)
BAD_SUBJECT_END = re.compile(
    r"\b(?:was|were|is|are|be|been|being|not|to|of|by|for|with|the|a|an|would|could|may|might|will|"
    r"should|can|cannot|can’t|can't|won’t|won't|must|do|does|did|didn’t|didn't|doesn’t|doesn't|don’t|don't|"
    r"who|which|that)$",
    re.IGNORECASE,
)
ASIDE_AT_END = re.compile(r",\s*(?:however|meanwhile|though|too|in turn)\s*,?$", re.IGNORECASE)
RELATIVE = re.compile(r"(?:who|which|whose|where|when)\b")
RELATIVE_ASIDE = re.compile(r"^\s*,\s*(?:who|which|whose|where)\b[^,]*,")
EXPLETIVE = re.compile(r"\b(?:it is|there (?:is|are|was|were))\b", re.IGNORECASE)
# "…, saying the plan would fail", "…, adding:", "…, telling reporters that …".
PARTICIPLE = re.compile(
    r",[”\"]?\s+(?:saying|adding|writing|noting|arguing|explaining|insisting|declaring|claiming|warning|stressing|"
    r"stating|suggesting|announcing|acknowledging|admitting|denying|predicting|vowing|promising|recalling|"
    r"(?:telling|asking|urging|reminding)\s+(?:[\w’'.]+\s+){0,3}?(?=that\b|[“\"]|whether\b|if\b)|"
    r"(?:calling|citing|accusing|criticizing|criticising|describing|questioning|blaming|praising|dismissing))\b"
    r"\s*:?\s*"
)
LEADING_SUBJECT = re.compile(
    r"\s*(?P<speaker>(?:(?:[Tt]he\s+)?(?!The\b)[A-ZÀ-Ý][\w’'\-.]*(?:\s+(?:[A-ZÀ-Ý][\w’'\-.]*|of|de|van|von|bin|al))*"
    r"(?:\s+(?:campaign|administration|government|ministry|department|party|committee|spokes\w+))?"
    r"|[Hh]e|[Ss]he|[Tt]hey|[Tt]he\s+[a-z]+))(?=\s+[a-z]|,)"
)
HEADLINE_SPEAKER = re.compile(r"(?P<speaker>[A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-.]*){0,3}):\s+(?=\S)")
NOT_SPEAKERS = _word_set(
    """update note correction editor editor's photo photos video watch read related breaking source sources
    warning analysis opinion exclusive q a answer question live watch listen transcript update"""
)
TRAILING_NAME = re.compile(r"(?:^|\s)(?P<name>[A-ZÀ-Ý][\w’'\-.]*(?:\s+[A-ZÀ-Ý][\w’'\-.]*){1,3})$")
SINGLE_NAME = re.compile(r"^(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov)\.\s+)?[A-ZÀ-Ý][a-zà-ÿ’'\-]+$")
# "… was first reported by The Washington Post": the agent reported it.
REPORTED_BY = re.compile(
    r"\b(?:first\s+)?(?:reported|announced|revealed|disclosed|confirmed|stated)\s+by\s+"
    r"(?P<source>(?:[Tt]he\s+)?[A-ZÀ-Ý][\w’'\-.]*(?:\s+[A-ZÀ-Ý][\w’'\-.]*){0,4})"
)
UPPER = re.compile(r"[A-ZÀ-Ý]")
RELATIVE_START = re.compile(r"(?:,[”\"]?\s*|\s)(?:who|which|whose)\s*$")
PLACE_AFTER = re.compile(r"\s+(?:of|from)\s+[A-ZÀ-Ý][\w’'\-.]*(?:\s+[A-ZÀ-Ý][\w’'\-.]*)?$")
ASIDE_PHRASE = re.compile(r"[a-z]+ing\b")
PLACE_BEFORE = re.compile(r"\b(?:of|from|in)\s+[A-ZÀ-Ý][\w’'\-.]*(?:\s+[A-ZÀ-Ý][\w’'\-.]*)?,$")
PARTICIPLE_OPENING = re.compile(r"^\W*[A-Z][a-z]+ing\b")
HEADLINE_SAYS = re.compile(
    r"^(?P<speaker>[A-ZÀ-Ý][\w’'\-.]*(?:\s+[A-ZÀ-Ý][\w’'\-.]*){0,3})\s+"
    r"(?:Says|Calls|Tells|Warns|Claims|Urges|Accuses|Blasts|Slams|Vows|Admits|Denies|Insists|Predicts)\s+(?=\S)"
)
WITH_SPEAKER = re.compile(
    r"\bwith\s+(?P<speaker>(?:(?:Sen|Rep|Gov|Mr|Mrs|Ms|Dr)\.\s+)?[A-ZÀ-Ý][\w’'\-]*(?:\s+[A-ZÀ-Ý][\w’'\-]*){0,3})"
    r"\s+(?:saying|calling|telling\s+\w+|arguing|noting|adding|insisting|warning|claiming|writing)\b[\s:,]*"
)
INVERTED_BEFORE_QUOTE = re.compile(
    rf",\s+(?:said|says|explained|added|noted|wrote|argued|continued)\s+(?P<speaker>{SPEAKER_CHAR}{{2,60}}?),\s*(?=[“\"])"
)
WHO_BEFORE = re.compile(r",\s*who\s+(?:(?:has|had|also|later|then)\s+){0,2}$")
ANTECEDENT = re.compile(
    r"(?P<name>(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov)\.\s+)?[A-ZÀ-Ý][\w’'\-]*(?:\s+[A-ZÀ-Ý][\w’'\-]*){0,3}),\s*$"
)
COORDINATED = re.compile(r"\s(?:and|but)\s+(?:(?:then|also|later|has|have|had|since|now|still|again)\s+){0,3}$")
SAID_FIRST = re.compile(rf"^(?:Said|Says|Added|Wrote)\s+(?P<speaker>{SPEAKER_CHAR}{{2,80}}?)\s*[,:]\s*")
# Words of a title-case headline that are not part of a name: "Lynch Closes The Door: …".
HEADLINE_WORDS = _word_set("the a an of to in on for and or at by with says say close closes report")
TITLE_THEN_NAME = re.compile(r"\.\s+[A-ZÀ-Ý][\w’'\-]*(?:\.?\s+[A-ZÀ-Ý][\w’'\-]*){0,4}")
ASIDE = re.compile(r"\([^()]{0,40}\)|,\s*\d{1,3}(?=\s*,)")
NOT_A_CLAUSE = re.compile(r"\s*(?:that\b|[,.;:!?“\"])")


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


def _person_among_asides(left):
    """ "Jane Roe, head of Acme, a local firm, said": the first of the last five phrases between commas
    before the verb that is a person's name, and where it starts; ``None`` if none is."""
    end = len(left) - 1
    found = None
    if not UPPER.search(left, max(0, end - 200), end):
        return None  # no name without a capital letter
    for _ in range(5):
        if end < len(left) - 200:
            break
        start = _last_boundary_end(left, end)
        phrase = left[start:end].strip(' “”"')
        relative = RELATIVE_START.search(left, max(0, start - 12), start)
        if phrase and len(phrase) <= 60 and not relative:
            phrase = PLACE_AFTER.sub("", phrase)  # "Stacy Baker of Columbia"
            name = TRAILING_NAME.search(phrase)
            if is_person(_clean_speaker(phrase)):
                found = (phrase, start)
            elif name and is_person(name.group("name")):
                # "Democratic front-runner Hillary Clinton, also campaigning in Ohio, said"
                found = (name.group("name"), start)
            elif start == 0 and SINGLE_NAME.match(phrase):
                # "Clinton, during a town hall in Columbus, Ohio, said": the sentence opens with the speaker.
                found = (phrase, start)
        if relative:
            # Back to the comma that opens the phrase the relative clause belongs to.
            start = (
                left.rfind(",", max(0, relative.start() - 80), relative.start() + 1) + 1
            )  # "…, which represents teachers, said": past the relative clause
        if start == 0 or left[start - 1] != ",":
            break
        end = start - 1
    return found


def _subject_before(sentence, verb_start):
    """The speaker phrase just before a reporting verb, and where it starts; ``(None, None)`` if none."""
    left = sentence[:verb_start].rstrip()
    if left.endswith((",”", ',"')):
        left = left[:-1]  # "Roe, who calls it a “disgrace,” said": the aside ends at the comma
    # "Sen. Jane Roe (D-Ore.) said", "Jane Roe, 27, a teacher, said": the party and state or an age are
    # not the speaker (blanked, so that offsets stay).
    left = left[:-120] + ASIDE.sub(lambda match: " " * len(match.group()), left[-120:])
    left = left.rstrip()
    aside = ASIDE_AT_END.search(left, max(0, len(left) - 30))
    if aside:
        left = left[: aside.start()] + ","
    # A slice, not ``search(left, pos)``: TRAILING_NOISE looks behind its start, which must not see past it.
    tail = left[-80:]
    noise = TRAILING_NOISE.search(tail)
    if noise:
        left = left[: len(left) - len(tail) + noise.start()].rstrip()
        if noise.group().lstrip().startswith(",") and "," in left:
            left += ","  # "Jane Roe, head of Acme, has said": still an aside before the verb
    if not left:
        return None, None
    if left.endswith(","):
        person = _person_among_asides(left)
        if person:
            return person
        # "A, B, said": an appositive. Prefer whichever of A and B is a proper name.
        body = left[:-1]
        comma = body.rfind(",")
        if comma < 0:
            return None, None
        second = body[comma + 1 :].strip()
        first_region = body[:comma]
        first_start = _last_boundary_end(left, len(first_region))
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
    start = _last_boundary_end(left, len(left))
    speaker = left[start:].strip()
    if (
        speaker
        and start > 0
        and left[start - 1] == ","
        and (ASIDE_PHRASE.match(speaker) or PLACE_BEFORE.search(left, max(0, start - 60), start))
    ):
        # "De Blasio, speaking on WOR, called", "Stacy Baker of Columbia, South Carolina says": the
        # phrase after the comma is an aside or a place; the speaker comes before it.
        person = _person_among_asides(left[:start])
        if person:
            return person
    return speaker or None, start


def _plausible_speaker(phrase):
    if not phrase or len(phrase) > 90 or len(phrase.split()) > 10:
        return False
    if any(ch.isdigit() for ch in phrase) or not any(ch.isalpha() for ch in phrase):
        return False
    if BAD_SUBJECT_END.search(phrase) or ATTRIBUTION_VERB.search(phrase):
        return False
    if phrase.strip().lower() in FRAGMENT_EDGE or phrase.split()[0] in ("which", "who", "that"):
        return False  # "When asked why, …", "…, which originally said"
    return not EXPLETIVE.search(phrase)


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


def _headline_speaker(phrase):
    """Whether the words before a headline's colon are a speaker ("Jane Roe", "Acme"), not a title."""
    words = phrase.split()
    return (
        len(words) <= 3
        and phrase.lower() not in NOT_SPEAKERS
        and not any(word.lower() in HEADLINE_WORDS or word.lower().rstrip("s") in HEADLINE_WORDS for word in words)
    )


def _leading_subject(sentence):
    """The subject a sentence opens with, after an introductory phrase: a name, "the …" or a pronoun."""
    if not (INTRODUCTORY.match(sentence) or PARTICIPLE_OPENING.match(sentence)):
        subject = LEADING_SUBJECT.match(sentence)
        return subject.group("speaker") if subject else None
    # "Speaking at a town hall in Salem, New Hampshire, Trump went after Bush": after one of the commas.
    comma = -1
    for _ in range(3):
        comma = sentence.find(",", comma + 1, 120)
        if comma < 0:
            return None
        subject = LEADING_SUBJECT.match(sentence, comma + 1)
        if subject:
            return subject.group("speaker")
    return None


def _participle(sentence):
    """ "X apologised, saying …", "She wrote a post, adding that …": the subject said the rest."""
    participle = PARTICIPLE.search(sentence)
    if not participle or SPEECH_VERB.search(sentence, 0, participle.start()):
        return None
    speaker = _leading_subject(sentence)
    if not speaker:
        return None
    content_start = participle.end()
    clause = REPORTED_CLAUSE.match(sentence, content_start)
    if clause:
        content_start = clause.end()
    return Attribution(speaker, content_start, len(sentence))


def attribute(sentence):
    """How ``sentence`` attributes its content, or ``None`` if it is the article's own statement."""
    if "''" in sentence:
        # Two apostrophes for a quotation mark (as some newspapers write): a mark and a space, same length.
        sentence = sentence.replace("''", '" ')
    headline = HEADLINE_SPEAKER.match(sentence)  # at the start of the sentence
    if headline and _headline_speaker(headline.group("speaker")):
        # "Jane Roe: the budget is short" (a headline or a transcript).
        return Attribution(headline.group("speaker"), headline.end(), len(sentence))
    says = HEADLINE_SAYS.match(sentence)
    if says:
        # "Jane Roe Says Bridge Will Open in May" (a title-case headline)
        return Attribution(says.group("speaker"), says.end(), len(sentence))
    said_first = SAID_FIRST.match(sentence)
    if said_first and _plausible_speaker(said_first.group("speaker")):
        # "Said Jane Roe, “…”"
        return Attribution(said_first.group("speaker"), said_first.end(), len(sentence))
    quoted = QUOTE_FIRST.match(sentence)
    if quoted:
        rest_at = quoted.end()
        rest = sentence[rest_at:]
        inner_start, inner_end = quoted.start("quote"), quoted.end("quote")
        while inner_start < inner_end and sentence[inner_start].isspace():
            inner_start += 1
        while inner_end > inner_start and sentence[inner_end - 1] in ",.!? ":
            inner_end -= 1
        after = SPEAKER_AFTER_QUOTE.match(rest) or SPEAKER_BEFORE_VERB.match(rest)
        if after and _plausible_speaker(after.group("speaker").strip()):
            speaker = after.group("speaker")
            titled = TITLE_THEN_NAME.match(rest, after.end("speaker"))
            last = speaker.split()[-1]
            if titled and (last.lower() in ABBREVIATIONS or (len(last) == 1 and last.isupper())):
                speaker += titled.group()  # "said Gov. Terry Branstad": the full stop of a title
            return Attribution(speaker, inner_start, inner_end)

    inverted_quote = INVERTED_BEFORE_QUOTE.search(sentence)
    if inverted_quote and _plausible_speaker(inverted_quote.group("speaker")):
        # "Because of the calendar, explained Jane Roe, “the race is over.”"
        return Attribution(inverted_quote.group("speaker"), inverted_quote.end(), len(sentence))

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

    participle = _participle(sentence)
    if participle:
        return participle

    absolute = WITH_SPEAKER.search(sentence)
    if absolute:
        # "…, with Sen. Jane Roe calling it “a disgrace.”"
        return Attribution(absolute.group("speaker"), absolute.end(), len(sentence))

    reported_by = REPORTED_BY.search(sentence)
    if reported_by:
        return Attribution(reported_by.group("source"), 0, len(sentence))

    quoted_spans = quotations(sentence, open_at_start=True) if QUOTE_MARK.search(sentence) else []
    quoted_starts = [start for start, _ in quoted_spans]
    for verb in itertools.islice(ATTRIBUTION_VERB.finditer(sentence), MAX_VERBS_PER_SENTENCE):
        name = verb.group()
        before = bisect.bisect_left(quoted_starts, verb.start()) - 1
        if before >= 0 and verb.start() < quoted_spans[before][1]:
            continue  # a verb inside a quotation is what the speaker said, not who said it
        speaker, speaker_start = _subject_before(sentence, verb.start())
        relative = WHO_BEFORE.search(sentence, max(0, verb.start() - 30), verb.start())
        if relative:
            # "…, Labor Secretary Jane Roe, who said …": the name the relative clause is about.
            antecedent = ANTECEDENT.search(sentence, max(0, relative.start() - 80), relative.start() + 1)
            if antecedent:
                speaker, speaker_start = antecedent.group("name"), antecedent.start("name")
        coordinated = COORDINATED.search(sentence, max(0, verb.start() - 40), verb.start())
        if coordinated and (not _plausible_speaker(speaker) or speaker_start >= coordinated.start()):
            # "ProPublica obtained a video of the speech and said …": the subject of the sentence.
            speaker, speaker_start = _leading_subject(sentence), 0
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


MAX_QUOTE_MARKS = 40
# Quotation marks: curly, straight, or two apostrophes.
QUOTE_MARK = re.compile(r"[“”\"]|''")
LINE = re.compile(r"[^\n]+")


def _closes(text, mark, paragraph_start):
    """Whether a straight mark can only close a quotation: after a word or punctuation, before a space."""
    if mark.group() == "“" or mark.start() == paragraph_start:
        return False
    before = text[mark.start() - 1]
    after = text[mark.end() : mark.end() + 1]
    return not before.isspace() and before not in "([—–" and (not after or after.isspace() or after in ",.;:!?)")


def quotations(text, *, open_at_start=False):
    """``(start, end)`` of each quotation of ``text``; one left open runs to the end of its paragraph.

    With ``open_at_start`` (for one sentence), a closing mark with no opening one closes a quotation
    that started before the text: it runs from the start.
    """
    spans = []
    for paragraph in LINE.finditer(text):
        opened = None
        # A paragraph of prose has a few dozen marks at most; past MAX_QUOTE_MARKS the rest is not read.
        marks = QUOTE_MARK.finditer(text, paragraph.start(), paragraph.end())
        for mark in itertools.islice(marks, MAX_QUOTE_MARKS):
            if opened is None:
                group = mark.group()
                if group == "”" or (group != "“" and _closes(text, mark, paragraph.start())):
                    if open_at_start and not spans:
                        spans.append((paragraph.start(), mark.end()))
                else:
                    opened = mark.start()
            elif mark.group() != "“":
                spans.append((opened, mark.end()))
                opened = None
        if opened is not None:
            spans.append((opened, paragraph.end()))
    return spans


def _carries_on(text, previous, quote_start):
    """Whether a quotation starting at ``quote_start`` goes on from the sentence ``previous``: same paragraph,
    or a paragraph introduced with a colon ("She said:")."""
    start, end, claimant = previous
    if not claimant:
        return False
    between = text[end:quote_start]
    if "\n" not in between or text[start:end].rstrip().endswith(":"):
        return True
    # A paragraph that is all quotation goes on from a quotation attributed at the end of the one before.
    paragraph_start = text.rfind("\n", 0, quote_start) + 1
    return (
        quote_start == paragraph_start
        and between.count("\n") <= 2
        and not between.strip()
        and QUOTE_MARK.search(text, start, end) is not None
    )


def transcript_turns(text):
    """``(start, end)`` of what follows "JANE ROE:" or "Roe:" at the start of a paragraph (an interview)."""
    turns = []
    for paragraph in LINE.finditer(text):
        speaker = HEADLINE_SPEAKER.match(text, paragraph.start(), paragraph.end())
        if speaker and _headline_speaker(speaker.group("speaker")):
            turns.append((speaker.end(), paragraph.end()))
    return turns


def quotation_speakers(text, sentences):
    """The speaker of each sentence that lies inside a quotation running over several sentences.

    ``sentences`` are ``(start, end, claimant)`` in text order, the claimant from the sentence's own
    attribution ("" if none). A quotation's speaker is named where it closes ("… ,” she said") or, failing
    that, where it opens ("She said: “…"). Every sentence wholly inside the quotation is that speaker's,
    even one that reports somebody else ("“… My own adviser said I was wrong. …,” she said"); the
    sentences that open and close it keep their own attribution when they have one. Returns a list of the
    same length: the quotation's speaker, or ``None`` where nothing changes.
    """
    result = [None] * len(sentences)
    starts = [start for start, _, _ in sentences]
    ends = [end for _, end, _ in sentences]
    for quote_start, quote_end in quotations(text) + transcript_turns(text):
        first = bisect.bisect_right(ends, quote_start)
        last = bisect.bisect_left(starts, quote_end) - 1
        if last < first:
            continue
        speaker = ""
        if sentences[last][2] and sentences[last][1] > quote_end:
            speaker = sentences[last][2]
        elif sentences[first][2] and sentences[first][0] < quote_start:
            speaker = sentences[first][2]
        elif not sentences[first][2] and first > 0 and _carries_on(text, sentences[first - 1], quote_start):
            # "“…,” she said. “…”": a quotation with no speaker of its own goes on from the one before.
            speaker = sentences[first - 1][2]
        if not speaker or (last == first and sentences[first][2]):
            continue
        for index in range(first, last + 1):
            start, end, claimant = sentences[index]
            inside = start >= quote_start and end <= quote_end
            if (inside or not claimant) and claimant != speaker:
                result[index] = speaker
    return result
