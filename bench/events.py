"""What recording events adds to publishing: p50 of ``POST reviews/{id}/publish/`` with and without events.

Runs in one process on PostgreSQL, in a database of its own (``factcheck_bench_events``, created and
migrated, dropped at the end unless ``--keep``), with production settings (``DJANGO_DEBUG`` off). It
prepares ``--runs`` submitted reviews (each on its own claim, with two pieces of evidence, through the
workflow), then publishes them through the API's route as an editor, alternating between events on and
events off (``reviews.events.record`` replaced by a no-op), so both meet the same machine load. A
second round publishes ``--corrections`` (a claim with a published review and two confirmed appearances:
``claim.verified`` for each, ``review.superseded``, ``review.published``).

    python -m bench.events --runs 300
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432")
DATABASE = "factcheck_bench_events"


def prepare_database(url):
    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def drop_database(url):
    with psycopg.connect(f"{url}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE)))


def setup_django(url):
    os.environ["DATABASE_URL"] = f"{url}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(60))
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ["FACTCHECK_THROTTLE_USER"] = "1000000/minute"
    import django

    django.setup()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300, help="publications per mode and round (default 300)")
    parser.add_argument("--corrections", type=int, default=100, help="corrections per mode (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args(argv)
    assert urlsplit(POSTGRES_URL).hostname in ("127.0.0.1", "localhost"), "benchmarks only run on a local server"
    prepare_database(POSTGRES_URL)
    try:
        setup_django(POSTGRES_URL)
        run(args.runs, args.corrections)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(POSTGRES_URL)


def run(runs, correction_runs):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from claims import services
    from reviews import events, matches, workflow
    from reviews.models import Event
    from tests.factories import SENTENCES, ArticleFactory, EditorFactory, ReviewerFactory

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the throttles' counters
    editor, reviewer = EditorFactory(), ReviewerFactory()
    client = APIClient()
    client.force_authenticate(editor)
    real_record = events.record

    def submitted(claim, verdict="false"):
        review = workflow.create_review(claim, by=reviewer, verdict=verdict, summary="The figure was 200.")
        for n in range(2):
            workflow.add_evidence(review, by=reviewer, url=f"https://example.org/{claim.pk}/{n}", title="Report")
        return workflow.submit(review, by=reviewer)

    def new_claim():
        article = ArticleFactory()
        return services.create_claim(
            article=article, quote=SENTENCES[0], claim_reviewed=SENTENCES[0], claimant="The ministry", by=reviewer
        )

    def first_publications():
        return [submitted(new_claim()) for _ in range(runs * 2)]

    def corrections():
        prepared = []
        for _ in range(correction_runs * 2):
            claim = new_claim()
            workflow.publish(submitted(claim), by=editor)
            for _ in range(2):
                matches.confirm_match(new_claim(), reviewed_claim_id=claim.pk, by=reviewer)
            prepared.append(submitted(claim, verdict="mostly_false"))
        return prepared

    def time_publications(reviews):
        timings = {"with events": [], "without events": []}
        queries = {}
        for n, review in enumerate(reviews):
            mode = "with events" if n % 2 == 0 else "without events"
            events.record = real_record if mode == "with events" else (lambda *a, **k: [])
            connection.queries_log.clear()  # a bounded log: counting needs room
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(f"/api/v1/reviews/{review.pk}/publish/", secure=True)
                timings[mode].append((time.perf_counter() - started) * 1000)
            queries[mode] = len(captured.captured_queries)
            assert response.status_code == 200, response.content
        events.record = real_record
        return timings, queries

    print(f"PostgreSQL, {runs} first publications and {correction_runs} corrections per mode; p50 / p95 in ms")
    for name, prepare in (("first publication", first_publications), ("correction, 2 appearances", corrections)):
        reviews = prepare()
        time_publications(reviews[:10])  # warm up (connections, caches) on reviews of their own
        timings, queries = time_publications(reviews[10:])
        p50 = {mode: statistics.median(values) for mode, values in timings.items()}
        for mode, values in timings.items():
            p95 = statistics.quantiles(values, n=20)[18]
            print(
                f"  {name:28} {mode:15} p50 {p50[mode]:6.2f}  p95 {p95:6.2f}  "
                f"({len(values)} runs, {queries[mode]} queries each)"
            )
        print(f"  {name:28} events add     p50 {p50['with events'] - p50['without events']:+6.2f}")
    print(f"{Event.objects.count()} events recorded")


if __name__ == "__main__":
    sys.exit(main())
