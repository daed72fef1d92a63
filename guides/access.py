"""Who may edit which guide, and one guide or `NotFound`.

- Platform staff — superusers, and staff accounts given the `guides.change_guide`
  permission in the Django admin — edit every guide, the platform's own included (the
  default guides belong to the platform).
- An organisation admin edits the guides of the organisations they administer, nothing
  else: another organisation's guide or a platform guide answers 404, as a missing one.
- Everyone else edits nothing (404 on every editing page).
Published guides are public: reading them needs no account at all."""

from typing import Any

from accounts.models import Organization, User
from accounts.selectors import administered_organizations
from cases.models import StepType
from core.access import as_pk
from core.exceptions import NotFound
from guides.models import Guide
from guides.validators import SLUG_MAX


def is_platform_editor(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.is_staff and user.has_perm("guides.change_guide"))


def can_edit_guides(user: User) -> bool:
    return is_platform_editor(user) or bool(administered_organizations(user))


def editable_guides(user: User):
    """The guides `user` may edit (none for most people)."""
    if is_platform_editor(user):
        return Guide.objects.all()
    org_ids = [org.pk for org in administered_organizations(user)]
    return Guide.objects.filter(organization_id__in=org_ids)


def may_edit(user: User, guide: Guide) -> bool:
    if is_platform_editor(user):
        return True
    return guide.organization_id is not None and guide.organization_id in {
        org.pk for org in administered_organizations(user)
    }


def access_editable_guide(user: User, pk: Any) -> Guide:
    guide = (
        editable_guides(user).select_related("organization", "updated_by").filter(pk=as_pk(pk))
    ).first()
    if guide is None:
        raise NotFound
    return guide


def access_published_guide(slug: Any) -> Guide:
    """A published guide by its address, or NotFound (a draft is not public)."""
    if not isinstance(slug, str) or len(slug) > SLUG_MAX:
        raise NotFound
    guide = Guide.objects.published().select_related("organization").filter(slug=slug).first()
    if guide is None:
        raise NotFound
    return guide


def linkable_step_types(user: User, organization: Organization | None):
    """The step types a guide of `organization` (None: the platform) may be linked to, by
    `user`: the default catalogue for platform guides (platform staff only), the
    organisation's own catalogue for its guides. Never another catalogue: a link shows in
    every file where the step is listed."""
    if organization is None:
        if not is_platform_editor(user):
            return StepType.objects.none()
        return StepType.objects.filter(organization__isnull=True).order_by("order", "label")
    if not is_platform_editor(user) and organization.pk not in {
        org.pk for org in administered_organizations(user)
    }:
        return StepType.objects.none()
    return StepType.objects.filter(organization=organization).order_by("order", "label")
