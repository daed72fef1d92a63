"""Reads about users and organisations. Membership look-ups are cached on the user object
for the length of a request, so every selector that needs them costs one query at most."""

from typing import Any

from django.db.models import QuerySet

from accounts.enums import CASEWORK_ROLES, Role
from accounts.models import ApiToken, Membership, Organization, User

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
    membership = membership_in(user, organization_id)
    return membership.role if membership else None


def membership_in(user: User, organization_id: int | None) -> Membership | None:
    """The user's active membership in this organisation, or None."""
    for membership in active_memberships(user):
        if membership.organization_id == organization_id:
            return membership
    return None


def current_membership(user: User, organization_id: Any) -> Membership | None:
    """The membership `user` works in now: the one of `organization_id` (the session's
    choice) while it is active, else the first active one by organisation name.

    The session is never trusted: a deactivated membership or a forged id falls back."""
    try:
        organization_id = int(organization_id) if organization_id is not None else None
    except (TypeError, ValueError):
        organization_id = None
    memberships = active_memberships(user)
    chosen = membership_in(user, organization_id) if organization_id is not None else None
    return chosen or (memberships[0] if memberships else None)


def organization_for(
    user: User, *, roles: frozenset[str] | set[str], current: Organization | None
) -> Organization | None:
    """Where a page that needs one of `roles` works: the current organisation when the
    user holds such a role there, else the first organisation where they do (so a
    bookmark never breaks; the page names the organisation it shows), else None.

    `current` may be the request's lazy `current_organization`."""
    current_id = getattr(current, "pk", None) if current else None
    matching = [m for m in active_memberships(user) if m.role in roles]
    for membership in matching:
        if membership.organization_id == current_id:
            return membership.organization
    return matching[0].organization if matching else None


def organization_members(organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )


def organization_members_in_roles(
    organization_id: int, roles: frozenset[str] | set[str]
) -> QuerySet[User]:
    """Active users holding one of `roles` in this organisation (an active membership)."""
    return User.objects.filter(
        is_active=True,
        memberships__organization_id=organization_id,
        memberships__is_active=True,
        memberships__role__in=roles,
    )


def organization_advisors(organization_id: int) -> QuerySet[User]:
    """Colleagues who can hold or be delegated a file in this organisation."""
    return organization_members_in_roles(organization_id, CASEWORK_ROLES).order_by(
        "last_name", "first_name"
    )


def organization_member_roles(
    organization_id: int, roles: frozenset[str] | set[str]
) -> dict[int, str]:
    """User pk → role of the active users holding one of `roles` in this organisation (an
    active membership; one membership per user and organisation): one query."""
    return dict(
        Membership.objects.filter(
            organization_id=organization_id,
            is_active=True,
            user__is_active=True,
            role__in=roles,
        ).values_list("user_id", "role")
    )


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    """The user's live API tokens, newest first (expired ones are gone for good)."""
    return ApiToken.objects.live().filter(user=user).order_by("-created", "-pk")
