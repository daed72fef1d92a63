"""The security log (README, "Security log"): `SecurityEvent` rows for sign-ins (success
and failure), lockouts, second-factor failures, exports of several files and retention
runs, next to those the services write themselves (roles and memberships, two-factor
changes, API tokens).

Sign-ins come from Django's `user_logged_in` / `user_login_failed` and django-axes'
`user_locked_out` signals, connected in accounts/apps.py: every door that authenticates
(login form, admin, API token, the token page's password check) is covered without each
view remembering to log."""

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import SecurityEventKind
from accounts.models import SecurityEvent, User
from core.csv_export import Column
from core.http import client_ip

logger = logging.getLogger("relais.security")

# What a username typed on a failed sign-in may be stored as: people type their password
# in the username box by mistake, so an unknown name is never stored.
UNKNOWN_ACCOUNT = "unknown_account"


def channel_of(request: HttpRequest | None) -> str:
    if request is None:
        return "system"
    path = getattr(request, "path", "") or ""
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "web"


def _address(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def record(
    kind: str,
    *,
    subject: User | None = None,
    actor: User | None = None,
    organization_id: int | None = None,
    detail: dict | None = None,
    request: HttpRequest | None = None,
) -> SecurityEvent:
    event = SecurityEvent.objects.create(
        kind=kind,
        subject=subject,
        actor=actor,
        organization_id=organization_id,
        detail={"channel": channel_of(request), **(detail or {})},
        ip_address=_address(request),
    )
    logger.info(
        "security event %s subject=%s actor=%s organization=%s",
        kind,
        subject.pk if subject else None,
        actor.pk if actor else None,
        organization_id,
    )
    return event


def _account(username) -> User | None:
    if not isinstance(username, str) or not username or len(username) > 150:
        return None
    return User.objects.filter(username=username).first()


def describe_detail(detail: dict) -> str:
    """An event's detail in words, for the page and the CSV export."""
    labels = {
        "channel": _("channel"),
        "role": _("role"),
        "previous_role": _("previous role"),
        "via": _("via"),
        "files": _("files"),
        "export": _("export"),
        "label": _("name"),
        "prefix": _("prefix"),
        "remaining": _("codes left"),
    }
    parts = []
    for key, value in (detail or {}).items():
        if key == UNKNOWN_ACCOUNT:
            parts.append(_("unknown account"))
        elif not isinstance(value, dict | list):
            parts.append(f"{labels.get(key, key)}: {value}")
    return ", ".join(parts)


SECURITY_LOG_COLUMNS = (
    Column(gettext_lazy("When"), lambda e: e.at),
    Column(gettext_lazy("Event"), lambda e: e.get_kind_display()),
    Column(gettext_lazy("Person concerned"), lambda e: e.subject.display_name if e.subject else ""),
    Column(gettext_lazy("By"), lambda e: e.actor.display_name if e.actor else ""),
    Column(gettext_lazy("Organisation"), lambda e: e.organization.name if e.organization else ""),
    Column(gettext_lazy("IP address"), lambda e: e.ip_address or ""),
    Column(gettext_lazy("Detail"), lambda e: describe_detail(e.detail)),
)


# --- signal receivers (connected in accounts/apps.py) ----------------------------------------


def on_user_logged_in(sender, request: HttpRequest | None, user: User, **kwargs) -> None:
    record(SecurityEventKind.LOGIN_SUCCEEDED, subject=user, actor=user, request=request)


def on_user_login_failed(sender, credentials: dict, request: HttpRequest | None = None, **kwargs):
    account = _account(credentials.get("username"))
    record(
        SecurityEventKind.LOGIN_FAILED,
        subject=account,
        detail={} if account else {UNKNOWN_ACCOUNT: True},
        request=request,
    )


def on_user_locked_out(sender, request: HttpRequest | None, username=None, **kwargs) -> None:
    """django-axes signals the lock when it starts and again at each attempt it refuses:
    one event per lock (per account and address, within the cool-off time)."""
    account = _account(username)
    address = _address(request)
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    already = SecurityEvent.objects.filter(
        kind=SecurityEventKind.LOCKED_OUT, subject=account, ip_address=address, at__gte=since
    )
    if account is None:
        already = already.filter(subject__isnull=True)
    if already.exists():
        return
    record(
        SecurityEventKind.LOCKED_OUT,
        subject=account,
        detail={} if account else {UNKNOWN_ACCOUNT: True},
        request=request,
    )


def second_factor_failed(*, request: HttpRequest, user: User) -> None:
    record(SecurityEventKind.TWO_FACTOR_FAILED, subject=user, actor=user, request=request)


def export_recorded(
    *,
    actor: User,
    organization_id: int | None,
    files: int,
    what: str,
    request: HttpRequest | None = None,
) -> None:
    """An export of a list of files (CSV, caseload PDF), whatever its length: the issue
    asks for exports of more than one file; logging the lists of one too keeps the cost of
    an export the same whatever its size (one INSERT here)."""
    if files >= 1:
        record(
            SecurityEventKind.EXPORT,
            subject=actor,
            actor=actor,
            organization_id=organization_id,
            detail={"files": files, "export": what},
            request=request,
        )


def retention_run_recorded(*, detail: dict) -> None:
    record(SecurityEventKind.RETENTION_RUN, detail=detail)


__all__ = [
    "channel_of",
    "export_recorded",
    "on_user_locked_out",
    "on_user_logged_in",
    "on_user_login_failed",
    "record",
    "retention_run_recorded",
    "second_factor_failed",
]
