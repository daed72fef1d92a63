"""An organisation's own step catalogue."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organization, User
from accounts.selectors import (
    administered_organizations,
)
from cases.models import (
    StepType,
)
from core.exceptions import (
    NotAllowed,
    NotFound,
)


@transaction.atomic
def step_type_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    label: str,
    category: str,
    order: int,
) -> StepType:
    if organization.pk not in {org.pk for org in administered_organizations(actor)}:
        raise NotAllowed(_("Only an administrator of this organisation can manage its catalogue."))
    step_type = StepType(
        organization=organization,
        code=code,
        label=label.strip(),
        category=category,
        order=order,
    )
    if StepType.objects.filter(code=code, organization__isnull=True).exists():
        raise NotAllowed(_("This code is already used by a default step."))
    if StepType.objects.filter(code=code, organization=organization).exists():
        raise NotAllowed(_("This code is already used in your catalogue."))
    step_type.full_clean()
    step_type.save()
    return step_type


@transaction.atomic
def step_type_set_active(*, actor: User, step_type: StepType, is_active: bool) -> StepType:
    """Only an administrator of the step's organisation; the shared defaults are nobody's."""
    administered = {org.pk for org in administered_organizations(actor)}
    if step_type.organization_id is None or step_type.organization_id not in administered:
        raise NotFound()
    step_type.is_active = is_active
    step_type.save(update_fields=["is_active"])
    return step_type
