#!/usr/bin/env python3
"""Outside fuzzing: the app under gunicorn, fuzzed over HTTP by the schemathesis CLI (``st``).

Unlike ``tests/api/test_fuzz.py`` (in process, a few checks' worth of examples), this is what an
integrator would run: a real server with production settings (debug off), and every check
schemathesis has except ``positive_data_acceptance`` (business rules beyond the schema may refuse
schema-valid data: a quote that is not in the article, a review of a claim that already has one).
It runs twice, as an anonymous client and as a reviewer (``Authorization: Token <key>``), and exits
non-zero if either run finds a failure.

    .venv/bin/python scripts/schemathesis_run.py                         # a fresh SQLite file
    .venv/bin/python scripts/schemathesis_run.py --database-url postgres://root@127.0.0.1:5432/fuzz
    .venv/bin/python scripts/schemathesis_run.py --max-examples 50 --roles reviewer

The database is migrated, seeded (``load_seed``, plus ``generate_demo_data`` for published reviews
to export) and given a reviewer with a token. Use a database you can throw away: the fuzzer writes.
The rate limits and the login lock-out are lifted, as in ``scripts/loadtest.py``.
"""

import argparse
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
ST = str(Path(PYTHON).with_name("st"))

# positive_data_acceptance: the schema cannot say that a quote must occur in its article, or that a
# claim may have one open review; those schema-valid requests are refused with 400/409 by design.
EXCLUDED_CHECKS = ["positive_data_acceptance"]
# As a reviewer: revoking the token in use would make every later request of the run anonymous.
REVIEWER_EXCLUDED_PATHS = r"^/api/v1/auth/token/revoke"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url):
    """A production environment (debug off) on loopback, with the abuse limits lifted."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FACTCHECK_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_LOG_LEVEL": "ERROR",
            "FACTCHECK_THROTTLE_ANON": "1000000/minute",
            "FACTCHECK_THROTTLE_USER": "1000000/minute",
            "FACTCHECK_THROTTLE_LOGIN": "1000000/minute",
            "FACTCHECK_THROTTLE_EXPORT_ANON": "1000000/minute",
            "FACTCHECK_THROTTLE_EXPORT_USER": "1000000/minute",
            "FACTCHECK_MAX_CONCURRENT_EXPORTS": "64",
            "FACTCHECK_AXES_ENABLED": "0",
        }
    )
    return env


def manage(env, *args):
    """Run a management command; its last line of output."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    lines = result.stdout.strip().splitlines()
    return lines[-1] if lines else ""


# The reviewer, drafts of its own with evidence (writes the fuzzer can reach), and its token.
CREATE_REVIEWER = """
from django.contrib.auth.models import Group, User
from knox.models import AuthToken
from claims.models import Claim
from factcheck.roles import REVIEWERS
from reviews import workflow
user, _ = User.objects.get_or_create(username="fuzz-reviewer")
user.groups.add(Group.objects.get(name=REVIEWERS))
for claim in Claim.objects.filter(status__in=["candidate", "accepted"], reviews__isnull=True)[:20]:
    review = workflow.create_review(claim, by=user, verdict="mixed", summary="Partly supported.")
    workflow.add_evidence(review, by=user, url="https://example.org/source", title="Source", stance="supports")
print(AuthToken.objects.create(user=user)[1])
"""


def prepare(env):
    manage(env, "migrate", "--noinput")
    manage(env, "createcachetable")
    manage(env, "load_seed")
    manage(env, "generate_demo_data", "--claims", "60", "--seed", "13")
    return manage(env, "shell", "--no-imports", "-c", CREATE_REVIEWER)


def start_server(env, port, log):
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "factcheck.wsgi:application",
        "-c",
        "factcheck/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
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
            server.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def fuzz(port, role, token, options):
    """One ``st run``; its exit code (0: no failure)."""
    command = [
        ST,
        "run",
        f"http://127.0.0.1:{port}/api/v1/schema/?format=json",
        "--checks",
        "all",
        "--exclude-checks",
        ",".join(EXCLUDED_CHECKS + options.skip_check),
        "--max-examples",
        str(options.max_examples),
        "--seed",
        str(options.seed),
        "--workers",
        str(options.workers),
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
    ]
    if options.phases:
        command += ["--phases", options.phases]
    if role == "reviewer":
        command += ["-H", f"Authorization: Token {token}", "--exclude-path-regex", REVIEWER_EXCLUDED_PATHS]
    print(f"== schemathesis as {role}", flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="a database to migrate and fill (default: a fresh SQLite file)")
    parser.add_argument("--roles", default="anonymous,reviewer", help="anonymous,reviewer (default: both)")
    parser.add_argument("--max-examples", type=int, default=20, help="examples per operation and phase (20)")
    parser.add_argument("--seed", type=int, default=13, help="schemathesis' random seed (13)")
    parser.add_argument(
        "--workers", type=int, default=1, help="concurrent schemathesis workers (1: hypothesis can crash on threads)"
    )
    parser.add_argument("--phases", help="examples,coverage,fuzzing,stateful (default: all of them)")
    parser.add_argument(
        "--skip-check", action="append", default=[], metavar="CHECK", help="leave out one more check (repeatable)"
    )
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="factcheck-fuzz-") as scratch:
        database_url = options.database_url or f"sqlite:///{scratch}/fuzz.sqlite3"
        env = app_env(database_url)
        print(f"== preparing {database_url.split('@')[-1]}", flush=True)
        token = prepare(env)
        port = free_port()
        log_path = Path(scratch) / "server.log"
        with log_path.open("w") as log:
            server = start_server(env, port, log)
            results = {}
            try:
                for role in options.roles.split(","):
                    results[role] = fuzz(port, role, token, options)
            finally:
                stop(server)
        errors = [line for line in log_path.read_text().splitlines() if "Traceback" in line or "[ERROR]" in line]
        if errors:
            print(f"== the server logged {len(errors)} errors; its log:\n{log_path.read_text()[-20000:]}")
            results["server"] = 1
    summary = ", ".join(f"{role}: {'passed' if code == 0 else 'FAILED'}" for role, code in results.items())
    print(f"== schemathesis outside run: {summary}")
    return 0 if all(code == 0 for code in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
