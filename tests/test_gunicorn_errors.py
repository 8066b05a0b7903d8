"""Requests gunicorn refuses before Django sees them are answered in JSON, with gunicorn's status.

gunicorn runs with the project's config (``factcheck/gunicorn.conf.py``, as the Dockerfile and
docker-compose run it) and production settings on a free port; the requests are written on a raw
socket, since no well-behaved client sends them.
"""

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def send(port, raw):
    """Write ``raw`` bytes as a request; (status, lower-cased headers, body bytes) of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), {name.lower(): value for name, value in headers.items()}, body


def request(target, *header_lines):
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *header_lines]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@contextlib.contextmanager
def serving(app, database, *options):
    """gunicorn serving ``app`` with the project's config and production settings; yields its port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "FACTCHECK_", "DATABASE_URL"))}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
    )
    command = [sys.executable, "-m", "gunicorn", app, "-c", "factcheck/gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--log-level", "critical", "--no-control-socket", *options]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"gunicorn exited with {server.returncode}"
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    with serving("factcheck.wsgi:application", tmp_path_factory.mktemp("gunicorn") / "db.sqlite3") as port:
        yield port


def slow_app(environ, start_response):
    """A WSGI application that outlives any worker timeout."""
    time.sleep(60)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"too late"]


def assert_json_error(answer, status):
    code, headers, body = answer
    assert code == status, (code, body)
    assert headers["content-type"] == "application/json"
    assert headers["content-length"] == str(len(body))
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    detail = json.loads(body)["detail"]
    assert detail
    return detail


def test_a_request_line_over_the_limit_is_a_json_414(gunicorn):
    detail = assert_json_error(send(gunicorn, request("/api/v1/claims/?search=" + "a" * 5000)), 414)
    assert "too large" in detail


def test_a_header_name_with_a_space_is_a_json_400(gunicorn):
    detail = assert_json_error(send(gunicorn, request("/healthz", "Bad Header: x")), 400)
    assert "Bad Header" in detail


def test_a_header_line_without_a_colon_is_a_json_400(gunicorn):
    assert_json_error(send(gunicorn, request("/healthz", "no colon here")), 400)


def test_a_malformed_request_line_is_a_json_400(gunicorn):
    detail = assert_json_error(send(gunicorn, b"NOT A REQUEST\r\n\r\n"), 400)
    assert "NOT A REQUEST" in detail


def test_too_many_header_fields_is_a_json_431(gunicorn):
    fields = [f"X-Field-{n}: {n}" for n in range(150)]
    assert_json_error(send(gunicorn, request("/healthz", *fields)), 431)


def test_error_text_from_the_client_is_escaped_json(gunicorn):
    detail = assert_json_error(send(gunicorn, request("/healthz", 'Bad"<b>\\: x')), 400)
    assert 'Bad"<b>\\' in detail


def test_well_formed_requests_still_reach_the_app(gunicorn):
    status, headers, body = send(gunicorn, request("/healthz"))
    assert status == 200
    assert json.loads(body)["database"] == "ok"
    assert "permissions-policy" in headers


def test_a_request_that_outlives_the_worker_timeout_is_a_json_500(tmp_path):
    # The arbiter aborts the worker; gunicorn answers 500 itself when nothing was sent yet.
    with serving("tests.test_gunicorn_errors:slow_app", tmp_path / "db.sqlite3", "--timeout", "1") as port:
        started = time.monotonic()
        detail = assert_json_error(send(port, request("/")), 500)
    assert detail == "Internal Server Error"
    assert time.monotonic() - started < 10


def test_the_dockerfile_and_compose_run_gunicorn_with_this_config():
    assert '"-c", "factcheck/gunicorn.conf.py"' in (ROOT / "Dockerfile").read_text()
    assert (
        "gunicorn factcheck.wsgi:application -c factcheck/gunicorn.conf.py" in (ROOT / "docker-compose.yml").read_text()
    )
