from django.http import HttpRequest

from accounts.enums import Role
from accounts.selectors import active_memberships


def memberships(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = active_memberships(user)
    return {
        "memberships": current,
        "is_org_admin": any(m.role == Role.ORG_ADMIN for m in current),
        "is_supervisor": any(m.role == Role.SUPERVISOR for m in current),
    }
