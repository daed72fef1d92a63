"""Outbound HTTP to URLs that people type in (webhook endpoints) reaches the public
internet only — never Relais's own machine, its private network or a cloud metadata
service (server-side request forgery, OWASP ASVS V1/V12).

The guard resolves the host once, checks EVERY address it resolves to, then opens the
TCP connection to an address it checked: the connection never resolves the name again,
so a DNS answer that changes between the check and the connection (DNS rebinding) gains
nothing. The `Host` header, TLS SNI and the certificate check still use the URL's host
name. Redirects are never followed: `http.client` does not follow them, and a 3xx is
reported like any other unsuccessful status.

Failures are reduced to a `Failure` class (timeout, refused, TLS, DNS, forbidden
address, HTTP status…): the raw socket error, which can tell an attacker what listens
inside the network, is never shown to the person who typed the URL."""

import http.client
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import DomainError

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges that `ipaddress`'s `is_global` does not (or, depending on the Python version,
# may not) flag, refused explicitly.
_ALWAYS_FORBIDDEN = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "fc00::/7",  # unique local
        "fec0::/10",  # site-local (deprecated, still routed by some stacks)
        "100::/64",  # discard-only
        "2001:db8::/32",  # documentation
    )
)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class Failure(models.TextChoices):
    """Why an outbound request failed, as much as the person who registered the URL may
    know. Stored in delivery logs (the value) and shown translated (the label)."""

    TIMEOUT = "timeout", gettext_lazy("timed out")
    REFUSED = "refused", gettext_lazy("connection refused")
    TLS = "tls", gettext_lazy("TLS error (certificate or handshake)")
    DNS = "dns", gettext_lazy("host name not found")
    FORBIDDEN_ADDRESS = "forbidden_address", gettext_lazy("forbidden address (not public)")
    HTTP_STATUS = "http_status", gettext_lazy("unsuccessful HTTP status")
    PROTOCOL = "protocol", gettext_lazy("invalid HTTP answer")
    CONNECTION = "connection", gettext_lazy("connection failed")
    INVALID_URL = "invalid_url", gettext_lazy("invalid URL")
    ERROR = "error", gettext_lazy("unexpected error")


class OutboundRefused(DomainError):
    """The URL may not be called: its host does not resolve, or resolves (also) to an
    address outside the public internet. A `DomainError` so that a form shows it."""

    code = "outbound_refused"
    field = "url"

    def __init__(self, message: str, *, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


class UnsuccessfulStatus(Exception):
    """The server answered, with a status outside 2xx (a redirect included)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (IPv4-mapped, 6to4, Teredo, NAT64), if
    any: `::ffff:127.0.0.1` reaches 127.0.0.1 and must be judged as such."""
    if address.version == 4:
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_forbidden(address: IPAddress) -> bool:
    """True for anything but a public unicast address: loopback, private, link-local,
    multicast, reserved, unspecified, shared (100.64/10), site-local, unique local,
    and the IPv6 forms that embed one of them."""
    embedded = embedded_ipv4(address)
    if embedded is not None and is_forbidden(embedded):
        return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (address.version == 6 and address.is_site_local)
        or any(address in network for network in _ALWAYS_FORBIDDEN)
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def resolve(host: str, port: int, *, allow_private: bool = False) -> list[str]:
    """Every address `host` resolves to, after checking that each one is public.

    Raises `OutboundRefused` when the name does not resolve or when ANY of its
    addresses is forbidden (a name with one public and one private address could be
    steered to the private one). `allow_private` lifts the address check only (local
    development and tests that run a receiver on 127.0.0.1)."""
    literal = _literal(host)
    if literal is not None:
        candidates = [literal]
    else:
        try:
            answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError, OSError):
            answers = []
        candidates = []
        for _family, _type, _proto, _canonname, sockaddr in answers:
            # An IPv6 sockaddr may carry a scope ("fe80::1%eth0"): keep the address.
            address = _literal(str(sockaddr[0]).split("%", 1)[0])
            if address is not None and address not in candidates:
                candidates.append(address)
        if not candidates:
            raise OutboundRefused(
                _("The host name %(host)s cannot be resolved.") % {"host": host},
                failure=Failure.DNS,
            )
    if not allow_private:
        for address in candidates:
            if is_forbidden(address):
                raise OutboundRefused(
                    _(
                        "%(host)s resolves to %(address)s, which is not a public internet "
                        "address (loopback, private, link-local, multicast, reserved…): "
                        "Relais only calls systems that are reachable from the internet."
                    )
                    % {"host": host, "address": address},
                    failure=Failure.FORBIDDEN_ADDRESS,
                )
    return [str(address) for address in candidates]


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse(url: str, *, allow_http: bool) -> Target:
    """The parts of an http(s) URL; anything else is refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or not parts.hostname:
        raise OutboundRefused(_("This URL is not valid."), failure=Failure.INVALID_URL)
    if parts.scheme != "https" and not (parts.scheme == "http" and allow_http):
        raise OutboundRefused(_("The webhook URL must use https."), failure=Failure.INVALID_URL)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (443 if parts.scheme == "https" else 80),
        path=path,
    )


def check_url(url: str, *, allow_http: bool) -> Target:
    """Registration-time check: the URL is http(s) and its host resolves, today, to
    public addresses only. Checked again at every request (`post`)."""
    target = parse(url, allow_http=allow_http)
    resolve(target.host, target.port, allow_private=allow_private_addresses())
    return target


def allow_private_addresses() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False))


def _connect(addresses: list[str], port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first checked address that answers — never to a name."""
    last_error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as error:
            last_error = error
    assert last_error is not None  # resolve() never returns an empty list
    raise last_error


