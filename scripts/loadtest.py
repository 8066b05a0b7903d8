#!/usr/bin/env python
"""Load test: the app under gunicorn on PostgreSQL, driven by concurrent readers, reviewers and editors.

    .venv/bin/python scripts/loadtest.py                     # 20 s, 8 readers, 4 reviewers, 2 editors
    .venv/bin/python scripts/loadtest.py --duration 60 --readers 16 --reviewers 8 --editors 4

It creates a dedicated database (``--database-url``, default ``postgres://root@127.0.0.1:5432/factcheck_load``),
migrates it, seeds users, articles and claims, starts gunicorn on 127.0.0.1 with production settings
and runs the clients for a fixed time (and at most ``--max-requests``), all on loopback. Reviewers
write drafts, add evidence, edit them with ``If-Match``, or ``If-Match: *`` (last writer wins, on
purpose), or naming no version (refused with 428, nothing written) — two threads share each reviewer
account, so their edits collide — and submit; editors edit reviews with a ``version`` field, edit
claims (``If-Match`` or ``version``) while their reviews are being published, publish or return.

409/412 answers to colliding writes are expected and counted apart; 5xx, connection errors and any
other unexpected status are errors. Afterwards the database is checked directly: at most one
published review per claim, claim status and verdict derived from the reviews, every successful
write in the history exactly once, and each review's version and text equal to what its last
successful writer was told (no lost update). Prints throughput, p50/p95/p99 and errors; exits 1 when
there was an error or a broken invariant. ``--json FILE`` writes the figures for CI.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "load-test-password-7c1f"

# What a collision may legitimately answer; anything else outside 2xx is an error.
CONFLICT = {409, 412}

SEED = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from claims.models import Article, Claim
from factcheck.roles import EDITORS, REVIEWERS

User = get_user_model()
reviewers, editors = Group.objects.get_or_create(name=REVIEWERS)[0], Group.objects.get_or_create(name=EDITORS)[0]
for name, group in [*(("reviewer%d" % i, reviewers) for i in range({reviewers})),
                    *(("editor%d" % i, editors) for i in range({editors}))]:
    user = User.objects.create_user(name, password="{password}")
    user.groups.add(group)
for a in range({articles}):
    sentences = ["Claim %d of article %d says %d soldiers crossed the river." % (s, a, 100 + s)
                 for s in range({claims_per_article})]
    article = Article.objects.create(
        title="Load article %d" % a, body=" ".join(sentences), url="https://load.example.org/%d" % a
    )
    for s, sentence in enumerate(sentences):
        start = article.body.index(sentence)
        # With its reviewed wording, which publishing requires.
        Claim.objects.create(article=article, quote=sentence, start=start, end=start + len(sentence),
                             claim_reviewed=sentence, status="accepted")
print(",".join(str(pk) for pk in Claim.objects.values_list("pk", flat=True)))
"""


# --- Database and server --------------------------------------------------------------------------


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database(url):
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url):
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def production_env(database_url, port):
    """The environment of a production deployment behind a proxy, with the abuse limits lifted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FACTCHECK_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "FACTCHECK_THROTTLE_ANON": "1000000/minute",
            "FACTCHECK_THROTTLE_USER": "1000000/minute",
            "FACTCHECK_THROTTLE_LOGIN": "1000000/minute",
            "FACTCHECK_THROTTLE_EXPORT_ANON": "1000000/minute",
            "FACTCHECK_THROTTLE_EXPORT_USER": "1000000/minute",
            "FACTCHECK_AXES_ENABLED": "0",
        }
    )
    return env


def manage(env, *args):
    """Run a management command; its last line of output."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600
    )
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


def shell(env, code):
    return manage(env, "shell", "--no-imports", "-c", code)


def start_gunicorn(env, port, workers, threads):
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "factcheck.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not become healthy within 60 s")


def stop(server):
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


# --- Clients --------------------------------------------------------------------------------------


