"""The learned check-worthiness model: NumPy and ``tokenizers`` at run time, loaded once per process.

Trained by scripts/train_checkworthiness.py (``make train-extractor``); the weights, the tokenizer,
the figures and the model card are in claims/extraction/model/. A sentence's MiniLM word pieces are
looked up in a table of static vectors, read by a width-3 convolution (max-pooled, rectified) beside their mean,
and a small MLP gives the probability that the sentence is a check-worthy factual claim; 0.5 is the
decision threshold chosen on the dev set. Nothing is downloaded: everything is in the repository.

``cues`` explains a score: the words that pushed it up most, by gradient × input (exact for the mean,
first order for the rest), so a reviewer sees "percent", "unemployment" rather than a bare number.
"""

import functools
import math
import re
import threading
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

MODEL_DIR = Path(__file__).resolve().parent / "model"
MAX_TOKENS = 64
PAD = 0
BATCH = 128
SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
CUE_WORD = re.compile(r"[^\W_]", re.UNICODE)


def _gelu(x):
    """GELU, tanh form (the one the model was trained with)."""
    inner = x * x
    inner *= 0.044715
    inner += 1
    inner *= x
    inner *= SQRT_2_OVER_PI
    np.tanh(inner, out=inner)
    inner += 1
    inner *= x
    inner *= 0.5
    return inner


def _gelu_slope(x):
    squared = x * x
    tanh = np.tanh(SQRT_2_OVER_PI * x * (1 + 0.044715 * squared))
    return 0.5 * (1 + tanh) + 0.5 * x * (1 - tanh * tanh) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * squared)


class CheckWorthinessModel:
    """Scores sentences; thread-safe (the tokenizer is used under a lock, the arrays are read-only)."""

    def __init__(self, directory=MODEL_DIR):
        with np.load(directory / "checkworthiness.npz") as weights:
            # Stored as int8 with one scale per row; unpacked once, as a lookup is then a plain gather.
            self.embedding = weights["embedding"].astype(np.float32) * weights["embedding_scale"][:, None]
            conv = weights["conv_weight"]  # (filters, dimensions, 3)
            self.filters = conv.shape[0]
            # The three taps side by side: one product per token, then shifted sums.
            self.conv_taps = np.ascontiguousarray(np.concatenate([conv[:, :, k].T for k in range(3)], axis=1))
            self.conv_bias = weights["conv_bias"]
            self.hidden_weight = np.ascontiguousarray(weights["hidden_weight"].T)
            self.hidden_bias = weights["hidden_bias"]
            self.out_weight = weights["out_weight"]
            self.out_bias = float(weights["out_bias"][0])
        # Batches are padded with id 0 ([PAD], never a piece of real text): zeros, as the model was trained.
        self.embedding[PAD] = 0
        self.dimensions = self.embedding.shape[1]
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.lock = threading.Lock()

    def _encode(self, texts):
        with self.lock:
            return self.tokenizer.encode_batch(list(texts))

    def _forward(self, ids, lengths, *, explain=False):
        """Logits for a padded batch ``ids`` (rows, tokens); with ``explain``, each token's contribution too."""
        rows, tokens = ids.shape
        mask = (np.arange(tokens)[None, :] < lengths[:, None]).astype(np.float32)
        vectors = self.embedding[ids]  # padding reads as zeros
        mean = vectors.sum(1) / lengths[:, None]
        taps = (vectors.reshape(-1, self.dimensions) @ self.conv_taps).reshape(rows, tokens, 3 * self.filters)
        filters = self.filters
        conv = taps[:, :, filters : 2 * filters] + self.conv_bias
        conv[:, 1:] += taps[:, :-1, :filters]  # the token before
        conv[:, :-1] += taps[:, 1:, 2 * filters :]  # the token after
        conv -= ((1 - mask) * 1e4)[:, :, None]  # padding never wins a maximum
        if explain:
            winners = conv.argmax(1)  # (rows, filters): the token each filter's maximum comes from
            peaks = np.take_along_axis(conv, winners[:, None, :], 1)[:, 0]
        else:
            peaks = conv.max(1)
        pooled = np.maximum(peaks, 0)  # ReLU after the maximum: the same as before it, for less
        features = np.concatenate([mean, pooled], 1)
        hidden_in = features @ self.hidden_weight + self.hidden_bias
        logits = _gelu(hidden_in) @ self.out_weight + self.out_bias
        if not explain:
            return logits, None
        slope = (_gelu_slope(hidden_in) * self.out_weight) @ self.hidden_weight.T  # d logit / d feature
        # The mean's share of each token, exactly; each filter's maximum credited to the token it came from.
        contribution = (vectors @ slope[:, : self.dimensions, None])[:, :, 0] / lengths[:, None]
        filter_share = slope[:, self.dimensions :] * pooled
        np.add.at(contribution, (np.arange(rows)[:, None], winners), filter_share)
        return logits, contribution

    def _batches(self, encodings):
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            chosen = order[start : start + BATCH]
            lengths = np.array([len(encodings[i].ids) for i in chosen])
            ids = np.zeros((len(chosen), lengths.max()), dtype=np.int64)
            for row, i in enumerate(chosen):
                ids[row, : lengths[row]] = encodings[i].ids
            yield chosen, ids, lengths

    def scores(self, texts):
        """The probability that each text is a check-worthy claim (0.5 is the decision), as floats."""
        encodings = self._encode(texts)
        result = np.zeros(len(encodings), dtype=np.float64)
        for chosen, ids, lengths in self._batches(encodings):
            logits, _ = self._forward(ids, lengths)
            result[chosen] = 1 / (1 + np.exp(-logits))
        return result.tolist()

    def explain(self, texts, *, cues=3):
        """``(score, [cue, …])`` per text: the words that raised its score most, strongest first."""
        encodings = self._encode(texts)
        result = [None] * len(encodings)
        for chosen, ids, lengths in self._batches(encodings):
            logits, contribution = self._forward(ids, lengths, explain=True)
            for row, i in enumerate(chosen):
                probability = float(1 / (1 + np.exp(-logits[row])))
                result[i] = (probability, _strongest_words(texts[i], encodings[i], contribution[row], cues))
        return result


def _strongest_words(text, encoding, contribution, count):
    """The ``count`` words of ``text`` whose word pieces contributed most (and positively) to its score."""
    word_ids = np.array([-1 if word is None else word for word in encoding.word_ids])
    inside = word_ids >= 0
    if not inside.any():
        return []
    totals = np.bincount(word_ids[inside], weights=contribution[: len(word_ids)][inside])
    words = []
    for word in np.argsort(-totals):
        if totals[word] <= 0 or len(words) == count:
            break
        start, end = encoding.word_to_chars(int(word))
        if CUE_WORD.search(text[start:end]) and text[start:end] not in words:
            words.append(text[start:end])
    return words


@functools.cache
def model():
    """The process's one model, loaded on first use."""
    return CheckWorthinessModel()
