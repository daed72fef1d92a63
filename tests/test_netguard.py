"""core.netguard: outbound HTTP reaches public addresses only, connects to the address
it checked, and keeps the host name for the Host header, TLS SNI and the certificate.

The endpoint tests (webhook registration and delivery) are in tests/api/test_webhooks.py;
these pin the address classes and the TLS behaviour. No test asks a real DNS."""

import http.client
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import netguard
from tests import fake_dns


@pytest.fixture
def dns(monkeypatch) -> fake_dns.FakeDNS:
    return fake_dns.install(monkeypatch)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "::1",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",
        "0.1.2.3",
        "::",
        "224.0.0.251",
        "239.255.255.250",
        "ff05::1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.0.8",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "fc00::1",
        "fdff::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "feff::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::a00:1",
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo (2001::/32)
        "2001:db8::1",  # documentation
        "100::1",  # discard-only
    ],
)
def test_forbidden_addresses(address):
    assert netguard.is_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [fake_dns.PUBLIC, fake_dns.PUBLIC_V6, "1.1.1.1", "8.8.8.8", "2606:4700:4700::1111"],
)
def test_public_addresses(address):
    assert not netguard.is_forbidden(ipaddress.ip_address(address))


def test_ipv4_mapped_public_address_is_judged_by_its_ipv4(dns):
    # ::ffff:0:0/96 is not "global" for ipaddress, whatever it carries: refused too.
    assert netguard.is_forbidden(ipaddress.ip_address("::ffff:8.8.8.8"))


@pytest.mark.parametrize(
    "host", ["2130706433", "0x7f.1", "0177.0.0.1", "127.1", "017700000001", "[::ffff:7f00:1]"]
)
def test_other_spellings_of_loopback_are_resolved_then_refused(dns, host):
    """The URL validator already rejects most of these; the guard does not rely on it:
    it judges what the system's resolver makes of the name."""
    with pytest.raises(netguard.OutboundRefused) as refused:
        netguard.resolve(host.strip("[]"), 80)
    assert refused.value.failure in {netguard.Failure.FORBIDDEN_ADDRESS, netguard.Failure.DNS}
    if host in {"2130706433", "127.1", "[::ffff:7f00:1]"}:
        assert refused.value.failure == netguard.Failure.FORBIDDEN_ADDRESS


def test_resolve_answers_every_checked_address(dns):
    dns.set("hooks.partner.example", fake_dns.PUBLIC, fake_dns.PUBLIC_V6, fake_dns.PUBLIC)
    assert netguard.resolve("hooks.partner.example", 443) == [fake_dns.PUBLIC, fake_dns.PUBLIC_V6]


def test_private_addresses_allowed_only_by_the_setting(settings, dns):
    dns.set("intranet.example", "10.0.0.1")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(netguard.OutboundRefused):
        netguard.check_url("https://intranet.example/", allow_http=False)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    target = netguard.check_url("https://intranet.example/", allow_http=False)
    assert (target.host, target.port) == ("intranet.example", 443)


def test_the_setting_is_off_by_default():
    from django.conf import settings

    assert settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES is False


@pytest.mark.parametrize(
    ("error", "failure"),
    [
        (TimeoutError("timed out"), "timeout"),
        (ConnectionRefusedError(111, "Connection refused"), "refused"),
        (ssl.SSLCertVerificationError("certificate verify failed"), "tls"),
        (ssl.SSLError("wrong version number"), "tls"),
        (socket.gaierror(-2, "Name or service not known"), "dns"),
        (http.client.RemoteDisconnected("Remote end closed connection"), "protocol"),
        (ConnectionResetError(104, "Connection reset by peer"), "connection"),
        (netguard.UnsuccessfulStatus(302), "http_status"),
        (ValueError("anything else"), "error"),
    ],
)
def test_failures_are_classified(error, failure):
    assert netguard.classify(error) == failure


def test_labels():
    assert netguard.failure_label("http_status", 302) == "redirection non suivie"
    assert netguard.failure_label("http_status", 500) == "statut HTTP en échec"
    assert netguard.failure_label("timeout") == "délai dépassé"
    assert netguard.failure_label("[Errno 111] Connection refused") == "échec de la connexion"


# --- TLS: connect to the checked address, verify the certificate for the host name ---


def _certificate(tmp_path, name: str):
    """A self-signed certificate for `name` (openssl: the standard library cannot make
    one)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={name}",
            "-addext",
            f"subjectAltName=DNS:{name}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class _Ok(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.server.hosts.append(self.headers["Host"])
        self.send_response(204)
        self.end_headers()

    def log_message(self, format, *args) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path):
    """An https server on 127.0.0.1 with a certificate for hooks.partner.example; it
    records the SNI name each client sent."""
    cert, key = _certificate(tmp_path, "hooks.partner.example")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    server.daemon_threads = True
    server.hosts, server.sni = [], []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: server.sni.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.cert = cert
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def trust(monkeypatch):
    def install(cert):
        def context():
            ctx = ssl.create_default_context()
            ctx.load_verify_locations(cert)
            return ctx

        monkeypatch.setattr(netguard, "tls_context", context)

    return install


def test_https_goes_to_the_checked_address_with_the_host_name_for_sni_and_certificate(
    settings, dns, tls_server, trust
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    trust(tls_server.cert)
    dns.set("hooks.partner.example", "127.0.0.1")
    port = tls_server.server_address[1]

    status = netguard.post(
        f"https://hooks.partner.example:{port}/in",
        body=b"{}",
        headers={"Content-Type": "application/json"},
        timeout=5,
        allow_http=False,
    )

    assert status == 204
    assert tls_server.sni == ["hooks.partner.example"]
    assert tls_server.hosts == [f"hooks.partner.example:{port}"]


def test_a_certificate_for_another_name_is_a_tls_failure(settings, dns, tls_server, trust):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    trust(tls_server.cert)
    dns.set("other.partner.example", "127.0.0.1")
    port = tls_server.server_address[1]

    with pytest.raises(ssl.SSLError) as failure:
        netguard.post(
            f"https://other.partner.example:{port}/in",
            body=b"{}",
            headers={},
            timeout=5,
            allow_http=False,
        )
    assert netguard.classify(failure.value) == netguard.Failure.TLS
    assert tls_server.hosts == []


def test_an_untrusted_certificate_is_a_tls_failure(settings, dns, tls_server):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    dns.set("hooks.partner.example", "127.0.0.1")
    port = tls_server.server_address[1]

    with pytest.raises(ssl.SSLError):
        netguard.post(
            f"https://hooks.partner.example:{port}/in",
            body=b"{}",
            headers={},
            timeout=5,
            allow_http=False,
        )
    assert tls_server.hosts == []
