"""Roles given and taken are written to the security log, and appointing someone to a role
that sees more (supervisor, organisation admin) is told to the organisation's other admins
and supervisors (issue 9, item 7)."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import services
from accounts.enums import Role, SecurityEventKind
from accounts.models import Membership, SecurityEvent, User
from tests.factories import OrganizationFactory, member, signin_request

pytestmark = pytest.mark.django_db

K = SecurityEventKind


@pytest.fixture
def org():
    return OrganizationFactory(name="Mission Locale de Lens")


@pytest.fixture
def people(org):
    return {
        "admin": member(org, Role.ORG_ADMIN, first_name="Agathe", last_name="Admin"),
        "other_admin": member(org, Role.ORG_ADMIN, first_name="Bruno", last_name="Admin"),
        "supervisor": member(org, Role.SUPERVISOR, first_name="Denis", last_name="Resp"),
        "advisor": member(org, Role.ADVISOR, first_name="Nadia", last_name="Conseil"),
        "colleague": member(org, Role.ADVISOR, first_name="Karim", last_name="Collègue"),
        "partner_elsewhere": member(OrganizationFactory(), Role.SUPERVISOR),
    }


def _membership(user: User, org) -> Membership:
    return Membership.objects.select_related("user", "organization").get(
        user=user, organization=org
    )


def _emails(*users: User) -> set[str]:
    return {u.email for u in users}


def _role_mails() -> list:
    return [m for m in mail.outbox if m.subject.startswith("Relais : nouveau rôle")]


def test_a_promotion_is_notified_in_french_to_the_other_admins_and_supervisors(
    client, org, people, django_capture_on_commit_callbacks
):
    client.force_login(people["admin"])
    url = reverse("accounts:member_edit", args=[org.pk, _membership(people["advisor"], org).pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"role": Role.SUPERVISOR})
    assert response.status_code == 302

    [message] = mail.outbox
    assert message.subject == "Relais : nouveau rôle dans Mission Locale de Lens"
    assert set(message.to) == _emails(people["admin"], people["other_admin"], people["supervisor"])
    assert people["advisor"].email not in message.to
    assert people["colleague"].email not in message.to
    assert people["partner_elsewhere"].email not in message.to
    assert "Agathe Admin a nommé Nadia Conseil « Responsable » dans" in message.body
    assert f"/organizations/{org.pk}/members/" in message.body


def test_a_new_supervisor_account_is_notified_to_the_others_not_to_the_newcomer(
    client, org, people, django_capture_on_commit_callbacks
):
    client.force_login(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:members", args=[org.pk]),
            {
                "username": "ines.n",
                "first_name": "Inès",
                "last_name": "Nouvelle",
                "email": "ines@example.org",
                "role": Role.SUPERVISOR,
            },
        )
    assert response.status_code == 302
    [notice] = _role_mails()
    assert set(notice.to) == _emails(people["admin"], people["other_admin"], people["supervisor"])
    assert "ines@example.org" not in notice.to
    # The newcomer gets their welcome email only.
    assert [m.to for m in mail.outbox if "ines@example.org" in m.to] == [["ines@example.org"]]
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        ("role", {"role": Role.ADVISOR}),  # demotion
        ("active", {"is_active": False}),  # departure
    ],
)
def test_demotions_and_departures_are_not_notified(
    org, people, change, kwargs, django_capture_on_commit_callbacks
):
    membership = _membership(people["supervisor"], org)
    service = services.member_change_role if change == "role" else services.member_set_active
    with django_capture_on_commit_callbacks(execute=True):
        service(actor=people["admin"], membership=membership, **kwargs)
    assert mail.outbox == []


def test_an_advisor_added_is_not_notified(org, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.member_add(
            actor=people["admin"],
            organization=org,
            username="leo.n",
            first_name="Léo",
            last_name="Nouveau",
            email="leo@example.org",
            role=Role.ADVISOR,
            request=signin_request(),
        )
    assert _role_mails() == []
    assert [m.to for m in mail.outbox] == [["leo@example.org"]]


def test_set_up_code_appoints_silently_but_logs(org, people, django_capture_on_commit_callbacks):
    user = User.objects.create_user("seeded", email="seeded@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_grant(user=user, organization=org, role=Role.SUPERVISOR)
    assert mail.outbox == []
    event = SecurityEvent.objects.get(subject=user)
    assert (event.kind, event.actor, event.organization, event.detail) == (
        K.ROLE_GRANTED,
        None,
        org,
        {"role": Role.SUPERVISOR},
    )


def test_every_membership_change_is_a_security_event(org, people):
    admin, advisor = people["admin"], people["advisor"]
    membership = _membership(advisor, org)
    SecurityEvent.objects.all().delete()

    services.member_change_role(actor=admin, membership=membership, role=Role.SUPERVISOR)
    services.member_change_role(actor=admin, membership=membership, role=Role.SUPERVISOR)  # no-op
    services.member_set_active(actor=admin, membership=membership, is_active=False)
    services.member_set_active(actor=admin, membership=membership, is_active=True)
    added = services.member_add(
        actor=admin,
        organization=org,
        username="ines.n",
        first_name="Inès",
        last_name="Nouvelle",
        email="ines@example.org",
        role=Role.ORG_ADMIN,
    )

    rows = list(
        SecurityEvent.objects.order_by("pk").values_list(
            "kind", "actor_id", "organization_id", "subject_id", "detail"
        )
    )
    assert rows == [
        (
            K.ROLE_CHANGED,
            admin.pk,
            org.pk,
            advisor.pk,
            {"role": Role.SUPERVISOR, "previous_role": Role.ADVISOR},
        ),
        (K.MEMBERSHIP_DEACTIVATED, admin.pk, org.pk, advisor.pk, {"role": Role.SUPERVISOR}),
        (K.MEMBERSHIP_REACTIVATED, admin.pk, org.pk, advisor.pk, {"role": Role.SUPERVISOR}),
        (K.ROLE_GRANTED, admin.pk, org.pk, added.user_id, {"role": Role.ORG_ADMIN}),
    ]


def test_a_refused_change_writes_no_event(org, people):
    from core.exceptions import NotAllowed

    SecurityEvent.objects.all().delete()
    with pytest.raises(NotAllowed):
        services.member_change_role(
            actor=people["advisor"], membership=_membership(people["colleague"], org), role="x"
        )
    assert not SecurityEvent.objects.exists()


def test_the_admin_lists_security_events_read_only(client, org, people):
    services.member_change_role(
        actor=people["admin"],
        membership=_membership(people["advisor"], org),
        role=Role.SUPERVISOR,
    )
    event = SecurityEvent.objects.get(kind=K.ROLE_CHANGED)
    client.force_login(User.objects.create_superuser("platform", "platform@example.org", "x"))
    listing = client.get(reverse("admin:accounts_securityevent_changelist"))
    assert listing.status_code == 200
    assert people["advisor"].username in listing.content.decode()
    assert client.get(reverse("admin:accounts_securityevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_securityevent_delete", args=[event.pk])).status_code
        == 403
    )
    # The change page only shows the event.
    page = client.get(reverse("admin:accounts_securityevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
