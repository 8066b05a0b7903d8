"""The labelled set for claim extraction and how extraction is scored against it.

The set is the seed article (``seeds/*.json``, 20 hand-picked claims) and the news-style texts in
this folder (``*.json`` naming a ``body_file`` and listing ``claims`` by ``quote``, with offsets
found in the body, and ``claimant``; see README.md for the labelling rules).

Scoring, per text and overall:

- a proposed candidate is *correct* when its span overlaps a labelled claim; precision is the
  share of proposed candidates that are correct;
- a labelled claim is *found* when a proposed candidate overlaps it; recall is the share found;
- for each found claim, the claimant of the candidate overlapping it most is *right* when it names
  the same speaker: after lower-casing and dropping articles, titles and "of", one name's words
  contain the other's ("Zelensky" for "Volodymyr Zelensky"). An unattributed claim (the article's
  own) is right only when the candidate has no claimant either. The exact-match rate is also given.
"""

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from claims.extraction import find_candidates

EVAL_DIR = Path(__file__).resolve().parent
SEEDS_DIR = EVAL_DIR.parent.parent / "seeds"

NAME_NOISE = frozenset(["the", "a", "an", "of", "and", "mr", "mrs", "ms", "dr", "st"])


@dataclass
class LabelledText:
    name: str
    body: str
    claims: list  # dicts with start, end, quote, claimant
    language: str = "en"


@dataclass
class TextScore:
    name: str
    proposed: int = 0
    correct: int = 0
    labelled: int = 0
    found: int = 0
    claimant_right: int = 0
    claimant_exact: int = 0
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)
    wrong_claimants: list = field(default_factory=list)

    def add(self, other):
        for name in ("proposed", "correct", "labelled", "found", "claimant_right", "claimant_exact"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def precision(self):
        return self.correct / self.proposed if self.proposed else 0.0

    @property
    def recall(self):
        return self.found / self.labelled if self.labelled else 0.0

    @property
    def claimant_accuracy(self):
        return self.claimant_right / self.found if self.found else 0.0

    @property
    def claimant_exact_accuracy(self):
        return self.claimant_exact / self.found if self.found else 0.0


def _load(path):
    meta = json.loads(path.read_text(encoding="utf-8"))
    body = (path.parent / meta["body_file"]).read_text(encoding="utf-8")
    claims = []
    for item in meta["claims"]:
        start = item.get("start")
        if start is None:
            start = body.index(item["quote"])
        end = start + len(item["quote"])
        if body[start:end] != item["quote"]:
            raise ValueError(f"{path.name}: {item['quote']!r} is not at [{start}, {end})")
        claims.append({"start": start, "end": end, "quote": item["quote"], "claimant": item.get("claimant", "")})
    return LabelledText(path.stem, body, claims, meta.get("language", "en"))


def labelled_set():
    """Every labelled text: the seed articles first, then this folder's texts, by name."""
    paths = sorted(SEEDS_DIR.glob("*.json")) + sorted(EVAL_DIR.glob("*.json"))
    return [_load(path) for path in paths]


def _name_words(name):
    words = re.findall(r"[^\W_]+", name.lower().replace("’s", "").replace("'s", ""))
    return {word for word in words if word not in NAME_NOISE}


def same_claimant(predicted, labelled):
    """Whether two claimant strings name the same speaker (see the module docstring)."""
    predicted_words, labelled_words = _name_words(predicted), _name_words(labelled)
    if not labelled_words or not predicted_words:
        return not labelled_words and not predicted_words
    return predicted_words <= labelled_words or labelled_words <= predicted_words


def _overlap(a_start, a_end, b_start, b_end):
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def score_text(text, candidates=None):
    """Compare the proposed candidates for ``text`` with its labels."""
    if candidates is None:
        candidates = find_candidates(text.body, text.language)
    result = TextScore(text.name, proposed=len(candidates), labelled=len(text.claims))
    for candidate in candidates:
        if any(_overlap(candidate.start, candidate.end, c["start"], c["end"]) for c in text.claims):
            result.correct += 1
        else:
            result.false_alarms.append(candidate)
    for claim in text.claims:
        overlapping = [
            (_overlap(candidate.start, candidate.end, claim["start"], claim["end"]), candidate)
            for candidate in candidates
        ]
        overlapping = [pair for pair in overlapping if pair[0] > 0]
        if not overlapping:
            result.misses.append(claim)
            continue
        result.found += 1
        best = max(overlapping, key=lambda pair: pair[0])[1]
        if same_claimant(best.claimant, claim["claimant"]):
            result.claimant_right += 1
        else:
            result.wrong_claimants.append((claim, best.claimant))
        if best.claimant.strip().lower() == claim["claimant"].strip().lower():
            result.claimant_exact += 1
    return result


def evaluate(texts=None):
    """Scores per text and overall (``TextScore`` named ``overall``), as ``(per_text, overall)``."""
    texts = labelled_set() if texts is None else texts
    per_text = [score_text(text) for text in texts]
    overall = TextScore("overall")
    for result in per_text:
        overall.add(result)
    return per_text, overall
