"""Claimant attribution measured on PolNeAR: does the extractor name who said it?

PolNeAR (Newell, Margolin, Ruths, LREC 2018; news from 7 US publishers, 2015–2016) marks in each
article its attribution relations: a *Source* ("Sen. Ted Cruz", "he"), a *Cue* ("said") and a
*Content* span. The articles are read from the datasets directory (``FACTCHECK_DATASETS_DIR``, else
``<repo>/../shared/datasets``), never copied into the project; without it ``evaluate_polnear``
returns ``None``. Of an article annotated twice, the first annotation (sorted by file name) is used.

**Statements.** Only attributions of something said or written count: the Cue holds a verb or noun
of saying ("said", "told", "according to", "wrote", "tweeted", "called", "statement", a colon, …;
``STATEMENT_CUE``), and is neither negated ("did not respond to", "declined to comment", "never
mentioned") nor an intention ("to call a debate"). Thoughts, wishes and findings ("thinks", "wants",
"shows") are left out.

**Named source.** A statement counts when its source has a name in the article:

- the Source span has one: a run of capitalised words, without titles ("Sen.", "President",
  "Republican"), articles, initials and suffixes ("Joseph R. Biden Jr." is "Joseph Biden"), single
  letters ("Q", "A" of an interview) and a sentence's first word unless that word is also written
  capitalised mid-sentence in the article ("Officials said" is not a name; a word after "Mr." is not
  a sentence's first). The name is taken before an appositive ("Alex Conant, a partner at Firehouse
  Strategies"), unless that part only describes ("the Vatican spokesman, Federico Lombardi"); what
  comes before a title describes ("Texas Sen. Ted Cruz"); a run after "of", "from", "in" or "at" is a
  place or an employer ("Chris Christie of New Jersey"), but "Bureau of Labor Statistics" is one name.
  A possessive run gives way to another ("Clinton's spokesman Brian Fallon"); of the rest the
  longest, the last of equally long ones, is the name;
- "he", "she", "him", "his", "her": the nearest earlier person in the article, not known to be of
  the other gender ("Mr."/"Mrs."/"Ms." before the name anywhere in the article). A person is a named
  source that is not inside what another source said, or the name a sentence opens with (a full
  name, or a surname that is a source somewhere), that is not an organisation ("campaign", "Post",
  "committee", …), an acronym or a modifier ("the Vermont senator"), and has two words or is the
  last word of a two-word name in the article that is not a place ("in Ohio");
- "who": the last capitalised run in the 60 characters before it in the same sentence;
- "I", "me", "my", "we", "us", "our": the name of the source of the statement whose Content holds this
  Source (a speaker quoted speaking of themselves);
- otherwise ("they", "it", "you", "officials", "the campaign") the statement is skipped.

The rules were written on the train split and are heuristics: in samples read, many remaining
disagreements on pronouns are this resolution being wrong rather than the extractor.

**Right claimant.** The candidate of ``analyse(text)`` (every analysed sentence, proposed or not)
overlapping the Content span most is compared with the name. Both are lower-cased and split into
words without titles, articles, "of" and possessive "'s". It is right when the name's last word is
among the claimant's words ("Clinton" for "Hillary Clinton"; "Clinton campaign" for "Clinton"), or
when the claimant's words are a non-empty subset of the name's words ("Hillary" for "Hillary
Clinton"). *Accuracy* is the share right among attributions with an overlapping candidate;
*coverage* is the share of named attributions that have one.

**Bad claimants.** Of all candidates with a claimant, the share that is a pronoun or "I", "we",
"you" (with contractions, "I've") or a fragment: a phrase starting or ending with a preposition,
conjunction, relative pronoun or an "-ly" adverb ("strongly", "with newly"). It should be 0.
"""

import re
from dataclasses import dataclass, field

from claims.eval.datasets import datasets_dir
from claims.extraction import analyse
from claims.extraction.sentences import _word_set

