"""Emails about referrals, sent through Django's tasks framework after the commit.

Who is told of a transition is its row's `notify` in the workflow table; the email's kind
is the status it reached (its wording in templates/referrals/email/). Messages are rendered
in French (the product's language), whatever the worker's locale."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from referrals import selectors
from referrals.enums import ReferralStatus, Side
from referrals.models import Referral
from referrals.workflow import Transition

NEW = "new"
REMINDER = "reminder"


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
def send_referral_email(referral_id: int, kind: str, audience: str = "") -> int:
    """`kind`: NEW, REMINDER or the status a transition reached; `audience`: a Side (empty
    in tasks queued before it existed: the destination for NEW and REMINDER)."""
    referral = selectors.referral_with_parties(referral_id)
    if referral is None:
        return 0
    if not audience:
        audience = Side.DESTINATION if kind in (NEW, REMINDER) else Side.SENDER
    recipients = (
        _destination_recipients(referral)
        if audience == Side.DESTINATION
        else _sender_recipients(referral)
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "referral": referral,
            "kind": kind,
            # A status with no wording of its own gets a generic one naming it.
            "status": ReferralStatus(kind).label if kind in ReferralStatus.values else "",
            "base_url": settings.RELAIS_BASE_URL,
        }
        subject = render_to_string("referrals/email/subject.txt", context).strip()
        body = render_to_string("referrals/email/body.txt", context)
    return send_mail(subject, body, None, recipients)


def _enqueue(referral: Referral, kind: str, audience: str) -> None:
    referral_id, kind, audience = referral.pk, str(kind), str(audience)
    transaction.on_commit(lambda: send_referral_email.enqueue(referral_id, kind, audience))


def on_sent(referral: Referral) -> None:
    _enqueue(referral, NEW, Side.DESTINATION)


def on_transition(referral: Referral, transition: Transition) -> None:
    if transition.notify:
        _enqueue(referral, transition.target, transition.notify)


def on_reminder(referral: Referral) -> None:
    _enqueue(referral, REMINDER, Side.DESTINATION)
