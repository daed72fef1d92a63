"""Webhooks: referral events POSTed to a partner's system, signed, retried with backoff.

A real HTTP server on 127.0.0.1 (a random port, in a thread) stands in for the partner's
system and checks the signature the way a partner must: HMAC-SHA256 of the raw body with
the endpoint's secret. Deliveries are queued with `transaction.on_commit`, so every
transition runs inside `django_capture_on_commit_callbacks(execute=True)`.

Relais refuses private addresses (tests/api/test_webhook_ssrf.py): these tests, whose
receiver listens on 127.0.0.1, lift that guard with WEBHOOK_ALLOW_PRIVATE_ADDRESSES, and
no test asks a real DNS (tests/fake_dns.py)."""

import hashlib
import hmac
import io
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.enums import Role
from core import netguard
from core.exceptions import NotAllowed
from referrals import services, webhooks
from referrals.models import WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint
from tests import fake_dns
from tests.factories import member
from tests.referrals.referral_helpers import PHONE, make_scene, send_referral

pytestmark = pytest.mark.django_db


class PartnerSystem(ThreadingHTTPServer):
    """Records every delivery; answers with the next status of `answers` (the last one
    repeats), or 401 when the signature does not match the endpoint's secret."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.secret = ""
        self.answers = [200]
        self.location = ""
        self.received: list[dict] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/relais"

    def next_answer(self) -> int:
        with self.lock:
            return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


class _Handler(BaseHTTPRequestHandler):
    server: PartnerSystem

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        digest = hmac.new(self.server.secret.encode(), body, hashlib.sha256).hexdigest()
        expected = f"sha256={digest}"
        signed = hmac.compare_digest(expected, self.headers.get("X-Relais-Signature", ""))
        with self.server.lock:
            self.server.received.append(
                {"headers": dict(self.headers), "body": body, "signed": signed}
            )
        code = self.server.next_answer() if signed else 401
        self.send_response(code)
        if 300 <= code < 400:
            self.send_header("Location", self.server.location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args) -> None:
        pass  # quiet


@pytest.fixture
def partner_system():
    server = PartnerSystem()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def scene():
    return make_scene(dest_kind="partner")


@pytest.fixture
def dns(monkeypatch) -> fake_dns.FakeDNS:
    return fake_dns.install(monkeypatch)


@pytest.fixture
def endpoint(settings, scene, partner_system, dns):
    """The destination's admin registers the partner system's URL (plain http, on
    127.0.0.1: tests only)."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    admin = member(scene.dest_org, Role.ORG_ADMIN)
    endpoint = webhooks.endpoint_create(
        actor=admin, organization=scene.dest_org, url=partner_system.url
    )
    partner_system.secret = endpoint.secret
    endpoint.admin = admin
    return endpoint


def _send(scene, capture):
    with capture(execute=True):
        return send_referral(scene)


def _accept(scene, referral, capture):
    with capture(execute=True):
        return services.referral_accept(actor=scene.fresh("handler"), referral=referral)


def test_each_transition_is_posted_signed_and_without_personal_data(
    scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    referral = _send(scene, django_capture_on_commit_callbacks)
    _accept(scene, referral, django_capture_on_commit_callbacks)

    assert len(partner_system.received) == 2
    sent, accepted = partner_system.received
    assert sent["signed"] and accepted["signed"]
    payload = json.loads(accepted["body"])
    assert payload["event"] == "referral.accepted"
    assert payload["referral"]["id"] == referral.pk
    assert payload["referral"]["status"] == "accepted"
    assert payload["referral"]["to_organization"] == scene.dest_org.pk
    assert payload["referral"]["url"].endswith(f"/api/v1/referrals/{referral.pk}/")
    assert accepted["headers"]["X-Relais-Event"] == "referral.accepted"
    assert accepted["headers"]["Content-Type"] == "application/json"
    assert json.loads(sent["body"])["event"] == "referral.sent"
    # Identifiers and statuses only: the partner reads the rest with its token.
    for delivery in partner_system.received:
        raw = delivery["body"].decode()
        for personal in ("Yanis", "Martin", "yanis.martin@example.org", PHONE):
            assert personal not in raw
        assert set(json.loads(raw)) == {"event", "occurred_at", "referral"}

    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint).order_by("pk")
    assert [d.status for d in deliveries] == [WebhookDeliveryStatus.SUCCEEDED] * 2
    assert [d.attempts for d in deliveries] == [1, 1]
    assert all(d.last_status_code == 200 and d.delivered_at for d in deliveries)
    assert deliveries[1].payload == payload