SPLITS = ("train", "dev")  # the test split is held out: never read here
TITLE_WORDS = _word_set(
    """mr mrs ms miss dr prof sen senator rep representative gov governor president vice former pres
    secretary state sec gen general lt col adm attorney justice judge chief mayor speaker leader chairman
    chairwoman chair minister prime the a an of candidate presidential republican democratic gop nominee
    hon rev sir lady lord"""
)
# Words dropped when comparing claimant and name: articles, "of" and titles before names.
COMPARE_NOISE = _word_set("the a an of and mr mrs ms miss dr prof sen rep gov pres gen lt col adm rev st jr sr")
PERSON_PRONOUNS = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f", "who": ""}
SELF_PRONOUNS = _word_set("i me my mine we us our ours")
# Cues of something said or written (stems, matched at the start of a cue's words); thoughts, wishes and
# findings ("thinks", "wants", "shows") are not statements.
STATEMENT_CUE = re.compile(
    r"\b(?:sa(?:y|id|ys|ying)|t(?:ell|old)|according|writ|wrote|add|ask|call|report|announc|not(?:e|ed|es|ing)\b|"
    r"argu|explain|declar|continu|acknowledg|tweet|post|claim|stat(?:e|ed|es|ing|ement)\b|insist|warn|stress|"
    r"recall|respond|repl|admit|den(?:y|ied|ies)|suggest|describ|accus|critici|comment|remark|testif|confirm|"
    r"predict|promis|vow|pledg|conced|boast|complain|quip|jok|mention|cit(?:e|ed|es|ing)\b|assert|contend|"
    r"maintain|alleg|urg|emphasi|point|charg|dismiss|lament|question|interview|speech|statement|"
    r"recount|retort|counter|conclud|predict|reveal|disclos|agre|object|protest|observ|hint|concur)"
    r"|^\W*:\W*$",
    re.IGNORECASE,
)
WORD = re.compile(r"[^\W_]+(?:[’'\-.][^\W_]+)*\.?")
NAME_TOKEN = re.compile(r"[^\W_]+")
CAPITALISED = re.compile(r"[A-ZÀ-Ý][\w’'\-.]*")
AFTER_ABBREVIATION = re.compile(r"(?:^|[\s(])(?:Mr|Mrs|Ms|Dr|Sen|Sens|Rep|Reps|Gov|Gen|Lt|Col|St|Prof|Rev|[A-Z])\.\s*$")
SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s*[“\"‘(]?|\n\s*[“\"‘(]?|[“\"‘(])\s*$")
TITLED = re.compile(r"\b(?:Sen|Sens|Rep|Gov|Dr|Mr|Mrs|Ms|President|Senator|Governor|Secretary|Judge)\b\.?\s+[A-Z]")
FULL_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z]\.)?\s+([A-Z][\w’'\-]*[a-z])\b(?![’']s\s+[A-Z])")
PLACE = re.compile(r"\b(?:in|across|outside)\s+(?:[A-Z][a-z]+\s+)?([A-Z][a-z]+)\b(?![’']s)")
ORGANISATION_HEADS = _word_set(
    """bureau department university ministry secretary bank office center centre council committee institute
    association federation church school college board commission agency court party union club league
    society academy foundation chamber house"""
)
# A head ending in a lower-case noun describes ("the Vatican spokesman"); the name may follow the comma.
DESCRIPTION_END = re.compile(r"\b[a-z][\w\-]*\s*$")
APPOSITIVE_NAME = re.compile(r"\s*((?:[A-Z][\w’'\-]*\.?\s+){1,3}[A-Z][\w’'\-]*)")
# Something not said ("did not respond to", "declined to comment", "never mentioned") or only meant to be
# ("to call a debate"): no statement to attribute.
UNSAID_CUE = re.compile(r"\b(?:not|n[’']t|never|declined|refused|no)\b|^\s*to\b", re.IGNORECASE)
RELATIVE_HEAD = re.compile(r"\s*(?:who|which)\b")
HEAD_END = re.compile(r"\s*(?:[,(;—–]|\bwho\b|\bwhich\b)")
ORGANISATION = re.compile(
    r"\b(?:campaign|committee|news|post|times|journal|party|poll|survey|group|office|department|agency|"
    r"company|network|council|association|union|university|institute|foundation|center|centre|"
    r"commission|administration|house|court|report|reports|study|team|staff|spokes\w*|aides?|"
    r"officials|democrats|republicans|supporters|voters)\b",
    re.IGNORECASE,
)
# A sentence whose subject is a name: "Ryan also did not …", "Sen. Ted Cruz told …".
SUBJECT = re.compile(
    r"(?:^|(?<=[.!?]\s)|(?<=[.!?][”\"]\s)|(?<=\n))[“\"]?(?P<name>[A-ZÀ-Ý][\w’'\-.]*(?:\s+[A-ZÀ-Ý][\w’'\-.]*){0,3})"
    r"(?=\s+[a-z]|,)"
)
BAD_WORDS = _word_set(
    """he she it they i we you me us him her them his its their our my your hers ours yours theirs
    i've i'm i'd i'll we've we're we'd we'll you've you're you'd you'll he's she's it's they're
    they've i’ve i’m i’d i’ll we’ve we’re we’d we’ll you’ve you’re you’d you’ll he’s she’s it’s
    they’re they’ve"""
)
FRAGMENT_EDGE = _word_set(
    """with without to of in on at by for from into onto about after before during since until as than
    and or but nor so yet because although though if that which who whom whose where when while what
    how why not very also just even only"""
)


