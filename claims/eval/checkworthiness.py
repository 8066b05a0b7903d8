"""Check-worthiness measured on public labelled sentences: CheckThat! 2024 English (ClaimBuster).

The data (``checkworthiness/train.tsv`` and ``dev.tsv`` of the labelled data folder, see
``claims.eval.datasets``) are sentences of US presidential debates labelled ``Yes`` (a check-worthy
factual claim) or ``No``. The official measure is the F1 of the ``Yes`` class. Each sentence is scored
whole, as ``POST /api/v1/check-worthiness/`` scores the sentences it is sent, and is check-worthy
when its score reaches the extractor's proposal threshold. Only train and dev are read here; test
splits are kept elsewhere and must never be used to tune anything.
"""

import re
from dataclasses import dataclass

from claims.eval.datasets import datasets_dir

# One row: id, text, label; a row of the release runs into the next where a line break was lost.
ROW = re.compile(r"(\d+)\t(.*?)\t(Yes|No)(?=\d+\t|$)")


def load_sentences(path):
    """``[(text, is_check_worthy), …]`` from a CheckThat! TSV file (header skipped)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        rows.extend((match.group(2), match.group(3) == "Yes") for match in ROW.finditer(line))
    return rows


@dataclass
class Scores:
    name: str
    sentences: int
    positives: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self):
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self):
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self):
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0


def score_split(rows, name, decide):
    """Compare ``decide(texts) -> [bool, …]`` with the labels of ``rows``."""
    predicted = decide([text for text, _ in rows])
    tp = sum(1 for (_, label), guess in zip(rows, predicted, strict=True) if label and guess)
    fp = sum(1 for (_, label), guess in zip(rows, predicted, strict=True) if guess and not label)
    fn = sum(1 for (_, label), guess in zip(rows, predicted, strict=True) if label and not guess)
    return Scores(name, len(rows), sum(label for _, label in rows), tp, fp, fn)


def evaluate_checkthat(split="dev", decide=None):
    """``Scores`` of the extractor's decision on a CheckThat! split, or None without the data."""
    from claims.extraction import score_sentences

    root = datasets_dir()
    if root is None:
        return None
    path = root / "checkworthiness" / f"{split}.tsv"
    if decide is None:

        def decide(texts):
            return [candidate.proposed for candidate in score_sentences(texts)]

    return score_split(load_sentences(path), f"CheckThat! 2024 {split}", decide)
