"""Two-factor authentication in tests.

`client.force_login(user)` means "this user is signed in", so the suite's conftest makes
it a *verified* session for accounts that use 2FA (supervisors, organisation admins,
superusers, anyone with an authenticator): they get a confirmed TOTP device if they have
none, and the session holds it, as after typing a code. Tests of the second factor itself
use `password_only_login` (the state right after the password) or the real forms."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.enums import ELEVATED_ROLES
from accounts.models import Membership, User

_plain_force_login = Client.force_login


def uses_two_factor(user: User) -> bool:
    # Read afresh (not the per-request membership cache that `user` may carry).
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, is_active=True, role__in=ELEVATED_ROLES).exists()
        or TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    )


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed authenticator, created if needed."""
    device = two_factor.totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=two_factor.TOTP_DEVICE_NAME, confirmed=True
        )
    return device


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(user: User) -> str:
    """A code the user's authenticator accepts now, even if one was used this period
    (tests sign in several times within 30 seconds)."""
    device = authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return current_code(device)


def password_only_login(client: Client, user: User) -> None:
    """Signed in with the password only: the second factor is still owed."""
    _plain_force_login(client, user)


def verified_force_login(self: Client, user, backend=None) -> None:
    _plain_force_login(self, user, backend)
    if not uses_two_factor(user):
        return
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.pop(two_factor.PENDING_SESSION_KEY, None)
    session.save()


__all__ = [
    "authenticator",
    "current_code",
    "fresh_code",
    "password_only_login",
    "uses_two_factor",
    "verified_force_login",
]