@dataclass
class NamedAttribution:
    name: str  # the source's name
    source: str  # the Source span as written
    cue: str
    content_start: int
    content_end: int
    content: list = field(default_factory=list)  # [(start, end)] of a discontinuous Content


@dataclass
class PolnearScore:
    split: str
    articles: int = 0
    attributions: int = 0  # with a Source and a Content
    named: int = 0
    covered: int = 0
    right: int = 0
    claimants: int = 0  # candidates with a claimant
    bad_claimants: int = 0
    wrong: list = field(default_factory=list)  # (article, NamedAttribution, claimant, sentence)
    bad: list = field(default_factory=list)  # (article, claimant)

    @property
    def accuracy(self):
        return self.right / self.covered if self.covered else 0.0

    @property
    def coverage(self):
        return self.covered / self.named if self.named else 0.0

    @property
    def bad_claimant_share(self):
        return self.bad_claimants / self.claimants if self.claimants else 0.0


def polnear_dir(split):
    """The directory of a PolNeAR split (``train`` or ``dev``), or ``None`` when it is not there."""
    if split not in SPLITS:
        raise ValueError(f"unknown PolNeAR split {split!r}: use one of {', '.join(SPLITS)}")
    root = datasets_dir()
    if root is None:
        return None
    path = root / "polnear" / split
    return path if (path / "text").is_dir() and (path / "attributions").is_dir() else None


def read_annotations(path):
    """The attributions of one brat ``.ann`` file as dicts of role → ``[(start, end), …]`` spans."""
    spans, relations = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            kind, _, offsets = parts[1].partition(" ")
            pieces = []
            for piece in offsets.split(";"):
                bounds = piece.split()
                if len(bounds) == 2 and all(bound.isdigit() for bound in bounds):
                    pieces.append((int(bounds[0]), int(bounds[1])))
            spans[parts[0]] = (kind, pieces)
        elif line.startswith("E") and len(parts) >= 2:
            roles = dict(item.split(":", 1) for item in parts[1].split() if ":" in item)
            relations.append({role: spans[ref][1] for role, ref in roles.items() if ref in spans})
    return relations


def _sentence_initial(text, position):
    before = text[max(0, position - 12) : position]
    return bool(SENTENCE_START.search(before[-4:])) and not AFTER_ABBREVIATION.search(before)


def _capitalised_mid_sentence(text):
    """Capitalised words the article writes somewhere other than at the start of a sentence."""
    return {
        match.group().rstrip(".") for match in CAPITALISED.finditer(text) if not _sentence_initial(text, match.start())
    }


def _runs(text, start, end, names_mid_sentence):
    """Runs of capitalised words in ``text[start:end]``, as ``(words, possessive)``, titles dropped.

    A run after "of", "from", "in" or "at" names a place or an employer ("Chris Christie of New Jersey")
    and is left out.
    """
    runs, run = [], []
    previous = ""
    placed = False
    for match in WORD.finditer(text, start, end):
        word = match.group()
        bare = word.rstrip(".")
        if bare in ("Jr", "Sr", "II", "III") or (len(bare) == 1 and word.endswith(".") and run):
            continue  # "Joseph R. Biden Jr.": initials and suffixes are not the name
        capital = bare[:1].isupper() and len(bare) > 1
        if capital and _sentence_initial(text, match.start()) and bare not in names_mid_sentence:
            capital = False
        if capital and bare.lower() in TITLE_WORDS:
            run, runs = [], []  # what comes before a title describes the name after it
            previous = bare.lower()
            continue
        if capital:
            if not run:
                placed = previous in ("of", "from", "in", "at")
            run.append(bare)
            if bare.endswith(("’s", "'s")):
                runs.append((run, True, placed))
                run = []
            previous = bare.lower()
            continue
        if run and bare == "of" and run[-1].lower() in ORGANISATION_HEADS:
            run.append(bare)  # "Bureau of Labor Statistics" is one name
            continue
        if run:
            runs.append((run, False, placed))
        run = []
        previous = bare.lower()
    if run:
        runs.append((run, False, placed))
    return [(words, owner) for words, owner, placed in runs if not placed] or [(w, o) for w, o, _ in runs]


