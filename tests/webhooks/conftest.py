"""A real webhook receiver on 127.0.0.1 (a thread), and subscriptions that may reach it."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

from factcheck import jobs
from reviews import webhooks
from tests.factories import EditorFactory
from tests.jobs.test_faults import celery_engine  # noqa: F401 (the fixture, for test_faults.py)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    """Answers ``status`` (or each of ``statuses`` in turn) and keeps every request it got."""

    url: str
    requests: list = field(default_factory=list)
    status: int = 200
    statuses: list = field(default_factory=list)
    location: str = ""
    delay: float = 0.0  # seconds before answering (a slow receiver)

    def verified(self, secret):
        """The bodies of the requests received, each checked with the reference Standard Webhooks library."""
        return [Webhook(secret).verify(request.body, request.headers) for request in self.requests]


@pytest.fixture
def receiver(settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = True
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                state.requests.append(Received(self.path, dict(self.headers.items()), body))
                code = state.statuses.pop(0) if state.statuses else state.status
            time.sleep(state.delay)
            self.send_response(code)
            if 300 <= code < 400:
                self.send_header("Location", state.location or "/elsewhere")
            answer = b'{"ok": true}'
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscribe(db):
    """``subscribe(url, event_types=…, audience=…)`` → (subscription, secret), made by an editor."""
    editor = EditorFactory()

    def make(url, *, event_types=("*",), audience="public", name="Partner app"):
        return webhooks.subscribe(name=name, url=url, event_types=list(event_types), audience=audience, by=editor)

    return make


def run_due():
    """What one database-queue worker does: every job due now, then stop."""
    return jobs.work(worker="test-worker", burst=True)
