"""Webhook POSTs go only to public addresses, to the address checked, within one deadline, and never
show a URL's credentials or query values in a message or a log line (factcheck/outbound.py).

The receivers are real HTTP(S) servers on 127.0.0.1, reached with FACTCHECK_WEBHOOK_ALLOW_PRIVATE on;
the refusals run with it off, as in production.
"""

import base64
import logging
import socket
import ssl
import threading
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from factcheck import outbound
from factcheck.outbound import DeliveryError, TargetRefused, check_url, post, redact_url

SECRETS = ("s3cret", "abc123")


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


class ReceiverHandler(BaseHTTPRequestHandler):
    """Answers by path; records every request it gets."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.received.append(Received(self.path, dict(self.headers), body))
        route = self.path.split("?")[0]
        if route == "/ok":
            self.answer(200, b"thanks for all the fish")
        elif route == "/fail":
            self.answer(500, b"boom")
        elif route == "/redirect":
            self.answer(302, b"", location=f"http://127.0.0.1:{self.server.server_port}/target")
        elif route == "/long":
            self.answer(200, b"\xff" + b"a" * 2000)
        elif route == "/slow":
            self.server.release.wait(10)
            self.answer(200, b"late")
        elif route == "/trickle":
            # One byte every 50 ms for 3 s: no single read ever waits long, only the whole does.
            self.send_response(200)
            self.send_header("Content-Length", "60")
            self.end_headers()
            for _ in range(60):
                if self.server.release.wait(0.05):
                    break
                self.wfile.write(b"x")
                self.wfile.flush()
        elif route == "/endless":
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            chunk = b"y" * 65536
            for _ in range(2000):  # 128 MiB at most, should the client read on
                if self.server.release.is_set():
                    break
                self.wfile.write(chunk)
        elif route == "/garbage":
            self.wfile.write(b"this is not HTTP\r\n\r\n")
            self.close_connection = True
        else:
            self.answer(404, b"")

    def answer(self, status, body, *, location=None):
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, tls_context=None):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.received = []
        self.release = threading.Event()
        if tls_context:
            self.socket = tls_context.wrap_socket(self.socket, server_side=True)

    def handle_error(self, request, client_address):
        pass  # a client that hangs up mid-answer is what several tests do

    def url(self, path, *, scheme="http", host="127.0.0.1", userinfo=""):
        return f"{scheme}://{userinfo}{host}:{self.server_port}{path}"

    def paths(self):
        return [request.path.split("?")[0] for request in self.received]


def serve(receiver):
    thread = threading.Thread(target=receiver.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return receiver


def stop(receiver):
    receiver.release.set()
    receiver.shutdown()
    receiver.server_close()


@pytest.fixture
def allow_private(settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = True


@pytest.fixture
def public_only(settings):
    settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE = False


@pytest.fixture
def receiver(allow_private):
    receiver = serve(Receiver())
    yield receiver
    stop(receiver)


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def resolving_to(monkeypatch, *answers):
    """Make every look-up answer with the given addresses (one list per call; the last one repeats)
    and return the list of hosts looked up."""
    calls = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        addresses = answers[min(len(calls), len(answers)) - 1]
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)
    return calls


@pytest.fixture
def connections(monkeypatch):
    """Record where post() connects instead of connecting (each attempt is refused)."""
    attempts = []

    def connect(self, address):
        attempts.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(outbound.DeadlineSocket, "connect", connect)
    return attempts


# --- Delivering to a real receiver ------------------------------------------------------------


def test_post_delivers_the_body_and_headers_and_returns_the_answer(receiver):
    response = post(receiver.url("/ok"), b'{"type": "review.published"}', {"webhook-id": "msg_1"})

    assert response.status == 200
    assert response.body_excerpt == "thanks for all the fish"
    assert response.redirect is False
    assert 0 <= response.duration_ms < 5000
    [request] = receiver.received
    assert request.body == b'{"type": "review.published"}'
    assert request.headers["webhook-id"] == "msg_1"
    assert request.headers["Host"] == f"127.0.0.1:{receiver.server_port}"
    assert request.headers["User-Agent"] == outbound.USER_AGENT
    assert "Authorization" not in request.headers


def test_an_error_status_is_a_response_not_an_exception(receiver):
    response = post(receiver.url("/fail"), b"{}", {})

    assert (response.status, response.body_excerpt, response.redirect) == (500, "boom", False)


def test_a_redirect_is_reported_and_never_followed(receiver):
    response = post(receiver.url("/redirect"), b"{}", {})

    assert response.status == 302
    assert response.redirect is True
    assert receiver.paths() == ["/redirect"]  # the Location, /target, got no request


def test_the_excerpt_is_the_first_500_characters_decoded_leniently(receiver):
    response = post(receiver.url("/long"), b"{}", {})

    assert response.body_excerpt == "\ufffd" + "a" * 499


def test_only_max_response_bytes_of_the_body_are_read(receiver):
    response = post(receiver.url("/ok"), b"{}", {}, max_response_bytes=6)

    assert response.body_excerpt == "thanks"


def test_an_endless_body_is_cut_at_max_response_bytes(receiver):
    started = time.monotonic()
    response = post(receiver.url("/endless"), b"{}", {}, timeout=5, max_response_bytes=1000)

    assert response.status == 200
    assert response.body_excerpt == "y" * 500
    assert time.monotonic() - started < 2


def test_a_slow_receiver_times_out(receiver):
    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"did not answer within 0\.5 s"):
        post(receiver.url("/slow"), b"{}", {}, timeout=0.5)
    assert time.monotonic() - started < 1.5


def test_a_receiver_that_trickles_its_answer_is_cut_off_at_the_deadline(receiver):
    started = time.monotonic()
    with pytest.raises(DeliveryError, match="did not answer within 1 s"):
        post(receiver.url("/trickle"), b"{}", {}, timeout=1)
    assert time.monotonic() - started < 2


def test_the_timeout_defaults_to_the_setting(receiver, settings):
    settings.FACTCHECK_WEBHOOK_TIMEOUT = 0.3
    with pytest.raises(DeliveryError, match=r"within 0\.3 s"):
        post(receiver.url("/slow"), b"{}", {})


def test_a_refused_connection_is_a_delivery_error(allow_private, closed_port):
    with pytest.raises(DeliveryError, match=f"127.0.0.1 refused the connection on port {closed_port}"):
        post(f"http://127.0.0.1:{closed_port}/", b"{}", {})


def test_an_answer_that_is_not_http_is_a_delivery_error(receiver):
    with pytest.raises(DeliveryError, match="not HTTP"):
        post(receiver.url("/garbage"), b"{}", {})


def test_userinfo_is_sent_as_basic_auth_never_in_the_request_line(receiver):
    post(receiver.url("/ok?token=abc123", userinfo="bob%40example:s3cret%3Ax@"), b"{}", {})

    [request] = receiver.received
    expected = base64.b64encode(b"bob@example:s3cret:x").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.path == "/ok?token=abc123"
    assert request.headers["Host"] == f"127.0.0.1:{receiver.server_port}"


# --- TLS: the certificate is checked against the URL's host name ----------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A test CA, and certificates it signed for hooks.test (the receiver's) and other.test."""
    directory = tmp_path_factory.mktemp("tls")
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Factcheck test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    (directory / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for host in ("hooks.test", "other.test"):
        key = ec.generate_private_key(ec.SECP256R1())
        certificate = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        (directory / f"{host}.pem").write_bytes(
            certificate.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
    return directory


def tls_receiver(certificates, host):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / f"{host}.pem")
    server_names = []
    context.sni_callback = lambda sslsocket, name, context: server_names.append(name)
    receiver = serve(Receiver(tls_context=context))
    receiver.server_names = server_names
    return receiver


@pytest.fixture
def trusting_the_test_ca(monkeypatch, certificates):
    context = ssl.create_default_context(cafile=str(certificates / "ca.pem"))
    context.sslsocket_class = outbound.DeadlineSSLSocket
    monkeypatch.setattr(outbound, "tls_context", lambda: context)


@pytest.fixture
def hooks_test(allow_private, certificates, monkeypatch):
    """An HTTPS receiver with a certificate for hooks.test, which resolves to it."""
    receiver = tls_receiver(certificates, "hooks.test")
    resolving_to(monkeypatch, ["127.0.0.1"])
    yield receiver
    stop(receiver)


def test_https_sends_the_host_name_in_sni_and_host_and_checks_the_certificate(hooks_test, trusting_the_test_ca):
    response = post(hooks_test.url("/ok", scheme="https", host="hooks.test"), b"{}", {})

    assert response.status == 200
    assert hooks_test.server_names == ["hooks.test"]
    assert hooks_test.received[0].headers["Host"] == f"hooks.test:{hooks_test.server_port}"


def test_a_certificate_for_another_host_is_refused(hooks_test, trusting_the_test_ca):
    with pytest.raises(DeliveryError, match=r"TLS certificate of other\.test is not valid.*mismatch"):
        post(hooks_test.url("/ok", scheme="https", host="other.test"), b"{}", {})
    assert hooks_test.received == []


def test_a_certificate_from_an_untrusted_authority_is_refused(hooks_test):
    with pytest.raises(DeliveryError, match=r"TLS certificate of hooks\.test is not valid"):
        post(hooks_test.url("/ok", scheme="https", host="hooks.test"), b"{}", {})
    assert hooks_test.received == []


# --- Refusals: only public addresses, only https --------------------------------------------

NON_PUBLIC_URLS = [
    "https://127.0.0.1/in",
    "https://localhost/in",
    "https://[::1]/in",
    "https://10.1.2.3/in",
    "https://172.16.0.1/in",
    "https://192.168.1.1:8443/in",
    "https://169.254.169.254/latest/meta-data/",
    "https://[fe80::1]/in",
    "https://[fd00::1]/in",
    "https://[::ffff:127.0.0.1]/in",
    "https://[::ffff:169.254.169.254]/in",
    "https://[64:ff9b::a00:1]/in",  # NAT64 of 10.0.0.1
    "https://[2002:c0a8:101::1]/in",  # 6to4 of 192.168.1.1
    "https://0.0.0.0/in",
    "https://[::]/in",
    "https://100.64.0.1/in",
    "https://224.0.0.1/in",
    "https://[ff0e::1]/in",
    "https://240.0.0.1/in",
    "https://255.255.255.255/in",
    "https://2130706433/in",  # 127.0.0.1 as one number
    "https://127.1/in",
    "https://0x7f000001/in",
]


@pytest.mark.parametrize("url", NON_PUBLIC_URLS)
def test_check_url_refuses_non_public_addresses(public_only, url):
    with pytest.raises(TargetRefused, match="not public"):
        check_url(url)


@pytest.mark.parametrize("url", NON_PUBLIC_URLS)
def test_post_refuses_non_public_addresses_without_connecting(public_only, connections, url):
    with pytest.raises(TargetRefused, match="not public"):
        post(url, b"{}", {})
    assert connections == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(public_only, monkeypatch, connections):
    resolving_to(monkeypatch, ["93.184.215.14", "10.0.0.5"])

    with pytest.raises(TargetRefused, match=r"hooks\.example\.com resolves to an address that is not public"):
        check_url("https://hooks.example.com/in")
    with pytest.raises(TargetRefused):
        post("https://hooks.example.com/in", b"{}", {})
    assert connections == []


@pytest.mark.parametrize(
    "url",
    [
        "https://8.8.8.8/in",
        "https://[2001:4860:4860::8888]:8443/in",
        "https://[::ffff:8.8.8.8]/in",
        "https://[64:ff9b::808:808]/in",
    ],
)
def test_public_addresses_are_accepted(public_only, url):
    check_url(url)


def test_a_name_with_only_public_addresses_is_accepted(public_only, monkeypatch):
    resolving_to(monkeypatch, ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])

    check_url("https://hooks.example.com:8443/in?token=abc123")


