"""Recurring claims: suggesting that a new claim repeats a claim the newsroom has already reviewed.

When a claim is created (``services.create_claim``: the API, the admin, the seed) or extracted
(``services.extract_claims``), ``suggest_matches`` looks for an already reviewed claim that says the
same thing and stores the best one, when it scores at least ``THRESHOLD``, as a ``ClaimMatch`` in the
``suggested`` state. Reviewers confirm, reject or undo it (``reviews.matches``: confirming needs the
reviews, since an appearance is verified by the reviewed claim's published review).

Which claims can be matched to (``match_targets``): claims with a review of their own, published or in
progress (``verified`` or ``in_review``), that are not themselves an appearance of another claim. A
claim in review is a target too: the same statement found in a second article while the first is
being checked should not be checked twice.

How a pair is scored (``match_score``): candidates come from the near-duplicate lookup
(``similarity.similar_claims``: trigram similarity of at least 0.3), and each is scored again for
"says the same thing", not "shares words": the share of content words both say, a word said
differently counting by its closeness to the other's words (static word vectors of the
check-worthiness model), zero when figures differ or the two go opposite ways, lowered when each
names someone the other does not. Two sentences about the same subject with another figure ("30
towns" against "20 towns"), another actor or another place are the hard negatives of
``claims/eval/pairs/paraphrases.json``; trigram similarity alone ranks many of them above true
paraphrases. ``claims/eval/matching.py`` measures it (``manage.py evaluate_matching``).

Lookups are costly (10-30 ms each) and an article has hundreds of candidate claims, so ``TargetIndex``
picks, in memory, the few claims worth one.
"""

import functools
import heapq
import math
import re
import threading
from collections import Counter
from datetime import timedelta

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from claims import similarity
from claims.extraction.model import model as checkworthiness_model
from claims.models import Claim, ClaimMatch
from claims.text import search_text

# The score from which a suggestion is stored, chosen on claims/eval/pairs/paraphrases.json (see the README).
THRESHOLD = 0.8
# How many near-duplicates of a claim are scored again with ``match_score``.
CANDIDATES = 5
TARGET_STATUSES = (Claim.Status.VERIFIED, Claim.Status.IN_REVIEW)

NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "fifteen": "15",
    "twenty": "20",
    "thirty": "30",
    "forty": "40",
    "fifty": "50",
    "hundred": "100",
    "half": "0.5",
    "dozen": "12",
}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1_000_000_000_000}
NUMBER = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(thousand|million|billion|trillion|bn|m)\b)?", re.IGNORECASE
)
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
# Capitalised words that say nothing about who or where: sentence openings, months, days, titles.
NOT_NAMES = frozenset(
    """a an the this that these those it its he she they we i you his her their our there here in on at by for
    of to from with after before as but and or if when while since during according last next new more most
    some many all no not one two three four five six seven eight nine ten monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september october november
    december mr mrs ms dr president minister prime secretary chief officials official ministry government
    spokesman spokeswoman spokesperson police state states said says""".split()  # noqa: SIM905
)


def numbers(text):
    """The figures of ``text`` as normalised strings: "1,200" and "1200" alike, "1.2 million" as "1200000",
    "thirty" as "30". Years count as figures too: "in 2021" and "in 2022" are different claims."""
    found = set()
    for match in NUMBER.finditer(text):
        value = float(match.group(1).replace(",", ""))
        scale = (match.group(2) or "").lower()
        value *= SCALES.get(scale, {"bn": 1_000_000_000, "m": 1_000_000}.get(scale, 1))
        found.add(f"{value:g}")
    for word in WORD.findall(text.lower()):
        if word in NUMBER_WORDS:
            found.add(NUMBER_WORDS[word])
    return found


def names(text):
    """The capitalised words of ``text`` that are likely names (of people, places, bodies), lower-cased,
    with a possessive or plural ending cut ("Russia's" → "russia"); the first word of a sentence only when
    it is capitalised elsewhere too."""
    words = WORD.findall(text)
    found = set()
    lowered = {word.lower() for word in words if not word[0].isupper()}
    for index, word in enumerate(words):
        if not word[0].isupper():
            continue
        key = re.sub(r"(?:['’]s?|s)$", "", word.lower()) if len(word) > 3 else word.lower()
        if key in NOT_NAMES or word.lower() in NOT_NAMES or word.lower() in lowered:
            continue
        if index == 0 and sum(1 for other in words if other == word) < 2:
            continue
        found.add(key[:6])  # "Russia" / "Russian", "Ukraine" / "Ukrainian": one stem
    return found


