"""Emails about roles, sent through Django's tasks framework after the commit.

Appointing someone to a role that sees more (accounts.enums.ELEVATED_ROLES) is told to the
organisation's other administrators and supervisors, so that an appointment nobody asked
for is noticed. Rendered in French (the product's language), whatever the worker's locale."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import ELEVATED_ROLES, Role
from accounts.models import SecurityEvent
from accounts.selectors import organization_members_in_roles


def _recipients(event: SecurityEvent) -> list[str]:
    members = (
        organization_members_in_roles(event.organization_id, ELEVATED_ROLES)
        .exclude(pk=event.subject_id)
        .exclude(email="")
    )
    return sorted(set(members.values_list("email", flat=True)))


@task()
def send_role_granted_email(event_id: int) -> int:
    event = (
        SecurityEvent.objects.select_related("organization", "subject", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is None or event.organization_id is None or event.subject_id is None:
        return 0
    recipients = _recipients(event)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "event": event,
            # The role's label, in French (the value is stored, never its translation).
            "role": Role(event.detail["role"]).label
            if event.detail.get("role") in Role.values
            else "",
            "base_url": settings.RELAIS_BASE_URL,
        }
        subject = render_to_string("accounts/email/role_granted_subject.txt", context).strip()
        body = render_to_string("accounts/email/role_granted_body.txt", context)
    return send_mail(subject, body, None, recipients)


def on_role_granted(event: SecurityEvent) -> None:
    event_id = event.pk
    transaction.on_commit(lambda: send_role_granted_email.enqueue(event_id))
