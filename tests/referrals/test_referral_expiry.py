"""`manage.py expire_referrals`: a reminder after REFERRAL_REMINDER_DAYS without an answer,
expiry after REFERRAL_EXPIRY_DAYS; idempotent, so a scheduler may run it at any frequency."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from referrals import services
from referrals.enums import ReferralStatus
from referrals.models import Referral, ReferralEvent
from tests.referrals.referral_helpers import (
    age_referral,
    bring_to,
    make_scene,
    send_referral,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus


@pytest.fixture(autouse=True)
def delays(settings):
    settings.REFERRAL_REMINDER_DAYS = 7
    settings.REFERRAL_EXPIRY_DAYS = 14


@pytest.fixture
def scene():
    return make_scene()


def _destination_emails(scene) -> list[str]:
    roles = ("handler", "dest_advisor", "dest_supervisor", "dest_partner")
    return sorted(scene.users[r].email for r in roles)


def _run(capture) -> tuple[int, int, str]:
    out = StringIO()
    with capture(execute=True):
        call_command("expire_referrals", stdout=out)
    text = out.getvalue()
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    assert len(numbers) == 2, text
    return numbers[0], numbers[1], text


def test_reminder_after_the_reminder_delay_only_once(scene, django_capture_on_commit_callbacks):
    referral = send_referral(scene)
    age_referral(referral, days=8)
    mail.outbox.clear()

    reminded, expired, _ = _run(django_capture_on_commit_callbacks)

    assert (reminded, expired) == (1, 0)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.reminder_sent_at is not None
    [email] = mail.outbox
    assert sorted(email.to) == _destination_emails(scene)
    assert scene.referent.email not in email.to
    assert f"/referrals/{referral.pk}/" in email.body

    first_reminder = referral.reminder_sent_at
    reminded, expired, _ = _run(django_capture_on_commit_callbacks)
    assert (reminded, expired) == (0, 0)
    assert len(mail.outbox) == 1
    referral.refresh_from_db()
    assert referral.reminder_sent_at == first_reminder
    assert ReferralEvent.objects.filter(referral=referral).count() == 1


def test_reminder_goes_to_the_handler_and_supervisors_once_assigned(
    scene, django_capture_on_commit_callbacks
):
    referral = send_referral(scene)
    services.referral_assign_handler(
        actor=scene.fresh("dest_supervisor"), referral=referral, handler=scene.handler
    )
    age_referral(referral, days=8)
    mail.outbox.clear()
    _run(django_capture_on_commit_callbacks)
    [email] = mail.outbox
    assert sorted(email.to) == sorted([scene.handler.email, scene.dest_supervisor.email])


def test_no_reminder_before_the_delay(scene, django_capture_on_commit_callbacks):
    referral = send_referral(scene)
    age_referral(referral, days=6)
    mail.outbox.clear()
    reminded, expired, _ = _run(django_capture_on_commit_callbacks)
    assert (reminded, expired) == (0, 0)
    assert mail.outbox == []
    referral.refresh_from_db()
    assert referral.reminder_sent_at is None


def test_expiry_after_the_expiry_delay(scene, django_capture_on_commit_callbacks):
    referral = send_referral(scene, actor=scene.fresh("sender_supervisor"))
    age_referral(referral, days=15)
    mail.outbox.clear()

    reminded, expired, _ = _run(django_capture_on_commit_callbacks)

    assert (reminded, expired) == (0, 1)
    referral.refresh_from_db()
    assert referral.status == S.EXPIRED
    assert referral.closed_at is not None
    # An expired referral is not reminded too.
    assert referral.reminder_sent_at is None
    event = ReferralEvent.objects.filter(referral=referral).latest("at", "pk")
    assert event.actor is None
    assert (event.from_status, event.to_status) == (S.SENT, S.EXPIRED)
    # The sender (who sent it, and the referent) hears about it; the destination does not.
    [email] = mail.outbox
    assert sorted(email.to) == sorted([scene.sender_supervisor.email, scene.referent.email])
    assert "expiré" in email.subject

    reminded, expired, _ = _run(django_capture_on_commit_callbacks)
    assert (reminded, expired) == (0, 0)
    assert len(mail.outbox) == 1
    assert ReferralEvent.objects.filter(referral=referral).count() == 2


@pytest.mark.parametrize("status", [S.ACCEPTED, S.DECLINED, S.CANCELLED, S.COMPLETED])
def test_answered_referrals_never_expire_nor_get_reminders(
    scene, django_capture_on_commit_callbacks, status
):
    referral = bring_to(scene, send_referral(scene), status)
    age_referral(referral, days=60)
    events_before = ReferralEvent.objects.filter(referral=referral).count()
    mail.outbox.clear()

    reminded, expired, _ = _run(django_capture_on_commit_callbacks)

    assert (reminded, expired) == (0, 0)
    referral.refresh_from_db()
    assert referral.status == status
    assert referral.reminder_sent_at is None
    assert ReferralEvent.objects.filter(referral=referral).count() == events_before
    assert mail.outbox == []


def test_the_command_prints_both_counts(django_capture_on_commit_callbacks):
    scenes = [make_scene() for _ in range(5)]
    referrals = [send_referral(s) for s in scenes]
    age_referral(referrals[0], days=8)
    age_referral(referrals[1], days=9)
    age_referral(referrals[2], days=15)
    age_referral(referrals[3], days=30)
    # referrals[4] is fresh: nothing to do.

    reminded, expired, text = _run(django_capture_on_commit_callbacks)

    assert (reminded, expired) == (2, 2), text
    assert list(Referral.objects.order_by("pk").values_list("status", flat=True)) == [
        S.SENT,
        S.SENT,
        S.EXPIRED,
        S.EXPIRED,
        S.SENT,
    ]


def test_expire_due_skips_a_referral_answered_in_the_meantime(scene, monkeypatch):
    """The list of due referrals is read first; one accepted just after is left alone."""
    referral = send_referral(scene)
    age_referral(referral, days=20)
    real_expire = services.referral_expire

    def accept_first(*, referral):
        services.referral_accept(
            actor=scene.fresh("handler"), referral=Referral.objects.get(pk=referral.pk)
        )
        return real_expire(referral=referral)

    monkeypatch.setattr(services, "referral_expire", accept_first)
    reminded, expired = services.referrals_expire_due()
    assert (reminded, expired) == (0, 0)
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
