"""Benchmark the exports of verified claims against PostgreSQL's own COPY of the same rows.

    DATABASE_URL=postgres://root@127.0.0.1:5432/helper_b .venv/bin/python bench/export.py --claims 10000 100000

Works in dedicated scratch databases, ``<DATABASE_URL's database>_export_bench_<claims>`` on the
same server, one per size: created, migrated and filled with bulk_create for the run and dropped
afterwards, so it never touches the database DATABASE_URL names. ``--keep`` leaves them in place;
``--reuse`` then uses them again instead of filling new ones (filling 100k claims takes minutes).

For every size and format it runs ``manage.py export_claims --output /dev/null`` in a fresh
subprocess (best time of ``--repeat`` runs) and reports:

- time (wall clock; CPU time of the exporting process beside it, less sensitive to a busy
  machine), and its ratio to PostgreSQL's ``COPY (SELECT …) TO STDOUT`` of the same rows: the claims
  joined with their article and published review, their tags, and the evidence, in three COPYs
  (see ``copy_queries``), read to the end (best of ``--repeat``);
- peak RSS growth of that process during the export (``ru_maxrss`` after minus before), and the
  peak of Python allocations during the export (``tracemalloc``, measured in a separate run as it
  slows the code down), with the 100k/10k ratios: flat memory means a ratio near 1.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
if len(os.environ.get("DJANGO_SECRET_KEY", "")) < 50:
    os.environ["DJANGO_SECRET_KEY"] = "bench-only-secret-key-7d1f0a9c3e5b8f2a4c6e8b0d2f4a6c8e0b2d4f6a8c"

FORMATS = ["claimreview", "datafeed", "csv", "ndjson"]
SENTENCES = [
    "The ministry said {n} soldiers were killed in three days.",
    "The president said troops liberated more than {n} towns in two days.",
    "The city had a population of {n} before the war.",
    "Officials reported that railway junction {n} was destroyed on Friday.",
    "A blogger claimed that {n} tanks were abandoned near the river.",
]
CLAIMS_PER_ARTICLE = 10


def bench_url(url, size):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_export_bench_{size}"))


def admin_connection(url):
    import psycopg

    return psycopg.connect(url, autocommit=True)


def database_name(url):
    return urlsplit(url).path.lstrip("/")


# --- setting up the scratch database -----------------------------------------------------------


def prepare_database(url, scratch, *, reuse):
    name = database_name(scratch)
    with admin_connection(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not reuse:
            conn.execute(f'CREATE DATABASE "{name}"')
    run_child(scratch, ["--migrate"])


def migrate():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(target, evidence_per_review):
    """Top the scratch database up to ``target`` verified claims, with bulk_create, 10k claims at a time."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from claims.models import Article, Claim, Tag, compute_content_hash
    from reviews.models import Evidence, Review, Verdict
    from reviews.record import snapshot

    have = Claim.objects.count()
    if have > target or Claim.objects.exclude(status=Claim.Status.VERIFIED).exists():
        sys.exit("The scratch database holds claims this benchmark did not make: run without --reuse.")
    User = get_user_model()
    author, _ = User.objects.get_or_create(username="bench-reviewer")
    editor, _ = User.objects.get_or_create(username="bench-editor")
    tags = Tag.objects.for_names(["war", "casualties", "economy", "kharkiv", "energy"])
    verdicts = list(Verdict)
    now = timezone.now()
    started = time.monotonic()
    while have < target:
        step = min(10_000, target - have)
        with transaction.atomic():
            first_article = Article.objects.count()
            articles, sentences = [], []
            for a in range((step + CLAIMS_PER_ARTICLE - 1) // CLAIMS_PER_ARTICLE):
                n = first_article + a
                said = [s.format(n=n * CLAIMS_PER_ARTICLE + i) for i, s in enumerate(SENTENCES * 2)]
                body = f"Report {n}.\n" + " ".join(said)
                sentences.append(said[:CLAIMS_PER_ARTICLE])
                articles.append(
                    Article(
                        title=f"Bench article {n}: “quotes”, commas, and ünïcode",
                        url=f"https://news.example.org/bench/{n}" if n % 5 else None,
                        publisher="Example News",
                        author="Jane Doe" if n % 2 else "",
                        published_at=now,
                        body=body,
                        content_hash=compute_content_hash(body),
                    )
                )
            articles = Article.objects.bulk_create(articles)
            claims = []
            for article, said in zip(articles, sentences, strict=True):
                offset = 0
                for quote in said[: step - len(claims)]:
                    start = article.body.index(quote, offset)
                    offset = start + len(quote)
                    k = have + len(claims)
                    claims.append(
                        Claim(
                            article=article,
                            quote=quote,
                            start=start,
                            end=offset,
                            claim_reviewed=f"Claim {k}, reworded" if k % 3 == 0 else "",
                            claimant=["The ministry", "The president", "=a blogger", ""][k % 4],
                            claimed_at=now.date(),
                            check_worthiness=0.75,
                            status=Claim.Status.VERIFIED,
                            verdict=verdicts[k % len(verdicts)],
                        )
                    )
            claims = Claim.objects.bulk_create(claims)
            Claim.tags.through.objects.bulk_create(
                [
                    Claim.tags.through(claim_id=claim.pk, tag_id=tags[(claim.pk + i) % len(tags)].pk)
                    for claim in claims
                    for i in range(1 + claim.pk % 2)
                ]
            )
            reviews = Review.objects.bulk_create(
                [
                    Review(
                        claim=claim,
                        author=author,
                        verdict=claim.verdict,
                        rating_text=Verdict(claim.verdict).label,
                        summary=f"Official figures for claim {claim.pk} say otherwise;\nsee the evidence.",
                        state=Review.State.PUBLISHED,
                        published_at=now,
                        published_by=editor,
                        record=snapshot(claim, claim.article),
                        first_published_at=now,
                    )
                    for claim in claims
                ]
            )
            Evidence.objects.bulk_create(
                [
                    Evidence(
                        review=review,
                        url=f"https://evidence.example.org/{review.pk}/{i}",
                        title=f"Source {i} for review {review.pk}",
                        publisher="Example Institute",
                        quote="The figure was 200, not 2,000.",
                        stance=Evidence.Stance.REFUTES,
                        source_type=Evidence.SourceType.OFFICIAL,
                        published_at=now.date(),
                        added_by=author,
                    )
                    for review in reviews
                    for i in range(evidence_per_review)
                ]
            )
        have += step
        print(f"  {have}/{target} claims ({time.monotonic() - started:.0f}s)", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- measuring -----------------------------------------------------------------------------------


def copy_queries():
    """The rows the export reads, as three plain queries: every verified claim with its article and
    published review; their tags; that review's evidence (each ordered as the export reads them)."""
    from django.contrib.auth import get_user_model

    from claims.models import Article, Claim, Tag
    from reviews.models import Evidence, Review

    claim, article, tag = Claim._meta.db_table, Article._meta.db_table, Tag._meta.db_table
    claim_tags = Claim.tags.through._meta.db_table
    review, evidence, user = Review._meta.db_table, Evidence._meta.db_table, get_user_model()._meta.db_table
    verified = f"""
        {claim} c JOIN {review} r ON r.claim_id = c.id AND r.state = 'published'
        WHERE c.status = 'verified'
    """
    return [
        f"""SELECT c.id, c.article_id, c.quote, c.start, c."end", c.claim_reviewed, c.claimant, c.claimed_at,
                   c.check_worthiness, c.status, c.verdict, c.created_at, c.updated_at, c.version,
                   a.title, a.url, a.publisher, a.author, a.published_at, a.language,
                   r.id, u.username, r.verdict, r.rating_text, r.summary, r.published_at
            FROM {claim} c
            JOIN {article} a ON a.id = c.article_id
            JOIN {review} r ON r.claim_id = c.id AND r.state = 'published'
            JOIN {user} u ON u.id = r.author_id
            WHERE c.status = 'verified'
            ORDER BY c.id""",
        f"""SELECT ct.claim_id, t.name FROM {claim_tags} ct JOIN {tag} t ON t.id = ct.tag_id
            WHERE ct.claim_id IN (SELECT c.id FROM {verified})
            ORDER BY t.name""",
        f"""SELECT e.review_id, e.id, e.url, e.title, e.publisher, e.quote, e.stance, e.source_type,
                   e.published_at, e.accessed_at, e.archive_url, eu.username, e.created_at, e.updated_at
            FROM {evidence} e LEFT JOIN {user} eu ON eu.id = e.added_by_id
            WHERE e.review_id IN (SELECT r.id FROM {verified})
            ORDER BY e.id""",
    ]


def measure_copy():
    """``COPY (…) TO STDOUT`` of each query, read to the end; the time is their sum."""
    from django.db import connection

    connection.ensure_connection()
    started = time.perf_counter()
    size = 0
    with connection.connection.cursor() as cursor:
        for query in copy_queries():
            with cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
                for data in copy:
                    size += len(data)
    return {"seconds": time.perf_counter() - started, "bytes": size}


def maxrss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux


def measure_export(fmt, batch_size, trace):
    import io

    from django.core.management import call_command
    from django.db import connection

    from reviews import exports
    from reviews.management.commands import export_claims  # noqa: F401  (imported before the baseline)

    connection.ensure_connection()
    exports.exported_claims(exports.verified_claims())  # a generator: nothing runs yet
    rss_before = maxrss_kb()
    if trace:
        tracemalloc.start()
    out, err = io.StringIO(), io.StringIO()
    cpu_started = time.process_time()
    started = time.perf_counter()
    call_command(
        "export_claims",
        "--format",
        fmt,
        "--output",
        os.devnull,
        "--batch-size",
        str(batch_size),
        stdout=out,
        stderr=err,
    )
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu_started,
        "rss_growth_kb": maxrss_kb() - rss_before,
        "rss_peak_kb": maxrss_kb(),
    }
    if trace:
        result["traced_peak_kb"] = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    result["summary"] = out.getvalue().strip()
    return result


def run_child(url, args):
    env = {**os.environ, "DATABASE_URL": url}
    output = subprocess.run(
        [sys.executable, __file__, *args], env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1]) if output.strip() else None


