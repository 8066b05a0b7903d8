"""Admin page latency at several sizes: the landing page and the claim list, as a reviewer and as an editor.

For each size (``10k``, ``1m``, or a number of claims) this times pages of the admin rendered by Django's
test ``Client`` in-process, against the existing database ``factcheck_bench_<size>`` (made by
``bench/api_latency.py``), with production settings (``DJANGO_DEBUG=0``) that write nothing to it
(``bench/admin_settings.py``): sessions are signed cookies the benchmark makes itself. Each size runs in its
own process. Every scenario prints its p50/p95 in ms (wall time), the p50 of this process's CPU time (the
part a busy machine inflates least) and the number of SQL queries of one request.
``BENCH_DATABASE_URLS`` (``1m=postgres://…/a_copy``) points a size at another database.

    python -m bench.admin_pages --sizes 10k,1m
    python -m bench.admin_pages --sizes 1m --requests 50 --seconds 10 --only landing

A scenario is ``Scenario(name, url, user)``: ``url`` a path, or a callable taking the ``Context`` (the
users and a few ids read from the database) and returning one; ``user`` is ``"reviewer"`` or ``"editor"``.
Add pages to ``SCENARIOS`` (the claim and review change pages, say) and they are timed the same way.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from bench.api_latency import database_url, parse_size, size_label

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300  # the target for an admin page at 1M claims


@dataclass
class Scenario:
    name: str
    url: object  # a path, or a callable(Context) -> path
    user: str  # "reviewer" or "editor"


@dataclass
class Context:
    """What scenarios may build their URLs from, read once from the bench database."""

    users: dict
    ids: dict = field(default_factory=dict)


SCENARIOS = [
    Scenario("landing page (/admin/)", "/admin/", "reviewer"),
    Scenario("landing page (/admin/)", "/admin/", "editor"),
    Scenario("claim list", "/admin/claims/claim/", "reviewer"),
    Scenario("claim list ?assignee=me", "/admin/claims/claim/?assignee=me", "reviewer"),
    Scenario("claim list ?status=candidate", "/admin/claims/claim/?status__exact=candidate", "reviewer"),
    Scenario("claim list, triage (candidates by score)", "/admin/claims/claim/?status__exact=candidate&o=-5", "editor"),
    Scenario("review list, returned to me", "/admin/reviews/review/?returned=yes&author=me", "reviewer"),
]


class StaffInMemory:
    """Middleware (bench/admin_settings.py only): the logged-in user is staff for this request, in memory.

    The demo data's reviewers and editors are not staff; marking them so in the database would write to
    it. Loading the user here is the query the admin would make anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.user.is_staff = True
        return self.get_response(request)


def size_database_url(claims):
    """``BENCH_DATABASE_URLS`` (``10k=postgres://…,1m=postgres://…``, as bench/export.py reads it) names the
    database of a size; otherwise ``factcheck_bench_<size>``."""
    given = dict(item.split("=", 1) for item in os.environ.get("BENCH_DATABASE_URLS", "").split(",") if "=" in item)
    return given.get(size_label(claims)) or database_url(claims)


def child_environment(claims):
    return {
        **os.environ,
        "DATABASE_URL": size_database_url(claims),
        "DJANGO_SETTINGS_MODULE": "bench.admin_settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "FACTCHECK_CACHE_URL": "locmem://",
    }


def newsroom_users():
    """The reviewer with the most reviews, and the first editor: users the generated data gives work to."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from factcheck.roles import EDITORS, REVIEWERS

    users = get_user_model().objects.filter(is_active=True)
    reviewer = users.filter(groups__name=REVIEWERS).annotate(n=Count("reviews")).order_by("-n", "pk").first()
    editor = users.filter(groups__name=EDITORS).order_by("pk").first()
    if reviewer is None or editor is None:
        raise SystemExit("The bench database has no reviewer or no editor: generate it with bench/api_latency.py.")
    return {"reviewer": reviewer, "editor": editor}


def logged_in_client(user):
    """A test client whose session cookie says ``user`` is logged in, made without writing to the database."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test import Client

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@dataclass
class Timing:
    p50: float  # wall time, ms
    p95: float
    cpu: float  # this process's CPU time (Python: the view, the ORM, the templates), p50, ms
    queries: int  # of one request
    count: int  # requests timed


def time_scenario(client, url, *, requests, seconds):
    """The ``Timing`` of ``url``, after two warm-up requests."""
    from django.db import connection

    for _ in range(2):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    executed = []  # counted by a wrapper: every request starts by emptying connection.queries

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times, cpu, deadline = [], [], time.monotonic() + seconds
    while len(times) < requests and time.monotonic() < deadline:
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    return Timing(statistics.median(times), p95, statistics.median(cpu), len(executed), len(times))


def run_size(claims, *, requests, seconds, only):
    """In this process (its settings point at the size's database): time every scenario, print a row each."""
    import django

    django.setup()
    from claims.models import Claim

    context = Context(users=newsroom_users())
    context.ids["claim"] = Claim.objects.order_by("-id").values_list("id", flat=True).first()
    clients = {role: logged_in_client(user) for role, user in context.users.items()}
    label = size_label(claims)
    for scenario in SCENARIOS:
        if only and only not in scenario.name:
            continue
        url = scenario.url(context) if callable(scenario.url) else scenario.url
        try:
            timing = time_scenario(clients[scenario.user], url, requests=requests, seconds=seconds)
        except Exception as exc:  # a failing page is reported, not fatal
            print(f"{label:>4}  {scenario.name:<44} {scenario.user:<8}  failed: {exc}", flush=True)
            continue
        flag = "  over target" if timing.p95 > TARGET_MS else ""
        print(
            f"{label:>4}  {scenario.name:<44} {scenario.user:<8} {timing.p50:8.1f} {timing.p95:8.1f} "
            f"{timing.cpu:8.1f} {timing.queries:7d} {timing.count:5d}{flag}",
            flush=True,
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,1m", help="comma-separated sizes: 10k, 1m, or numbers of claims")
    parser.add_argument("--requests", type=int, default=30, help="at most this many timed requests per scenario")
    parser.add_argument("--seconds", type=float, default=15, help="at most this long per scenario")
    parser.add_argument("--only", default="", help="only the scenarios whose name contains this")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)  # the child process of one size
    args = parser.parse_args(argv)
    if args.size is not None:
        run_size(args.size, requests=args.requests, seconds=args.seconds, only=args.only)
        return 0
    header = f"size  {'scenario':<44} {'user':<8} {'p50 ms':>8} {'p95 ms':>8} {'cpu ms':>8} {'queries':>7} {'n':>5}"
    print(header, flush=True)
    failed = False
    for claims in (parse_size(size) for size in args.sizes.split(",")):
        command = [sys.executable, "-m", "bench.admin_pages", "--size", str(claims)]
        command += ["--requests", str(args.requests), "--seconds", str(args.seconds), "--only", args.only]
        failed |= subprocess.run(command, cwd=ROOT, env=child_environment(claims), check=False).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
