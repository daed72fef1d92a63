"""Reads about users and organisations. Membership look-ups are cached on the user object
for the length of a request, so every selector that needs them costs one query at most."""

from django.db.models import QuerySet

from accounts.enums import CASEWORK_ROLES, Role
from accounts.models import Membership, Organization, User

_CACHE_ATTR = "_relais_active_memberships"


def active_memberships(user: User) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=user, is_active=True)
            .select_related("organization")
            .order_by("organization__name")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_memberships(user: User) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def org_ids_with_roles(user: User, roles: frozenset[str] | set[str]) -> list[int]:
    return [m.organization_id for m in active_memberships(user) if m.role in roles]


def casework_org_ids(user: User) -> list[int]:
    return org_ids_with_roles(user, CASEWORK_ROLES)


def supervised_org_ids(user: User) -> list[int]:
    return org_ids_with_roles(user, {Role.SUPERVISOR})


def administered_organizations(user: User) -> list[Organization]:
    return [m.organization for m in active_memberships(user) if m.role == Role.ORG_ADMIN]


def casework_organizations(user: User) -> list[Organization]:
    return [m.organization for m in active_memberships(user) if m.role in CASEWORK_ROLES]


def role_in(user: User, organization_id: int) -> str | None:
    for membership in active_memberships(user):
        if membership.organization_id == organization_id:
            return membership.role
    return None


def organization_members(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )


def organization_advisors(organization_id: int) -> QuerySet[User]:
    """Colleagues who can hold or be delegated a file in this organisation."""
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__is_active=True,
        memberships__role__in=CASEWORK_ROLES,
    ).order_by("last_name", "first_name")