def test_private_addresses_and_plain_http_are_accepted_when_allowed(allow_private):
    check_url("http://127.0.0.1:8000/in")
    check_url("https://192.168.1.10/in")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/in", "must start with https://"),
        ("ftp://hooks.example.com/in", "must start with https://"),
        ("hooks.example.com/in", "must start with https://"),
        ("https:///in", "no host"),
        ("https://bob@/in", "no host"),
        ("https://hooks.example.com/in#part", "fragment"),
        ("https://hooks.example.com/" + "a" * 2000, "longer than 2000"),
        ("https://hooks.example.com:99999/in", "cannot be read"),
        ("https://hooks.example.com:0/in", "port must be between"),
        ("https://[::1/in", "cannot be read"),
        ("https://hooks.example.com/a b", "spaces or control characters"),
        ("https://hooks.example.com/in\r\nX-Injected: 1", "spaces or control characters"),
    ],
)
def test_urls_that_are_not_acceptable_are_refused_with_a_reason(public_only, connections, url, message):
    with pytest.raises(TargetRefused, match=message):
        check_url(url)
    with pytest.raises(TargetRefused, match=message):
        post(url, b"{}", {})
    assert connections == []


def test_only_http_and_https_even_when_private_addresses_are_allowed(allow_private):
    with pytest.raises(TargetRefused, match="https:// or http://"):
        check_url("ftp://127.0.0.1/in")


