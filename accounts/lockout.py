"""What a client locked out of an account is told (django-axes counts the failures and
decides; see AXES_* in config/settings.py and the README, "Sign-in protection")."""

import math
from datetime import datetime

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

LOCKED_CODE = "account_locked"
LOCKED_STATUS = 429


def is_locked_out(request) -> bool:
    """Whether django-axes refused (or has just locked) this authentication attempt."""
    return bool(getattr(request, "axes_locked_out", False))


def locked_until(request) -> datetime:
    """The lock runs for the cool-off time after the attempt being answered (each refused
    attempt during the lock counts as one more failure and starts it again)."""
    attempted = getattr(request, "axes_attempt_time", None) or timezone.now()
    return attempted + get_cool_off(request)


def retry_after_seconds(until: datetime) -> int:
    return max(1, math.ceil((until - timezone.now()).total_seconds()))


def locked_message(until: datetime) -> str:
    return _(
        "Too many failed sign-in attempts: this account is locked on this device until %(time)s."
    ) % {"time": formats.time_format(timezone.localtime(until))}


def api_lockout_response_body(request, until: datetime) -> dict:
    reset_url = request.build_absolute_uri(reverse("accounts:password_reset"))
    detail = " ".join(
        [
            locked_message(until),
            _("Try again after that time, or reset your password at %(url)s.") % {"url": reset_url},
        ]
    )
    return {"detail": detail, "code": LOCKED_CODE, "retry_after": retry_after_seconds(until)}


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login form and /admin/ show a page saying until when the
    account is locked and how to reset the password; an API path gets the JSON error."""
    until = locked_until(request)
    if request.path.startswith("/api/"):
        response = JsonResponse(api_lockout_response_body(request, until), status=LOCKED_STATUS)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"locked_message": locked_message(until)},
            status=LOCKED_STATUS,
        )
    response["Retry-After"] = str(retry_after_seconds(until))
    return response
