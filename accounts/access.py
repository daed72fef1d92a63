"""May this user reach this organisation page? Each function answers or raises
`core.exceptions.NotFound` — for a malformed id, an organisation one does not belong to
and a role one does not hold alike."""

from collections.abc import Collection
from typing import Any

from accounts.enums import CASEWORK_ROLES, Role
from accounts.models import ApiToken, Membership, Organization, User
from accounts.selectors import (
    active_memberships,
    api_tokens_of,
    organization_for,
    organization_members,
)
from core.access import as_pk
from core.exceptions import NotFound


def access_organization(user: User, pk: Any, *, roles: Collection[str]) -> Organization:
    """An organisation where `user` holds one of `roles` in an active membership."""
    pk = as_pk(pk)
    for membership in active_memberships(user):
        if membership.organization_id == pk and membership.role in roles:
            return membership.organization
    raise NotFound


def access_administered_organization(user: User, pk: Any) -> Organization:
    return access_organization(user, pk, roles={Role.ORG_ADMIN})


def access_supervised_organization(user: User, pk: Any) -> Organization:
    return access_organization(user, pk, roles={Role.SUPERVISOR})


def access_membership(user: User, pk: Any, *, organization_pk: Any) -> Membership:
    """A membership of an organisation that `user` administers."""
    organization = access_administered_organization(user, organization_pk)
    membership = organization_members(organization).filter(pk=as_pk(pk)).first()
    if membership is None:
        raise NotFound
    return membership


def require_roles(user: User, roles: Collection[str] = CASEWORK_ROLES) -> list[Organization]:
    """The organisations where `user` holds one of `roles`; NotFound when there are none
    (a page of casework is not there for someone who does none)."""
    organizations = [m.organization for m in active_memberships(user) if m.role in roles]
    if not organizations:
        raise NotFound
    return organizations


def access_working_organization(
    user: User, *, roles: Collection[str], current: Organization | None
) -> Organization:
    """Where a page that needs one of `roles` works (`accounts.selectors.organization_for`:
    the current organisation when the user holds such a role there); NotFound when the
    user holds none of them anywhere."""
    organization = organization_for(user, roles=set(roles), current=current)
    if organization is None:
        raise NotFound
    return organization


def access_api_token(user: User, pk: Any) -> ApiToken:
    """One of `user`'s own live API tokens (somebody else's is not found, like a missing one)."""
    token = api_tokens_of(user).filter(pk=as_pk(pk)).first()
    if token is None:
        raise NotFound
    return token
