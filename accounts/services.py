"""Writes about organisations and their members."""

from django.contrib.auth.forms import PasswordResetForm
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import Membership, Organization, User
from accounts.selectors import administered_organizations, forget_memberships
from core.exceptions import NotAllowed


def _require_admin(actor: User, organization: Organization) -> None:
    if organization not in administered_organizations(actor):
        raise NotAllowed(_("Only an administrator of this organisation can manage its members."))


@transaction.atomic
def organization_create(*, name: str, kind: str, territory: str = "") -> Organization:
    organization = Organization(name=name.strip(), kind=kind, territory=territory.strip())
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def membership_grant(*, user: User, organization: Organization, role: str) -> Membership:
    """Give `user` a role in `organization` (used by set-up code and by member_add)."""
    membership = Membership(user=user, organization=organization, role=role)
    membership.full_clean()
    membership.save()
    forget_memberships(user)
    return membership


class _WelcomeForm(PasswordResetForm):
    """Password-reset machinery for one given user, who has no usable password yet
    (the stock form skips such users)."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self._user = user

    def get_users(self, email):
        return [self._user]


def _send_welcome(request: HttpRequest | None, user: User) -> None:
    form = _WelcomeForm(data={"email": user.email}, user=user)
    if form.is_valid():
        form.save(
            request=request,
            use_https=bool(request and request.is_secure()),
            subject_template_name="registration/welcome_subject.txt",
            email_template_name="registration/welcome_email.txt",
        )


@transaction.atomic
def member_add(
    *,
    actor: User,
    organization: Organization,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    request: HttpRequest | None = None,
) -> Membership:
    """Create an account and its membership; the new member sets a password from an email."""
    _require_admin(actor, organization)
    if role not in Role.values:
        raise NotAllowed(_("Unknown role."))
    user = User(
        username=username.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    membership = membership_grant(user=user, organization=organization, role=role)
    transaction.on_commit(lambda: _send_welcome(request, user))
    return membership


@transaction.atomic
def member_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require_admin(actor, membership.organization)
    if role not in Role.values:
        raise NotAllowed(_("Unknown role."))
    if membership.user_id == actor.pk and role != Role.ORG_ADMIN:
        raise NotAllowed(_("You cannot remove your own administrator role."))
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    forget_memberships(membership.user)
    return membership


@transaction.atomic
def member_set_active(*, actor: User, membership: Membership, is_active: bool) -> Membership:
    """Deactivation takes effect at once: every scoped selector requires an active membership."""
    _require_admin(actor, membership.organization)
    if membership.user_id == actor.pk and not is_active:
        raise NotAllowed(_("You cannot deactivate yourself."))
    membership.is_active = is_active
    membership.save(update_fields=["is_active", "updated_at"])
    forget_memberships(membership.user)
    return membership
