"""API latency on PostgreSQL at several sizes: claim list and detail, search, similar, claimants, and a bare view.

For each size (``10k``, ``1m``, or a number of claims) this

1. makes sure the database ``factcheck_bench_<size>`` exists, is migrated and holds exactly that many
   generated claims (``generate_demo_data``; an existing database of the right size is reused);
2. starts gunicorn on 127.0.0.1 with production settings plus the bare ``.values()`` view
   (``bench.settings``), high throttle rates and persistent database connections;
3. times requests from keep-alive HTTP clients (stdlib ``http.client``), as a reviewer (token) and
   anonymously, each scenario bounded by a request count and a time limit. One server per size runs
   at once and requests alternate between sizes, and between the API list and the bare view, so
   that the ratios hold on a machine whose load changes (requests are sequential: one at a time);
4. prints p50/p95 per scenario, then, across sizes, the ratios the issue's targets are about.

    python -m bench.api_latency --sizes 10k,1m
"""

import argparse
import base64
import http.client
import json
import math
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://root@127.0.0.1:5432")
HOST = "127.0.0.1"  # requests only ever go to loopback
SEED = 1
BENCH_USER = "bench-reviewer"
SEARCH_TERMS = ["refugees", "inflation", "railway bridge", "Zaporizhzhia"]
# claimants/?search=: a word of many names, spellings of one, a person, a partial word.
CLAIMANT_TERMS = ["ministry", "Defense Ministry", "President Zelenskyy", "heal"]
EXTERNAL_PER_CLAIMS = 10  # one external fact-check for every ten claims


