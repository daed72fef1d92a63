"""Emails about referrals: sent after the commit through Django's tasks (ImmediateBackend in
tests), rendered in French, to the destination for a new referral and to the sender for
its answers."""

import pytest
from django.core import mail

from accounts.enums import Role
from referrals import notifications, services
from referrals.enums import DeclineReason, OutcomeCode, ReferralStatus
from tests.factories import member
from tests.referrals.referral_helpers import bring_to, make_scene, send_referral

pytestmark = pytest.mark.django_db

S = ReferralStatus


@pytest.fixture
def scene():
    scene = make_scene()
    # An organisation admin of the destination handles members, not referrals.
    scene.extra["dest_admin"] = member(scene.dest_org, Role.ORG_ADMIN)
    return scene


def _destination_emails(scene) -> list[str]:
    return sorted(
        scene.users[r].email for r in ("handler", "dest_advisor", "dest_supervisor", "dest_partner")
    )


def _sender_emails(scene) -> list[str]:
    return sorted([scene.sender_supervisor.email, scene.referent.email])


def test_new_referral_emails_the_destination_members(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral(scene)
    [email] = mail.outbox
    assert sorted(email.to) == _destination_emails(scene)
    assert scene.extra["dest_admin"].email not in email.to
    assert scene.referent.email not in email.to
    assert "orientation" in email.subject
    assert scene.sender_org.name in email.subject
    assert f"/referrals/{referral.pk}/" in email.body
    # As little personal data as possible: no contact details of the young person.
    assert scene.young_person.email not in email.body
    assert scene.young_person.phone not in email.body


def test_nothing_is_sent_before_the_commit(scene, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_referral(scene)
    assert callbacks
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("status", "subject_word"),
    [
        (S.ACCEPTED, "accepté"),
        (S.DECLINED, "refusé"),
        (S.COMPLETED, "résultat"),
        (S.EXPIRED, "expiré"),
    ],
)
def test_answers_email_the_sender_and_the_referent(
    scene, django_capture_on_commit_callbacks, status, subject_word
):
    # Sent by the supervisor on behalf of the referent: both hear the answer.
    referral = send_referral(scene, actor=scene.fresh("sender_supervisor"))
    with django_capture_on_commit_callbacks(execute=True):
        bring_to(scene, referral, status)
    # (completing goes through acceptance first, which has its own email)
    emails = [m for m in mail.outbox if subject_word in m.subject]
    assert len(emails) == 1, [(m.subject, m.to) for m in mail.outbox]
    [email] = emails
    assert sorted(email.to) == _sender_emails(scene)
    assert "orientation" in email.subject
    assert scene.dest_org.name in email.subject
    # Nobody at the destination is told about their own answer.
    assert not any(set(m.to) & set(_destination_emails(scene)) for m in mail.outbox)


def test_decline_and_outcome_details_are_in_the_body(scene, django_capture_on_commit_callbacks):
    declined = send_referral(scene)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_decline(
            actor=scene.fresh("handler"), referral=declined, reason=DeclineReason.NO_CAPACITY
        )
    assert str(DeclineReason.NO_CAPACITY.label) in mail.outbox[-1].body

    completed = send_referral(scene)
    bring_to(scene, completed, S.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_complete(
            actor=scene.fresh("handler"),
            referral=completed,
            outcome_code=OutcomeCode.TRAINING_COMPLETED,
            outcome_note="Atelier terminé",
        )
    body = mail.outbox[-1].body
    assert "Atelier terminé" in body


def test_referent_who_sent_gets_one_email(scene, django_capture_on_commit_callbacks):
    referral = send_referral(scene)
    with django_capture_on_commit_callbacks(execute=True):
        bring_to(scene, referral, S.ACCEPTED)
    [email] = mail.outbox
    assert email.to == [scene.referent.email]


def test_cancel_sends_nothing(scene, django_capture_on_commit_callbacks):
    referral = send_referral(scene)
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_cancel(actor=scene.fresh("referent"), referral=referral)
    assert mail.outbox == []


def test_no_email_when_destination_members_have_no_address(
    scene, django_capture_on_commit_callbacks
):
    for role in ("handler", "dest_advisor", "dest_supervisor", "dest_partner"):
        type(scene.users[role]).objects.filter(pk=scene.users[role].pk).update(email="")
    with django_capture_on_commit_callbacks(execute=True):
        referral = send_referral(scene)
    assert mail.outbox == []
    assert notifications.send_referral_email.call(referral.pk, notifications.NEW) == 0


def test_no_email_when_the_sender_has_no_address(scene, django_capture_on_commit_callbacks):
    type(scene.referent).objects.filter(pk=scene.referent.pk).update(email="")
    referral = send_referral(scene)
    with django_capture_on_commit_callbacks(execute=True):
        bring_to(scene, referral, S.ACCEPTED)
    assert mail.outbox == []


def test_inactive_destination_members_are_not_emailed(scene, django_capture_on_commit_callbacks):
    scene.dest_advisor.memberships.update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        send_referral(scene)
    [email] = mail.outbox
    assert scene.dest_advisor.email not in email.to
    assert scene.handler.email in email.to


def test_a_referral_deleted_before_the_task_runs_sends_nothing():
    assert notifications.send_referral_email.call(987654, notifications.NEW) == 0
    assert mail.outbox == []


def test_subject_is_plain_text_not_html(scene, django_capture_on_commit_callbacks):
    scene.sender_org.name = "Mission Locale de l'Artois & Ternois"
    scene.sender_org.save()
    with django_capture_on_commit_callbacks(execute=True):
        send_referral(scene)
    [email] = mail.outbox
    assert "Mission Locale de l'Artois & Ternois" in email.subject
    assert "&#x27;" not in email.subject
    assert "&amp;" not in email.subject