class PinnedHTTPConnection(http.client.HTTPConnection):
    """Talks to `host` (Host header) over a connection to one of `addresses`."""

    def __init__(self, host: str, port: int, *, addresses: list[str], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self.pinned_addresses, self.port, self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As `PinnedHTTPConnection`, with TLS: SNI and the certificate check use `host`,
    the name of the URL, not the address connected to."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: list[str],
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.pinned_addresses = addresses
        self.tls_context = context

    def connect(self) -> None:
        sock = _connect(self.pinned_addresses, self.port, self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock = self.tls_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def tls_context() -> ssl.SSLContext:
    """Certificates verified against the system's authorities, host name checked."""
    return ssl.create_default_context()


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    allow_http: bool,
) -> int:
    """POST `body` to `url` through the guard; returns the 2xx status.

    Raises `OutboundRefused` (forbidden address, DNS), `UnsuccessfulStatus` (any other
    status, redirects included: never followed) or the connection's own `OSError` /
    `http.client.HTTPException` — `classify` turns any of them into a `Failure`."""
    target = parse(url, allow_http=allow_http)
    addresses = resolve(target.host, target.port, allow_private=allow_private_addresses())
    if target.scheme == "https":
        connection: http.client.HTTPConnection = PinnedHTTPSConnection(
            target.host, target.port, addresses=addresses, timeout=timeout, context=tls_context()
        )
    else:
        connection = PinnedHTTPConnection(
            target.host, target.port, addresses=addresses, timeout=timeout
        )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        answer = connection.getresponse()
        status = answer.status
        # What the partner answers is not read: a few bytes keep the connection polite.
        answer.read(1024)
    finally:
        connection.close()
    if not 200 <= status < 300:
        raise UnsuccessfulStatus(status)
    return status


def classify(error: BaseException) -> Failure:
    """The failure class of an exception raised by `post` (order matters: TLS and
    timeout errors are `OSError`s too)."""
    if isinstance(error, OutboundRefused):
        return error.failure
    if isinstance(error, UnsuccessfulStatus):
        return Failure.HTTP_STATUS
    if isinstance(error, ssl.SSLError):
        return Failure.TLS
    if isinstance(error, TimeoutError):
        return Failure.TIMEOUT
    if isinstance(error, ConnectionRefusedError):
        return Failure.REFUSED
    if isinstance(error, socket.gaierror):
        return Failure.DNS
    if isinstance(error, http.client.HTTPException):
        return Failure.PROTOCOL
    if isinstance(error, OSError):
        return Failure.CONNECTION
    return Failure.ERROR


def failure_label(value: str, status: int | None = None) -> str:
    """What a delivery log shows for a stored failure value (next to the HTTP status, if
    any); a value from before the classes existed (raw error text) is shown as a generic
    failure, never as is."""
    if value == Failure.HTTP_STATUS and status is not None and 300 <= status < 400:
        return _("redirect not followed")
    try:
        return str(Failure(value).label)
    except ValueError:
        return str(Failure.CONNECTION.label)
