"""Demo young people's files, written through `cases.services` as an advisor would."""

from datetime import date, timedelta
from typing import Any

from django.core.files.storage import Storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Organization, User
from cases import services
from cases.enums import DocumentKind, StepStatus, YoungPersonStatus
from cases.models import StepType, YoungPerson
from cases.selectors import step_types_for
from demo.data import ACCOUNTS, ascii_slug
from demo.documents import build_cv_pdf
from demo.planner import Planner
from demo.plans import YoungPersonPlan
from demo.seeders.accounts import Staff

# (storage, name) of every CV written, so that a failed run can delete them.
StoredFiles = list[tuple[Storage, str]]


def seed_files(
    *, planner: Planner, staff: Staff, stored_files: StoredFiles
) -> dict[str, list[YoungPerson]]:
    """Every account's caseload, in the order of ACCOUNTS (the planner's order)."""
    catalogues = {
        key: {st.code: st for st in step_types_for(org.pk)}
        for key, org in staff.organizations.items()
    }
    files: dict[str, list[YoungPerson]] = {}
    for username, _first, _last, org_key, _role, count in ACCOUNTS:
        organization = staff.organizations[org_key]
        files[username] = [
            _create_file(
                planner.young_person(org_key, organization.kind),
                actor=staff.users[username],
                organization=organization,
                catalogue=catalogues[org_key],
                stored_files=stored_files,
            )
            for _index in range(count)
        ]
    return files


def seed_delegations(*, staff: Staff, files: dict[str, list[YoungPerson]], today: date) -> None:
    """Camille is on leave: the supervisor lets Julien cover two of her files."""
    for young_person in [
        yp for yp in files["conseiller.nord"] if yp.status == YoungPersonStatus.ACTIVE
    ][:2]:
        services.delegation_grant(
            actor=staff.users["superviseur.nord"],
            young_person=young_person,
            grantee=staff.users["conseiller2.nord"],
            ends_on=today + timedelta(days=21),
        )


def _values(plan: object, names: tuple[str, ...], **given: Any) -> dict[str, Any]:
    """The fields `names` of a plan as a service's keyword arguments (`given` wins)."""
    return {name: given[name] if name in given else getattr(plan, name) for name in names}


def _create_file(
    plan: YoungPersonPlan,
    *,
    actor: User,
    organization: Organization,
    catalogue: dict[str, StepType],
    stored_files: StoredFiles,
) -> YoungPerson:
    young_person = services.young_person_create(
        actor=actor,
        organization=organization,
        **_values(plan, services.YOUNG_PERSON_IDENTITY),
    )
    for performed_at, answers, notes in plan.diagnostics:
        services.diagnostic_record(
            actor=actor,
            young_person=young_person,
            answers=answers,
            notes=notes,
            performed_at=performed_at,
        )
    for follow_up in plan.follow_ups:
        services.follow_up_create(
            actor=actor,
            young_person=young_person,
            **_values(follow_up, services.FOLLOW_UP_WRITTEN),
        )

    # Steps still to do are added with their due date (one call per date); the others
    # are added without one and then moved to their status.
    groups: dict[date | None, list[StepType]] = {}
    for step_plan in plan.steps:
        due_date = step_plan.due_date if step_plan.status == StepStatus.TODO else None
        groups.setdefault(due_date, []).append(catalogue[step_plan.code])
    for due_date, step_types in groups.items():
        services.steps_add(
            actor=actor, young_person=young_person, step_types=step_types, due_date=due_date
        )
    by_code = {s.step_type.code: s for s in young_person.steps.select_related("step_type")}
    for step_plan in plan.steps:
        if step_plan.status == StepStatus.TODO:
            continue
        services.step_update(
            actor=actor,
            step=by_code[step_plan.code],
            status=step_plan.status,
            due_date=step_plan.due_date,
            evidence=step_plan.evidence,
        )

    cv = None
    if plan.cv:
        pdf = build_cv_pdf(
            first_name=plan.first_name,
            last_name=plan.last_name,
            email=plan.email or plan.email_recorded_later,
            phone=plan.phone,
            city=plan.city,
            **plan.cv,
        )
        file_name = f"CV-{ascii_slug(plan.first_name)}-{ascii_slug(plan.last_name)}"
        cv = services.document_upload(
            actor=actor,
            young_person=young_person,
            kind=DocumentKind.CV,
            title=f"CV {plan.first_name} {plan.last_name}",
            upload=SimpleUploadedFile(
                name=f"{file_name}.pdf", content=pdf, content_type="application/pdf"
            ),
        )
        stored_files.append((cv.file.storage, cv.file.name))
    for application in plan.applications:
        services.application_save(
            actor=actor,
            young_person=young_person,
            **_values(
                application,
                services.APPLICATION_EDITABLE,
                cv=cv if application.with_cv else None,
            ),
        )

    changes = {}
    if plan.email_recorded_later:
        changes["email"] = plan.email_recorded_later
    if plan.status != YoungPersonStatus.ACTIVE:
        changes["status"] = plan.status
    if changes:
        young_person = services.young_person_update(
            actor=actor, young_person=young_person, version=young_person.version, **changes
        )
    return young_person
