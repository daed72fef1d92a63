from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import CASEWORK_ROLES, Role
from accounts.selectors import active_memberships

REFERRAL_ROLES = frozenset({Role.ADVISOR, Role.SUPERVISOR, Role.PARTNER})


def memberships(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = active_memberships(user)
    items: list[tuple[str, str]] = []
    if any(m.role in CASEWORK_ROLES for m in current):
        items += [
            (reverse("cases:caseload"), _("My caseload")),
            (reverse("cases:directory"), _("Directory")),
            (reverse("cases:create"), _("New young person")),
        ]
    if any(m.role == Role.SUPERVISOR for m in current):
        items.append((reverse("supervision:home"), _("Supervision")))
    if any(m.role in REFERRAL_ROLES for m in current):
        items.append((reverse("reports:index"), _("Reports and exports")))
    if any(m.role in REFERRAL_ROLES for m in current):
        items.append((reverse("referrals:received"), _("Referrals received")))
    if any(m.role in CASEWORK_ROLES for m in current):
        items.append((reverse("referrals:sent"), _("Referrals sent")))
    for m in current:
        if m.role == Role.ORG_ADMIN:
            items.append(
                (reverse("accounts:members", kwargs={"org_pk": m.organization_id}), _("Members"))
            )
            items.append((reverse("cases:catalogue"), _("Step catalogue")))
            items.append((reverse("referrals:webhooks"), _("Webhooks")))
            break
    # The longest matching prefix is the current section.
    best = max(
        (url for url, _label in items if request.path.startswith(url)), key=len, default=None
    )
    return {
        "memberships": current,
        "nav_items": [{"url": url, "label": label, "current": url == best} for url, label in items],
    }
