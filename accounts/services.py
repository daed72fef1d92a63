"""Writes about organisations and their members.

Every membership write (created, role changed, deactivated, reactivated) goes through
`_membership_changed`, in the service's transaction: a `SecurityEvent` row, the
`membership_changed` hook (accounts/hooks.py: the referral grants follow the roles at
once), and, when a person appoints someone to a role that sees more, an email to the
organisation's other admins and supervisors after the commit. When the change ends the
person's last active membership, their API tokens are revoked.

API tokens (`api_token_create`, `api_token_revoke`) are logged the same way; the
revocations that follow a password change or a deactivation happen in `User.save`."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.db import OperationalError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notifications, two_factor
from accounts.enums import ELEVATED_ROLES, Role, SecurityEventKind
from accounts.hooks import membership_changed
from accounts.models import ApiToken, Membership, Organization, SecurityEvent, User
from accounts.selectors import administered_organizations, forget_memberships
from core.exceptions import Conflict, NotAllowed, NotFound


def _require_admin(actor: User, organization: Organization) -> None:
    if organization not in administered_organizations(actor):
        raise NotAllowed(_("Only an administrator of this organisation can manage its members."))


def _membership_changed(
    *, actor: User | None, membership: Membership, kind: str, detail: dict
) -> SecurityEvent:
    forget_memberships(membership.user)
    event = SecurityEvent.objects.create(
        actor=actor,
        kind=kind,
        organization_id=membership.organization_id,
        subject_id=membership.user_id,
        detail=detail,
    )
    membership_changed.fire(membership=membership)
    if kind == SecurityEventKind.MEMBERSHIP_DEACTIVATED and not (
        Membership.objects.filter(user_id=membership.user_id, is_active=True).exists()
    ):
        # A partner system keeps no access through someone who works nowhere any more.
        ApiToken.objects.revoke_all(
            user=membership.user, kind=SecurityEventKind.TOKENS_REVOKED_NO_MEMBERSHIP, actor=actor
        )
    # Set-up code (actor None: seed_demo, tests) appoints silently; a person does not.
    appointed = membership.is_active and membership.role in ELEVATED_ROLES
    if actor is not None and appointed and kind != SecurityEventKind.MEMBERSHIP_DEACTIVATED:
        notifications.on_role_granted(event)
    return event


@transaction.atomic
def organization_create(*, name: str, kind: str, territory: str = "") -> Organization:
    organization = Organization(name=name.strip(), kind=kind, territory=territory.strip())
    organization.full_clean()
    organization.save()
    return organization


@transaction.atomic
def membership_grant(
    *, user: User, organization: Organization, role: str, actor: User | None = None
) -> Membership:
    """Give `user` a role in `organization` (used by set-up code and by member_add)."""
    membership = Membership(user=user, organization=organization, role=role)
    membership.full_clean()
    membership.save()
    _membership_changed(
        actor=actor,
        membership=membership,
        kind=SecurityEventKind.ROLE_GRANTED,
        detail={"role": role},
    )
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
    membership = membership_grant(user=user, organization=organization, role=role, actor=actor)
    transaction.on_commit(lambda: _send_welcome(request, user))
    return membership


@transaction.atomic
def member_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    _require_admin(actor, membership.organization)
    if role not in Role.values:
        raise NotAllowed(_("Unknown role."))
    if membership.user_id == actor.pk and role != Role.ORG_ADMIN:
        raise NotAllowed(_("You cannot remove your own administrator role."))
    previous = membership.role
    if role == previous:
        return membership
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _membership_changed(
        actor=actor,
        membership=membership,
        kind=SecurityEventKind.ROLE_CHANGED,
        detail={"role": role, "previous_role": previous},
    )
    return membership


@transaction.atomic
def member_set_active(*, actor: User, membership: Membership, is_active: bool) -> Membership:
    """Deactivation takes effect at once: every scoped selector requires an active membership."""
    _require_admin(actor, membership.organization)
    if membership.user_id == actor.pk and not is_active:
        raise NotAllowed(_("You cannot deactivate yourself."))
    if membership.is_active == is_active:
        return membership
    membership.is_active = is_active
    membership.save(update_fields=["is_active", "updated_at"])
    _membership_changed(
        actor=actor,
        membership=membership,
        kind=(
            SecurityEventKind.MEMBERSHIP_REACTIVATED
            if is_active
            else SecurityEventKind.MEMBERSHIP_DEACTIVATED
        ),
        detail={"role": membership.role},
    )
    return membership


@transaction.atomic
def membership_admin_record(
    *,
    actor: User,
    membership: Membership,
    previous: dict | None = None,
    deleted: bool = False,
) -> None:
    """What the Django admin did to a membership it saved or deleted itself (ModelAdmin
    and the user page's inline write the row): logged, and the grants follow, like the
    member services. `previous`: the form's initial role, is_active and organization
    (None for a new membership)."""
    if deleted:
        kind, detail = SecurityEventKind.MEMBERSHIP_DEACTIVATED, {"role": membership.role}
    elif previous is None:
        kind, detail = SecurityEventKind.ROLE_GRANTED, {"role": membership.role}
    elif previous.get("is_active", membership.is_active) != membership.is_active:
        kind = (
            SecurityEventKind.MEMBERSHIP_REACTIVATED
            if membership.is_active
            else SecurityEventKind.MEMBERSHIP_DEACTIVATED
        )
        detail = {"role": membership.role}
    else:
        kind = SecurityEventKind.ROLE_CHANGED
        detail = {"role": membership.role, "previous_role": previous.get("role")}
    detail["via"] = "admin"
    moved_from = (previous or {}).get("organization")
    if moved_from and moved_from != membership.organization_id:
        # Moved to another organisation: the grants of the one it left follow too.
        left = Membership(user=membership.user, organization_id=moved_from, role=membership.role)
        membership_changed.fire(membership=left)
    _membership_changed(actor=actor, membership=membership, kind=kind, detail=detail)


# --- API tokens ------------------------------------------------------------------------------


class TokenLimitReached(Conflict):
    code = "token_limit_reached"


# The owner's page shows when a token was last used; noting it at most this often keeps
# API calls from writing on every request.
TOKEN_USE_PRECISION = timedelta(minutes=5)


@transaction.atomic
def api_token_create(*, actor: User, label: str = "", via: str) -> tuple[ApiToken, str]:
    """A new token for `actor` (who proved their password just before): the saved row and
    the key, which exists nowhere else afterwards. `via`: "api" or "web", for the log.

    Each call makes a new token (a partner may run several systems, each with its own),
    up to settings.API_TOKEN_LIMIT_PER_USER live ones; the owner's expired ones are purged."""
    # One creation at a time per user, so that two parallel requests cannot pass the limit.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    if not actor.is_active:
        raise NotAllowed(_("This account is deactivated."))
    ApiToken.objects.filter(user=actor, expiry__lte=timezone.now()).delete()
    limit = settings.API_TOKEN_LIMIT_PER_USER
    if ApiToken.objects.filter(user=actor).count() >= limit:
        raise TokenLimitReached(
            _(
                "You already hold %(limit)d API tokens, the most allowed. Revoke one you no "
                "longer use (page “My API access”, or DELETE /api/v1/auth/token/ with it) "
                "and try again."
            )
            % {"limit": limit}
        )
    label = " ".join(label.split())[:100]
    token, key = ApiToken.objects.create(
        user=actor, expiry=timedelta(days=settings.API_TOKEN_TTL_DAYS), label=label
    )
    SecurityEvent.objects.create(
        actor=actor,
        kind=SecurityEventKind.TOKEN_CREATED,
        subject=actor,
        detail={"token": token.token_key, "label": label, "expires_at": token.expiry, "via": via},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken, via: str) -> None:
    """The owner revokes one of their tokens; it stops working at once."""
    if token.user_id != actor.pk:
        raise NotFound
    deleted, _rows = ApiToken.objects.filter(pk=token.pk).delete()
    if not deleted:
        return  # revoked meanwhile (two clicks, two tabs): nothing more to log
    SecurityEvent.objects.create(
        actor=actor,
        kind=SecurityEventKind.TOKEN_REVOKED,
        subject=actor,
        detail={"token": token.token_key, "label": token.label, "via": via},
    )


def api_token_touch(token: ApiToken) -> None:
    """Note that `token` was just used (at most every TOKEN_USE_PRECISION). Bookkeeping
    only: when the database is busy the call goes on without it."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOKEN_USE_PRECISION:
        return
    try:
        with transaction.atomic():
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    except OperationalError:
        return
    token.last_used_at = now


def member_reset_two_factor(*, actor: User, membership: Membership) -> None:
    """A member lost their phone and their recovery codes: an administrator of one of
    their organisations removes their second factor; they set up a new one at sign-in."""
    _require_admin(actor, membership.organization)
    if membership.user_id == actor.pk:
        raise NotAllowed(_("Use your own two-factor page to change your second factor."))
    two_factor.reset(user=membership.user, actor=actor, organization_id=membership.organization_id)
