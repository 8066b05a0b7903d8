"""The database goes away mid-run: requests fail fast with a JSON 503, and the app recovers by itself.

gunicorn (production settings, persistent connections) reaches PostgreSQL through a TCP proxy this
test runs on 127.0.0.1; stopping the proxy cuts every connection and refuses new ones, exactly what
the app sees when the database server dies, without touching the PostgreSQL server others share.
"""

import contextlib
import http.client
import importlib.util
import json
import os
import re
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.test_loadtest import server_url

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_PORT = 19003


def load_script():
    spec = importlib.util.spec_from_file_location("loadtest", ROOT / "scripts" / "loadtest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class TCPProxy:
    """Forwards 127.0.0.1:<port> to the database server; ``stop()`` cuts it off, ``start()`` restores it."""

    def __init__(self, target):
        self.target = target
        self.port = None
        self.listener = None
        self.connections = set()
        self.lock = threading.Lock()

    def start(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port or 0))
        self.port = self.listener.getsockname()[1]
        self.listener.listen(64)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def stop(self):
        """Refuse new connections and break every open one, as a dying server does."""
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
        self.listener.close()
        with self.lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
                connection.close()
            self.connections.clear()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.connections.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)


def get(path, token=None):
    """(status, headers, decoded JSON body or the raw bytes) of one request to the app."""
    connection = http.client.HTTPConnection("127.0.0.1", GUNICORN_PORT, timeout=30)
    headers = {"Authorization": f"Token {token}"} if token else {}
    connection.request("GET", path, headers=headers)
    return _read(connection.getresponse())


def _read(response):
    """(status, lower-cased headers, JSON body or the raw bytes) of a response."""
    raw = response.read()
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def admin_login(username, password):
    """Post the admin's login form (with its CSRF token) as a browser would."""
    connection = http.client.HTTPConnection("127.0.0.1", GUNICORN_PORT, timeout=30)
    connection.request("GET", "/admin/login/")
    page = connection.getresponse()
    html = page.read().decode()
    cookie = page.getheader("Set-Cookie").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    connection.request("POST", "/admin/login/", body, headers)
    return _read(connection.getresponse())


@pytest.fixture(scope="module")
def app_behind_proxy():
    """gunicorn with production settings, its database reached through a proxy we can cut."""
    from django.conf import settings

    script = load_script()
    database_url = server_url(f"factcheck_dbfail_{os.getpid()}")
    config = settings.DATABASES["default"]
    proxy = TCPProxy((config["HOST"] or "127.0.0.1", int(config["PORT"] or 5432)))
    proxy.start()
    script.recreate_database(database_url)
    server = None
    try:
        env = script.production_env(database_url, GUNICORN_PORT)
        script.manage(env, "migrate", "--noinput")
        script.manage(env, "createcachetable")  # the throttles' shared cache
        token = script.shell(
            env,
            "from django.contrib.auth import get_user_model; from django.contrib.auth.models import Group; "
            "from knox.models import AuthToken; "
            "user = get_user_model().objects.create_user('reviewer'); "
            "user.groups.add(Group.objects.get_or_create(name='reviewers')[0]); "
            "print(AuthToken.objects.create(user=user)[1])",
        )
        proxied = database_url.replace(f":{config['PORT'] or 5432}/", f":{proxy.port}/")
        proxied = proxied.replace(f"@{config['HOST'] or '127.0.0.1'}:", "@127.0.0.1:")
        env["DATABASE_URL"] = proxied
        server = script.start_gunicorn(env, GUNICORN_PORT, workers=2, threads=2)
        yield proxy, token
    finally:
        if server is not None:
            script.stop(server)
        proxy.stop()
        script.drop_database(database_url)


PATHS = ["/healthz", "/api/v1/claims/", "/api/v1/reviews/", "/api/v1/exports/claims?format=ndjson"]


def assert_unavailable(status, headers, body, path):
    assert status == 503, (path, status, body)
    assert headers["content-type"] == "application/json", (path, headers)
    assert isinstance(body, dict), (path, body)


@pytest.mark.postgres
def test_requests_fail_with_a_json_503_while_the_database_is_gone_and_recover_when_it_returns(app_behind_proxy):
    proxy, token = app_behind_proxy
    # Warm up: every gunicorn thread holds a persistent connection (CONN_MAX_AGE) through the proxy.
    for _ in range(8):
        for path in PATHS:
            status, _, body = get(path, token)
            assert status == 200, (path, body)

    proxy.stop()
    started = time.monotonic()
    for _ in range(4):
        for path in PATHS:
            status, headers, body = get(path)
            assert_unavailable(status, headers, body, path)
            status, headers, body = get(path, token)
            assert_unavailable(status, headers, body, path)
    assert get("/api/v1/claims/")[1].get("retry-after") == "5"
    assert get("/healthz")[2]["database"] == "unreachable"
    # Outside the API too: the admin's login needs the database.
    status, headers, body = admin_login("editor", "secret")
    assert_unavailable(status, headers, body, "/admin/login/")
    assert headers.get("retry-after") == "5"
    # Refused connections fail fast: nothing waits for a timeout.
    assert time.monotonic() - started < 20

    proxy.start()
    for _ in range(8):
        for path in PATHS:
            status, _, body = get(path, token)
            assert status == 200, (path, status, body)


@pytest.mark.postgres
def test_concurrent_clients_see_only_200s_and_json_503s_across_an_outage(app_behind_proxy):
    proxy, token = app_behind_proxy
    seen, problems, running = [], [], threading.Event()
    running.set()

    def client(path, auth):
        while running.is_set():
            try:
                status, headers, body = get(path, auth)
            except OSError as exc:
                problems.append(f"{path}: {exc!r}")
                continue
            seen.append(status)
            json_expected = status == 503 or not path.startswith("/api/v1/exports/")
            if status not in (200, 503) or (json_expected and headers.get("content-type") != "application/json"):
                problems.append(f"{path}: {status} {body!r:.200}")

    threads = [
        threading.Thread(target=client, args=(path, token if i % 2 else None)) for i, path in enumerate(PATHS * 2)
    ]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    proxy.stop()
    time.sleep(2)
    proxy.start()
    time.sleep(2)
    running.clear()
    for thread in threads:
        thread.join()
    assert not problems, problems[:10]
    assert 503 in seen
    # Once the database is back, everything succeeds again.
    for path in PATHS:
        assert get(path, token)[0] == 200
