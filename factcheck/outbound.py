"""Outbound HTTP for webhooks: POST to a subscriber's URL without letting it reach into our network.

A webhook URL is chosen by whoever subscribes, so it could name this machine, a database on the
private network or the cloud's metadata service (server-side request forgery). When a subscription
is made (``check_url``) and again at every delivery (``post``), the host is resolved and every
address it resolves to must be public; ``post`` then connects to the very address it checked, so a
DNS answer that changes in between (DNS rebinding) cannot send it elsewhere. Redirects are never
followed, the whole request has one deadline, and at most ``max_response_bytes`` of the answer are read.

Exception messages and log lines name only a URL's host: its password, its query values and its path
(which some receivers, Slack's among them, use as the secret) stay out of them. ``redact_url`` is the
URL as the API and the admin show it to the editors who manage it.
"""

import base64
import functools
import http.client
import ipaddress
import logging
import math
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_URL_LENGTH = 2000
EXCERPT_CHARS = 500
USER_AGENT = "Factcheck-Webhooks/1.0"
# IPv6 addresses that carry an IPv4 address in their last 32 bits and reach it through a gateway.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# What a path or query may hold as it is; any other character (non-ASCII text) is percent-encoded.
URL_SAFE_CHARACTERS = "/?%!$&'()*+,;=:@-._~"


class TargetRefused(Exception):
    """The URL, or an address its host resolves to, is not allowed. The message is safe to show."""


class DeliveryError(Exception):
    """Resolving, connecting, sending or reading failed (DNS, refused, timeout, TLS, a broken answer).
    The message is safe to show."""


@dataclass(frozen=True)
class Response:
    status: int  # HTTP status code
    duration_ms: int  # from the start of connecting to the end of reading the (capped) body
    body_excerpt: str  # the first 500 characters of the body, decoded leniently
    redirect: bool  # a 3xx, never followed


@dataclass(frozen=True)
class Target:
    """What a URL asks for, read once: where to connect and what to send there."""

    scheme: str
    host: str  # lower-case, IPv6 literals without brackets
    port: int
    request_target: str  # path and query, as the request line carries them
    authorization: str | None  # from the URL's userinfo, never sent in the request line


def check_url(url: str) -> None:
    """Subscribe-time check: raises ``TargetRefused`` with a clear message unless the URL is
    acceptable: https (http too when ``FACTCHECK_WEBHOOK_ALLOW_PRIVATE``), a host, no fragment, at
    most 2000 characters, and every address its host resolves to is public."""
    target = parse(url)
    try:
        addresses = resolve(target)
    except (OSError, UnicodeError):
        raise TargetRefused(f"could not resolve {target.host}") from None
    refuse_non_public(target, addresses)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    timeout: float | None = None,
    max_response_bytes: int | None = None,
) -> Response:
    """Deliver-time: resolve the host once, refuse (``TargetRefused``) if any address is not public,
    then POST to the checked address itself with the URL's host in ``Host``, TLS SNI and the
    certificate check. Never follows redirects; reads at most ``max_response_bytes`` of the body, then
    drops the connection. Connecting, sending and reading share one deadline of ``timeout`` seconds
    (``FACTCHECK_WEBHOOK_TIMEOUT``). Raises ``DeliveryError`` on any network failure or timeout."""
    target = parse(url)
    if timeout is None:
        timeout = settings.FACTCHECK_WEBHOOK_TIMEOUT
    if max_response_bytes is None:
        max_response_bytes = settings.FACTCHECK_WEBHOOK_MAX_RESPONSE_BYTES
    try:
        addresses = resolve(target)
    except (OSError, UnicodeError):
        raise _failed(url, f"could not resolve {target.host}") from None
    refuse_non_public(target, addresses)

    request_headers = {"User-Agent": USER_AGENT, **headers}
    if target.authorization:
        request_headers["Authorization"] = target.authorization
    started = time.monotonic()
    connection = Connection(target, addresses=addresses, deadline=started + timeout)
    try:
        connection.request("POST", target.request_target, body=body, headers=request_headers)
        response = connection.getresponse()
        try:
            data = response.read(max_response_bytes) if max_response_bytes > 0 else b""
        except http.client.IncompleteRead as exc:
            data = exc.partial  # the answer ended before its Content-Length: its status still counts
    except TimeoutError:
        raise _failed(url, f"{target.host} did not answer within {timeout:g} s") from None
    except ssl.SSLCertVerificationError as exc:
        raise _failed(url, f"the TLS certificate of {target.host} is not valid: {exc.verify_message}") from None
    except ssl.SSLError as exc:
        raise _failed(url, f"TLS with {target.host} failed: {exc.reason or type(exc).__name__}") from None
    except ConnectionRefusedError:
        raise _failed(url, f"{target.host} refused the connection on port {target.port}") from None
    except http.client.RemoteDisconnected:
        raise _failed(url, f"{target.host} closed the connection without answering") from None
    except http.client.HTTPException:
        raise _failed(url, f"{target.host} sent an answer that is not HTTP") from None
    except OSError as exc:
        raise _failed(url, f"could not deliver to {target.host}: {exc.strerror or type(exc).__name__}") from None
    finally:
        connection.close()  # the rest of a long body is never read
    duration_ms = round((time.monotonic() - started) * 1000)
    logger.debug("Webhook POST to %s (%s): %s in %d ms", target.host, connection.address, response.status, duration_ms)
    return Response(
        status=response.status,
        duration_ms=duration_ms,
        body_excerpt=data.decode("utf-8", errors="replace")[:EXCERPT_CHARS],
        redirect=300 <= response.status < 400,
    )