# Words that carry no claim of their own: function words, attribution ("said", "according"), fillers.
STOP_WORDS = frozenset(
    """a an the this that these those it its he she they we i you his her their our there here in on at by for of
    to from with after before as but and or if when while since during according over under about into than then
    so also just very is are was were be been being has have had do does did will would could should may might
    can must not no any all some more most such only own same other said says say claimed claims claim told
    tells reported reports announced announces added adds stated states noted mr mrs ms dr uh um well look now
    yes oh""".split()  # noqa: SIM905
)
# Opposite directions, times and stances: two sentences on one subject that differ here are two claims
# ("taxes cut" / "taxes raised", "built last year" / "to be built next year", "supports" / "opposes").
OPPOSITES = (
    (
        frozenset(
            """rise rises rose risen rising up increase increased increases increasing grew grow grown growing
            climbed climb jumped raise raised raises higher gained gain added add doubled tripled created more
            lifted boost boosted expanded""".split()  # noqa: SIM905
        ),
        frozenset(
            """fall falls fell fallen drop dropped drops decline declined decrease decreased cut cuts cutting lower
            lowered reduce reduced shrink shrunk shrank lost lose loses fewer cancel cancelled halved slow slowed
            narrow down less""".split()  # noqa: SIM905
        ),
    ),
    (
        frozenset("last ago previous yesterday was were had been".split()),  # noqa: SIM905
        frozenset("next will would coming tomorrow plans plan aims".split()),  # noqa: SIM905
    ),
    (
        frozenset("support supports supported approve approved approves back backs backed favour favor for".split()),  # noqa: SIM905
        frozenset("oppose opposes opposed against reject rejects rejected".split()),  # noqa: SIM905
    ),
)
LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)
# A word of one sentence missing from the other counts as far as its nearest word there is closer than this.
SYNONYM_FLOOR = 0.4


def _stem(word):
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


