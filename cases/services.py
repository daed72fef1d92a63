"""Writes about young people. Views, API, admin and commands call these; nothing else
calls `.save()` on a cases model.

Every service that writes a file's record checks its `actor` itself, with the same rule
as every read (`cases.querysets`): whatever calls it — a web
view, the API, the CSV import, a command — an actor who may not write the file gets
`NotFound`, exactly as if the file did not exist. The rules on values live in
`cases.validators`, shared with the forms, the serializers and the import.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import CASEWORK_ROLES
from accounts.models import Organization, User
from accounts.selectors import (
    administered_organizations,
    casework_org_ids,
    role_in,
    supervised_org_ids,
)
from cases import diagnostics as rules
from cases import grants, validators
from cases.enums import AccessAction, StepStatus
from cases.models import (
    AccessLog,
    Application,
    CaseRecord,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
)
from cases.selectors import (
    can_manage_delegations,
    duplicates_in_organization,
    step_types_for,
)
from core.exceptions import (
    ConcurrentModification,
    DuplicateSuspected,
    InvalidDocument,
    NotAllowed,
    NotFound,
)

audit = logging.getLogger("relais.audit")

YOUNG_PERSON_EDITABLE = (
    "first_name",
    "last_name",
    "birth_date",
    "email",
    "phone",
    "city",
    "situation",
    "status",
)


def _touch(young_person_id: int) -> None:
    """Mark the file as changed (for 'updated since' reads) without a lost update."""
    YoungPerson.objects.filter(pk=young_person_id).update(updated_at=timezone.now())


def _require_full_access(actor: User, young_person: YoungPerson) -> None:
    """`actor` may write this file (one `exists()` query), else it does not exist."""
    if not YoungPerson.objects.full_access(actor).filter(pk=young_person.pk).exists():
        raise NotFound()


def _require_record(actor: User, model: type[CaseRecord], record, **belongs_to) -> None:
    """The child record (step, document, application) is in the database, belongs to a
    file `actor` may write (and to `belongs_to`'s young person when given), else NotFound.
    Checked against the stored row, not the attributes of the object passed in."""
    if record.pk is None:
        raise NotFound()
    rows = model.objects.for_user(actor).filter(pk=record.pk)
    if not rows.filter(**belongs_to).exists():
        raise NotFound()


def access_log_record(
    *, user: User, young_person: YoungPerson, action: str, detail: str = ""
) -> AccessLog:
    entry = AccessLog(young_person=young_person, user=user, action=action, detail=detail[:300])
    entry.save()
    audit.info("user=%s young_person=%s action=%s", user.pk, young_person.pk, action)
    return entry


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
    _require_full_access(actor, young_person)
    born = changes.get("birth_date")
    # An unchanged birth date is not judged again: the age range holds at creation.
    if born is not None and born != young_person.birth_date:
        validators.enforce(
            "birth_date",
            validators.validate_birth_date,
            born,
            on=timezone.localdate(young_person.created_at),
        )
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
    return young_person


@transaction.atomic
def diagnostic_record(
    *,
    actor: User,
    young_person: YoungPerson,
    answers: dict[str, bool],
    notes: str = "",
    performed_at: datetime | None = None,
) -> DigitalDiagnostic:
    missing = set(DigitalDiagnostic.QUESTION_FIELDS) - set(answers)
    if missing:
        raise ValueError(f"Missing answers: {sorted(missing)}")
    _require_full_access(actor, young_person)
    diagnostic = DigitalDiagnostic(
        young_person=young_person,
        performed_by=actor,
        notes=notes,
        performed_at=performed_at or timezone.now(),
        **{name: bool(answers[name]) for name in DigitalDiagnostic.QUESTION_FIELDS},
    )
    diagnostic.autonomy_level = rules.autonomy_level(diagnostic)
    diagnostic.save()
    _touch(young_person.pk)
    return diagnostic


@transaction.atomic
def steps_add(
    *,
    actor: User,
    young_person: YoungPerson,
    step_types: list[StepType],
    due_date: date | None = None,
) -> list[Step]:
    _require_full_access(actor, young_person)
    allowed = set(step_types_for(young_person.organization_id).values_list("pk", flat=True))
    if any(st.pk not in allowed for st in step_types):
        raise NotAllowed(_("This step is not in your organisation's catalogue."))
    present = set(young_person.steps.values_list("step_type_id", flat=True))
    created = [
        Step(young_person=young_person, step_type=st, due_date=due_date)
        for st in step_types
        if st.pk not in present
    ]
    Step.objects.bulk_create(created)
    _touch(young_person.pk)
    return created


@transaction.atomic
def step_update(
    *, actor: User, step: Step, status: str, due_date: date | None, evidence: str = ""
) -> Step:
    if status not in StepStatus.values:
        raise ValueError(status)
    _require_record(actor, Step, step)
    fields = ["status", "due_date", "evidence", "updated_at", "completed_at", "completed_by"]
    if status == StepStatus.DONE and step.status != StepStatus.DONE:
        step.completed_at = timezone.now()
        step.completed_by = actor
    elif status != StepStatus.DONE:
        step.completed_at = None
        step.completed_by = None
    step.status = status
    step.due_date = due_date
    step.evidence = evidence.strip()
    step.updated_at = timezone.now()
    step.full_clean(exclude=["young_person", "step_type"])
    step.save(update_fields=fields)
    _touch(step.young_person_id)
    return step


@transaction.atomic
def follow_up_create(
    *,
    actor: User,
    young_person: YoungPerson,
    occurred_at: datetime,
    channel: str,
    duration_minutes: int,
    notes: str = "",
    next_action: str = "",
    next_appointment: datetime | None = None,
) -> FollowUp:
    _require_full_access(actor, young_person)
    validators.enforce("occurred_at", validators.validate_follow_up_moment, occurred_at)
    if next_appointment is not None:
        validators.enforce(
            "next_appointment", validators.validate_plausible_moment, next_appointment
        )
    follow_up = FollowUp(
        young_person=young_person,
        author=actor,
        occurred_at=occurred_at,
        channel=channel,
        duration_minutes=duration_minutes,
        notes=notes.strip(),
        next_action=next_action.strip(),
        next_appointment=next_appointment,
    )
    follow_up.full_clean()
    follow_up.save()
    _touch(young_person.pk)
    return follow_up


@dataclass(frozen=True)
class FileKind:
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]
    content_type: str


ALLOWED_DOCUMENTS = (
    FileKind((".pdf",), (b"%PDF-",), "application/pdf"),
    FileKind(
        (".docx",),
        (b"PK\x03\x04",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    FileKind((".odt",), (b"PK\x03\x04",), "application/vnd.oasis.opendocument.text"),
    FileKind((".png",), (b"\x89PNG\r\n\x1a\n",), "image/png"),
    FileKind((".jpg", ".jpeg"), (b"\xff\xd8\xff",), "image/jpeg"),
)


def _check_document(upload: UploadedFile) -> FileKind:
    name = (upload.name or "").lower()
    if upload.size == 0:
        raise InvalidDocument(_("The file is empty."))
    if upload.size > settings.DOCUMENT_MAX_BYTES:
        raise InvalidDocument(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": f"{upload.size / 1_048_576:.1f}",
                "limit": f"{settings.DOCUMENT_MAX_BYTES / 1_048_576:.0f}",
            }
        )
    kind = next((k for k in ALLOWED_DOCUMENTS if name.endswith(k.extensions)), None)
    if kind is None:
        raise InvalidDocument(
            _(
                "This type of file is not accepted. Accepted: PDF, Word (.docx), "
                "OpenDocument (.odt), PNG or JPEG."
            )
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(kind.magic):
        raise InvalidDocument(
            _("The file's content does not match its extension; it may be damaged.")
        )
    return kind


@transaction.atomic
def document_upload(
    *, actor: User, young_person: YoungPerson, kind: str, title: str, upload: UploadedFile
) -> Document:
    _require_full_access(actor, young_person)
    file_kind = _check_document(upload)
    original_name = upload.name or "document"
    name_limit = Document._meta.get_field("original_name").max_length
    if len(original_name) > name_limit:
        # The name is what the person will recognise: refused, never silently cut.
        raise InvalidDocument(
            _("The file name is too long: rename the file (%(limit)d characters at most).")
            % {"limit": name_limit}
        )
    title = title.strip() or validators.document_title_default(
        original_name, max_length=Document._meta.get_field("title").max_length
    )
    document = Document(
        young_person=young_person,
        kind=kind,
        title=title,
        original_name=original_name,
        content_type=file_kind.content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    document.full_clean(exclude=["file"])
    document.file.save("upload", upload, save=False)
    # The row must never point at a missing file; a row that fails to save must not
    # leave a stray file behind.
    stored_name = document.file.name
    try:
        document.save()
    except Exception:
        document.file.storage.delete(stored_name)
        raise
    _touch(young_person.pk)
    return document


@transaction.atomic
def document_delete(*, actor: User, document: Document) -> None:
    _require_record(actor, Document, document)
    storage, name = document.file.storage, document.file.name
    young_person_id = document.young_person_id
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
    _touch(young_person_id)


@transaction.atomic
def application_save(
    *,
    actor: User,
    young_person: YoungPerson,
    application: Application | None = None,
    **fields,
) -> Application:
    creating = application is None
    if creating:
        _require_full_access(actor, young_person)
        application = Application(young_person=young_person, created_by=actor)
    else:
        _require_record(actor, Application, application, young_person_id=young_person.pk)
    cv = fields.get("cv")
    if cv is not None and cv.young_person_id != young_person.pk:
        raise NotAllowed(_("This document belongs to another file."))
    for name, value in fields.items():
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    application.applied_on = validators.applied_on_default(
        status=application.status, applied_on=application.applied_on
    )
    application.updated_at = timezone.now()
    application.full_clean(exclude=["young_person", "created_by"])
    if creating:
        application.save()
    else:
        application.save(update_fields=[*fields, "applied_on", "updated_at"])
    _touch(young_person.pk)
    return application


def _require_delegation_manager(actor: User, young_person: YoungPerson) -> None:
    """The referent or a supervisor of the organisation; a delegate may not pass the file on."""
    _require_full_access(actor, young_person)
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
    for young_person in moving.values():
        audit.info(
            "user=%s young_person=%s action=reassign from=%s to=%s",
            actor.pk,
            young_person.pk,
            young_person.referent_id,
            new_referent.pk,
        )
    return updated
