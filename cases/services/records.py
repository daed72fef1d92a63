"""The records of a file: diagnostics, steps, follow-ups, applications."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from cases import diagnostics as rules
from cases import validators
from cases.enums import StepStatus
from cases.models import (
    Application,
    DigitalDiagnostic,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
)
from cases.selectors import (
    step_types_for,
)
from cases.services._common import require_full_access, require_record, touch
from core.exceptions import (
    NotAllowed,
)
from history.services import history_record_created

FOLLOW_UP_WRITTEN = (
    "occurred_at",
    "channel",
    "duration_minutes",
    "notes",
    "next_action",
    "next_appointment",
)


APPLICATION_EDITABLE = (
    "employer",
    "position",
    "source",
    "status",
    "applied_on",
    "response_on",
    "cv",
    "notes",
)


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
    require_full_access(actor, young_person)
    diagnostic = DigitalDiagnostic(
        young_person=young_person,
        performed_by=actor,
        notes=notes,
        performed_at=performed_at or timezone.now(),
        **{name: bool(answers[name]) for name in DigitalDiagnostic.QUESTION_FIELDS},
    )
    diagnostic.autonomy_level = rules.autonomy_level(diagnostic)
    diagnostic.save()
    touch(young_person.pk)
    return diagnostic


@transaction.atomic
def steps_add(
    *,
    actor: User,
    young_person: YoungPerson,
    step_types: list[StepType],
    due_date: date | None = None,
) -> list[Step]:
    require_full_access(actor, young_person)
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
    history_record_created(created)
    touch(young_person.pk)
    return created


@transaction.atomic
def step_update(
    *, actor: User, step: Step, status: str, due_date: date | None, evidence: str = ""
) -> Step:
    if status not in StepStatus.values:
        raise ValueError(status)
    require_record(actor, Step, step)
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
    touch(step.young_person_id)
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
    require_full_access(actor, young_person)
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
    touch(young_person.pk)
    return follow_up


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
        require_full_access(actor, young_person)
        application = Application(young_person=young_person, created_by=actor)
    else:
        require_record(actor, Application, application, young_person_id=young_person.pk)
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
    touch(young_person.pk)
    return application