@functools.lru_cache(maxsize=20_000)
def _word_vector(word):
    """The unit vector of ``word``: the mean of its word pieces' static vectors in the check-worthiness model."""
    loaded = checkworthiness_model()  # loaded once per process, as extraction does
    ids = loaded.tokenizer.encode(word, add_special_tokens=False).ids
    vector = loaded.embedding[ids].mean(axis=0) if ids else np.zeros(loaded.dimensions, dtype=np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _conflicts(words, other_words):
    """Whether the two sentences go opposite ways in one of ``OPPOSITES`` (each one way only)."""
    for one, two in OPPOSITES:
        first = (bool(words & one), bool(words & two))
        second = (bool(other_words & one), bool(other_words & two))
        if {first, second} == {(True, False), (False, True)}:
            return True
    return False


def _coverage(content, other_content):
    """How much of the two sentences' content words the other says too: shared stems count whole, another
    word by its closeness (cosine of static word vectors) to the nearest word of the other sentence."""
    stems = {_stem(word): word for word in content}
    other_stems = {_stem(word): word for word in other_content}
    shared = stems.keys() & other_stems.keys()
    covered = 2.0 * len(shared)
    for own, other in ((stems, other_stems), (other_stems, stems)):
        missing = [word for stem, word in own.items() if stem not in shared]
        if not missing:
            continue
        candidates = np.stack([_word_vector(word) for word in other.values()])
        for word in missing:
            closest = float(np.max(candidates @ _word_vector(word)))
            covered += max(0.0, (closest - SYNONYM_FLOOR) / (1 - SYNONYM_FLOOR))
    return covered / (len(stems) + len(other_stems))


def match_score(text, other):
    """How surely ``other`` states the same claim as ``text`` (0 to 1).

    The share of their content words that both say, a word said differently counting as far as its
    nearest word in the other sentence is close in meaning (the check-worthiness model's static word
    vectors: "recaptured" / "retaken", not "hospital" / "school"). Zero when their figures differ (a
    claim is its numbers) or when they go opposite ways (up / down, past / future, for / against);
    lowered when each names someone or somewhere the other does not.
    """
    figures, other_figures = numbers(text), numbers(other)
    if figures and other_figures and figures != other_figures:
        return 0.0
    words = {word.lower() for word in LETTERS.findall(text)}
    other_words = {word.lower() for word in LETTERS.findall(other)}
    if _conflicts(words, other_words):
        return 0.0
    content = [word for word in words if word not in STOP_WORDS and len(word) > 2]
    other_content = [word for word in other_words if word not in STOP_WORDS and len(word) > 2]
    if not content or not other_content:
        return 0.0
    score = _coverage(content, other_content)
    own_names, other_names = names(text), names(other)
    if own_names - other_names and other_names - own_names:
        score -= 0.3
    if figures != other_figures:
        score -= 0.1  # one gives a figure the other does not
    return round(max(0.0, min(1.0, score)), 4)


def match_targets():
    """The claims a claim can be matched to: reviewed (``verified`` or ``in_review``), not themselves an appearance."""
    appearance = ClaimMatch.objects.filter(claim=OuterRef("pk"), state=ClaimMatch.State.CONFIRMED)
    return Claim.objects.filter(status__in=TARGET_STATUSES).exclude(Exists(appearance))


def content_stems(text):
    """The stems of the content words of ``text`` (what ``match_score`` compares), as a set."""
    words = {word.lower() for word in LETTERS.findall(text)}
    return {_stem(word) for word in words if word not in STOP_WORDS and len(word) > 2}


class TargetIndex:
    """The content stems of every match target, in memory: which targets could say what a text says.

    Looking each new claim up in the database (``similarity.similar_claims``) costs 10-30 ms; an article
    of 100 KB has hundreds of candidate claims, and nearly none repeats a reviewed claim. A claim is
    only looked up when a target shares at least ``SHARED_STEMS`` of its content stems (every suggested
    pair of the labelled sets shares more than half). Built on first use in a process (one query), then
    brought up to date before each batch with the targets changed since ``REFRESH_MARGIN`` seconds
    before the previous refresh began (one query over the ``updated_at`` index), so that a transaction
    committing late is not missed. A target that stops being one (its review deleted, the claim
    matched elsewhere) is dropped at the next full check of the target ids, at most every
    ``PRUNE_EVERY`` seconds (one query of ids); until then the lookup, which reads the targets as they
    are, passes it over. Among targets sharing as many stems, the newest are scored first, so that stale
    entries never crowd out a current one.
    """

    SHARED_STEMS = 0.4
    REFRESH_MARGIN = 600
    PRUNE_EVERY = 600
    # At most this many targets (those sharing the most stems) are scored for one claim.
    MOST = 10

    def __init__(self):
        self.postings = {}
        self.texts = {}
        self.newest = None
        self.pruned = None
        self.lock = threading.Lock()

    def refresh(self):
        # The watermark is this process's clock when the refresh began, not the newest ``updated_at`` read:
        # one row stamped in the future (a clock ahead, a hand-set date) would otherwise hide every change
        # after it until that date.
        started = timezone.now()
        targets = match_targets()
        if self.newest is not None:
            targets = targets.filter(updated_at__gte=self.newest - timedelta(seconds=self.REFRESH_MARGIN))
        rows = targets.values_list("pk", "quote", "claim_reviewed")
        with self.lock:
            for pk, quote, claim_reviewed in rows.iterator(chunk_size=2000):
                self.texts[pk] = (quote, claim_reviewed)
                for stem in content_stems(f"{quote} {claim_reviewed}"):
                    self.postings.setdefault(stem, set()).add(pk)
            self.newest = started
        if self.pruned is None:  # just built from the current targets
            self.pruned = started
        elif (started - self.pruned).total_seconds() > self.PRUNE_EVERY:
            self.prune(set(match_targets().values_list("pk", flat=True)))
            self.pruned = started

    def prune(self, current):
        """Forget the targets whose ids are not in ``current``."""
        with self.lock:
            for pk in [pk for pk in self.texts if pk not in current]:
                quote, claim_reviewed = self.texts.pop(pk)
                for stem in content_stems(f"{quote} {claim_reviewed}"):
                    self.postings.get(stem, set()).discard(pk)

    def candidates(self, text):
        """Ids of the targets sharing enough of ``text``'s content stems to be worth a lookup."""
        stems = content_stems(text)
        if not stems:
            return []
        counts = Counter()
        with self.lock:
            for stem in stems:
                counts.update(self.postings.get(stem, ()))
        needed = max(2, math.ceil(self.SHARED_STEMS * len(stems)))
        best = heapq.nlargest(self.MOST, counts.items(), key=lambda item: (item[1], item[0]))  # newest first
        return [pk for pk, shared in best if shared >= needed]

    def likely(self, text, exclude=None):
        """Ids of the targets that score at least ``THRESHOLD`` against ``text`` as the index has them (the
        near-duplicate lookup's trigram floor included): the only ones worth a lookup."""
        found = []
        for pk in self.candidates(text):
            quote, claim_reviewed = self.texts.get(pk, ("", ""))
            if pk == exclude:
                continue
            for other in (quote, claim_reviewed):
                if (
                    other
                    and similarity.trigram_similarity(text, other) >= similarity.MIN_SCORE
                    and match_score(text, other) >= THRESHOLD
                ):
                    found.append(pk)
                    break
        return found


_index = TargetIndex()


def best_match(text, *, exclude=None, rejected=(), among=None):
    """``(claim, score)``: the reviewed claim that most surely says what ``text`` says, scoring at least
    ``THRESHOLD``, or None. ``rejected`` holds ids never to suggest (pairs reviewers rejected); ``among``
    (ids) narrows the lookup to those targets."""
    text = search_text(text)
    if not text:
        return None
    targets = match_targets() if among is None else match_targets().filter(pk__in=among)
    found = similarity.similar_claims(text, targets, limit=CANDIDATES, exclude=exclude)
    best = None
    for match in found:
        claim = match["claim"]
        if claim.pk in rejected:
            continue
        score = max(
            match_score(text, claim.quote),
            match_score(text, claim.claim_reviewed) if claim.claim_reviewed else 0.0,
        )
        if score >= THRESHOLD and (best is None or score > best[1]):
            best = (claim, score)
    return best


def suggest_matches(claims):
    """Store, for each of ``claims`` without an open match, its best match as a suggestion.

    Cheap: one query when nothing has been reviewed yet; otherwise one to bring ``TargetIndex`` up to
    date, and a near-duplicate lookup only for the claims that some target, as the index has it, matches.
    Returns the suggestions stored.
    """
    claims = [claim for claim in claims if claim.pk is not None and claim.status not in TARGET_STATUSES]
    if not claims or not match_targets().exists():
        return []
    _index.refresh()
    among = {claim.pk: _index.likely(search_text(claim.claim_reviewed or claim.quote), claim.pk) for claim in claims}
    claims = [claim for claim in claims if among[claim.pk]]
    if not claims:
        return []
    ids = [claim.pk for claim in claims]
    settled = set(
        ClaimMatch.objects.filter(
            claim_id__in=ids, state__in=[ClaimMatch.State.SUGGESTED, ClaimMatch.State.CONFIRMED]
        ).values_list("claim_id", flat=True)
    )
    rejected = {}
    for claim_id, reviewed_id in ClaimMatch.objects.filter(
        claim_id__in=ids, state=ClaimMatch.State.REJECTED
    ).values_list("claim_id", "reviewed_claim_id"):
        rejected.setdefault(claim_id, set()).add(reviewed_id)
    stored = []
    looked_up = {}  # text -> best match: an article may say the same sentence twice
    for claim in claims:
        if claim.pk in settled:
            continue
        text = claim.claim_reviewed or claim.quote
        key = (text, frozenset(rejected.get(claim.pk, ())))
        if key not in looked_up:
            looked_up[key] = best_match(text, exclude=claim.pk, rejected=key[1], among=among[claim.pk])
        found = looked_up[key]
        if found is None or found[0].pk == claim.pk:
            continue
        reviewed, score = found
        match = ClaimMatch.objects.filter(claim=claim, reviewed_claim=reviewed).first()
        if match is not None and match.state != ClaimMatch.State.WITHDRAWN:
            continue  # rejected: never suggested again
        if match is None:
            match = ClaimMatch(claim=claim, reviewed_claim=reviewed)
        match.state, match.score = ClaimMatch.State.SUGGESTED, score
        match._change_reason = f"suggested (score {score:.2f})"
        try:
            with transaction.atomic():
                match.save()
        except IntegrityError:  # a match stored meanwhile by a concurrent request: it stands
            continue
        stored.append(match)
    return stored