def redact_url(url: str) -> str:
    """The URL safe to show in logs, errors, the API and the admin: a password in the userinfo becomes
    ``***`` (so does a user name without one), every query value ``***`` (keys kept), a fragment too; e.g.
    ``https://bob:***@hooks.example.com/in?token=***``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(a URL that cannot be read)"
    userinfo, at, hostport = parts.netloc.rpartition("@")
    netloc = parts.netloc
    if at:
        user, colon, _password = userinfo.partition(":")
        # A user name without a password is the whole credential (a token, often): hidden too.
        netloc = f"{user}:***@{hostport}" if colon else f"***@{hostport}"
    pieces = []
    for piece in parts.query.split("&") if parts.query else []:
        key, equals, _value = piece.partition("=")
        pieces.append(f"{key}=***" if equals else "***" if piece else "")
    fragment = "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(pieces), fragment))


def parse(url: str) -> Target:
    """The URL read into a ``Target``, or ``TargetRefused`` saying what is wrong with it."""
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        raise TargetRefused("The URL must not contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("The URL cannot be read: check its host and port.") from None
    scheme = parts.scheme.lower()
    if settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE:
        if scheme not in ("https", "http"):
            raise TargetRefused("The URL must start with https:// or http://.")
    elif scheme != "https":
        raise TargetRefused("The URL must start with https://.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host name.")
    if "#" in url:
        raise TargetRefused("The URL must not have a fragment (#…).")
    if port == 0:
        raise TargetRefused("The URL's port must be between 1 and 65535.")
    request_target = quote(parts.path or "/", safe=URL_SAFE_CHARACTERS)
    if parts.query:
        request_target += "?" + quote(parts.query, safe=URL_SAFE_CHARACTERS)
    authorization = None
    if parts.username is not None or parts.password is not None:
        credentials = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
    return Target(
        scheme=scheme,
        host=parts.hostname,
        port=port or (443 if scheme == "https" else 80),
        request_target=request_target,
        authorization=authorization,
    )


def resolve(target: Target) -> list[tuple[int, tuple]]:
    """Every (family, socket address) the target's host resolves to, each once, in the resolver's order."""
    addresses = []
    for family, _type, _proto, _name, sockaddr in socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM):
        if family in (socket.AF_INET, socket.AF_INET6) and (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise OSError(f"no address for {target.host}")
    return addresses


def refuse_non_public(target: Target, addresses: list[tuple[int, tuple]]) -> None:
    """``TargetRefused`` unless every address is public (or ``FACTCHECK_WEBHOOK_ALLOW_PRIVATE`` is on)."""
    if settings.FACTCHECK_WEBHOOK_ALLOW_PRIVATE:
        return
    refused = [sockaddr[0] for _family, sockaddr in addresses if not is_public(ipaddress.ip_address(sockaddr[0]))]
    if refused:
        # The operator sees the addresses; the subscriber is told less about our network.
        logger.warning("Webhook target %s refused: it resolves to %s", target.host, ", ".join(refused))
        raise TargetRefused(
            f"{target.host} resolves to an address that is not public (loopback, private, link-local or "
            "reserved): webhooks are delivered to public addresses only."
        )


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the address is on the public internet: not loopback, private, link-local (the cloud
    metadata service), shared (CGNAT), unspecified, multicast or reserved, nor an IPv6 form that
    carries such an IPv4 address (IPv4-mapped, 6to4, NAT64)."""
    if address.version == 6:
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not address.is_multicast and not address.is_reserved


class DeadlineMixin:
    """Every connect, send and receive of this socket ends by ``deadline`` (``time.monotonic()``):
    however slowly a receiver trickles its answer, the request as a whole cannot outlast it."""

    deadline = math.inf

    def arm(self):
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request's deadline has passed")
        self.settimeout(remaining)

    def connect(self, address):
        self.arm()
        return super().connect(address)

    def send(self, data, *args):
        self.arm()
        return super().send(data, *args)

    def sendall(self, data, *args):
        self.arm()
        return super().sendall(data, *args)

    def recv(self, *args):
        self.arm()
        return super().recv(*args)

    def recv_into(self, buffer, *args):
        self.arm()
        return super().recv_into(buffer, *args)


class DeadlineSocket(DeadlineMixin, socket.socket):
    pass


class DeadlineSSLSocket(DeadlineMixin, ssl.SSLSocket):
    def do_handshake(self, *args):
        self.arm()
        return super().do_handshake(*args)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The system's trusted certificates, host name checked; its sockets keep the request's deadline."""
    context = ssl.create_default_context()
    context.sslsocket_class = DeadlineSSLSocket
    return context


class Connection(http.client.HTTPConnection):
    """HTTP or HTTPS to addresses already resolved and checked: never resolves the host again."""

    def __init__(self, target: Target, *, addresses: list[tuple[int, tuple]], deadline: float):
        self.default_port = 443 if target.scheme == "https" else 80  # Host: has no port when it is the default
        super().__init__(target.host, target.port)
        self.target = target
        self.addresses = addresses
        self.deadline = deadline
        self.address = None  # the one connected to

    def connect(self):
        error = None
        for family, sockaddr in self.addresses:
            sock = DeadlineSocket(family, socket.SOCK_STREAM)
            sock.deadline = self.deadline
            try:
                sock.connect(sockaddr)
            except OSError as exc:
                sock.close()
                error = exc
                continue
            break
        else:
            raise error
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.target.scheme == "https":
                sock = tls_context().wrap_socket(sock, server_hostname=self.target.host, do_handshake_on_connect=False)
                sock.deadline = self.deadline
                sock.do_handshake()
        except BaseException:
            sock.close()
            raise
        self.sock = sock
        self.address = sockaddr[0]


def _failed(url: str, message: str) -> DeliveryError:
    logger.info("Webhook POST to %s failed: %s", urlsplit(url).hostname, message)
    return DeliveryError(message)
