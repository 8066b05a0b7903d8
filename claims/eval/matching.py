"""How well match suggestions (``claims.matching``) tell a repeated claim from another claim on the same subject.

Two labelled sets of sentence pairs, each ``same`` (the second states the claim of the first) or not:

- ``pairs/paraphrases.json``: 160 pairs of news sentences written for this purpose (80 paraphrases as
  another outlet would report the claim; 80 hard negatives: the same subject with another figure,
  actor, place or claim);
- ``pairs/checkthat.json``: 120 pairs of CheckThat! 2024 English sentences (train and dev) that
  recur in US presidential debates, labelled by hand, read from the public data by sentence id
  (``candidate_pairs`` derives the candidates; the file says how they were drawn).

A pair counts as suggested when the near-duplicate lookup would find it (trigram similarity of at
least ``similarity.MIN_SCORE``) and its score reaches the threshold: precision is the share of
suggested pairs that are the same claim, recall the share of same-claim pairs suggested.
"""

import csv
import itertools
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from claims import matching, similarity
from claims.eval.datasets import datasets_dir

# Not beside the labelled texts of claims/eval/: evaluate_extraction reads every JSON file there.
EVAL_DIR = Path(__file__).resolve().parent / "pairs"
# What the scorer must reach at ``matching.THRESHOLD`` (tests/claims/test_matching.py asserts it too).
PRECISION_TARGET = 0.9


@dataclass(frozen=True)
class MatchResult:
    name: str
    pairs: int
    same: int
    suggested: int
    correct: int

    @property
    def precision(self):
        return self.correct / self.suggested if self.suggested else 1.0

    @property
    def recall(self):
        return self.correct / self.same if self.same else 0.0


def trigram_score(text, other):
    """The baseline: trigram similarity alone, as the near-duplicate lookup ranks claims."""
    return similarity.trigram_similarity(text, other)


def load_paraphrases():
    """``[(a, b, same)]`` of claims/eval/pairs/paraphrases.json."""
    document = json.loads((EVAL_DIR / "paraphrases.json").read_text(encoding="utf-8"))
    return [(pair["a"], pair["b"], pair["same"]) for pair in document["pairs"]]


def checkthat_sentences(folder):
    """{Sentence_id: text} of CheckThat! 2024 English train and dev (never test)."""
    sentences = {}
    for split in ("train", "dev"):
        with open(folder / "checkworthiness" / f"{split}.tsv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                sentences[int(row["Sentence_id"])] = (row["Text"].strip(), row["class_label"])
    return sentences


def load_checkthat_pairs():
    """``[(a, b, same)]`` of claims/eval/pairs/checkthat.json with the sentences' text, or None without the data."""
    folder = datasets_dir()
    if folder is None or not (folder / "checkworthiness").is_dir():
        return None
    sentences = checkthat_sentences(folder)
    document = json.loads((EVAL_DIR / "checkthat.json").read_text(encoding="utf-8"))
    return [(sentences[pair["a"]][0], sentences[pair["b"]][0], pair["same"]) for pair in document["pairs"]]


def candidate_pairs(sentences, *, min_words=8, min_similarity=0.4, rare_words=4, max_posting=200):
    """How pairs/checkthat.json's candidates were found: ``[(similarity, id_a, id_b)]``, best first.

    ``sentences`` is ``checkthat_sentences``' result. Pairs of check-worthy ("Yes") sentences of at
    least ``min_words`` words, not identical, sharing one of their ``rare_words`` rarest words (longer
    than three letters), with trigram similarity at least ``min_similarity``.
    """
    word = re.compile(r"[^\W_]+")
    rows = [(pk, text) for pk, (text, label) in sentences.items() if label == "Yes" and len(text.split()) >= min_words]
    words = [{w.lower() for w in word.findall(text) if len(w) > 3} for _, text in rows]
    frequency = Counter(w for found in words for w in found)
    index = defaultdict(list)
    for position, found in enumerate(words):
        for w in sorted(found, key=lambda w: (frequency[w], w))[:rare_words]:
            index[w].append(position)
    grams = [similarity.trigrams(text) for _, text in rows]
    found = {}
    for positions in index.values():
        if len(positions) > max_posting:
            continue
        for i, j in itertools.combinations(positions, 2):
            if (i, j) in found or rows[i][1].lower() == rows[j][1].lower():
                continue
            score = similarity.trigram_similarity(grams[i], grams[j])
            if score >= min_similarity:
                found[(i, j)] = score
    return sorted(((score, rows[i][0], rows[j][0]) for (i, j), score in found.items()), reverse=True)


def evaluate_pairs(name, pairs, *, scorer=None, threshold=None):
    """``MatchResult`` of ``scorer`` (default ``matching.match_score``) at ``threshold`` on ``pairs``."""
    scorer = scorer or matching.match_score
    threshold = matching.THRESHOLD if threshold is None else threshold
    suggested = correct = 0
    for text, other, same in pairs:
        found = similarity.trigram_similarity(text, other) >= similarity.MIN_SCORE
        if found and scorer(text, other) >= threshold:
            suggested += 1
            correct += same
    return MatchResult(name, len(pairs), sum(same for _, _, same in pairs), suggested, correct)


def sweep(pairs, scorer, thresholds):
    """``[(threshold, precision, recall)]`` of ``scorer`` on ``pairs``."""
    results = [evaluate_pairs("", pairs, scorer=scorer, threshold=t) for t in thresholds]
    return [(t, r.precision, r.recall) for t, r in zip(thresholds, results, strict=True)]


def evaluate_matching():
    """The figures ``manage.py evaluate_matching`` reports: ``[MatchResult]``, the public set's when present.

    For each set, the scorer used for suggestions at its threshold, then trigram similarity alone at
    the same threshold (the baseline).
    """
    sets = [("own paraphrases", load_paraphrases())]
    public = load_checkthat_pairs()
    if public is not None:
        sets.append(("CheckThat! recurring (train+dev)", public))
    results = []
    for name, pairs in sets:
        results.append(evaluate_pairs(name, pairs))
        results.append(evaluate_pairs(f"{name}, trigram alone", pairs, scorer=trigram_score))
    return results
