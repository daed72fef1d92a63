"""Opening, editing and reassigning young people's files."""

from datetime import date

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import CASEWORK_ROLES
from accounts.models import Organization, User
from accounts.selectors import (
    casework_org_ids,
    role_in,
    supervised_org_ids,
)
from cases import validators
from cases.enums import AccessAction
from cases.models import (
    AccessLog,
    YoungPerson,
)
from cases.selectors import (
    duplicates_in_organization,
)
from cases.services._common import audit, require_full_access
from core.exceptions import (
    ConcurrentModification,
    DuplicateSuspected,
    NotAllowed,
)
from history.services import history_record_update, history_record_updates, snapshot

# What an advisor writes on a file and on an application: the service, the forms, the API
# serializers and the import name the same fields.
YOUNG_PERSON_IDENTITY = (
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "city",
    "situation",
)


YOUNG_PERSON_EDITABLE = (*YOUNG_PERSON_IDENTITY, "status")


@transaction.atomic
def young_person_create(
    *,
    actor: User,
    organization: Organization,
    first_name: str,
    last_name: str,
    birth_date: date,
    referent: User | None = None,
    email: str = "",
    phone: str = "",
    city: str = "",
    situation: str = "",
    confirm_duplicate: bool = False,
) -> YoungPerson:
    if organization.pk not in casework_org_ids(actor):
        raise NotAllowed(_("You cannot create a file in this organisation."))
    referent = referent or actor
    if referent != actor and role_in(referent, organization.pk) not in CASEWORK_ROLES:
        raise NotAllowed(_("The referent must be an advisor of the organisation."))
    validators.enforce("birth_date", validators.validate_birth_date, birth_date)
    if not confirm_duplicate:
        matches = list(
            duplicates_in_organization(
                organization_id=organization.pk,
                first_name=first_name,
                last_name=last_name,
                birth_date=birth_date,
            )
        )
        if matches:
            raise DuplicateSuspected(
                _("A young person with this name and birth date already exists here."), matches
            )
    young_person = YoungPerson(
        organization=organization,
        referent=referent,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        birth_date=birth_date,
        email=email.strip(),
        phone=phone.strip(),
        city=city.strip(),
        created_by=actor,
    )
    if situation:
        young_person.situation = situation
    young_person.full_clean()
    young_person.save()
    return young_person


@transaction.atomic
def young_person_update(
    *, actor: User, young_person: YoungPerson, version: int, **changes
) -> YoungPerson:
    """Update identity and situation; refuses a write based on a stale `version`."""
    unknown = set(changes) - set(YOUNG_PERSON_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    require_full_access(actor, young_person)
    born = changes.get("birth_date")
    # An unchanged birth date is not judged again: the age range holds at creation.
    if born is not None and born != young_person.birth_date:
        validators.enforce(
            "birth_date",
            validators.validate_birth_date,
            born,
            on=timezone.localdate(young_person.created_at),
        )
    before = snapshot(young_person)
    for name, value in changes.items():
        setattr(young_person, name, value.strip() if isinstance(value, str) else value)
    young_person.full_clean(exclude=["organization", "referent", "created_by"])
    now = timezone.now()
    updated = YoungPerson.objects.filter(pk=young_person.pk, version=version).update(
        **{name: getattr(young_person, name) for name in changes},
        updated_at=now,
        version=F("version") + 1,
    )
    if updated != 1:
        raise ConcurrentModification(
            _("This file was changed by someone else in the meantime. Reload it and try again.")
        )
    young_person.version = version + 1
    young_person.updated_at = now
    # A conditional UPDATE (the version check) sends no signal: recorded here.
    history_record_update(before=before, after=young_person, fields=changes)
    return young_person


@transaction.atomic
def young_people_reassign(
    *, actor: User, young_people: list[YoungPerson], new_referent: User
) -> int:
    """Hand files over to another referent (a supervisor's bulk action).

    All or nothing: every file must belong to one organisation that `actor` supervises,
    and the new referent must be an active advisor or supervisor there. Files already
    held by the new referent are left alone. Returns the number of files reassigned.
    The files come from a scoped selector, with their referent loaded (for the log).
    """
    if not young_people:
        raise NotAllowed(_("Select at least one file to reassign."))
    validators.enforce(
        "young_people", validators.validate_reassign_count, len(young_people), error=NotAllowed
    )
    org_ids = {young_person.organization_id for young_person in young_people}
    if len(org_ids) != 1:
        raise NotAllowed(_("The files to reassign must all belong to the same organisation."))
    (organization_id,) = org_ids
    if organization_id not in supervised_org_ids(actor):
        raise NotAllowed(_("Only a supervisor of the organisation can reassign its files."))
    if not new_referent.is_active or role_in(new_referent, organization_id) not in CASEWORK_ROLES:
        raise NotAllowed(
            _("The new referent must be an active advisor or supervisor of the organisation.")
        )
    moving = {yp.pk: yp for yp in young_people if yp.referent_id != new_referent.pk}
    if not moving:
        return 0
    now = timezone.now()
    # One UPDATE: the version bump makes any form opened on these files before the
    # reassignment fail its optimistic-locking check instead of silently overwriting.
    updated = YoungPerson.objects.filter(pk__in=moving, organization_id=organization_id).update(
        referent=new_referent, updated_at=now, version=F("version") + 1
    )
    if updated != len(moving):
        raise ConcurrentModification(
            _("Some of these files changed in the meantime. Reload the list and try again.")
        )
    entries = [
        AccessLog(
            young_person=young_person,
            user=actor,
            action=AccessAction.REASSIGNED,
            detail=f"{young_person.referent.display_name} → {new_referent.display_name}"[:300],
            at=now,
        )
        for young_person in moving.values()
    ]
    AccessLog.objects.bulk_create(entries)
    history_record_updates(
        [
            (
                young_person,
                {"referent": [young_person.referent_id, new_referent.pk]},
                {"referent": [young_person.referent.display_name, new_referent.display_name]},
            )
            for young_person in moving.values()
        ]
    )
    for young_person in moving.values():
        audit.info(
            "user=%s young_person=%s action=reassign from=%s to=%s",
            actor.pk,
            young_person.pk,
            young_person.referent_id,
            new_referent.pk,
        )
    return updated