def test_the_signature_is_hmac_sha256_of_the_raw_body(
    scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    _send(scene, django_capture_on_commit_callbacks)

    (delivery,) = partner_system.received
    digest = hmac.new(endpoint.secret.encode(), delivery["body"], hashlib.sha256).hexdigest()
    assert delivery["headers"]["X-Relais-Signature"] == f"sha256={digest}"
    assert len(endpoint.secret) == 64


def test_a_wrong_secret_is_a_failed_attempt(
    scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    partner_system.secret = "not-the-endpoint-secret"

    _send(scene, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.last_status_code == 401


def test_failures_are_retried_with_backoff_then_given_up(
    scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    partner_system.answers = [500]

    before = timezone.now()
    _send(scene, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code == 500
    assert delivery.delivered_at is None
    # First retry one minute later.
    expected = before + timedelta(minutes=1)
    assert expected <= delivery.next_attempt_at <= timezone.now() + timedelta(minutes=1)

    # Not due yet: nothing is retried.
    assert webhooks.retry_due() == 0
    assert len(partner_system.received) == 1

    # Due: attempt 2, and the next wait doubles.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    before = timezone.now()
    assert webhooks.retry_due() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert before + timedelta(minutes=2) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + timedelta(minutes=2)
    assert len(partner_system.received) == 2

    # Every later failure until MAX_ATTEMPTS, then Relais gives up.
    for _attempt in range(webhooks.MAX_ATTEMPTS - 2):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        )
        webhooks.retry_due()
    delivery.refresh_from_db()
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert len(partner_system.received) == webhooks.MAX_ATTEMPTS
    # A failed delivery is never tried again.
    assert webhooks.retry_due() == 0


def test_a_retry_that_gets_through_succeeds(
    scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    partner_system.answers = [503, 200]
    _send(scene, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.PENDING

    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    out = io.StringIO()
    call_command("retry_webhooks", stdout=out)
    assert "1" in out.getvalue()

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2
    assert delivery.last_status_code == 200
    assert delivery.next_attempt_at is None
    assert delivery.delivered_at is not None


def test_an_unreachable_endpoint_is_retried_later(
    settings, scene, dns, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    closed = PartnerSystem()
    url = closed.url
    closed.server_close()  # nobody listens on that port any more
    admin = member(scene.dest_org, Role.ORG_ADMIN)
    endpoint = webhooks.endpoint_create(actor=admin, organization=scene.dest_org, url=url)

    _send(scene, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "refused"  # the class, not "[Errno 111] Connection…"
    assert delivery.next_attempt_at is not None


def test_the_delivery_log_lists_deliveries_for_the_org_admin(
    client, scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    partner_system.answers = [500]
    referral = _send(scene, django_capture_on_commit_callbacks)
    url = reverse("referrals:webhook_deliveries", args=[endpoint.pk])

    client.force_login(endpoint.admin)
    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "referral.sent" in page
    assert f"(#{referral.pk})" in page
    assert ">500" in page
    assert endpoint.url in page

    # Nobody else: another organisation's admin, or a member of the same one.
    client.force_login(member(scene.sender_org, Role.ORG_ADMIN))
    assert client.get(url).status_code == 404
    client.force_login(scene.fresh("dest_supervisor"))
    assert client.get(url).status_code == 404


def test_only_an_org_admin_registers_an_endpoint(settings, scene):
    settings.WEBHOOK_ALLOW_HTTP = True
    with pytest.raises(NotAllowed):
        webhooks.endpoint_create(
            actor=scene.fresh("dest_supervisor"),
            organization=scene.dest_org,
            url="https://partner.example/hooks",
        )


def test_production_endpoints_must_use_https(settings, scene, dns):
    dns.set("partner.example", fake_dns.PUBLIC)
    settings.WEBHOOK_ALLOW_HTTP = False
    admin = member(scene.dest_org, Role.ORG_ADMIN)
    with pytest.raises(NotAllowed):
        webhooks.endpoint_create(
            actor=admin, organization=scene.dest_org, url="http://partner.example/hooks"
        )
    endpoint = webhooks.endpoint_create(
        actor=admin, organization=scene.dest_org, url="https://partner.example/hooks"
    )
    assert endpoint.is_active


def test_an_inactive_endpoint_receives_nothing(
    scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    webhooks.endpoint_set_active(actor=endpoint.admin, endpoint=endpoint, is_active=False)

    _send(scene, django_capture_on_commit_callbacks)

    assert partner_system.received == []
    assert not WebhookDelivery.objects.filter(endpoint=endpoint).exists()


# --- Webhooks stay outside (server-side request forgery) -------------------------------

# One address of every class that is not the public internet, IPv4 and IPv6.
FORBIDDEN = [
    "127.0.0.1",  # loopback
    "127.8.9.10",
    "::1",
    "10.1.2.3",  # private
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # link-local: the cloud metadata service
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "0.0.0.0",  # unspecified
    "::",
    "224.0.0.1",  # multicast
    "ff02::1",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "fc00::1",  # unique local (fc00::/7)
    "fd12:3456::1",
    "fe80::1",  # link-local
    "fec0::1",  # site-local
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
]


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


@pytest.fixture
def admin(scene):
    return member(scene.dest_org, Role.ORG_ADMIN)


@pytest.fixture
def no_connection(monkeypatch):
    """Any TCP connection attempt fails the test: a forbidden target is never reached."""
    attempts = []

    def refuse(address, *args, **kwargs):
        attempts.append(address)
        raise AssertionError(f"connected to {address}")

    monkeypatch.setattr("socket.create_connection", refuse)
    return attempts


@pytest.mark.parametrize("address", FORBIDDEN)
def test_registration_refuses_a_forbidden_address_literal(settings, scene, admin, dns, address):
    settings.WEBHOOK_ALLOW_HTTP = True  # the scheme is not what refuses these
    for url in (f"https://{_bracketed(address)}/hooks", f"http://{_bracketed(address)}:8080/x"):
        with pytest.raises(netguard.OutboundRefused) as refused:
            webhooks.endpoint_create(actor=admin, organization=scene.dest_org, url=url)
        assert refused.value.failure == netguard.Failure.FORBIDDEN_ADDRESS
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("address", FORBIDDEN)
def test_registration_refuses_a_public_name_that_resolves_to_a_forbidden_address(
    scene, admin, dns, address
):
    dns.set("hooks.partner.example", address)
    with pytest.raises(netguard.OutboundRefused) as refused:
        webhooks.endpoint_create(
            actor=admin, organization=scene.dest_org, url="https://hooks.partner.example/in"
        )
    assert refused.value.failure == netguard.Failure.FORBIDDEN_ADDRESS
    assert "hooks.partner.example" in refused.value.message
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "answer",
    [
        [fake_dns.PUBLIC, "10.0.0.5"],
        ["10.0.0.5", fake_dns.PUBLIC],
        [fake_dns.PUBLIC_V6, "::1"],
        [fake_dns.PUBLIC, "fe80::1"],
    ],
)
def test_every_address_of_a_name_is_checked(scene, admin, dns, answer):
    dns.set("hooks.partner.example", *answer)
    with pytest.raises(netguard.OutboundRefused):
        webhooks.endpoint_create(
            actor=admin, organization=scene.dest_org, url="https://hooks.partner.example/in"
        )


def test_a_public_name_is_accepted(scene, admin, dns, no_connection):
    dns.set("hooks.partner.example", fake_dns.PUBLIC, fake_dns.PUBLIC_V6)
    endpoint = webhooks.endpoint_create(
        actor=admin, organization=scene.dest_org, url="https://hooks.partner.example/in"
    )
    assert endpoint.is_active
    assert no_connection == []  # registration resolves, it does not call


@pytest.mark.parametrize(
    "url",
    [
        "https://does-not-exist.example/in",  # nothing resolves it
        "ftp://hooks.partner.example/in",  # neither http nor https
    ],
)
def test_other_ways_in_are_refused(settings, scene, admin, dns, url):
    settings.WEBHOOK_ALLOW_HTTP = True
    dns.set("hooks.partner.example", fake_dns.PUBLIC)
    with pytest.raises(netguard.OutboundRefused):
        webhooks.endpoint_create(actor=admin, organization=scene.dest_org, url=url)
    assert not WebhookEndpoint.objects.exists()


def test_the_form_says_why_in_french(client, scene, admin, dns):
    dns.set("intranet.partenaire.example", "192.168.10.20")
    client.force_login(admin)

    response = client.post(
        reverse("referrals:webhooks"), {"url": "https://intranet.partenaire.example/hooks"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["url"]
    assert errors == [
        "intranet.partenaire.example correspond à l'adresse 192.168.10.20, qui n'est pas une "
        "adresse publique d'internet (boucle locale, réseau privé, lien local, multicast, "
        "réservée…) : Relais n'appelle que des systèmes joignables depuis internet."
    ]
    assert not WebhookEndpoint.objects.exists()

    response = client.post(
        reverse("referrals:webhooks"), {"url": "https://inconnu.partenaire.example/hooks"}
    )
    assert response.context["form"].errors["url"] == [
        "Le nom d'hôte inconnu.partenaire.example est introuvable."
    ]


@pytest.fixture
def public_endpoint(settings, scene, admin, dns):
    """Registered while its name resolves to a public address."""
    settings.WEBHOOK_ALLOW_HTTP = True
    dns.set("hooks.partner.example", fake_dns.PUBLIC)
    return webhooks.endpoint_create(
        actor=admin, organization=scene.dest_org, url="http://hooks.partner.example/in"
    )


@pytest.mark.parametrize("address", FORBIDDEN)
def test_delivery_refuses_a_name_that_now_resolves_to_a_forbidden_address(
    scene, public_endpoint, dns, no_connection, django_capture_on_commit_callbacks, address
):
    dns.set("hooks.partner.example", fake_dns.PUBLIC, address)

    _send(scene, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(endpoint=public_endpoint)
    assert no_connection == []
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error == "forbidden_address"


def test_delivery_connects_to_the_address_it_checked(
    monkeypatch, scene, public_endpoint, dns, django_capture_on_commit_callbacks
):
    """DNS rebinding: the name answers a public address to the check, then 127.0.0.1 to
    whoever asks again. Relais does not ask again: it connects to the checked address."""
    dns.sequence("hooks.partner.example", [fake_dns.PUBLIC], ["127.0.0.1"])
    connected = []

    def record(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr("socket.create_connection", record)
    dns.queries.clear()

    _send(scene, django_capture_on_commit_callbacks)

    assert dns.queries == ["hooks.partner.example"]  # one resolution per delivery
    assert connected == [(fake_dns.PUBLIC, 80)]
    delivery = WebhookDelivery.objects.get(endpoint=public_endpoint)
    assert delivery.last_error == "refused"


def test_the_pinned_connection_keeps_the_host_name(
    settings, scene, admin, dns, partner_system, django_capture_on_commit_callbacks
):
    """The TCP connection goes to the resolved address; the request still names the host."""
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    dns.set("hooks.partner.example", "127.0.0.1")
    port = partner_system.server_address[1]
    endpoint = webhooks.endpoint_create(
        actor=admin,
        organization=scene.dest_org,
        url=f"http://hooks.partner.example:{port}/in?source=relais",
    )
    partner_system.secret = endpoint.secret

    _send(scene, django_capture_on_commit_callbacks)

    (received,) = partner_system.received
    assert received["signed"]
    assert received["headers"]["Host"] == f"hooks.partner.example:{port}"
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == "succeeded"


def test_a_redirect_is_not_followed(
    settings, scene, endpoint, partner_system, django_capture_on_commit_callbacks, client
):
    elsewhere = PartnerSystem()
    thread = threading.Thread(target=elsewhere.serve_forever, daemon=True)
    thread.start()
    try:
        partner_system.answers = [302]
        partner_system.location = elsewhere.url

        _send(scene, django_capture_on_commit_callbacks)

        assert len(partner_system.received) == 1
        assert elsewhere.received == []
    finally:
        elsewhere.shutdown()
        elsewhere.server_close()
        thread.join(timeout=5)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.last_status_code == 302
    assert delivery.last_error == "http_status"

    client.force_login(endpoint.admin)
    page = client.get(reverse("referrals:webhook_deliveries", args=[endpoint.pk]))
    assert "302 — redirection non suivie" in page.content.decode()


@pytest.fixture
def silent_server():
    """Accepts connections (the kernel's backlog) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    yield listener.getsockname()[1]
    listener.close()


@pytest.mark.parametrize(
    ("case", "failure", "label"),
    [
        ("timeout", "timeout", "délai dépassé"),
        ("refused", "refused", "connexion refusée"),
        ("tls", "tls", "erreur TLS (certificat ou négociation)"),
        ("dns", "dns", "nom d'hôte introuvable"),
        ("forbidden", "forbidden_address", "adresse interdite (non publique)"),
        ("status", "http_status", "statut HTTP en échec"),
    ],
)
def test_the_delivery_log_shows_a_failure_class_not_the_raw_error(
    settings,
    client,
    scene,
    admin,
    dns,
    partner_system,
    silent_server,
    django_capture_on_commit_callbacks,
    case,
    failure,
    label,
):
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    dns.set("hooks.partner.example", "127.0.0.1")
    closed = PartnerSystem()
    closed_port = closed.server_address[1]
    closed.server_close()
    port = {
        "timeout": silent_server,
        "refused": closed_port,
        "tls": partner_system.server_address[1],  # https to a plain http server
    }.get(case, partner_system.server_address[1])
    scheme = "https" if case == "tls" else "http"
    endpoint = webhooks.endpoint_create(
        actor=admin,
        organization=scene.dest_org,
        url=f"{scheme}://hooks.partner.example:{port}/in",
    )
    partner_system.answers = [503]  # "status"; the secret is wrong anyway (401)
    if case == "dns":
        dns.set("hooks.partner.example")  # the name stopped resolving
    if case == "forbidden":
        settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False

    _send(scene, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert delivery.last_error == failure
    client.force_login(admin)
    page = client.get(reverse("referrals:webhook_deliveries", args=[endpoint.pk]))
    content = page.content.decode()
    assert escape(label) in content
    for raw in ("Errno", "errno", "refused", "timed out", "SSL", "Name or service", "127.0.0.1"):
        assert raw not in content


def test_an_old_raw_error_is_not_shown(client, endpoint, partner_system, scene):
    referral = send_referral(scene)  # outside capture: nothing is delivered
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event__referral=referral)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        last_error="[Errno 111] Connection refused to 10.0.0.7:5432"
    )
    client.force_login(endpoint.admin)
    page = client.get(reverse("referrals:webhook_deliveries", args=[endpoint.pk]))
    content = page.content.decode()
    assert "Errno" not in content and "10.0.0.7" not in content
    assert "échec de la connexion" in content


def test_the_secret_is_shown_once(client, scene, admin, dns):
    dns.set("hooks.partner.example", fake_dns.PUBLIC)
    client.force_login(admin)

    response = client.post(
        reverse("referrals:webhooks"), {"url": "https://hooks.partner.example/in"}, follow=True
    )

    endpoint = WebhookEndpoint.objects.get()
    first = response.content.decode()
    assert endpoint.secret in first
    assert "il n'est affiché qu'une fois" in first

    again = client.get(reverse("referrals:webhook_deliveries", args=[endpoint.pk]))
    later = again.content.decode()
    assert endpoint.secret not in later
    assert endpoint.secret[:8] not in later
    assert f"…{endpoint.secret[-4:]}" in later
    assert endpoint.secret not in client.get(reverse("referrals:webhooks")).content.decode()


def test_the_secret_is_not_shown_to_another_admin_after_creation(client, scene, admin, dns):
    dns.set("hooks.partner.example", fake_dns.PUBLIC)
    client.force_login(admin)
    client.post(reverse("referrals:webhooks"), {"url": "https://hooks.partner.example/in"})
    endpoint = WebhookEndpoint.objects.get()

    client.force_login(member(scene.dest_org, Role.ORG_ADMIN))
    page = client.get(reverse("referrals:webhook_deliveries", args=[endpoint.pk]))
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()


def test_a_failing_delivery_never_fails_the_users_request(
    monkeypatch, client, scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    def explode(*args, **kwargs):
        raise RuntimeError("a bug in the delivery code")

    monkeypatch.setattr(webhooks, "_post", explode)
    referral = _send(scene, django_capture_on_commit_callbacks)
    client.force_login(scene.fresh("handler"))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referrals:accept", args=[referral.pk]), {"note": "OK"})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert {d.last_error for d in deliveries} == {"error"}
    assert all(d.status == WebhookDeliveryStatus.PENDING for d in deliveries)


def test_a_queue_that_refuses_the_task_never_fails_the_users_request(
    monkeypatch, client, scene, endpoint, partner_system, django_capture_on_commit_callbacks
):
    referral = _send(scene, django_capture_on_commit_callbacks)

    def broken_queue(*args, **kwargs):
        raise ConnectionError("the task queue is down")

    client.force_login(scene.fresh("handler"))
    with monkeypatch.context() as patched:
        patched.setattr(webhooks, "deliver_webhook", SimpleNamespace(enqueue=broken_queue))
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("referrals:accept", args=[referral.pk]), {"note": "OK"})

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "accepted"
    # Not lost: the delivery waits for `retry_webhooks`.
    waiting = WebhookDelivery.objects.get(endpoint=endpoint, event__to_status="accepted")
    assert waiting.attempts == 0
    assert waiting.next_attempt_at is not None
    WebhookDelivery.objects.filter(pk=waiting.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    assert webhooks.retry_due() == 1
    waiting.refresh_from_db()
    assert waiting.status == WebhookDeliveryStatus.SUCCEEDED
