"""Permission-matrix rows of the REST API (/api/v1/) and its schema and docs.

The API answers 401 to anonymous callers (no login redirect) and 404 for objects out of
reach, exactly like the web pages."""

from django.utils import timezone

from tests.matrix import ACTORS, FULL, LOGGED_IN, REFERRAL_SIDES, Row, only, ref


def api(allowed: set[str], ok: int = 200) -> dict[str, object]:
    return only(allowed, ok, anonymous=401)


def everyone_logged_in(ok: int = 200) -> dict[str, object]:
    return api(LOGGED_IN, ok)


def _diagnostic(w) -> dict:
    from cases import services
    from tests.factories import ALL_NO

    diagnostic = services.diagnostic_record(
        actor=w.users["referent"], young_person=w.young_person, answers=ALL_NO
    )
    return {"pk": diagnostic.pk}


def _follow_up(w) -> dict:
    from cases import services

    follow_up = services.follow_up_create(
        actor=w.users["referent"],
        young_person=w.young_person,
        occurred_at=timezone.now(),
        channel="phone",
        duration_minutes=10,
    )
    return {"pk": follow_up.pk}


def none(w) -> dict:
    return {}


def yp(w) -> dict:
    return {"pk": w.young_person.pk}


ROWS = {
    # Schema and docs: signed-in users only outside DEBUG (README, "Production settings").
    "schema": Row(none, everyone_logged_in()),
    "api-docs": Row(none, everyone_logged_in()),
    "api:api-root": Row(none, everyone_logged_in()),
    # Empty credentials: a clear 400 for everybody, logged in or not.
    "api:auth-token": Row(none, dict.fromkeys(ACTORS, 400), method="post"),
    "api:me": Row(none, everyone_logged_in()),
    "api:organization-list": Row(none, everyone_logged_in()),
    "api:organization-detail": Row(
        lambda w: {"pk": w.young_person.organization_id}, everyone_logged_in()
    ),
    "api:young-person-list": Row(none, everyone_logged_in()),
    "api:young-person-detail": Row(yp, api(FULL)),
    "api:young-person-history": Row(yp, api(FULL)),
    "api:diagnostic-list": Row(none, everyone_logged_in()),
    "api:diagnostic-detail": Row(_diagnostic, api(FULL)),
    "api:step-list": Row(none, everyone_logged_in()),
    "api:step-detail": Row(lambda w: {"pk": w.step.pk}, api(FULL)),
    "api:follow-up-list": Row(none, everyone_logged_in()),
    "api:follow-up-detail": Row(_follow_up, api(FULL)),
    "api:application-list": Row(none, everyone_logged_in()),
    "api:application-detail": Row(lambda w: {"pk": w.application.pk}, api(FULL)),
    "api:document-list": Row(none, everyone_logged_in()),
    "api:document-detail": Row(lambda w: {"pk": w.document.pk}, api(FULL)),
    "api:document-download": Row(lambda w: {"pk": w.document.pk}, api(FULL)),
    "api:referral-list": Row(none, everyone_logged_in()),
    "api:referral-detail": Row(ref, api(REFERRAL_SIDES)),
    "api:referral-events": Row(ref, api(REFERRAL_SIDES)),
    "api:referral-messages": Row(ref, api(REFERRAL_SIDES)),
    # Already accepted: accepting again is a conflict, for whichever side tries.
    "api:referral-accept": Row(ref, api(REFERRAL_SIDES, 409), method="post"),
    # Empty bodies: whoever can see the referral gets the field errors.
    "api:referral-decline": Row(ref, api(REFERRAL_SIDES, 400), method="post"),
    "api:referral-complete": Row(ref, api(REFERRAL_SIDES, 400), method="post"),
    # Only the sender cancels: the destination is refused with 403 and a message.
    "api:referral-cancel": Row(ref, api(FULL) | {"partner": 403}, method="post"),
    "api:referral-shared-file": Row(ref, api({"partner"})),
    "api:referral-shared-document": Row(
        lambda w: ref(w) | {"document_id": w.document.pk}, api({"partner"})
    ),
}


def _endpoint(w) -> dict:
    from referrals.models import WebhookEndpoint

    endpoint = WebhookEndpoint.objects.create(
        organization=w.young_person.organization,
        url="https://partner.example/hook",
        secret="s" * 64,
    )
    return {"pk": endpoint.pk}


# Webhook administration (web pages, organisation admins only).
ROWS |= {
    "referrals:webhooks": Row(none, only({"org_admin", "other_admin"})),
    "referrals:webhook_toggle": Row(_endpoint, only({"org_admin"}, 302), method="post"),
    "referrals:webhook_deliveries": Row(_endpoint, only({"org_admin"})),
}
