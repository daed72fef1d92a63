"""The current organisation: where a person who belongs to several organisations works
right now (les-emplois keeps `request.current_organization` in the session the same way).

It chooses which organisation new files land in and what lists, inboxes and admin pages
show; it never grants or removes a right (who sees what stays across every membership).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

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
