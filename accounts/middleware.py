"""The current organisation: where a person who belongs to several organisations works
right now (les-emplois keeps `request.current_organization` in the session the same way).

It chooses which organisation new files land in and what lists, inboxes and admin pages
show; it never grants or removes a right (who sees what stays across every membership).
"""

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from accounts import two_factor
from accounts.models import Membership
from accounts.selectors import current_membership

SESSION_KEY = "current_organization_id"


def _resolve(request: HttpRequest) -> Membership | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None else None
    membership = current_membership(user, chosen)
    if chosen is not None and (membership is None or membership.organization_id != chosen):
        # A membership deactivated since the switch, or a tampered value: drop it once.
        session.pop(SESSION_KEY, None)
    return membership


class CurrentOrganizationMiddleware:
    """Sets `request.current_membership` and `request.current_organization`, lazily.

    Nothing is read until a view or template asks (the membership look-up is the cached
    `accounts.selectors.active_memberships`, one query per request at most). Both are
    lazy objects: test them for truth (`if request.current_organization:`), never with
    `is None`. Must come after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = SimpleLazyObject(lambda: _resolve(request))
        request.current_membership = membership
        request.current_organization = SimpleLazyObject(
            lambda: membership.organization if membership else None
        )
        return self.get_response(request)


# Pages an unverified session may still open: the two-factor pages themselves, and the
# way out.
TWO_FACTOR_OPEN_URL_NAMES = frozenset(
    {
        "accounts:two_factor_setup",
        "accounts:two_factor_verify",
        "accounts:logout",
        "accounts:login",
    }
)


class TwoFactorMiddleware:
    """Two-factor authentication before any page (accounts/two_factor.py).

    A signed-in session that is not verified goes to the code page when the account has
    2FA on (the second step of signing in), or to the enrolment when its role requires 2FA
    and it has none yet (a promotion takes effect at the next request). The API answers
    such a session 403 with `code: two_factor_required`. Token requests carry no session:
    their token was issued after the code (POST /api/v1/auth/token/, `otp`).

    Costs no query for a session without 2FA whose memberships the page loads anyway;
    a verified session costs the one query of django-otp's OTPMiddleware (its device).
    Must come after OTPMiddleware and SessionLifetimeMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in TWO_FACTOR_OPEN_URL_NAMES:
            return None
        # Public content (core.decorators.public_page: the guides of /infos/).
        if getattr(view_func, "two_factor_exempt", False):
            return None
        if two_factor.is_verified(request):
            return None
        if request.session.get(two_factor.PENDING_SESSION_KEY):
            target = "accounts:two_factor_verify"
        elif two_factor.is_required(user):
            target = (
                "accounts:two_factor_verify"
                if two_factor.is_enabled(user)
                else "accounts:two_factor_setup"
            )
        else:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _(
                        "Two-factor authentication is required: sign in again in the browser "
                        "with your code, or use a token."
                    ),
                    "code": "two_factor_required",
                },
                status=403,
            )
        return redirect_to_login(request.get_full_path(), reverse(target), "next")
