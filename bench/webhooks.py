"""Webhooks: deliveries per second through one worker, and what fan-out adds to publishing.

    python -m bench.webhooks [--events 1000] [--runs 200] [--subscriptions 3] [--keep]

The receivers are ``http.server.ThreadingHTTPServer``s on 127.0.0.1, each in a process of its own (so
they do not share the worker's GIL): one answers every POST 200, the other 500. Every measurement runs
in a fresh process with production settings (``DJANGO_DEBUG`` off) and ``FACTCHECK_WEBHOOK_ALLOW_PRIVATE=1``
(the receivers are local): on PostgreSQL in a database of its own (``factcheck_bench_webhooks`` on
``BENCH_POSTGRES_URL``, created afresh and migrated for each measurement, dropped at the end unless
``--keep``, which keeps the last), and the throughput on SQLite too, in a temporary file.

1. **Throughput**: ``--events`` ``claim.verified`` events recorded through ``reviews.events.record`` (one
   transaction each, as a publication records them: fan-out writes a delivery and its job) for one
   subscription to the receiver; then one worker, ``jobs.work(burst=True)``, delivers them all, timed.
   Deliveries per second, and the p50/p95 of the ``duration_ms`` each delivery recorded (the POST itself).
   Every delivery must be ``delivered``. Then the same with the receiver answering 500 to everything:
   the first attempts only (``max_jobs``: each delivery is then ``pending``, its retry 5 s away).
2. **Added latency of publishing** (PostgreSQL): ``--runs`` × 2 submitted reviews published through
   ``POST reviews/{id}/publish/`` as an editor, alternating between no active subscription and
   ``--subscriptions`` active ones (each gets the publication's two events: 2 × ``--subscriptions``
   deliveries and jobs written in the transaction; no worker runs): p50/p95 of the wall time, and the p50 of
   the process's CPU time (``time.thread_time``), which a busy machine inflates less. The issue's target:
   ≤ 5 ms p50 added.

Figures in bench/README.md.
"""

import argparse
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432")
DATABASE = "factcheck_bench_webhooks"
# Claims whose claim.verified events are recorded again and again: bodies as large as real ones, made quickly.
VERIFIED_CLAIMS = 50


# --- The receivers ---------------------------------------------------------------------------------


