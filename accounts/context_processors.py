from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import CASEWORK_ROLES, Role
from accounts.selectors import active_memberships, current_membership

REFERRAL_ROLES = frozenset({Role.ADVISOR, Role.SUPERVISOR, Role.PARTNER})


def memberships(request: HttpRequest) -> dict:
    """The header: the current organisation, the switcher and the menu of the role held
    there (an advisor in one organisation who administers another sees the admin pages
    only while the latter is current)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    all_memberships = active_memberships(user)
    if hasattr(request, "current_membership"):
        membership = request.current_membership or None
    else:  # a request that did not go through the middleware (RequestFactory)
        membership = current_membership(user, None)
    role = membership.role if membership else None
    items: list[tuple[str, str]] = []
    if role in CASEWORK_ROLES:
        items += [
            (reverse("cases:caseload"), _("My caseload")),
            (reverse("cases:directory"), _("Directory")),
            (reverse("cases:create"), _("New young person")),
        ]
    if role == Role.SUPERVISOR:
        items.append((reverse("supervision:home"), _("Supervision")))
    if role in REFERRAL_ROLES:
        items.append((reverse("reports:index"), _("Reports and exports")))
        items.append((reverse("referrals:received"), _("Referrals received")))
    if role in CASEWORK_ROLES:
        items.append((reverse("referrals:sent"), _("Referrals sent")))
    if role == Role.ORG_ADMIN:
        items += [
            (
                reverse("accounts:members", kwargs={"org_pk": membership.organization_id}),
                _("Members"),
            ),
            (reverse("cases:catalogue"), _("Step catalogue")),
            (reverse("referrals:webhooks"), _("Webhooks")),
            (
                reverse("accounts:security_log", kwargs={"org_pk": membership.organization_id}),
                _("Security log"),
            ),
            (reverse("guides:manage"), _("Guides")),
        ]
    elif user.is_superuser or user.is_staff:
        # Platform staff edit the public guides (guides/access.py says who exactly).
        items.append((reverse("guides:manage"), _("Guides")))
    if role in CASEWORK_ROLES:
        # Advisors hand the public guides to young people.
        items.append((reverse("guides:index"), _("Guides for young people")))
    # The longest matching prefix is the current section.
    best = max(
        (url for url, _label in items if request.path.startswith(url)), key=len, default=None
    )
    return {
        "memberships": all_memberships,
        "current_membership": membership,
        # The switcher is shown only to people with a choice to make.
        "switchable_memberships": all_memberships if len(all_memberships) > 1 else [],
        "nav_items": [{"url": url, "label": label, "current": url == best} for url, label in items],
    }