def parse_size(text):
    """``10k`` → 10000, ``1m`` → 1000000, ``2500`` → 2500."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    return int(float(number) * factor)


def size_label(claims):
    if claims % 1_000_000 == 0:
        return f"{claims // 1_000_000}m"
    if claims % 1_000 == 0:
        return f"{claims // 1_000}k"
    return str(claims)


def database_name(claims):
    return f"factcheck_bench_{size_label(claims)}"


def database_url(claims):
    """The bench database for a size; bench/run_all.py passes it to the other benchmarks."""
    return f"{POSTGRES_URL.rstrip('/')}/{database_name(claims)}"


def server_environment(claims):
    return {
        **os.environ,
        "DATABASE_URL": database_url(claims),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(48),
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "FACTCHECK_THROTTLE_ANON": "1000000/minute",
        "FACTCHECK_THROTTLE_USER": "1000000/minute",
        "FACTCHECK_THROTTLE_LOGIN": "1000/minute",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def manage(env, *args, capture=False):
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    result = subprocess.run(command, env=env, cwd=ROOT, check=True, text=True, capture_output=capture)
    return result.stdout


# --- The database --------------------------------------------------------------------------------
def count_claims(url):
    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('claims_claim')").fetchone()[0]
        return conn.execute("SELECT count(*) FROM claims_claim").fetchone()[0] if exists else 0


def database_sessions(claims):
    """How many connections the database has ever accepted (PostgreSQL 14+), to see whether the app reuses them."""
    with psycopg.connect(f"{POSTGRES_URL.rstrip('/')}/postgres") as conn:
        row = conn.execute(
            "SELECT sessions FROM pg_stat_database WHERE datname = %s", [database_name(claims)]
        ).fetchone()
    return row[0] if row else 0


def prepare_database(claims, env, *, log):
    """Create, migrate and fill the bench database unless it already holds ``claims`` claims."""
    name = database_name(claims)
    with psycopg.connect(f"{POSTGRES_URL.rstrip('/')}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            log(f"creating database {name}")
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "createcachetable")  # the throttles' shared cache
    have = count_claims(database_url(claims))
    if have > claims:
        log(f"{name} has {have:,} claims, more than {claims:,}: recreating it")
        with psycopg.connect(f"{POSTGRES_URL.rstrip('/')}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "createcachetable")
        have = 0
    if have < claims:
        log(f"generating {claims - have:,} claims into {name}")
        started = time.monotonic()
        manage(env, "generate_demo_data", "--claims", str(claims - have), "--seed", str(SEED))
        log(f"generated in {time.monotonic() - started:.0f}s")
    else:
        log(f"reusing {name} ({have:,} claims)")
    ensure_external_fact_checks(claims, env, log=log)


def ensure_external_fact_checks(claims, env, *, log):
    """Fact-checks from elsewhere, one for every ten claims (reworded claims, other publishers), for ``similar``."""
    wanted = max(claims // EXTERNAL_PER_CLAIMS, 1)
    with psycopg.connect(database_url(claims)) as conn:
        have = conn.execute("SELECT count(*) FROM claims_externalfactcheck").fetchone()[0]
    if have < wanted:
        log(f"generating {wanted - have:,} external fact-checks")
        manage(env, "generate_demo_data", "--claims", "0", "--external-fact-checks", str(wanted - have), "--seed", "2")


def create_bench_user(env, password):
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from django.contrib.auth.models import Group\n"
        f"user, _ = get_user_model().objects.get_or_create(username={BENCH_USER!r})\n"
        f"user.set_password({password!r}); user.save()\n"
        "user.groups.add(Group.objects.get_or_create(name='reviewers')[0])\n"
        "from knox.models import AuthToken\n"
        "AuthToken.objects.filter(user=user).delete()  # one token per run, not one more per run\n"
    )
    manage(env, "shell", "-c", script, capture=True)


def sample(url):
    """Ids and values the scenarios use, drawn at random but reproducibly from the data."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT setseed(0.42)")
        count, low, high = conn.execute("SELECT count(*), min(id), max(id) FROM claims_claim").fetchone()
        middle = conn.execute("SELECT id FROM claims_claim ORDER BY id OFFSET %s LIMIT 1", [count // 2]).fetchone()[0]
        ids = [row[0] for row in conn.execute("SELECT id FROM claims_claim ORDER BY random() LIMIT 100")]
        verified = [
            row[0]
            for row in conn.execute("SELECT id FROM claims_claim WHERE status = 'verified' ORDER BY random() LIMIT 100")
        ]
        quotes = [
            row[0]
            for row in conn.execute("SELECT quote FROM claims_claim WHERE length(quote) > 40 ORDER BY id LIMIT 5")
        ]
        article = conn.execute("SELECT article_id FROM claims_claim WHERE id = %s", [middle]).fetchone()[0]
        # The claimants with the most claims (the heaviest ?claimant_id= pages and records).
        claimants = [
            row[0]
            for row in conn.execute(
                "SELECT claimant_entity_id FROM claims_claim WHERE claimant_entity_id IS NOT NULL"
                " GROUP BY 1 ORDER BY count(*) DESC LIMIT 5"
            )
        ]
        updated = conn.execute(
            "SELECT updated_at FROM claims_claim ORDER BY updated_at DESC OFFSET %s LIMIT 1", [max(count // 100, 1)]
        ).fetchone()[0]
    return {
        "count": count,
        "middle_id": middle,
        "ids": ids,
        "verified_ids": verified or ids,
        "quotes": quotes,
        "article": article,
        "claimants": claimants,
        "updated_since": updated.isoformat(),
        "id_range": (low, high),
        **sample_external(url),
    }


def sample_external(url):
    """External fact-checks' wordings, and claims that one of them checks (its appearance is their article)."""
    with psycopg.connect(url) as conn:
        texts = [
            row[0] for row in conn.execute("SELECT claim_reviewed FROM claims_externalfactcheck ORDER BY id LIMIT 20")
        ]
        checked = [
            row[0]
            for row in conn.execute(
                "SELECT DISTINCT ON (e.id) c.id FROM (SELECT id, claim_reviewed, appearances->>0 AS url"
                " FROM claims_externalfactcheck ORDER BY id LIMIT 20) e"
                " JOIN claims_article a ON a.url = e.url JOIN claims_claim c ON c.article_id = a.id"
                " ORDER BY e.id, similarity(COALESCE(NULLIF(c.claim_reviewed, ''), c.quote), e.claim_reviewed) DESC"
            )
        ]
    return {"external_texts": texts or ["troops liberated towns"], "checked_elsewhere_ids": checked}


# --- The server ----------------------------------------------------------------------------------
class Server:
    """gunicorn serving the app on a loopback port, for the length of a ``with`` block."""

    def __init__(self, env, port, workers=2, threads=2):
        self.env = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.port = port
        self.command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "factcheck.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--keep-alive",
            "30",
            "--env",
            "DJANGO_SETTINGS_MODULE=bench.settings",
            "--log-level",
            "warning",
        ]
        self.process = None

    def __enter__(self):
        self.log = tempfile.NamedTemporaryFile(prefix="factcheck-bench-gunicorn-", suffix=".log", delete=False)
        self.process = subprocess.Popen(self.command, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log.name}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer on {HOST}:{self.port} within 30s")

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Client:
    """One keep-alive connection to the bench server; reconnects if the server closes it."""

    def __init__(self, port, token=None):
        self.port = port
        self.headers = {"Accept": "application/json"}
        if token:
            self.headers["Authorization"] = f"Token {token}"
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)

    def request(self, method, path, body=None):
        headers = dict(self.headers)
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self):
        self.conn.close()


def percentile(sorted_values, fraction):
    """Nearest-rank percentile of an already sorted list."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]


def summarize(timings, errors):
    timings = sorted(timings)
    return {
        "n": len(timings),
        "p50": statistics.median(timings) if timings else None,
        "p95": percentile(timings, 0.95) if timings else None,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
    }


def measure(streams, *, requests, seconds, warmup=3):
    """Time GETs round-robin over ``streams`` (``(client, paths)``, paths cycled), one request each per round.

    Interleaving makes the comparisons (1M against 10k, API against bare) fair on a machine whose load
    changes from second to second. Stops after ``requests`` rounds or ``seconds``.
    """
    for client, paths in streams:
        for index in range(warmup):
            client.request("GET", paths[index % len(paths)])
    timings = [[] for _ in streams]
    errors = [[] for _ in streams]
    deadline = time.monotonic() + seconds
    round_number = 0
    while round_number < requests and time.monotonic() < deadline:
        for (client, paths), stream_timings, stream_errors in zip(streams, timings, errors, strict=True):
            path = paths[round_number % len(paths)]
            started = time.perf_counter()
            status, body = client.request("GET", path)
            elapsed = time.perf_counter() - started
            if status == 200:
                stream_timings.append(elapsed * 1000)
            else:
                stream_errors.append(f"{status} {path}: {body[:200].decode(errors='replace')}")
        round_number += 1
    return [summarize(t, e) for t, e in zip(timings, errors, strict=True)]


def cursor_before(claim_id):
    """A DRF cursor (``-id`` ordering) that starts just below ``claim_id``: a page deep in the table."""
    return base64.b64encode(urlencode({"p": str(claim_id)}).encode()).decode()


def scenarios(data):
    """(name, who, paths): who is ``reviewer``, ``anon`` or ``bare`` (no API layer, no auth)."""
    claims = "/api/v1/claims/"
    deep = quote(cursor_before(data["middle_id"]))
    search = quote(SEARCH_TERMS[0])
    near = [q.replace(" the ", " a ", 1)[:-3] for q in data["quotes"]]  # nearly, not exactly, a stored quote
    return [
        ("list", "reviewer", [claims]),
        ("list ?status=verified", "reviewer", [f"{claims}?status=verified"]),
        ("list ?verdict=false", "reviewer", [f"{claims}?verdict=false"]),
        (f"list ?search={SEARCH_TERMS[0]}", "reviewer", [f"{claims}?search={search}"]),
        ("list deep cursor", "reviewer", [f"{claims}?cursor={deep}"]),
        ("list ?article=", "reviewer", [f"{claims}?article={data['article']}"]),
        ("list ?updated_since=", "reviewer", [f"{claims}?updated_since={quote(data['updated_since'])}"]),
        ("list ?tag=kharkiv", "reviewer", [f"{claims}?tag=kharkiv"]),
        ("list ?claimant=grid", "reviewer", [f"{claims}?claimant=grid"]),
        ("list ?ordering=-check_worthiness", "reviewer", [f"{claims}?ordering=-check_worthiness"]),
        ("triage: candidates by worthiness", "reviewer", [f"{claims}?status=candidate&ordering=-check_worthiness"]),
        ("search 'refugees hospital'", "reviewer", [f"{claims}?search=refugees%20hospital"]),
        ("list (anonymous)", "anon", [claims]),
        ("list ?verdict=false (anonymous)", "anon", [f"{claims}?verdict=false"]),
        ("detail", "reviewer", [f"{claims}{claim_id}/" for claim_id in data["ids"]]),
        ("detail (anonymous)", "anon", [f"{claims}{claim_id}/" for claim_id in data["verified_ids"]]),
        ("articles list", "reviewer", ["/api/v1/articles/"]),
        ("articles list (anonymous)", "anon", ["/api/v1/articles/"]),
        ("bare list", "bare", ["/bench/values/claims"]),
        ("bare list ?status=verified", "bare", ["/bench/values/claims?status=verified"]),
        ("bare list ?verdict=false", "bare", ["/bench/values/claims?verdict=false"]),
        (f"bare list ?search={SEARCH_TERMS[0]}", "bare", [f"/bench/values/claims?search={search}"]),
        ("bare list deep", "bare", [f"/bench/values/claims?before={data['middle_id']}"]),
        *[(f"search {term!r}", "reviewer", [f"{claims}?search={quote(term)}"]) for term in SEARCH_TERMS],
        ("search (anonymous)", "anon", [f"{claims}?search={quote(term)}" for term in SEARCH_TERMS]),
        ("similar ?text=", "reviewer", [f"{claims}similar/?text={quote(text)}" for text in near]),
        ("similar /{id}/", "reviewer", [f"{claims}{claim_id}/similar/" for claim_id in data["ids"][:20]]),
        # Fact-checks from elsewhere (one per ten claims): "has anyone checked this already?"
        (
            "similar ?text= external wording",
            "reviewer",
            [f"{claims}similar/?text={quote(text)}" for text in data["external_texts"]],
        ),
        (
            "similar ?text= external (anonymous)",
            "anon",
            [f"{claims}similar/?text={quote(text)}" for text in data["external_texts"]],
        ),
        (
            "similar /{id}/ checked elsewhere",
            "reviewer",
            [f"{claims}{claim_id}/similar/" for claim_id in data["checked_elsewhere_ids"] or data["ids"][:20]],
        ),
        (
            "similar ?text= claims only",
            "reviewer",
            [f"{claims}similar/?external=false&text={quote(text)}" for text in data["external_texts"]],
        ),
        ("external fact-checks list", "anon", ["/api/v1/external-fact-checks/"]),
        (
            "external fact-checks ?search=",
            "anon",
            [f"/api/v1/external-fact-checks/?search={quote(term)}" for term in SEARCH_TERMS],
        ),
        *claimant_scenarios(data),
    ]


def claimant_scenarios(data):
    """Claimants: search by any spelling of a name, a claimant's detail (its record), its claims."""
    if not data["claimants"]:
        return []
    found = [f"/api/v1/claimants/?search={quote(term)}" for term in CLAIMANT_TERMS]
    details = [f"/api/v1/claimants/{claimant}/" for claimant in data["claimants"]]
    return [
        ("claimants ?search=", "reviewer", found),
        ("claimants ?search= (anonymous)", "anon", found),
        ("claimants list", "reviewer", ["/api/v1/claimants/"]),
        ("claimant detail (record)", "reviewer", details),
        ("claimant detail (anonymous)", "anon", details),
        (
            "list ?claimant_id=",
            "reviewer",
            [f"/api/v1/claims/?claimant_id={claimant}" for claimant in data["claimants"]],
        ),
    ]


# The targets compare these pairs.
API_VS_BARE = [
    ("list", "bare list"),
    ("list ?status=verified", "bare list ?status=verified"),
    ("list ?verdict=false", "bare list ?verdict=false"),
    (f"list ?search={SEARCH_TERMS[0]}", f"bare list ?search={SEARCH_TERMS[0]}"),
    ("list deep cursor", "bare list deep"),
]


class Site:
    """One size: its database, its gunicorn, its clients and the paths its scenarios request."""

    def __init__(self, claims, port, *, log):
        self.claims, self.port, self.env = claims, port, server_environment(claims)
        prepare_database(claims, self.env, log=log)
        self.password = secrets.token_urlsafe(16)
        create_bench_user(self.env, self.password)
        self.data = sample(database_url(claims))
        self.scenarios = {name: (who, paths) for name, who, paths in scenarios(self.data)}
        self.server = Server(self.env, port)

    def start(self):
        self.server.__enter__()
        anon, bare = Client(self.port), Client(self.port)
        login = {"username": BENCH_USER, "password": self.password}
        status, body = anon.request("POST", "/api/v1/auth/token/", login)
        if status != 200:
            raise RuntimeError(f"token login failed: {status} {body[:200]!r}")
        self.clients = {"reviewer": Client(self.port, token=json.loads(body)["token"]), "anon": anon, "bare": bare}

    def stop(self):
        for client in getattr(self, "clients", {}).values():
            client.close()
        self.server.__exit__(None, None, None)

    def stream(self, name):
        who, paths = self.scenarios[name]
        return self.clients[who], paths


def run(sizes, *, port, requests, seconds, log):
    """Measure every scenario at every size, interleaved; the API list alternates with the bare view."""
    sites = []
    for offset, claims in enumerate(sizes):
        log(f"--- {size_label(claims)} claims ---")
        sites.append(Site(claims, port + offset, log=log))
    results = [{} for _ in sites]
    bare_of = dict(API_VS_BARE)
    paired = set(bare_of.values())
    try:
        for site in sites:
            site.start()
            site.sessions_before = database_sessions(site.claims)
        for name in sites[0].scenarios:
            if name in paired:
                continue
            names = [name, bare_of[name]] if name in bare_of else [name]
            streams = [(index, each) for each in names for index in range(len(sites))]
            outcome = measure(
                [sites[index].stream(each) for index, each in streams], requests=requests, seconds=seconds
            )
            for (index, each), result in zip(streams, outcome, strict=True):
                results[index][each] = result
                log(f"{size_label(sites[index].claims):>4} {each:<40} {format_result(result)}")
        for site in sites:
            site.sessions_opened = database_sessions(site.claims) - site.sessions_before
    finally:
        for site in sites:
            site.stop()
            log(f"gunicorn log ({size_label(site.claims)}): {site.server.log.name}")
    order = list(sites[0].scenarios)
    return [
        {
            "claims": site.data["count"],
            "database_url": database_url(site.claims),
            "results": {name: result[name] for name in order if name in result},
            "requests": sum(r["n"] + r["errors"] for r in result.values()),
            "connections_opened": getattr(site, "sessions_opened", None),
        }
        for site, result in zip(sites, results, strict=True)
    ]


def explain_size(claims, *, log):
    """Print every query each scenario runs, with its EXPLAIN (ANALYZE, BUFFERS) on the bench database."""
    env = server_environment(claims)
    prepare_database(claims, env, log=log)
    create_bench_user(env, secrets.token_urlsafe(16))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(sample(database_url(claims)), handle, default=str)
    command = [sys.executable, "-m", "bench.api_latency", "--explain-inside", handle.name]
    subprocess.run(command, env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"}, cwd=ROOT, check=True)
    os.unlink(handle.name)


def explain_inside(data_file):
    """(In a Django process) request each scenario's first path once warm, then EXPLAIN what it ran."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from knox.models import AuthToken

    data = json.loads(Path(data_file).read_text())
    _, token = AuthToken.objects.create(get_user_model().objects.get(username=BENCH_USER))
    clients = {
        "reviewer": Client(HTTP_HOST=HOST, HTTP_AUTHORIZATION=f"Token {token}"),
        "anon": Client(HTTP_HOST=HOST),
        "bare": Client(HTTP_HOST=HOST),
    }
    for name, who, paths in scenarios(data):
        clients[who].get(paths[0])
        with CaptureQueriesContext(connection) as queries:
            response = clients[who].get(paths[0])
        print(f"\n### {name} ({who}): HTTP {response.status_code}, {len(queries)} queries — {paths[0]}")
        for query in queries.captured_queries:
            text = query["sql"]
            print(f"-- {float(query['time']) * 1000:.1f} ms: {text[:400]}{'…' if len(text) > 400 else ''}")
            if text.lstrip().upper().startswith("SELECT") and "claims_" in text:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + text)
                    print("\n".join("     " + row[0] for row in cursor.fetchall()))


def format_result(result):
    if not result["n"]:
        return f"FAILED ({result['errors']} errors): {result['first_error']}"
    text = f"p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  (n={result['n']})"
    if result["errors"]:
        text += f"  {result['errors']} errors, first: {result['first_error']}"
    return text


def ratio(a, b):
    return f"{a / b:5.2f}×" if a and b else "  n/a"


def report(runs):
    """The per-scenario table across sizes, then the ratios the targets are about."""
    labels = [size_label(run["claims"]) for run in runs]
    names = list(runs[0]["results"])
    header = f"{'scenario':<40}" + "".join(f"{label + ' p50':>12}{label + ' p95':>12}" for label in labels)
    if len(runs) > 1:
        header += f"{'p50 ' + labels[-1] + '/' + labels[0]:>16}{'p95 ' + labels[-1] + '/' + labels[0]:>16}"
    lines = ["", "API latency (ms; PostgreSQL, gunicorn gthread, keep-alive client on 127.0.0.1)", header]
    for name in names:
        line = f"{name:<40}"
        for run in runs:
            result = run["results"].get(name, {})
            if result.get("n"):
                line += f"{result['p50']:12.1f}{result['p95']:12.1f}"
            else:
                line += f"{'FAILED':>24}"
        if len(runs) > 1:
            first, last = runs[0]["results"].get(name, {}), runs[-1]["results"].get(name, {})
            line += f"{ratio(last.get('p50'), first.get('p50')):>16}{ratio(last.get('p95'), first.get('p95')):>16}"
        lines.append(line)
    lines += ["", "API / bare .values() view (p50; target ≤ 2×)"]
    for api, bare in API_VS_BARE:
        cells = "".join(
            f"{label:>6} {ratio(run['results'][api].get('p50'), run['results'][bare].get('p50'))}"
            for label, run in zip(labels, runs, strict=True)
        )
        lines.append(f"  {api:<38}{cells}")
    lines += ["", "Database connections opened while measuring (CONN_MAX_AGE reuse: a handful, not one per request)"]
    for label, run in zip(labels, runs, strict=True):
        lines.append(f"  {label:>4}: {run['connections_opened']} for {run['requests']:,} requests")
    failures = [
        f"  {label} {name}: {result['first_error']}"
        for label, run in zip(labels, runs, strict=True)
        for name, result in run["results"].items()
        if result["errors"]
    ]
    if failures:
        lines += ["", "Failures (first error per scenario; tracebacks in the gunicorn log):", *failures]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,1m", help="Comma-separated sizes in claims (10k,1m).")
    parser.add_argument(
        "--port", type=int, default=18731, help="First loopback port for gunicorn (18731, +1 per size)."
    )
    parser.add_argument("--requests", type=int, default=200, help="At most this many timed requests per scenario.")
    parser.add_argument("--seconds", type=float, default=20, help="At most this long per scenario.")
    parser.add_argument("--json", type=Path, help="Also write the figures here.")
    parser.add_argument("--explain", action="store_true", help="Print each scenario's queries and plans instead.")
    parser.add_argument("--explain-inside", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.explain_inside:
        explain_inside(args.explain_inside)
        return

    def log(message):
        print(f"[api] {message}", flush=True)

    sizes = [parse_size(size) for size in args.sizes.split(",")]
    if args.explain:
        for claims in sizes:
            log(f"--- {size_label(claims)} claims ---")
            explain_size(claims, log=log)
        return
    runs = run(sizes, port=args.port, requests=args.requests, seconds=args.seconds, log=log)
    print(report(runs), flush=True)
    if args.json:
        args.json.write_text(json.dumps(runs, indent=2, default=str))


if __name__ == "__main__":
    main()
