"""Benchmark: what match suggestions (recurring claims) add to extracting a long article.

    .venv/bin/python bench/matching.py                      # SQLite, or DATABASE_URL's server
    .venv/bin/python bench/matching.py --reviewed 5000      # that many reviewed claims to match against

In a throwaway test database: ``reviewed`` verified claims (sentences of the labelled texts, each a claim
of its own article), then a 100 KB article made of labelled texts, extracted with
``claims.extraction.extract_claims`` alone (before: no suggestions) and with ``claims.services.extract_claims``
(after: each new claim looked up among the reviewed ones). Best of ``--repeat`` runs, each rolled back.
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

from claims.extraction import sentence_spans  # noqa: E402

TEXTS = sorted((ROOT / "claims" / "eval").glob("*.txt")) + sorted((ROOT / "seeds").glob("*.txt"))


def sentences_of(paths):
    text = "\n\n".join(path.read_text(encoding="utf-8") for path in paths)
    return [text[start:end] for start, end in sentence_spans(text) if len(text[start:end].split()) >= 6]


def article_text(size, worst):
    """The article: every labelled text (``worst``), or half of them, repeated to ``size`` characters."""
    paths = TEXTS if worst else TEXTS[0::2]
    base = "\n\n".join(path.read_text(encoding="utf-8") for path in paths)
    return (base * (size // len(base) + 1))[:size]


def reviewed_claims(count, worst):
    """``count`` verified claims, one per article (numbered apart). Worst case: sentences of the article's
    own texts, so that nearly every claim of the article has targets to look at. Otherwise sentences of
    the other labelled texts, and 20 of the article's (the repeats to find)."""
    from django.db import connection

    from claims.models import Article, Claim

    if worst:
        sentences = sentences_of(TEXTS)
    else:
        sentences = sentences_of(TEXTS[1::2])
        count -= 20
    articles = [
        Article(title=f"reviewed {n}", body=f"{sentences[n % len(sentences)]} (item {n})") for n in range(count)
    ]
    for article in articles:
        article.save()
    claims = [
        Claim(
            article=article,
            quote=article.body,
            start=0,
            end=len(article.body),
            status=Claim.Status.VERIFIED,
            verdict="false",
        )
        for article in articles
    ]
    if not worst:
        for n, sentence in enumerate(sentences_of(TEXTS[0::2])[::7][:20]):
            article = Article.objects.create(title=f"repeated {n}", body=sentence)
            claims.append(
                Claim(
                    article=article,
                    quote=sentence,
                    start=0,
                    end=len(sentence),
                    status=Claim.Status.VERIFIED,
                    verdict="false",
                )
            )
    Claim.objects.bulk_create(claims, batch_size=1000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_claim")


def timed(run):
    wall = time.perf_counter()
    result = run()
    return time.perf_counter() - wall, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reviewed", type=int, default=2000, help="Reviewed claims to match against (2000).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs of each; the fastest counts (3).")
    parser.add_argument(
        "--worst", action="store_true", help="Reviewed claims on the article's own sentences (every claim a lookup)."
    )
    args = parser.parse_args()

    from django.db import connection, transaction
    from django.test.utils import setup_databases, teardown_databases

    from claims import extraction, services
    from claims.models import Article, ClaimMatch

    config = setup_databases(verbosity=0, interactive=False)
    try:
        reviewed_claims(args.reviewed, args.worst)
        text = article_text(100 * 1024, args.worst)
        case = "worst case" if args.worst else "20 of them repeated in the article"
        print(f"{connection.vendor}, {args.reviewed} reviewed claims ({case}), a {len(text) // 1024} KB article:")
        for label, extract in (
            ("before (extraction alone)", extraction.extract_claims),
            ("after (with suggestions)", services.extract_claims),
        ):
            best = None
            for attempt in range(args.repeat):
                with transaction.atomic():
                    article = Article.objects.create(title=f"bench {attempt}", body=text + f"\n{attempt}")
                    seconds, created = timed(lambda article=article, extract=extract: extract(article))
                    suggested = ClaimMatch.objects.filter(claim__in=created).count()
                    transaction.set_rollback(True)
                best = seconds if best is None or seconds < best else best
            print(f"{label:28} {best * 1000:8.0f} ms   {len(created)} claims, {suggested} suggestions")
    finally:
        teardown_databases(config, verbosity=0)


if __name__ == "__main__":
    main()
