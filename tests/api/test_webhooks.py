"""Webhooks: referral events POSTed to a partner's system, signed, retried with backoff.

A real HTTP server on 127.0.0.1 (a random port, in a thread) stands in for the partner's
system and checks the signature the way a partner must: HMAC-SHA256 of the raw body with
the endpoint's secret. Deliveries are queued with `transaction.on_commit`, so every
transition runs inside `django_capture_on_commit_callbacks(execute=True)`."""

import hashlib
import hmac
import io
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from core.exceptions import NotAllowed
from referrals import services, webhooks
from referrals.models import WebhookDelivery, WebhookDeliveryStatus
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
def endpoint(settings, scene, partner_system):
    """The destination's admin registers the partner system's URL (plain http: tests)."""
    settings.WEBHOOK_ALLOW_HTTP = True
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
    settings, scene, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_HTTP = True
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
    assert delivery.last_error
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


def test_production_endpoints_must_use_https(settings, scene):
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
