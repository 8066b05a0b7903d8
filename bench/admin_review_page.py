"""A review's admin page at archive scale: time it in-process with Django's test client, against a bench database.

For a review in each state (draft, returned draft, submitted, published, superseded) of the generated demo data,
this opens its change page as an editor (who sees every panel and button) and a published one as a reviewer,
``--requests`` times each, with production settings (``DJANGO_DEBUG=0``), and prints p50/p95 and the number of
queries the page ran. The target (issue 16): under 300 ms at 1M claims.

    .venv/bin/python -m bench.admin_review_page                      # factcheck_bench_1m
    .venv/bin/python -m bench.admin_review_page --database factcheck_bench_10k --requests 50

It writes nothing but two users of its own and their login sessions, removed when it ends.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
import warnings

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432")
TARGET_MS = 300
BENCH_USERS = ("bench-review-page-editor", "bench-review-page-reviewer")


def configure(database):
    """Production settings on the bench database, before Django is set up."""
    os.environ.update(
        {
            "DATABASE_URL": f"{POSTGRES_URL.rstrip('/')}/{database}",
            "DJANGO_SETTINGS_MODULE": "factcheck.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    import django

    # WhiteNoise warns that collectstatic never ran; the pages are timed without their static files.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def sample_reviews():
    """A review in each state, from the middle of the table (not the newest rows, which may be cached hot)."""
    from reviews.models import Review

    def middle(queryset):
        ids = queryset.order_by("pk").values_list("pk", flat=True)
        count = min(queryset.count(), 10_000)
        return ids[count // 2] if count else None

    reviews = Review.objects.all()
    draft = reviews.filter(state=Review.State.DRAFT)
    return {
        "draft": middle(draft.filter(editor_comment="")),
        "returned draft": middle(draft.exclude(editor_comment="")),
        "submitted": middle(reviews.filter(state=Review.State.SUBMITTED)),
        "published": middle(reviews.filter(state=Review.State.PUBLISHED)),
        "superseded": middle(reviews.filter(state=Review.State.SUPERSEDED)),
    }


def make_users():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from factcheck.roles import EDITORS, REVIEWERS

    User = get_user_model()
    User.objects.filter(username__in=BENCH_USERS).delete()  # left over from an interrupted run
    editor = User.objects.create(username=BENCH_USERS[0], is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    reviewer = User.objects.create(username=BENCH_USERS[1], is_staff=True)
    reviewer.groups.add(Group.objects.get(name=REVIEWERS))
    return editor, reviewer


def remove_users():
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username__in=BENCH_USERS).delete()


def time_page(client, url, requests):
    """``(p50 ms, p95 ms, p50 CPU ms, queries)`` of GET ``url``: wall time, and this process's CPU time (Django's
    own work, without the database's; what a busy machine inflates least). One warm-up request, not timed,
    counts the queries."""
    from django.db import connection

    # Each request starts with an empty query log (django.db.reset_queries); the debug cursor fills it.
    connection.force_debug_cursor = True
    try:
        response = client.get(url)
        queries = len(connection.queries_log)
    finally:
        connection.force_debug_cursor = False
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    timings, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, url
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95, statistics.median(cpu), queries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="factcheck_bench_1m")
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)
    configure(args.database)

    from django.test import Client

    from claims.models import Claim

    print(f"{args.database}: about {Claim.objects.count():,} claims; {args.requests} requests per page")
    samples = sample_reviews()
    editor, reviewer = make_users()
    slow = []
    try:
        clients = {}
        for name, user in (("editor", editor), ("reviewer", reviewer)):
            clients[name] = Client()
            clients[name].force_login(user)
        scenarios = [(state, "editor", pk) for state, pk in samples.items()]
        scenarios.append(("published", "reviewer", samples["published"]))
        print(f"{'review page':<40} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8} {'queries':>8}")
        for state, role, pk in scenarios:
            label = f"{state} (review {pk}) as {role}"
            if pk is None:
                print(f"{label:<40} no such review in this database")
                continue
            p50, p95, cpu, queries = time_page(clients[role], f"/admin/reviews/review/{pk}/change/", args.requests)
            print(f"{label:<40} {p50:>8.1f} {p95:>8.1f} {cpu:>8.1f} {queries:>8}")
            if p95 > TARGET_MS:
                slow.append(label)
        for client in clients.values():
            client.logout()
    finally:
        remove_users()
    print(f"target: p95 under {TARGET_MS} ms: " + (f"missed by {', '.join(slow)}" if slow else "met"))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