def _best(runs):
    plain = [words for words, owner in runs if not owner] or [words for words, _ in runs]
    return plain[max(range(len(plain)), key=lambda index: (len(plain[index]), index))] if plain else []


def name_in(text, start, end, names_mid_sentence):
    """The name a Source span ``text[start:end]`` holds (see the module docstring), or ``""``."""
    # The head comes before an appositive: "Alex Conant, a partner at Firehouse Strategies"; but a
    # description comes before the name in "the Vatican spokesman, Federico Lombardi".
    head = HEAD_END.search(text, start, end)
    name = _best(_runs(text, start, head.start(), names_mid_sentence)) if head else []
    described = head and DESCRIPTION_END.search(text, start, head.start())
    if head and (not name or described):
        appositive = APPOSITIVE_NAME.match(text, head.end(), end)
        if appositive:
            name = _best(_runs(text, appositive.start(1), appositive.end(1), names_mid_sentence)) or name
    if not name and not (head and RELATIVE_HEAD.match(text, head.start(), end)):
        # "A woman who has accused Bill Clinton": no name before the relative clause, none in it either.
        name = _best(_runs(text, start, end, names_mid_sentence))
    return re.sub(r"[’']s$", "", " ".join(name))


def _genders(text):
    genders = {}
    for match in re.finditer(r"\b(Mr|Mrs|Ms)\.?\s+([A-ZÀ-Ý][\w’'\-]+)", text):
        genders[match.group(2)] = "m" if match.group(1) == "Mr" else "f"
    return genders


def _people_names(text):
    """Last words of what look like people's names in the article ("Jane Q. Roe"), minus places ("in Ohio")."""
    surnames = {match.group(1) for match in FULL_NAME.finditer(text)}
    places = {match.group(1) for match in PLACE.finditer(text)}
    return surnames - places


def _is_person(name, written, surnames):
    """Whether a source's name is a person's: a known surname, no organisation, not an acronym."""
    words = name.split()
    if name.isupper() or ORGANISATION.search(name):
        return False
    # "the Vermont senator", "Israeli officials": the name describes somebody else.
    modifier = re.search(re.escape(words[-1]) + r"[’']?s?\s+[a-z]", written) if written else None
    return not modifier and (len(words) > 1 or words[0] in surnames)


def _nested(relation, relations):
    """Whether a statement's Source lies inside what another source said (not an antecedent outside it)."""
    position = relation["Source"][0][0]
    return any(
        other is not relation and other["Content"][0][0] <= position < other["Content"][-1][1] for other in relations
    )


def _subjects(text, speakers, names_mid_sentence, surnames):
    """``(position, name)`` of each sentence whose subject is a person's name: a full name, or a surname
    that is a source somewhere in the article."""
    found = []
    for match in SUBJECT.finditer(text):
        words = [w for w in match.group("name").split() if w.rstrip(".").lower() not in TITLE_WORDS]
        if (
            words
            and (words[-1] in speakers or len(words) > 1)
            and _is_person(" ".join(words), "", surnames)
            and words[0] in names_mid_sentence
        ):
            found.append((match.start("name"), " ".join(words)))
    return found


