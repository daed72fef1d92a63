"""Referral events POSTed to partner systems, signed with HMAC-SHA256, retried with
exponential backoff through the tasks framework.

Every request goes through `core.netguard`: the endpoint's host must resolve to public
internet addresses only, at registration and again at each delivery, and the connection
goes to the address checked (no DNS rebinding); redirects are not followed. The delivery
log keeps a failure class (`netguard.Failure`), never the raw socket error.

Deliveries never run inside a user's request in production: they are queued with
`transaction.on_commit` on the tasks framework, run by `manage.py db_worker` when
TASKS_BACKEND is django_tasks_db's (README). With the default immediate backend they run
after the commit, in the same thread: a delivery that fails, however it fails, is
recorded on the delivery and never reaches the user's request (`robust=True`).

Payloads carry identifiers and statuses only, no personal data: the partner system reads
what it may through the API, with its token."""

import hashlib
import hmac
import json
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.tasks import default_task_backend, task
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Organization, User
from accounts.selectors import role_in
from core import netguard
from core.exceptions import NotAllowed
from referrals.models import (
    ReferralEvent,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from referrals.workflow import webhook_event

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Relais-Signature"
MAX_ATTEMPTS = 8


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def backoff(attempts: int) -> timedelta:
    """1 min, 2, 4, 8 … capped at 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _require_admin(actor: User, organization: Organization) -> None:
    if role_in(actor, organization.pk) != Role.ORG_ADMIN:
        raise NotAllowed(_("Only an administrator of this organisation manages its webhooks."))


@transaction.atomic
def endpoint_create(*, actor: User, organization: Organization, url: str) -> WebhookEndpoint:
    _require_admin(actor, organization)
    endpoint = WebhookEndpoint(
        organization=organization,
        url=url.strip(),
        secret=secrets.token_hex(32),
        created_by=actor,
    )
    endpoint.full_clean()
    if not endpoint.url.startswith("https://") and not settings.WEBHOOK_ALLOW_HTTP:
        raise NotAllowed(_("The webhook URL must use https."))
    # Resolved now to refuse a private target at once; resolved again at each delivery.
    netguard.check_url(endpoint.url, allow_http=settings.WEBHOOK_ALLOW_HTTP)
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_set_active(*, actor: User, endpoint: WebhookEndpoint, is_active: bool):
    _require_admin(actor, endpoint.organization)
    endpoint.is_active = is_active
    endpoint.save(update_fields=["is_active"])
    return endpoint


def payload_for(event: ReferralEvent) -> dict:
    referral = event.referral
    return {
        "event": webhook_event(event.to_status),
        "occurred_at": event.at,
        "referral": {
            "id": referral.pk,
            "status": referral.status,
            "from_organization": referral.from_organization_id,
            "to_organization": referral.to_organization_id,
            "url": f"{settings.RELAIS_BASE_URL}/api/v1/referrals/{referral.pk}/",
        },
    }


def on_event(event: ReferralEvent) -> None:
    """Queue one delivery per active endpoint of either organisation of the referral."""
    referral = event.referral
    endpoints = WebhookEndpoint.objects.filter(
        Q(organization_id=referral.from_organization_id)
        | Q(organization_id=referral.to_organization_id),
        is_active=True,
    )
    payload = json.loads(json.dumps(payload_for(event), cls=DjangoJSONEncoder))
    deliveries = WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event=event, payload=payload) for e in endpoints]
    )
    for delivery in deliveries:
        delivery_id = delivery.pk
        # robust: a queue that fails to take the task must not fail the user's request;
        # the delivery stays pending and `retry_webhooks` picks it up.
        transaction.on_commit(lambda pk=delivery_id: _enqueue(pk), robust=True)


def _enqueue(delivery_id: int) -> None:
    try:
        deliver_webhook.enqueue(delivery_id)
    except Exception:
        logger.exception("Webhook delivery %s could not be queued.", delivery_id)
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=WebhookDeliveryStatus.PENDING, next_attempt_at=None
        ).update(next_attempt_at=timezone.now())


def _post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> int:
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    return netguard.post(
        endpoint.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Relais-Webhooks/1",
            SIGNATURE_HEADER: sign(endpoint.secret, body),
            "X-Relais-Delivery": str(delivery.pk),
            "X-Relais-Event": delivery.payload.get("event", ""),
        },
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_http=settings.WEBHOOK_ALLOW_HTTP,
    )


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """One delivery attempt; schedules the next one on failure."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDeliveryStatus.PENDING)
            .first()
        )
        if delivery is None:
            return None
        delivery.attempts += 1
        try:
            code = _post(delivery.endpoint, delivery)
            error = ""
        except Exception as failure:  # whatever happens out there is a failed attempt
            code = failure.status if isinstance(failure, netguard.UnsuccessfulStatus) else None
            error = netguard.classify(failure).value
            if error == netguard.Failure.ERROR:
                logger.exception("Webhook delivery %s failed unexpectedly.", delivery.pk)
        delivery.last_status_code = code
        delivery.last_error = error
        if code is not None and 200 <= code < 300:
            delivery.status = WebhookDeliveryStatus.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = WebhookDeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = timezone.now() + backoff(delivery.attempts)
        delivery.save()
    if delivery.status == WebhookDeliveryStatus.PENDING and default_task_backend.supports_defer:
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return delivery


@task()
def deliver_webhook(delivery_id: int) -> str:
    delivery = attempt(delivery_id)
    return delivery.status if delivery else "skipped"


def retry_due() -> int:
    """For backends that cannot defer (the immediate one): a scheduler runs
    `manage.py retry_webhooks`, which retries the deliveries whose time has come."""
    due = WebhookDelivery.objects.filter(
        status=WebhookDeliveryStatus.PENDING, next_attempt_at__lte=timezone.now()
    ).values_list("pk", flat=True)
    count = 0
    for delivery_id in list(due):
        attempt(delivery_id)
        count += 1
    return count
