"""Two-factor authentication (README, "Two-factor authentication"): TOTP codes from an
authenticator app (django-otp's TOTPDevice), with single-use recovery codes
(django-otp's StaticDevice).

Who must use it: platform superusers, and anyone holding a role that sees more than their
own caseload (supervisor, organisation admin: `accounts.enums.ELEVATED_ROLES`). Everyone
else may turn it on. The rule is read on every request from the memberships the request
loads anyway, so an account promoted to supervisor must enrol at its very next request.

The session is "verified" once a code has been checked (django-otp keeps the device in the
session); `TwoFactorMiddleware` (accounts/middleware.py) sends an unverified session to
the enrolment or to the code page before any other page."""

import base64
import logging

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import security_log
from accounts.enums import ELEVATED_ROLES, SecurityEventKind
from accounts.models import User
from accounts.selectors import active_memberships
from core.exceptions import NotAllowed

logger = logging.getLogger("relais.security")

# Set at sign-in when the account has a confirmed device: the code is still to be given.
PENDING_SESSION_KEY = "relais_two_factor_pending"
# Recovery codes just generated, shown once by the next page then dropped.
NEW_CODES_SESSION_KEY = "relais_new_recovery_codes"

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
RECOVERY_CODE_COUNT = 10
# What a person may type: a 6-digit code, or a recovery code with spaces or dashes.
MAX_CODE_LENGTH = 32


def is_required(user: User) -> bool:
    """Superusers and elevated roles (supervisor, organisation admin) must use 2FA."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(m.role in ELEVATED_ROLES for m in active_memberships(user))


def totp_device(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=confirmed, name=TOTP_DEVICE_NAME)
        .order_by("pk")
        .first()
    )


def is_enabled(user: User) -> bool:
    """2FA is on when the account has a confirmed authenticator (recovery codes alone are
    only a way back in)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remaining_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def base32_secret(device: TOTPDevice) -> str:
    """The secret as authenticator apps and `oathtool -b` take it."""
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def normalize_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()[:MAX_CODE_LENGTH]


def _event(
    user: User,
    kind: str,
    detail: dict | None = None,
    *,
    actor: User | None = None,
    organization_id: int | None = None,
) -> None:
    security_log.record(
        kind,
        subject=user,
        actor=actor or user,
        organization_id=organization_id,
        detail=detail,
    )


# --- enrolment ----------------------------------------------------------------------------


@transaction.atomic
def enrolment_device(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per account; a new secret only
    when none is pending, so reloading the page keeps the QR code the person scanned)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def install_authenticator(*, user: User, base32_secret: str) -> TOTPDevice:
    """Set-up code only (seed_demo): give an account an authenticator with a known
    secret. People enrol through the pages, with a secret nobody else has seen."""
    key = base64.b32decode(base32_secret.upper() + "=" * (-len(base32_secret) % 8)).hex()
    TOTPDevice.objects.filter(user=user).delete()
    device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
    _event(user, SecurityEventKind.TWO_FACTOR_ENABLED, {"via": "set-up"}, actor=None)
    return device


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def enrol(*, request: HttpRequest, code: str) -> list[str] | None:
    """Confirm the pending authenticator with a code it shows; then the session is
    verified and fresh recovery codes are returned (to show once). None: wrong code."""
    user = request.user
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False, name=TOTP_DEVICE_NAME)
            .order_by("pk")
            .first()
        )
        if device is None or not device.verify_token(normalize_code(code)):
            return None
        # One authenticator per account: a new one replaces the old.
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
        _event(user, SecurityEventKind.TWO_FACTOR_ENABLED)
    _verified(request, device)
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, user: User) -> list[str]:
    if not is_enabled(user):
        raise NotAllowed(_("Turn on two-factor authentication first."))
    codes = _new_recovery_codes(user)
    _event(user, SecurityEventKind.RECOVERY_CODES_REGENERATED)
    return codes


def _remove_devices(user: User) -> None:
    # Every session verified with these devices stops being verified at its next request
    # (django-otp's middleware no longer finds the device).
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@transaction.atomic
def disable(*, user: User) -> None:
    """The owner turns 2FA off, which only someone the rule does not require it of may."""
    if is_required(user):
        raise NotAllowed(
            _("Your role requires two-factor authentication: it cannot be turned off.")
        )
    _remove_devices(user)
    _event(user, SecurityEventKind.TWO_FACTOR_DISABLED)


@transaction.atomic
def reset(*, user: User, actor: User, organization_id: int | None) -> None:
    """An administrator resets a member's lost phone (accounts.services checks who may):
    the member enrols again at their next sign-in, with a new secret and new codes."""
    _remove_devices(user)
    _event(user, SecurityEventKind.TWO_FACTOR_RESET, actor=actor, organization_id=organization_id)


# --- verification -------------------------------------------------------------------------


def check_code(user: User, code: str) -> TOTPDevice | StaticDevice | None:
    """The confirmed device that accepts `code` (a TOTP code, or a recovery code, which is
    then used up), or None. django-otp refuses a TOTP code already used (no replay) and
    slows down repeated failures on each device (throttling)."""
    code = normalize_code(code)
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, StaticDevice) and code.isdigit():
                continue  # a 6-digit code is not a recovery code: no throttle spent
            if isinstance(device, TOTPDevice) and not code.isdigit():
                continue
            if device.verify_token(code):
                if isinstance(device, StaticDevice):
                    _event(
                        user,
                        SecurityEventKind.RECOVERY_CODE_USED,
                        {"remaining": device.token_set.count()},
                    )
                return device
    logger.warning("two-factor: wrong code for user %s", user.pk)
    return None


def verify(*, request: HttpRequest, code: str) -> bool:
    device = check_code(request.user, code)
    if device is None:
        security_log.second_factor_failed(request=request, user=request.user)
        return False
    _verified(request, device)
    return True


def _verified(request: HttpRequest, device) -> None:
    # A new session key: a session id seen before the second factor is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)


def is_verified(request: HttpRequest) -> bool:
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def on_user_logged_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    """`user_logged_in` receiver: a password sign-in of an account with 2FA still owes
    its code. (django-otp's own receiver has already run when an OTP-aware form set the
    device: then the session is verified and nothing is pending.)"""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.get(DEVICE_ID_SESSION_KEY):
        return
    if is_enabled(user):
        request.session[PENDING_SESSION_KEY] = True
