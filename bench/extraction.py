"""Benchmark: how fast claim extraction reads an article.

    .venv/bin/python bench/extraction.py            # text analysis only (claims.extraction.find_candidates)
    .venv/bin/python bench/extraction.py --store    # also extract_claims() into a throwaway test database

Also the check-worthiness model on its own: the time to load it (once per process), sentences scored
per second (score_sentences, the API's ``sentences`` mode, in batches of 1,000) and the growth of the
process's resident memory that loading and using the model cost.

Articles are built from the labelled news texts (claims/eval/, seeds/) repeated to 100 KB and to
500,000 characters (the largest body the API accepts). Prints wall and CPU time and throughput;
the best of ``--repeat`` runs counts, so other load on the machine distorts it less.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
if len(os.environ.get("DJANGO_SECRET_KEY", "")) < 50:
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-not-secret-" + "3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e2b4d6f0a"

import django  # noqa: E402

django.setup()

from claims.extraction import find_candidates, score_sentences, sentence_spans  # noqa: E402
from claims.extraction.model import model  # noqa: E402

SIZES = [("100 KB article", 100 * 1024), ("500,000-character article", 500_000)]


def sample_text(size):
    texts = sorted((ROOT / "claims" / "eval").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))
    base = "\n\n".join(path.read_text(encoding="utf-8") for path in texts)
    return (base * (size // len(base) + 1))[:size]


def best_of(repeat, run):
    best = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        timing = (time.perf_counter() - wall, time.process_time() - cpu)
        best = timing if best is None or timing[0] < best[0] else best
    return best, result


def report(label, size, timing, count, what):
    wall, cpu = timing
    kilobytes = size / 1024
    print(
        f"{label:28} {wall * 1000:8.1f} ms wall {cpu * 1000:8.1f} ms CPU "
        f"{kilobytes / wall:8.0f} KB/s wall {kilobytes / cpu if cpu else float('inf'):8.0f} KB/s CPU   {count} {what}"
    )


def bench_analysis(repeat):
    print("Text analysis (find_candidates):")
    for label, size in SIZES:
        text = sample_text(size)
        timing, candidates = best_of(repeat, lambda text=text: find_candidates(text))
        report(label, len(text), timing, len(candidates), "candidates")


def resident_mb():
    """The process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def bench_model(repeat, seconds):
    print("Check-worthiness model:")
    before = resident_mb()
    started = time.perf_counter()
    model()
    print(f"{'load (once per process)':28} {(time.perf_counter() - started) * 1000:8.1f} ms")
    text = sample_text(100 * 1024)
    sentences = [text[start:end] for start, end in sentence_spans(text)]
    batch = (sentences * (1000 // len(sentences) + 1))[:1000]
    timing, _ = best_of(repeat, lambda: score_sentences(batch))
    print(f"{'1,000 sentences, one request':28} {timing[0] * 1000:8.1f} ms wall {1000 / timing[0]:8.0f} sentences/s")
    scored, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        scored += len(score_sentences(batch))
    elapsed = time.perf_counter() - started
    print(f"{'sustained':28} {scored / elapsed:8.0f} sentences/s over {elapsed:.0f} s")
    print(f"{'resident memory growth':28} {resident_mb() - before:8.1f} MB (model loaded and used)")


def bench_store(repeat):
    from django.db import transaction
    from django.test.utils import setup_databases, teardown_databases

    from claims.extraction import extract_claims
    from claims.models import Article

    print("Extraction stored in a throwaway test database (extract_claims, history included):")
    config = setup_databases(verbosity=0, interactive=False)
    try:
        for label, size in SIZES:
            text = sample_text(size)
            timings = []
            for attempt in range(repeat):

                def run(text=text, attempt=attempt):
                    with transaction.atomic():
                        article = Article.objects.create(title=f"bench {attempt}", body=text + f"\n{attempt}")
                        return extract_claims(article)

                timing, created = best_of(1, run)
                timings.append((timing, len(created)))
            timing, count = min(timings)
            report(label, len(text), timing, count, "claims stored")
    finally:
        teardown_databases(config, verbosity=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="Runs per size; the fastest counts (5).")
    parser.add_argument("--store", action="store_true", help="Also time storing the claims in a test database.")
    parser.add_argument("--seconds", type=float, default=10, help="How long the sustained model run lasts (10).")
    args = parser.parse_args()
    bench_model(args.repeat, args.seconds)
    bench_analysis(args.repeat)
    if args.store:
        bench_store(max(1, min(args.repeat, 3)))


if __name__ == "__main__":
    main()
