"""Reads about referrals, already scoped to what the user may see.

The referral record is visible to the destination organisation (its advisors, supervisors
and partners) and, at the sender, to whoever has the full file. The young person's shared
sections are visible only while the referral is accepted, to holders of its grant."""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from accounts.enums import CASEWORK_ROLES, Role
from accounts.models import Organization, User
from accounts.selectors import (
    active_memberships,
    organization_for,
    organization_member_roles,
    organization_members_in_roles,
)
from cases.models import YoungPerson
from cases.selectors import duplicates_in_organization, young_people_full_access
from referrals import grants
from referrals.enums import ReferralStatus, SharedSection, Side
from referrals.models import Referral, WebhookDelivery, WebhookEndpoint
from referrals.workflow import AWAITING_ANSWER, OPEN_STATUSES, SHARING_STATUSES

DESTINATION_ROLES = frozenset({Role.ADVISOR, Role.SUPERVISOR, Role.PARTNER})


def destination_org_ids(user: User) -> list[int]:
    return [m.organization_id for m in active_memberships(user) if m.role in DESTINATION_ROLES]


def _base() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "young_person",
        "young_person__referent",
        "from_organization",
        "to_organization",
        "sent_by",
        "handler",
    )


def referral_with_parties(pk: int) -> Referral | None:
    """One referral with everyone it names, for a task that writes about it (no user's
    scope: the task acts for Relais itself)."""
    return _base().filter(pk=pk).first()


def referrals_received(
    user: User, *, organization: Organization | None = None
) -> QuerySet[Referral]:
    """Referrals to the user's organisations, or to `organization` (the current one)."""
    org_ids = destination_org_ids(user)
    if organization is not None:
        org_ids = [pk for pk in org_ids if pk == organization.pk]
    return _base().filter(to_organization_id__in=org_ids)


def referrals_sent(user: User, *, organization: Organization | None = None) -> QuerySet[Referral]:
    """Referrals sent from the user's organisations, or from `organization` (the current
    one), about young people whose full file the user holds."""
    org_ids = [m.organization_id for m in active_memberships(user)]
    if organization is not None:
        org_ids = [pk for pk in org_ids if pk == organization.pk]
    return _base().filter(
        young_person__in=young_people_full_access(user).values("pk"),
        from_organization_id__in=org_ids,
    )


def referrals_of_side(
    user: User, *, side: str, current: Organization | None
) -> tuple[Organization | None, QuerySet[Referral]]:
    """One inbox (the web page and its CSV export): the organisation it works in, the
    current one where the user holds a role of that side, and the referrals it lists."""
    if side == Side.DESTINATION:
        organization = organization_for(user, roles=DESTINATION_ROLES, current=current)
        return organization, referrals_received(user, organization=organization)
    organization = organization_for(user, roles=CASEWORK_ROLES, current=current)
    return organization, referrals_sent(user, organization=organization)


def referrals_visible(user: User) -> QuerySet[Referral]:
    return _base().filter(
        Q(to_organization_id__in=destination_org_ids(user))
        | Q(young_person__in=young_people_full_access(user).values("pk"))
    )


def waiting_first(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """Those waiting for an answer at the top, then the other open ones, then the closed."""
    order = AWAITING_ANSWER + tuple(s for s in OPEN_STATUSES if s not in AWAITING_ANSWER)
    return qs.annotate(
        waiting=Case(
            *(When(status=status, then=Value(i)) for i, status in enumerate(order)),
            default=Value(len(order)),
            output_field=IntegerField(),
        )
    ).order_by("waiting", "-sent_at", "-pk")


def referred_young_people(qs: QuerySet[Referral]) -> QuerySet[YoungPerson]:
    """The files these referrals were made from, as one subquery (for the access log of an
    export: the referrals never come to Python for it)."""
    return YoungPerson.objects.filter(pk__in=qs.order_by().values("young_person_id"))


def status_counts(qs: QuerySet[Referral]) -> dict[str, int]:
    rows = qs.order_by().values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(ReferralStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def is_sender(user: User, referral: Referral) -> bool:
    return young_people_full_access(user).filter(pk=referral.young_person_id).exists()


def is_destination(user: User, referral: Referral) -> bool:
    return referral.to_organization_id in destination_org_ids(user)


def can_see_shared_file(user: User, referral: Referral) -> bool:
    return (
        referral.status in SHARING_STATUSES
        and is_destination(user, referral)
        and grants.has_shared_file_grant(user=user, referral=referral)
    )


def destination_supervisors(organization_id: int) -> QuerySet[User]:
    return organization_members_in_roles(organization_id, {Role.SUPERVISOR})


def destination_handlers(organization_id: int) -> QuerySet[User]:
    return organization_members_in_roles(organization_id, DESTINATION_ROLES).order_by(
        "last_name", "first_name"
    )


def destination_member_roles(organization_id: int) -> dict[int, str]:
    """User pk → role of everyone who may handle a referral to this organisation."""
    return organization_member_roles(organization_id, DESTINATION_ROLES)


def sharing_referrals_to(organization_id: int) -> QuerySet[Referral]:
    """Referrals to this organisation whose shared file is open (accepted), unscoped: for
    the service that keeps their grants in step with the organisation's roles."""
    return Referral.objects.filter(to_organization_id=organization_id, status__in=SHARING_STATUSES)


def destination_organizations(exclude_id: int) -> QuerySet[Organization]:
    return Organization.objects.exclude(pk=exclude_id).order_by("kind", "name")


def possible_duplicates_at_destination(referral: Referral) -> QuerySet[YoungPerson]:
    young_person = referral.young_person
    matches = duplicates_in_organization(
        organization_id=referral.to_organization_id,
        first_name=young_person.first_name,
        last_name=young_person.last_name,
        birth_date=young_person.birth_date,
    )
    return YoungPerson.objects.filter(pk__in=[m.pk for m in matches]).select_related("referent")


@dataclass(frozen=True)
class SharedFile:
    """Exactly the sections the consent shares, nothing more."""

    referral: Referral
    young_person: YoungPerson
    sections: frozenset[str]
    diagnostics: list
    steps: list
    follow_ups: list
    applications: list
    documents: list


def shared_file(referral: Referral) -> SharedFile:
    young_person = referral.young_person
    sections = frozenset(referral.shared_sections)

    def load(section: str, qs):
        return list(qs) if section in sections else []

    return SharedFile(
        referral=referral,
        young_person=young_person,
        sections=sections,
        diagnostics=load(SharedSection.DIAGNOSTIC, young_person.diagnostics.all()[:1]),
        steps=load(
            SharedSection.STEPS,
            young_person.steps.select_related("step_type", "step_type__guide_link__guide"),
        ),
        follow_ups=load(SharedSection.FOLLOW_UPS, young_person.follow_ups.all()),
        applications=load(SharedSection.APPLICATIONS, young_person.applications.all()),
        documents=load(SharedSection.DOCUMENTS, young_person.documents.all()),
    )


def webhook_endpoints(organization: Organization) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organization=organization).order_by("-created_at")


def webhook_deliveries(endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return endpoint.deliveries.select_related("event").order_by("-created_at", "-pk")
