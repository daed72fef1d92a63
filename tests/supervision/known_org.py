"""A hand-built organisation where every dashboard figure is known in advance.

Dates are far from every threshold (30/60/90 days, 14 days of appointments, the period's
ends) so that the seconds between building the data and reading it never matter.

Mission locale "Connue":
    Alice (advisor)       5 active files, 1 paused, 1 closed
    Bob (advisor)         3 active files
    Sam (supervisor)      no file
    Dora (left: membership inactive)   1 active + 1 paused file
    Ed (left)             1 closed file only: not on the dashboard
    Olga (org admin)      not a caseworker: not on the dashboard
Another mission locale, "Ailleurs", with its own advisor and files, sends one referral
to "Connue"; none of its figures may leak into Connue's.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership, Organization, User
from cases import services
from cases.enums import ApplicationStatus, StepStatus, YoungPersonStatus
from cases.models import Application, YoungPerson
from referrals import services as referral_services
from referrals.enums import ReferralStatus
from tests.factories import (
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    default_step_type,
    member,
)

COLUMNS = (
    "active",
    "no_follow_up_30",
    "no_follow_up_60",
    "no_follow_up_90",
    "overdue_steps",
    "appointments",
    "referrals_waiting",
)

# Advisor → the dashboard row, in COLUMNS order.
EXPECTED_ROWS = {
    "Alice Martin": (5, 4, 3, 2, 3, 2, 2),
    "Bob Petit": (3, 2, 1, 0, 1, 2, 0),
    "Sam Durand": (0, 0, 0, 0, 0, 0, 0),
    "Dora Leroy": (1, 1, 1, 1, 0, 0, 0),
}
EXPECTED_TOTALS = (9, 7, 5, 3, 4, 4, 2)
EXPECTED_RECEIVED_WAITING = 1
# Funnel: create_email, send_attachment, upload_cv, first_online_application, hired.
EXPECTED_FUNNEL_DEFAULT = (3, 2, 3, 1, 2)
EXPECTED_FUNNEL_LAST_30_DAYS = (2, 2, 2, 1, 2)


@dataclass
class KnownOrg:
    org: Organization
    other: Organization
    emmaus: Organization
    users: dict[str, User]
    yp: dict[str, YoungPerson] = field(default_factory=dict)

    def ids(self, *names: str) -> set[int]:
        return {self.yp[name].pk for name in names}


def _days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def _in_days(days: float):
    return timezone.now() + timedelta(days=days)


def _done(young_person, code: str, days_ago: float, **extra):
    return StepFactory(
        young_person=young_person,
        step_type=default_step_type(code),
        status=StepStatus.DONE,
        completed_at=_days_ago(days_ago),
        **extra,
    )


def _open(young_person, code: str, due_in_days: int, status=StepStatus.TODO):
    return StepFactory(
        young_person=young_person,
        step_type=default_step_type(code),
        status=status,
        due_date=timezone.localdate() + timedelta(days=due_in_days),
    )


def _hired(young_person, days_ago: float) -> Application:
    application = services.application_save(
        actor=young_person.referent,
        young_person=young_person,
        employer="Boulangerie",
        position="Vendeur",
        source="job_board",
        status=ApplicationStatus.HIRED,
    )
    Application.objects.filter(pk=application.pk).update(updated_at=_days_ago(days_ago))
    return application


def _referral(actor, young_person, to_organization):
    return referral_services.referral_send(
        actor=actor,
        young_person=young_person,
        to_organization=to_organization,
        reason="equipment",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )


def build_known_org() -> KnownOrg:
    org = OrganizationFactory(name="Mission locale Connue")
    other = OrganizationFactory(name="Mission locale Ailleurs")
    emmaus = OrganizationFactory(emmaus=True)
    users = {
        "alice": member(org, Role.ADVISOR, first_name="Alice", last_name="Martin"),
        "bob": member(org, Role.ADVISOR, first_name="Bob", last_name="Petit"),
        "sam": member(org, Role.SUPERVISOR, first_name="Sam", last_name="Durand"),
        "dora": member(org, Role.ADVISOR, first_name="Dora", last_name="Leroy"),
        "ed": member(org, Role.ADVISOR, first_name="Ed", last_name="Blanc"),
        "olga": member(org, Role.ORG_ADMIN, first_name="Olga", last_name="Roux"),
        "other_advisor": member(other, Role.ADVISOR, first_name="Oscar", last_name="Autre"),
        "other_supervisor": member(other, Role.SUPERVISOR, first_name="Sven", last_name="Autre"),
        "emmaus_advisor": member(emmaus, Role.ADVISOR, first_name="Eva", last_name="Connect"),
    }
    known = KnownOrg(org=org, other=other, emmaus=emmaus, users=users)

    def young(name: str, referent: str, status=YoungPersonStatus.ACTIVE, organization=org):
        known.yp[name] = YoungPersonFactory(
            organization=organization,
            referent=users[referent],
            first_name=name.upper(),
            last_name=f"Nom{name}",
            status=status,
        )
        return known.yp[name]

    # --- Alice -------------------------------------------------------------------------
    a1 = young("a1", "alice")
    FollowUpFactory(young_person=a1, occurred_at=_days_ago(10), next_appointment=_in_days(3))
    _open(a1, "create_email", -3)  # overdue
    _open(a1, "send_attachment", -1, StepStatus.IN_PROGRESS)  # overdue
    _open(a1, "write_cv", 0)  # due today: not overdue
    _done(a1, "upload_cv", 25, due_date=timezone.localdate() - timedelta(days=10))
    services.application_save(
        actor=users["alice"],
        young_person=a1,
        employer="Garage",
        position="Apprenti",
        source="job_board",
        status=ApplicationStatus.SENT,
    )

    a2 = young("a2", "alice")
    FollowUpFactory(young_person=a2, occurred_at=_days_ago(40), next_appointment=_in_days(20))
    _open(a2, "register_france_travail", -5)  # overdue

    a3 = young("a3", "alice")
    FollowUpFactory(young_person=a3, occurred_at=_days_ago(70), next_appointment=_days_ago(2))
    FollowUpFactory(young_person=a3, occurred_at=_days_ago(100))
    _done(a3, "create_email", 20)
    _done(a3, "send_attachment", 15)
    _done(a3, "first_online_application", 1)
    _hired(a3, 10)

    a4 = young("a4", "alice")
    FollowUpFactory(young_person=a4, occurred_at=_days_ago(100), next_appointment=_in_days(5))
    FollowUpFactory(young_person=a4, occurred_at=_days_ago(120), next_appointment=_in_days(7))
    _done(a4, "create_email", 200)
    _hired(a4, 400)  # before the period

    young("a5", "alice")  # active, never followed up

    a6 = young("a6", "alice", YoungPersonStatus.PAUSED)
    FollowUpFactory(young_person=a6, occurred_at=_days_ago(200), next_appointment=_in_days(2))
    _open(a6, "create_email", -5)  # overdue, but the file is paused

    a7 = young("a7", "alice", YoungPersonStatus.CLOSED)
    _done(a7, "upload_cv", 50)

    # --- Bob ---------------------------------------------------------------------------
    b1 = young("b1", "bob")
    FollowUpFactory(young_person=b1, occurred_at=_days_ago(1), next_appointment=_in_days(1))
    _open(b1, "register_france_travail", -2)  # overdue
    _done(b1, "create_email", 5)
    _done(b1, "send_attachment", 3)
    _done(b1, "upload_cv", 2)
    _hired(b1, 4)
    _hired(b1, 6)  # a second job: still one young person hired

    b2 = young("b2", "bob")
    FollowUpFactory(young_person=b2, occurred_at=_days_ago(35))

    b3 = young("b3", "bob")
    FollowUpFactory(young_person=b3, occurred_at=_days_ago(65), next_appointment=_in_days(13))

    # --- Dora and Ed, who left --------------------------------------------------------
    d1 = young("d1", "dora")
    _done(d1, "create_email", 400)  # before the period
    young("d2", "dora", YoungPersonStatus.PAUSED)
    young("e1", "ed", YoungPersonStatus.CLOSED)
    Membership.objects.filter(user__in=[users["dora"], users["ed"]]).update(is_active=False)

    # --- referrals ---------------------------------------------------------------------
    _referral(users["alice"], a1, emmaus)  # waiting
    _referral(users["alice"], a6, emmaus)  # waiting (the file is paused, the referral is not)
    accepted = _referral(users["alice"], a2, emmaus)
    referral_services.referral_accept(actor=users["emmaus_advisor"], referral=accepted)
    accepted_bob = _referral(users["bob"], b1, emmaus)
    referral_services.referral_accept(actor=users["emmaus_advisor"], referral=accepted_bob)

    # --- another organisation: nothing of it may show ------------------------------------
    x1 = young("x1", "other_advisor", organization=other)
    _open(x1, "create_email", -3)
    _done(x1, "send_attachment", 3)
    FollowUpFactory(young_person=x1, occurred_at=_days_ago(100), next_appointment=_in_days(2))
    _hired(x1, 3)
    _referral(users["other_advisor"], x1, emmaus)
    x2 = young("x2", "other_advisor", organization=other)
    _referral(users["other_advisor"], x2, org)  # received by Connue: waiting
    x3 = young("x3", "other_advisor", organization=other)
    received = _referral(users["other_advisor"], x3, org)
    referral_services.referral_accept(actor=users["alice"], referral=received)
    assert received.status == ReferralStatus.ACCEPTED
    return known