def serve(status, ports):
    """A receiver's process: answer every POST ``status`` with a small JSON body; put the port on ``ports``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = b'{"ok": true}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    ports.put(server.server_port)
    server.serve_forever()


class Receiver:
    """A receiver in a process of its own answering ``status``, for the length of a ``with``; ``url`` is its URL."""

    def __init__(self, *, status=200):
        self.status = status
        self.url = None
        self.process = None

    def __enter__(self):
        context = multiprocessing.get_context("spawn")  # nothing inherited from a process that set Django up
        ports = context.Queue()
        self.process = context.Process(target=serve, args=(self.status, ports), daemon=True)
        self.process.start()
        self.url = f"http://127.0.0.1:{ports.get(timeout=30)}/hooks"
        return self

    def __exit__(self, *exc_info):
        self.process.terminate()
        self.process.join(10)


# --- Measurements (in a configured process) --------------------------------------------------------


def percentiles(values):
    """p50 and p95 of ``values``."""
    if len(values) < 2:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=20)[18]


def throughput(*, events, url, status):
    """Record ``events`` events for one subscription to ``url``, then deliver them with one worker; the figures.

    ``status`` is what the receiver answers: 200 (every delivery must be delivered) or 500 (first attempts:
    every delivery must be pending again, with the receiver's answer recorded).
    """
    from django.db import transaction
    from django.utils import timezone

    from factcheck import jobs
    from reviews import events as recording
    from reviews import webhooks
    from reviews.models import EventType, WebhookDelivery, WebhookSubscription
    from tests.factories import ClaimFactory, EditorFactory, ReviewerFactory

    editor, reviewer = EditorFactory(), ReviewerFactory()
    claims = [
        ClaimFactory(verified=True, review__author=reviewer, review__editor=editor)
        for _ in range(min(events, VERIFIED_CLAIMS))
    ]
    jobs.work(burst=True)  # nothing is subscribed yet: no job; a worker that starts on an empty queue
    subscription, _secret = webhooks.subscribe(
        name=f"Bench receiver ({status})", url=url, event_types=["claim.verified"], by=editor
    )
    for n in range(events):
        with transaction.atomic():
            recording.record(EventType.CLAIM_VERIFIED, [claims[n % len(claims)]], by=editor)

    started = time.perf_counter()
    # At most one run per event: a failed attempt is due again 5 s later, after every first attempt (which
    # were all due before the worker started, and a worker takes the earliest due first).
    done = jobs.work(burst=True, max_jobs=events)
    elapsed = time.perf_counter() - started

    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    outcomes = set(deliveries.values_list("status", "attempts", "response_code").distinct())
    expected = ("delivered", 1, 200) if status == 200 else ("pending", 1, status)
    assert done == events == deliveries.count(), (done, events, deliveries.count())
    assert outcomes == {expected}, outcomes
    durations = sorted(deliveries.values_list("duration_ms", flat=True))
    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False, disabled_at=timezone.now())
    p50, p95 = percentiles(durations)
    return {"deliveries": done, "per_second": round(done / elapsed, 1), "duration_p50": p50, "duration_p95": p95}


def publishing(*, runs, subscriptions, url):
    """Publish ``runs`` × 2 submitted reviews through the API, alternating between no active subscription
    and ``subscriptions`` active ones; p50/p95 (ms) and the query count of each mode."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from rest_framework.test import APIClient

    from claims import services
    from reviews import webhooks, workflow
    from reviews.models import WebhookDelivery, WebhookSubscription
    from tests.factories import SENTENCES, ArticleFactory, EditorFactory, ReviewerFactory

    editor, reviewer = EditorFactory(), ReviewerFactory()
    client = APIClient()
    client.force_authenticate(editor)
    WebhookSubscription.objects.filter(active=True).update(active=False, disabled_at=timezone.now())
    audiences = ("public", "newsroom")  # in turn: both audiences get both events of a first publication
    subscribed = [
        webhooks.subscribe(
            name=f"Bench partner {n}", url=f"{url}/{n}", event_types=["*"], audience=audiences[n % 2], by=editor
        )[0].pk
        for n in range(subscriptions)
    ]
    ours = WebhookSubscription.objects.filter(pk__in=subscribed)

    def submitted():
        article = ArticleFactory()
        claim = services.create_claim(
            article=article, quote=SENTENCES[0], claim_reviewed=SENTENCES[0], claimant="The ministry", by=reviewer
        )
        review = workflow.create_review(claim, by=reviewer, verdict="false", summary="The figure was 200.")
        for n in range(2):
            workflow.add_evidence(review, by=reviewer, url=f"https://example.org/{claim.pk}/{n}", title="Report")
        return workflow.submit(review, by=reviewer)

    def time_publications(reviews):
        timings = {"without": [], "with": []}
        cpu = {"without": [], "with": []}
        queries = {}
        for n, review in enumerate(reviews):
            mode = "with" if n % 2 == 0 else "without"
            if mode == "with":
                ours.update(active=True, disabled_at=None)
            else:
                ours.update(active=False, disabled_at=timezone.now())
            connection.queries_log.clear()  # a bounded log: counting needs room
            with CaptureQueriesContext(connection) as captured:
                started, started_cpu = time.perf_counter(), time.thread_time()
                response = client.post(f"/api/v1/reviews/{review.pk}/publish/", secure=True)
                timings[mode].append((time.perf_counter() - started) * 1000)
                cpu[mode].append((time.thread_time() - started_cpu) * 1000)
            queries[mode] = len(captured.captured_queries)
            assert response.status_code == 200, response.content
        return timings, cpu, queries

    reviews = [submitted() for _ in range(runs * 2 + 10)]
    time_publications(reviews[:10])  # warm up (connections, caches) on reviews of their own
    before = WebhookDelivery.objects.filter(subscription__in=subscribed).count()
    timings, cpu, queries = time_publications(reviews[10:])
    written = WebhookDelivery.objects.filter(subscription__in=subscribed).count() - before
    assert written == len(timings["with"]) * 2 * subscriptions, written  # claim.verified and review.published
    figures = {"deliveries_per_publication": 2 * subscriptions}
    for mode, values in timings.items():
        p50, p95 = percentiles(values)
        figures[mode] = {
            "p50": round(p50, 2),
            "p95": round(p95, 2),
            "cpu_p50": round(statistics.median(cpu[mode]), 2),
            "runs": len(values),
            "queries": queries[mode],
        }
    return figures


def measure(args):
    """The entry point of a measuring process: its database from the environment; the figures as JSON."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)  # the throttles' counters
    if args.measure == "throughput":
        figures = {
            "200": throughput(events=args.events, url=args.url, status=200),
            "500": throughput(events=args.events, url=args.failing_url, status=500),
        }
    else:
        figures = publishing(runs=args.runs, subscriptions=args.subscriptions, url=args.url)
    print(json.dumps(figures))


# --- The run -----------------------------------------------------------------------------------------


def drop_database():
    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(DATABASE)))


def recreate_database():
    """An empty scratch database for the next measurement (the factories' numbers start again in each process)."""
    drop_database()
    with psycopg.connect(f"{POSTGRES_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))


def run_measurement(kind, database_url, args, *, url, failing_url):
    """``kind`` measured in a process of its own on ``database_url``; its figures, or None if it failed."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "DJANGO_LOG_LEVEL": "ERROR",  # each failed attempt logs a line
        "FACTCHECK_THROTTLE_USER": "1000000/minute",
        "FACTCHECK_JOBS": "database",
        "FACTCHECK_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    command = [sys.executable, "-m", "bench.webhooks", "--measure", kind, "--url", url, "--failing-url", failing_url]
    command += ["--events", str(args.events), "--runs", str(args.runs), "--subscriptions", str(args.subscriptions)]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"  failed:\n{done.stderr[-3000:]}", flush=True)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_throughput(engine, figures):
    for status, row in figures.items():
        outcome = "delivered" if status == "200" else "first attempts failed"
        print(
            f"  {engine:10} receiver {status}  {row['per_second']:7.1f} deliveries/s  "
            f"duration_ms p50 {row['duration_p50']}  p95 {row['duration_p95']}  ({row['deliveries']} {outcome})",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1000, help="events delivered per throughput run (default 1000)")
    parser.add_argument("--runs", type=int, default=200, help="publications per mode (default 200)")
    parser.add_argument("--subscriptions", type=int, default=3, help="active subscriptions when on (default 3)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database afterwards")
    parser.add_argument("--measure", choices=["throughput", "publishing"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--failing-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        return measure(args)

    assert urlsplit(POSTGRES_URL).hostname in ("127.0.0.1", "localhost"), "benchmarks only run on a local server"
    postgres = f"{POSTGRES_URL}/{DATABASE}"
    scratch = tempfile.TemporaryDirectory()
    sqlite = f"sqlite:///{Path(scratch.name) / 'webhooks.sqlite3'}"
    failures = 0
    try:
        with Receiver(status=200) as receiver, Receiver(status=500) as failing:
            urls = {"url": receiver.url, "failing_url": failing.url}
            print(f"Throughput: {args.events} events, one subscription, one worker; duration_ms of each POST")
            for engine, database_url in (("PostgreSQL", postgres), ("SQLite", sqlite)):
                if engine == "PostgreSQL":
                    recreate_database()
                figures = run_measurement("throughput", database_url, args, **urls)
                if figures is None:
                    failures += 1
                else:
                    print_throughput(engine, figures)
            print(
                f"Publishing through the API, PostgreSQL, {args.runs} runs per mode; p50 / p95 in ms",
                flush=True,
            )
            recreate_database()
            figures = run_measurement("publishing", postgres, args, **urls)
            if figures is None:
                failures += 1
            else:
                for mode in ("without", "with"):
                    row = figures[mode]
                    count = args.subscriptions if mode == "with" else 0
                    print(
                        f"  {count} active subscriptions  p50 {row['p50']:6.2f}  p95 {row['p95']:6.2f}  "
                        f"CPU p50 {row['cpu_p50']:6.2f}  ({row['runs']} runs, {row['queries']} queries each)"
                    )
                added = figures["with"]["p50"] - figures["without"]["p50"]
                added_cpu = figures["with"]["cpu_p50"] - figures["without"]["cpu_p50"]
                print(
                    f"  fan-out adds p50 {added:+.2f} ms, CPU {added_cpu:+.2f} ms "
                    f"({figures['deliveries_per_publication']} deliveries and jobs per publication; target ≤ 5 ms)"
                )
    finally:
        scratch.cleanup()
        if not args.keep:
            drop_database()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
