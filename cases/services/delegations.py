"""Delegations: a colleague gets a file for a while (guardian grants, cases.grants)."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import CASEWORK_ROLES
from accounts.models import User
from accounts.selectors import (
    role_in,
)
from cases import grants, validators
from cases.enums import AccessAction
from cases.models import (
    YoungPerson,
)
from cases.selectors import (
    can_manage_delegations,
)
from cases.services._common import require_full_access
from cases.services.access_log import access_log_record
from core.exceptions import (
    NotAllowed,
    NotFound,
)


def _require_delegation_manager(actor: User, young_person: YoungPerson) -> None:
    """The referent or a supervisor of the organisation; a delegate may not pass the file on."""
    require_full_access(actor, young_person)
    if not can_manage_delegations(actor, young_person):
        raise NotFound()


@transaction.atomic
def delegation_grant(*, actor: User, young_person: YoungPerson, grantee: User, ends_on: date):
    _require_delegation_manager(actor, young_person)
    validators.enforce("ends_on", validators.validate_delegation_end, ends_on, error=NotAllowed)
    if grantee.pk == young_person.referent_id:
        raise NotAllowed(_("The referent already has access to this file."))
    if (
        not grantee.is_active
        or role_in(grantee, young_person.organization_id) not in CASEWORK_ROLES
    ):
        raise NotAllowed(_("Access can only be delegated to an advisor of the organisation."))
    expires_at = timezone.make_aware(datetime(ends_on.year, ends_on.month, ends_on.day, 23, 59, 59))
    grant = grants.grant_delegation(
        young_person=young_person, user=grantee, expires_at=expires_at, granted_by=actor
    )
    access_log_record(
        user=actor,
        young_person=young_person,
        action=AccessAction.DELEGATION_GRANTED,
        detail=f"{grantee.display_name} → {ends_on.isoformat()}",
    )
    return grant


@transaction.atomic
def delegation_revoke(*, actor: User, young_person: YoungPerson, grantee: User) -> None:
    _require_delegation_manager(actor, young_person)
    if not grants.active_delegations(young_person).filter(user=grantee).exists():
        raise NotFound()
    grants.revoke_delegation(young_person=young_person, user=grantee)
    access_log_record(
        user=actor,
        young_person=young_person,
        action=AccessAction.DELEGATION_REVOKED,
        detail=grantee.display_name,
    )