# --- the driver ----------------------------------------------------------------------------------


def mb(kb):
    return f"{kb / 1024:7.1f} MB"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, nargs="+", default=[10_000, 100_000], help="Sizes to measure.")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=FORMATS)
    parser.add_argument("--evidence", type=int, default=2, help="Evidence per review (default 2).")
    parser.add_argument("--batch-size", type=int, default=None, help="Claims per batch (default: the export's).")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per measurement; the best time counts.")
    parser.add_argument("--no-tracemalloc", action="store_true", help="Skip the (slower) Python allocation run.")
    parser.add_argument("--reuse", action="store_true", help="Use the scratch databases an earlier --keep run left.")
    parser.add_argument("--keep", action="store_true", help="Leave the scratch database in place afterwards.")
    parser.add_argument(
        "--databases",
        default=os.environ.get("BENCH_DATABASE_URLS", ""),
        help="label=postgres://… pairs, comma-separated: measure in these databases as they are (the "
        "generated bench databases; make bench passes them as BENCH_DATABASE_URLS) instead of scratch ones.",
    )
    # Internal: what the subprocesses run.
    parser.add_argument("--migrate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--fill", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=FORMATS, help=argparse.SUPPRESS)
    parser.add_argument("--copy", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.migrate or args.fill or args.measure or args.copy:
        import django

        django.setup()
        if args.migrate:
            migrate()
        elif args.fill:
            fill(args.fill, args.evidence)
        elif args.copy:
            print(json.dumps(measure_copy()))
        else:
            from reviews import exports

            print(json.dumps(measure_export(args.measure, args.batch_size or exports.BATCH_SIZE, args.trace)))
        return

    results = {}
    if args.databases:
        for pair in args.databases.split(","):
            label, _, url = pair.partition("=")
            print(f"{database_name(url)} ({label} claims, as generated)…", file=sys.stderr, flush=True)
            results[label] = measure_database(url, args)
        report(results, args, unit="claims in all, verified ones exported")
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL=postgres://…: the benchmark compares with PostgreSQL's COPY.")
    for size in sorted(args.claims):
        scratch = bench_url(url, size)
        print(f"{database_name(scratch)}: {size} verified claims…", file=sys.stderr, flush=True)
        try:
            prepare_database(url, scratch, reuse=args.reuse)
            run_child(scratch, ["--fill", str(size), "--evidence", str(args.evidence)])
            results[size] = measure_database(scratch, args)
        finally:
            if not args.keep:
                with admin_connection(url) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{database_name(scratch)}" WITH (FORCE)')
    report(results, args, unit="verified claims")


def measure_database(url, args):
    """COPY, then every format, in the database at ``url``: best of ``--repeat`` runs each."""
    batch = ["--batch-size", str(args.batch_size)] if args.batch_size else []
    copy = min((run_child(url, ["--copy"]) for _ in range(args.repeat)), key=lambda r: r["seconds"])
    results = {"copy": copy}
    for fmt in args.formats:
        runs = [run_child(url, ["--measure", fmt, *batch]) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        best["rss_growth_kb"] = max(r["rss_growth_kb"] for r in runs)
        if not args.no_tracemalloc:
            best["traced_peak_kb"] = run_child(url, ["--measure", fmt, "--trace", *batch])["traced_peak_kb"]
        results[fmt] = best
        print(f"  {best['summary']} (COPY {copy['seconds']:.2f}s)", file=sys.stderr, flush=True)
    return results


def report(results, args, *, unit):
    sizes = list(results)
    evidence = "" if args.databases else f"{args.evidence} evidence per review, "
    print(f"\nExport of verified claims vs COPY ({evidence}best of {args.repeat}; sizes in {unit})")
    print(
        f"{'claims':>8} {'format':<12} {'time':>8} {'COPY':>8} {'×COPY':>6} {'CPU':>8} "
        f"{'RSS growth':>11} {'Python peak':>11}"
    )
    for size in sizes:
        copy = results[size]["copy"]
        for fmt in args.formats:
            r = results[size][fmt]
            traced = mb(r["traced_peak_kb"]) if "traced_peak_kb" in r else "—"
            print(
                f"{size:>8} {fmt:<12} {r['seconds']:7.2f}s {copy['seconds']:7.2f}s "
                f"{r['seconds'] / copy['seconds']:6.1f} {r['cpu_seconds']:7.2f}s "
                f"{mb(r['rss_growth_kb']):>11} {traced:>11}"
            )
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        print(f"\nMemory from {small} to {large} claims: growth ratio large/small (flat memory: near 1×)")
        for fmt in args.formats:
            a, b = results[small][fmt], results[large][fmt]
            rss = (b["rss_growth_kb"] or 1) / (a["rss_growth_kb"] or 1)
            line = f"  {fmt:<12} RSS {rss:5.2f}×"
            if "traced_peak_kb" in a:
                line += f"   Python peak {b['traced_peak_kb'] / max(a['traced_peak_kb'], 1):5.2f}×"
            print(line)


if __name__ == "__main__":
    main()
