"""Emails about referrals, sent through Django's tasks framework after the commit.

Messages are rendered in French (the product's language), whatever the worker's locale."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from referrals.enums import ReferralStatus
from referrals.models import Referral

NEW = "new"
REMINDER = "reminder"
SENDER_KINDS = {
    ReferralStatus.ACCEPTED: "accepted",
    ReferralStatus.DECLINED: "declined",
    ReferralStatus.COMPLETED: "completed",
    ReferralStatus.EXPIRED: "expired",
}


def _destination_recipients(referral: Referral) -> list[str]:
    """The handler and supervisors once someone handles it; before that, everyone who may."""
    if referral.handler_id:
        who = Q(pk=referral.handler_id) | Q(memberships__role=Role.SUPERVISOR)
    else:
        who = Q(memberships__role__in=[Role.SUPERVISOR, Role.PARTNER, Role.ADVISOR])
    members = User.objects.filter(
        who,
        is_active=True,
        memberships__organization_id=referral.to_organization_id,
        memberships__is_active=True,
    ).exclude(email="")
    return sorted({u.email for u in members})


def _sender_recipients(referral: Referral) -> list[str]:
    users = [referral.sent_by, referral.young_person.referent]
    return sorted({u.email for u in users if u is not None and u.email})


@task()
def send_referral_email(referral_id: int, kind: str) -> int:
    referral = (
        Referral.objects.select_related(
            "young_person",
            "young_person__referent",
            "from_organization",
            "to_organization",
            "sent_by",
            "handler",
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        return 0
    recipients = (
        _destination_recipients(referral)
        if kind in (NEW, REMINDER)
        else _sender_recipients(referral)
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"referral": referral, "kind": kind, "base_url": settings.RELAIS_BASE_URL}
        subject = render_to_string("referrals/email/subject.txt", context).strip()
        body = render_to_string("referrals/email/body.txt", context)
    return send_mail(subject, body, None, recipients)


def _enqueue(referral: Referral, kind: str) -> None:
    referral_id = referral.pk
    transaction.on_commit(lambda: send_referral_email.enqueue(referral_id, kind))


def on_transition(referral: Referral, target: str) -> None:
    if target == ReferralStatus.SENT:
        _enqueue(referral, NEW)
    elif target in SENDER_KINDS:
        _enqueue(referral, SENDER_KINDS[target])


def on_reminder(referral: Referral) -> None:
    _enqueue(referral, REMINDER)
