"""gunicorn settings: ``gunicorn factcheck.wsgi:application -c factcheck/gunicorn.conf.py``.

gunicorn answers some requests itself, before Django sees them: a request line over
``limit_request_line`` (414), too many or too large header fields (431), a malformed request line,
header or chunk (400). It writes those as HTML; here every worker writes them as JSON
(``{"detail": "…"}``) with the same status, as the app answers everything else.

A request still running after ``timeout`` seconds has its worker aborted: the client gets a JSON 500
if nothing was sent yet, or a connection closed mid-body if a streamed response (an export) had
started. The app's own time limits keep requests well inside it.
"""

import json

from gunicorn import util

# gunicorn's defaults, stated because the errors above depend on them.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
timeout = 30


def write_json_error(sock, status_int, reason, mesg):
    """``gunicorn.util.write_error`` with a JSON body: the same status line, then ``{"detail": …}``."""
    body = json.dumps({"detail": mesg or reason}).encode()  # ASCII: json.dumps escapes the rest
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        "X-Content-Type-Options: nosniff\r\n"
        "Content-Security-Policy: default-src 'none'; frame-ancestors 'none'\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def post_worker_init(worker):
    # Worker.handle_error picks the status, reason and message, then writes them through
    # util.write_error, gunicorn's only HTML; replacing that one function in the worker's process
    # changes the body and nothing else, for every worker class (sync, gthread).
    util.write_error = write_json_error