def test_a_name_that_does_not_resolve_is_refused_at_subscription_and_fails_at_delivery(public_only, monkeypatch):
    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)

    with pytest.raises(TargetRefused, match=r"^could not resolve hooks\.invalid$"):
        check_url("https://hooks.invalid/in")
    with pytest.raises(DeliveryError, match=r"^could not resolve hooks\.invalid$"):
        post("https://hooks.invalid/in", b"{}", {})


# --- DNS rebinding: post connects to the address it checked ---------------------------------


def test_post_connects_to_the_address_it_checked_not_a_second_answer(public_only, monkeypatch, connections):
    lookups = resolving_to(monkeypatch, ["93.184.215.14"], ["127.0.0.1"])

    with pytest.raises(DeliveryError, match="refused the connection"):
        post("https://hooks.example.com/in", b"{}", {})

    assert lookups == ["hooks.example.com"]
    assert connections == [("93.184.215.14", 443)]


def test_post_resolves_once_and_delivers_to_that_address(receiver, monkeypatch):
    # Any second look-up would send the request to an address nothing answers on.
    lookups = resolving_to(monkeypatch, ["127.0.0.1"], ["10.255.255.1"])

    response = post(receiver.url("/ok", host="hooks.example.com"), b"{}", {}, timeout=2)

    assert response.status == 200
    assert lookups == ["hooks.example.com"]
    assert receiver.received[0].headers["Host"] == f"hooks.example.com:{receiver.server_port}"