def named_attributions(text, relations):
    """The statements of one article whose source has a name, in text order (module docstring)."""
    names_mid_sentence = _capitalised_mid_sentence(text)
    genders = _genders(text)
    items = [
        relation for relation in relations if relation.get("Source") and relation.get("Content") and relation.get("Cue")
    ]
    items.sort(key=lambda relation: relation["Source"][0])
    spans = {}
    for relation in items:
        source_start, source_end = relation["Source"][0][0], relation["Source"][-1][1]
        written = text[source_start:source_end]
        if written.strip().lower() not in PERSON_PRONOUNS and written.strip().lower() not in SELF_PRONOUNS:
            spans[id(relation)] = name_in(text, source_start, source_end, names_mid_sentence)
    speakers = {word for name in spans.values() for word in name.split()}
    surnames = _people_names(text)
    people = [
        (relation["Source"][0][0], spans[id(relation)])
        for relation in items
        if spans.get(id(relation))
        and _is_person(spans[id(relation)], text[relation["Source"][0][0] : relation["Source"][-1][1]], surnames)
        and not _nested(relation, items)
    ]
    people += _subjects(text, speakers, names_mid_sentence, surnames)
    people.sort()
    resolved = {}
    for relation in items:
        source_start, source_end = relation["Source"][0][0], relation["Source"][-1][1]
        word = text[source_start:source_end].strip().lower()
        if id(relation) in spans:
            resolved[id(relation)] = spans[id(relation)]
        elif word == "who":
            before = re.split(r"[.!?\n]", text[max(0, source_start - 60) : source_start])[-1]
            runs = [
                words
                for words, _ in _runs(before, 0, len(before), names_mid_sentence)
                if words[0] in names_mid_sentence
            ]
            resolved[id(relation)] = " ".join(runs[-1]) if runs else ""
        elif word in PERSON_PRONOUNS:
            gender = PERSON_PRONOUNS[word]
            earlier = [name for position, name in people if position < source_start]
            for name in reversed(earlier):
                known = genders.get(name.split()[-1], "")
                if not known or known == gender:
                    resolved[id(relation)] = name
                    people.append((source_start, name))
                    people.sort()
                    break
    named = []
    for relation in items:
        name = resolved.get(id(relation), "")
        source_start = relation["Source"][0][0]
        if not name and text[source_start : relation["Source"][-1][1]].strip().lower() in SELF_PRONOUNS:
            # "I" or "we" in what another source said: that source, speaking of itself.
            holders = [
                (other["Content"][-1][1] - other["Content"][0][0], resolved[id(other)])
                for other in items
                if resolved.get(id(other)) and other["Content"][0][0] <= source_start < other["Content"][-1][1]
            ]
            name = min(holders)[1] if holders else ""
        cue = " ".join(text[start:end] for start, end in relation["Cue"])
        if name and STATEMENT_CUE.search(cue) and not UNSAID_CUE.search(cue):
            content = relation["Content"]
            written = text[source_start : relation["Source"][-1][1]]
            named.append(NamedAttribution(name, written, cue, content[0][0], content[-1][1], list(content)))
    named.sort(key=lambda item: item.content_start)
    return named


def _words(name):
    words = NAME_TOKEN.findall(name.lower().replace("’s", "").replace("'s", ""))
    return [word for word in words if word not in COMPARE_NOISE]


def claimant_names(claimant, name):
    """Whether ``claimant`` names the source called ``name`` (the rule of the module docstring)."""
    claimant_words, name_words = set(_words(claimant)), _words(name)
    if not claimant_words or not name_words:
        return False
    return name_words[-1] in claimant_words or claimant_words <= set(name_words)


def is_bad_claimant(claimant):
    """A pronoun, "I", "we", "you" or a sentence fragment taken for a speaker."""
    written = claimant.split()
    words = [word.lower() for word in written]
    if not words:
        return False
    if claimant.lower() in BAD_WORDS or (words[0] in BAD_WORDS and len(words) <= 2):
        return True
    edges = (written[0], written[-1])
    return any(
        word.lower() in FRAGMENT_EDGE or (word.islower() and word.endswith("ly") and word != "family") for word in edges
    )


def _overlap(a_start, a_end, spans):
    return sum(max(0, min(a_end, end) - max(a_start, start)) for start, end in spans)


def articles(split):
    """``(name, text, annotation path)`` of every article of a PolNeAR split that has annotations."""
    directory = polnear_dir(split)
    if directory is None:
        return []
    found = []
    for text_path in sorted((directory / "text").glob("*.txt")):
        annotations = sorted((directory / "attributions").glob(f"{text_path.stem}*.ann"))
        if annotations:
            found.append((text_path.stem, text_path.read_text(encoding="utf-8"), annotations[0]))
    return found


def evaluate_polnear(split="dev", *, limit=None):
    """Claimant accuracy, coverage and bad-claimant share on a PolNeAR split; ``None`` without the data."""
    if polnear_dir(split) is None:
        return None
    result = PolnearScore(split)
    for name, text, annotation in articles(split)[:limit]:
        relations = read_annotations(annotation)
        result.articles += 1
        result.attributions += sum(1 for r in relations if r.get("Source") and r.get("Content"))
        candidates = analyse(text)
        for candidate in candidates:
            if candidate.claimant:
                result.claimants += 1
                if is_bad_claimant(candidate.claimant):
                    result.bad_claimants += 1
                    result.bad.append((name, candidate.claimant))
        for item in named_attributions(text, relations):
            result.named += 1
            best, best_overlap = None, 0
            for candidate in candidates:
                if candidate.end <= item.content_start or candidate.start >= item.content_end:
                    continue
                overlap = _overlap(candidate.start, candidate.end, item.content)
                if overlap > best_overlap:
                    best, best_overlap = candidate, overlap
            if best is None:
                continue
            result.covered += 1
            if claimant_names(best.claimant, item.name):
                result.right += 1
            else:
                result.wrong.append((name, item, best.claimant, best.quote))
    return result
