"""Two-factor authentication pages (accounts/two_factor.py): the account's security page,
enrolment with a QR code, the code asked after the password, recovery codes."""

import base64
import io

import segno
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import two_factor
from accounts.forms import TwoFactorCodeForm
from core.exceptions import DomainError


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def _qr_data_uri(text: str) -> str:
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="svg", scale=5, xmldecl=False, svgns=True)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _show_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    request.session[two_factor.NEW_CODES_SESSION_KEY] = codes
    return redirect("accounts:two_factor_recovery_codes_new")


@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/two_factor/overview.html",
        {
            "enabled": two_factor.is_enabled(user),
            "required": two_factor.is_required(user),
            "remaining_codes": two_factor.remaining_recovery_codes(user),
        },
    )


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Add Relais to an authenticator app, then type one of its codes. An account that
    already has 2FA on replaces its authenticator here, once its session is verified."""
    user = request.user
    if two_factor.is_enabled(user) and not two_factor.is_verified(request):
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
    device = two_factor.enrolment_device(user)
    form = TwoFactorCodeForm(request.POST or None, allow_recovery=False)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.enrol(request=request, code=form.cleaned_data["code"])
        if codes is not None:
            messages.success(request, _("Two-factor authentication is on."))
            return _show_codes(request, codes)
        form.add_error(
            "code",
            _(
                "This code is not the one expected. Check that your phone's time is right "
                "and type the code shown now."
            ),
        )
    secret = two_factor.base32_secret(device)
    return render(
        request,
        "accounts/two_factor/setup.html",
        {
            "form": form,
            "secret": secret,
            "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "qr_code": _qr_data_uri(device.config_url),
            "required": two_factor.is_required(user),
            "next": _next_url(request),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in."""
    if two_factor.is_verified(request):
        return redirect(_next_url(request))
    if not two_factor.is_enabled(request.user):
        return redirect(f"{reverse('accounts:two_factor_setup')}?next={_next_url(request)}")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.verify(request=request, code=form.cleaned_data["code"]):
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "This code is not valid (a code works once; after several wrong codes, "
                "wait a little before trying again)."
            ),
        )
    return render(
        request, "accounts/two_factor/verify.html", {"form": form, "next": _next_url(request)}
    )


def _needs_code(request: HttpRequest) -> HttpResponse | None:
    """Changing 2FA settings takes a verified session (the code page otherwise)."""
    if two_factor.is_enabled(request.user) and not two_factor.is_verified(request):
        return redirect(
            f"{reverse('accounts:two_factor_verify')}?next={reverse('accounts:two_factor')}"
        )
    return None


@require_POST
def recovery_codes_regenerate(request: HttpRequest) -> HttpResponse:
    if (response := _needs_code(request)) is not None:
        return response
    try:
        codes = two_factor.regenerate_recovery_codes(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor")
    messages.success(request, _("New recovery codes: the old ones no longer work."))
    return _show_codes(request, codes)


@require_http_methods(["GET"])
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    """Shows the codes just generated, once: they are not kept in clear anywhere else."""
    codes = request.session.pop(two_factor.NEW_CODES_SESSION_KEY, None)
    if not codes:
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor/recovery_codes.html", {"codes": codes})


@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    if (response := _needs_code(request)) is not None:
        return response
    try:
        two_factor.disable(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Two-factor authentication is off."))
    return redirect("accounts:two_factor")
