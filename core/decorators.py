"""View decorators every app may use."""

from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required


def public_page(view: Callable) -> Callable:
    """A page for everyone, signed in or not: no sign-in (LoginRequiredMiddleware) and no
    second factor (accounts.middleware.TwoFactorMiddleware lets it through a session that
    has given only its password). Only for public content that shows nothing of the
    account: the public guides (/infos/)."""
    view = login_not_required(view)
    view.two_factor_exempt = True
    return view