class Recorder:
    """What every client saw: latencies by operation, statuses, and the writes the server confirmed."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.statuses = Counter()
        self.conflicts = Counter()
        self.errors = Counter()
        self.error_samples = []
        self.writes = defaultdict(Counter)  # review id -> {"edited": n, "submitted": n, ...}
        self.last_edit = {}  # review id -> (version after the edit, summary written)
        self.publishes = Counter()  # claim id -> successful publishes

    def request(self, operation, status, seconds, expected, body=b""):
        with self.lock:
            self.latencies[operation].append(seconds)
            self.statuses[status] += 1
            if status in CONFLICT and status in expected:
                self.conflicts[f"{operation} {status}"] += 1
            elif status not in expected:
                self.errors[f"{operation} {status}"] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{operation} {status} {body[:300]!r}")

    def failure(self, operation, exc):
        with self.lock:
            self.errors[f"{operation} {type(exc).__name__}"] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{operation} {exc!r}")

    def wrote(self, review_id, action, version=None, summary=None):
        with self.lock:
            self.writes[review_id][action] += 1
            if action == "edited":
                previous = self.last_edit.get(review_id)
                if previous is None or version > previous[0]:
                    self.last_edit[review_id] = (version, summary)

    @property
    def total(self):
        return sum(self.statuses.values())


class Client:
    """One keep-alive HTTP connection to the app, timing and recording every request."""

    def __init__(self, port, recorder, stop_at, budget, token=None):
        self.port, self.recorder, self.stop_at, self.budget, self.token = port, recorder, stop_at, budget, token
        self.connection = None

    def done(self):
        return time.monotonic() >= self.stop_at or self.budget.exhausted()

    def call(self, operation, method, path, body=None, headers=None, expected=(200,)):
        """Send one request; the decoded JSON (or None), the status and the response headers."""
        self.budget.take()
        headers = {"Accept": "application/json", **(headers or {})}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connection.request(method, path, payload, headers)
            response = self.connection.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.connection = None
            self.recorder.failure(operation, exc)
            return None, None, {}
        elapsed = time.perf_counter() - started
        self.recorder.request(operation, response.status, elapsed, expected, raw)
        if response.getheader("Connection", "").lower() == "close":
            self.connection = None
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            data = None
        return data, response.status, {k.lower(): v for k, v in response.getheaders()}


class Budget:
    """A total number of requests shared by all clients."""

    def __init__(self, limit):
        self.remaining, self.lock = limit, threading.Lock()

    def take(self):
        with self.lock:
            self.remaining -= 1

    def exhausted(self):
        return self.remaining <= 0


def login(port, username):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": PASSWORD})
    connection.request("POST", "/api/v1/auth/token/", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    data = json.loads(response.read())
    if response.status != 200:
        raise RuntimeError(f"login as {username} failed: {response.status} {data}")
    return data["token"]


def reader(client, claim_ids, rng):
    """Browse claims, their reviews and history: the newsroom any claim, the public what the list shows."""
    visible = list(claim_ids) if client.token else []
    while not client.done():
        choice = rng.random()
        if choice < 0.35 or not visible:
            data, status, _ = client.call("list claims", "GET", "/api/v1/claims/?page_size=20")
            if status == 200 and not client.token:
                visible = [claim["id"] for claim in data["results"]]
        elif choice < 0.6:
            client.call("read claim", "GET", f"/api/v1/claims/{rng.choice(visible)}/")
        elif choice < 0.8:
            client.call("list reviews", "GET", f"/api/v1/reviews/?claim={rng.choice(visible)}")
        else:
            client.call("claim history", "GET", f"/api/v1/claims/{rng.choice(visible)}/history/")


def reviewer(client, claim_ids, shared, rng, name):
    """Write a draft, add evidence, edit it with If-Match (colliding with the account's other thread), submit."""
    recorder = client.recorder
    while not client.done():
        drafts = shared.setdefault("drafts", [])
        if drafts and rng.random() < 0.7:
            review_id = rng.choice(drafts)
        else:
            claim_id = rng.choice(claim_ids)
            data, status, _ = client.call(
                "create review",
                "POST",
                "/api/v1/reviews/",
                {
                    "claim": claim_id,
                    "verdict": rng.choice(["false", "mostly_false", "mixed"]),
                    "summary": "First take.",
                },
                expected=(201,),
            )
            if status != 201:
                continue
            review_id = data["id"]
            recorder.wrote(review_id, "created")
            data, status, _ = client.call(
                "add evidence",
                "POST",
                f"/api/v1/reviews/{review_id}/evidence/",
                {"url": f"https://evidence.example.org/{review_id}", "stance": "refutes", "title": "Source"},
                expected=(201,),
            )
            drafts.append(review_id)
        for _ in range(rng.randint(1, 3)):
            if client.done():
                return
            data, status, headers = client.call("read review", "GET", f"/api/v1/reviews/{review_id}/")
            if status != 200:
                break
            if data["state"] != "draft":
                if review_id in drafts:
                    drafts.remove(review_id)
                break
            summary = f"{name} edit {secrets.token_hex(4)}"
            time.sleep(rng.random() * 0.01)  # widen the window in which the other thread edits too
            draw = rng.random()
            if draw < 0.05:
                # Naming no version is refused (428) and writes nothing.
                client.call(
                    "edit review (no version)",
                    "PATCH",
                    f"/api/v1/reviews/{review_id}/",
                    {"summary": summary},
                    expected=(428, 409),
                )
                continue
            if draw < 0.25:
                # If-Match: * — last writer wins on purpose, but only over the summary, never over a state change.
                operation, precondition = "edit review (If-Match: *)", {"If-Match": "*"}
            else:
                operation, precondition = "edit review (If-Match)", {"If-Match": headers.get("etag", "")}
            data, status, _ = client.call(
                operation,
                "PATCH",
                f"/api/v1/reviews/{review_id}/",
                {"summary": summary},
                headers=precondition,
                expected=(200, 409, 412),
            )
            if status == 200:
                recorder.wrote(review_id, "edited", version=data["version"], summary=summary)
        if rng.random() < 0.5 and not client.done():
            data, status, _ = client.call(
                "submit review", "POST", f"/api/v1/reviews/{review_id}/submit/", expected=(200, 409)
            )
            if status == 200:
                recorder.wrote(review_id, "submitted")
                if review_id in drafts:
                    drafts.remove(review_id)


def editor(client, rng, name):
    """Edit submitted reviews with a version field, then publish (mostly) or return them; editors collide."""
    recorder = client.recorder
    while not client.done():
        data, status, _ = client.call("list submitted", "GET", "/api/v1/reviews/?state=submitted&page_size=10")
        if status != 200 or not data["results"]:
            time.sleep(0.02)
            continue
        review = rng.choice(data["results"])
        review_id = review["id"]
        if rng.random() < 0.5:
            summary = f"{name} edit {secrets.token_hex(4)}"
            data, status, _ = client.call(
                "edit review (version)",
                "PATCH",
                f"/api/v1/reviews/{review_id}/",
                {"summary": summary, "version": review["version"]},
                expected=(200, 409),
            )
            if status == 200:
                recorder.wrote(review_id, "edited", version=data["version"], summary=summary)
        if rng.random() < 0.5:
            # Claim edits race with publishing, which changes the claim's status and verdict.
            claim_id = review["claim"]
            claim, status, headers = client.call("read claim", "GET", f"/api/v1/claims/{claim_id}/")
            if status == 200:
                change = {"claimant": f"{name} {secrets.token_hex(3)}"}
                if rng.random() < 0.5:
                    precondition = {"If-Match": headers.get("etag", "")}
                else:
                    precondition, change["version"] = {}, claim["version"]
                client.call(
                    "edit claim",
                    "PATCH",
                    f"/api/v1/claims/{claim_id}/",
                    change,
                    headers=precondition,
                    expected=(200, 409, 412),
                )
        if rng.random() < 0.75:
            data, status, _ = client.call(
                "publish review", "POST", f"/api/v1/reviews/{review_id}/publish/", expected=(200, 409)
            )
            if status == 200:
                recorder.wrote(review_id, "published")
                with recorder.lock:
                    recorder.publishes[data["claim"]] += 1
        else:
            data, status, _ = client.call(
                "return review",
                "POST",
                f"/api/v1/reviews/{review_id}/return/",
                {"comment": "Add a second source."},
                expected=(200, 409),
            )
            if status == 200:
                recorder.wrote(review_id, "returned")


# --- Checks afterwards ----------------------------------------------------------------------------

CHECK = """
import json
from django.db.models import Count
from claims.models import Claim
from reviews.models import Review

reviews = {
    r.pk: {"version": r.version, "state": r.state, "summary": r.summary, "claim": r.claim_id,
           "verdict": r.verdict, "published_at": r.published_at is not None}
    for r in Review.objects.all()
}
history = {}
for row in Review.history.values("id", "history_change_reason").annotate(n=Count("history_id")):
    history.setdefault(row["id"], {})[row["history_change_reason"] or ""] = row["n"]
claims = {c.pk: {"status": c.status, "verdict": c.verdict} for c in Claim.objects.all()}
print(json.dumps({"reviews": reviews, "history": history, "claims": claims}))
"""

REASONS = {"created": "created", "edited": "edited", "submitted": "submitted", "published": "published",
           "returned": "returned to draft"}  # fmt: skip


def check_invariants(env, recorder):
    """Compare the database with what the clients were told; a list of every violation found."""
    state = json.loads(shell(env, CHECK))
    reviews = {int(k): v for k, v in state["reviews"].items()}
    history = {int(k): v for k, v in state["history"].items()}
    claims = {int(k): v for k, v in state["claims"].items()}
    problems = []

    by_claim = defaultdict(list)
    for pk, review in reviews.items():
        by_claim[review["claim"]].append((pk, review))
    for claim_id, claim in claims.items():
        published = [r for _, r in by_claim[claim_id] if r["state"] == "published"]
        active = [r for _, r in by_claim[claim_id] if r["state"] in ("draft", "submitted")]
        if len(published) > 1:
            problems.append(f"claim {claim_id} has {len(published)} published reviews")
        if published and (claim["status"], claim["verdict"]) != ("verified", published[0]["verdict"]):
            problems.append(f"claim {claim_id} is {claim} but its published verdict is {published[0]['verdict']}")
        if not published and active and claim["status"] != "in_review":
            problems.append(f"claim {claim_id} is {claim['status']} with reviews in progress")
        if not published and claim["verdict"]:
            problems.append(f"claim {claim_id} has verdict {claim['verdict']!r} without a published review")
        superseded = sum(1 for _, r in by_claim[claim_id] if r["state"] == "superseded")
        publishes = recorder.publishes[claim_id]
        if publishes and superseded != publishes - 1:
            problems.append(f"claim {claim_id}: {publishes} publishes but {superseded} superseded reviews")

    for pk, writes in recorder.writes.items():
        review = reviews.get(pk)
        if review is None:
            problems.append(f"review {pk} was created (201) but is missing")
            continue
        superseded = 1 if review["state"] == "superseded" else 0
        bumps = writes["edited"] + writes["submitted"] + writes["published"] + writes["returned"] + superseded
        if review["version"] != 1 + bumps:
            problems.append(f"review {pk} is at version {review['version']}; clients made {bumps} successful writes")
        for action, reason in REASONS.items():
            recorded = history.get(pk, {}).get(reason, 0)
            if recorded != writes[action]:
                problems.append(f"review {pk}: {writes[action]} successful '{action}' but {recorded} in the history")
        if pk in recorder.last_edit:
            version, summary = recorder.last_edit[pk]
            if review["summary"] != summary:
                problems.append(
                    f"review {pk}: last confirmed edit (v{version}) wrote {summary!r}, stored {review['summary']!r}"
                )
        if review["state"] in ("published", "superseded") and not review["published_at"]:
            problems.append(f"review {pk} is {review['state']} without published_at")
    unknown = set(reviews) - set(recorder.writes)
    if unknown:
        problems.append(f"{len(unknown)} reviews exist that no client created: {sorted(unknown)[:10]}")
    return problems, len(reviews)


# --- Report ---------------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summarise(recorder, elapsed):
    everything = [t for times in recorder.latencies.values() for t in times]
    figures = {
        "requests": recorder.total,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(recorder.total / elapsed, 1) if elapsed else 0,
        "p50_ms": round(percentile(everything, 0.50) * 1000, 1) if everything else None,
        "p95_ms": round(percentile(everything, 0.95) * 1000, 1) if everything else None,
        "p99_ms": round(percentile(everything, 0.99) * 1000, 1) if everything else None,
        "errors": sum(recorder.errors.values()),
        "error_kinds": dict(recorder.errors),
        "error_samples": recorder.error_samples,
        "conflicts": dict(recorder.conflicts),
        "statuses": {str(k): v for k, v in sorted(recorder.statuses.items(), key=lambda kv: str(kv[0]))},
        "operations": {
            name: {
                "count": len(times),
                "p50_ms": round(statistics.median(times) * 1000, 1),
                "p95_ms": round(percentile(times, 0.95) * 1000, 1),
                "p99_ms": round(percentile(times, 0.99) * 1000, 1),
            }
            for name, times in sorted(recorder.latencies.items())
        },
        "successful_writes": dict(sum((Counter(w) for w in recorder.writes.values()), Counter())),
    }
    return figures


def print_report(figures, problems, options):
    print(
        f"\n{figures['requests']} requests in {figures['seconds']} s "
        f"({options.readers} readers, {options.reviewers} reviewers, {options.editors} editors; "
        f"gunicorn {options.workers}x{options.threads} on PostgreSQL)"
    )
    print(
        f"throughput {figures['throughput_rps']} req/s; latency p50 {figures['p50_ms']} ms, "
        f"p95 {figures['p95_ms']} ms, p99 {figures['p99_ms']} ms"
    )
    print(f"{'operation':<26}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for name, row in figures["operations"].items():
        print(f"{name:<26}{row['count']:>8}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['p99_ms']:>10}")
    print(f"successful writes: {figures['successful_writes']}")
    print(f"expected conflicts (409/412): {figures['conflicts'] or 'none'}")
    print(f"errors: {figures['errors']} {figures['error_kinds'] or ''}")
    for sample in figures["error_samples"]:
        print(f"  {sample}")
    print(f"invariants: {'all hold' if not problems else f'{len(problems)} broken'}")
    for problem in problems[:50]:
        print(f"  {problem}")


def run(options):
    database_url = options.database_url
    env = production_env(database_url, options.port)
    print(f"database {urlsplit(database_url).path.lstrip('/')}: create and migrate", flush=True)
    recreate_database(database_url)
    server = None
    try:
        manage(env, "migrate", "--noinput")
        manage(env, "createcachetable")  # the throttles' shared cache
        seed = SEED.format(
            reviewers=options.reviewers // 2 + options.reviewers % 2,
            editors=options.editors,
            password=PASSWORD,
            articles=options.articles,
            claims_per_article=options.claims_per_article,
        )
        claim_ids = [int(pk) for pk in shell(env, seed).strip().split(",")]
        print(f"seeded {len(claim_ids)} claims; starting gunicorn on 127.0.0.1:{options.port}", flush=True)
        server = start_gunicorn(env, options.port, options.workers, options.threads)

        recorder = Recorder()
        budget = Budget(options.max_requests)
        reviewer_tokens = [
            login(options.port, f"reviewer{i}") for i in range(options.reviewers // 2 + options.reviewers % 2)
        ]
        editor_tokens = [login(options.port, f"editor{i}") for i in range(options.editors)]
        rng = random.Random(options.seed)
        stop_at = time.monotonic() + options.duration
        threads = []
        shared = defaultdict(dict)
        for i in range(options.readers):
            token = reviewer_tokens[0] if i % 2 else None  # half the readers anonymous, half the newsroom
            client = Client(options.port, recorder, stop_at, budget, token)
            threads.append(threading.Thread(target=reader, args=(client, claim_ids, random.Random(rng.random()))))
        for i in range(options.reviewers):
            account = i // 2  # two threads per reviewer account: their edits of one draft collide
            client = Client(options.port, recorder, stop_at, budget, reviewer_tokens[account])
            args = (client, claim_ids, shared[account], random.Random(rng.random()), f"reviewer{account}/{i}")
            threads.append(threading.Thread(target=reviewer, args=args))
        for i in range(options.editors):
            client = Client(options.port, recorder, stop_at, budget, editor_tokens[i])
            threads.append(threading.Thread(target=editor, args=(client, random.Random(rng.random()), f"editor{i}")))
        print(f"running {len(threads)} clients for {options.duration} s", flush=True)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        stop(server)
        server = None
        figures = summarise(recorder, elapsed)
        problems, review_count = check_invariants(env, recorder)
        figures["reviews_checked"] = review_count
        figures["invariant_violations"] = problems
        print_report(figures, problems, options)
        return figures
    finally:
        if server is not None:
            stop(server)
        if not options.keep_db:
            drop_database(database_url)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=20, help="seconds of load (default 20)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="stop after this many requests in all")
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--reviewers", type=int, default=4, help="threads; two share each reviewer account")
    parser.add_argument("--editors", type=int, default=2)
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--claims-per-article", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--port", type=int, default=19001, help="on 127.0.0.1 (default 19001)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("LOADTEST_DATABASE_URL", "postgres://root@127.0.0.1:5432/factcheck_load"),
        help="a database of its own: it is dropped and created (default factcheck_load on the local server)",
    )
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards for inspection")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None):
    options = parse_args(argv)
    if not urlsplit(options.database_url).scheme.startswith("postgres"):
        sys.exit("the load test runs on PostgreSQL: pass --database-url postgres://…")
    figures = run(options)
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2))
    return 1 if figures["errors"] or figures["invariant_violations"] else 0


if __name__ == "__main__":
    sys.exit(main())