def test_post_tries_the_next_checked_address_when_one_refuses(receiver, monkeypatch, closed_port):
    lookups = resolving_to(monkeypatch, ["127.0.0.2", "127.0.0.1"])

    response = post(receiver.url("/ok", host="hooks.example.com"), b"{}", {})

    assert response.status == 200
    assert lookups == ["hooks.example.com"]


# --- No secret in a message or a log line ----------------------------------------------------


def assert_no_secret(exc, caplog):
    # The exception as a log line with exc_info shows it, with any exception chained to it (not the
    # test's own frames, whose source holds the URL).
    shown = [str(exc), "".join(traceback.format_exception(type(exc), exc, None)), caplog.text]
    for secret in SECRETS:
        assert not any(secret in text for text in shown), secret


@pytest.mark.parametrize(
    ("path", "timeout"),
    [("/slow", 0.3), ("/garbage", 5), ("/ok", 5)],
    ids=["timeout", "not-http", "success"],
)
def test_no_secret_from_the_url_is_logged_when_delivering(receiver, caplog, path, timeout):
    caplog.set_level(logging.DEBUG)
    url = receiver.url(f"{path}?token=abc123", userinfo="bob:s3cret@")
    try:
        post(url, b"{}", {}, timeout=timeout)
    except DeliveryError as exc:
        assert_no_secret(exc, caplog)
    else:
        assert path == "/ok"
    assert "Webhook POST to 127.0.0.1" in caplog.text  # the host only: not the path, which may be a secret
    assert path not in caplog.text and "bob" not in caplog.text
    assert not any(secret in caplog.text for secret in SECRETS)


def test_no_secret_is_shown_when_the_connection_is_refused(allow_private, closed_port, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as raised:
        post(f"http://bob:s3cret@127.0.0.1:{closed_port}/in?token=abc123", b"{}", {})
    assert_no_secret(raised.value, caplog)
    assert "Webhook POST to 127.0.0.1 failed" in caplog.text and "/in" not in caplog.text


def test_no_secret_is_shown_when_tls_fails(hooks_test, caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DeliveryError) as raised:
        post(hooks_test.url("/ok?token=abc123", scheme="https", host="hooks.test", userinfo="bob:s3cret@"), b"{}", {})
    assert_no_secret(raised.value, caplog)


def test_no_secret_is_shown_when_the_name_does_not_resolve(public_only, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)

    def getaddrinfo(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(outbound.socket, "getaddrinfo", getaddrinfo)
    for call in (check_url, lambda url: post(url, b"{}", {})):
        with pytest.raises((TargetRefused, DeliveryError)) as raised:
            call("https://bob:s3cret@hooks.invalid/in?token=abc123")
        assert_no_secret(raised.value, caplog)


@pytest.mark.parametrize(
    "url",
    [
        "https://bob:s3cret@127.0.0.1/in?token=abc123",
        "http://bob:s3cret@hooks.example.com/in?token=abc123",
        "https://bob:s3cret@hooks.example.com/in?token=abc123#frag",
        "https://bob:s3cret@hooks.example.com:99999/in?token=abc123",
    ],
    ids=["private", "http", "fragment", "port"],
)
def test_no_secret_is_shown_when_a_target_is_refused(public_only, connections, caplog, url):
    caplog.set_level(logging.DEBUG)
    for call in (check_url, lambda url: post(url, b"{}", {})):
        with pytest.raises(TargetRefused) as raised:
            call(url)
        assert_no_secret(raised.value, caplog)


# --- redact_url -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://bob:s3cret@hooks.example.com/in?token=abc123",
            "https://bob:***@hooks.example.com/in?token=***",
        ),
        ("https://hooks.example.com:8443/in?a=1&b=&c", "https://hooks.example.com:8443/in?a=***&b=***&***"),
        ("https://abc123@hooks.example.com/in", "https://***@hooks.example.com/in"),
        ("https://hooks.example.com/in#abc123", "https://hooks.example.com/in#***"),
        ("https://hooks.example.com/in", "https://hooks.example.com/in"),
        ("https://[::1/in?token=abc123", "(a URL that cannot be read)"),
    ],
)
def test_redact_url_hides_passwords_and_query_values(url, shown):
    assert redact_url(url) == shown
