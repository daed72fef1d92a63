"""Middleware every response goes through: how long a session lives, the headers that
keep signed-in pages out of caches and away from the browser's powerful features, and a
clear 409 when the database is busy."""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control

from core.database import is_database_busy

logger = logging.getLogger(__name__)

# Unix timestamps (seconds) kept in the session.
SIGNED_IN_AT = "relais_signed_in_at"
LAST_SEEN_AT = "relais_last_seen_at"
# The last activity is written at most once a minute: not a session save per request.
LAST_SEEN_GRANULARITY = 60


def stamp_session(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Stamp a fresh sign-in (`user_logged_in` receiver, connected in core/apps.py)."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


def session_expired(*, request: HttpRequest, now: int) -> bool:
    """True when the session has been idle for `SESSION_IDLE_MINUTES` or was opened more
    than `SESSION_MAX_HOURS` ago. A session without stamps (opened before this rule
    existed) starts counting now."""
    session = request.session
    signed_in_at = session.setdefault(SIGNED_IN_AT, now)
    last_seen_at = session.setdefault(LAST_SEEN_AT, now)
    return (
        now - last_seen_at > settings.SESSION_IDLE_MINUTES * 60
        or now - signed_in_at > settings.SESSION_MAX_HOURS * 3600
    )


class SessionLifetimeMiddleware:
    """Signs out a session past its idle time or its absolute maximum (README,
    "Production settings"). The request then continues anonymous: a page redirects to
    the login form (LoginRequiredMiddleware), the API answers 401. Token requests carry
    no session and are not concerned (tokens have their own expiry)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if session_expired(request=request, now=now):
                logout(request)
            elif now - request.session[LAST_SEEN_AT] >= LAST_SEEN_GRANULARITY:
                request.session[LAST_SEEN_AT] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in user, API
    token users included (DRF sets `request.user` when the view authenticates them);
    directives a view set are kept, so a stricter header stays. Anonymous pages (login,
    password reset) may be cached. `Permissions-Policy` (settings.PERMISSIONS_POLICY) on
    every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}={allowlist}" for feature, allowlist in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


class DatabaseBusyMiddleware:
    """A write that could not get the database in time answers a 409 page asking to try
    again, not a 500. The page is rendered without the request's context processors: they
    would query the busy database again."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_busy(exception):
            return None
        logger.warning("Database busy on %s %s: %s", request.method, request.path, exception)
        return HttpResponse(loader.render_to_string("409.html"), status=409)
