"""Service tests: the rules that hold whatever calls the service (web, API, commands)."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import timezone, translation

from accounts.enums import Role
from accounts.models import Membership, User
from cases import selectors, services
from cases.access import access_young_person
from cases.enums import (
    AccessAction,
    AccessLevel,
    ApplicationSource,
    ApplicationStatus,
    AutonomyLevel,
    DocumentKind,
    FollowUpChannel,
    StepCategory,
    StepStatus,
)
from cases.models import (
    AccessLog,
    Application,
    Document,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from core.exceptions import (
    ConcurrentModification,
    DuplicateSuspected,
    InvalidDocument,
    NotAllowed,
    NotFound,
)
from tests.factories import (
    ALL_NO,
    ALL_YES,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    default_step_type,
    member,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR)


@pytest.fixture
def colleague(org):
    return member(org, Role.ADVISOR)


@pytest.fixture
def supervisor(org):
    return member(org, Role.SUPERVISOR)


@pytest.fixture
def yp(org, advisor):
    return YoungPersonFactory(organization=org, referent=advisor)


def fresh(user: User) -> User:
    """A new instance: membership look-ups are cached per instance (per request)."""
    return User.objects.get(pk=user.pk)


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def pdf(name: str = "cv.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- young_person_create ----------------------------------------------------------------


def create(actor, org, **fields):
    values = {
        "first_name": "Léa",
        "last_name": "Martin",
        "birth_date": date(2005, 3, 14),
    }
    values.update(fields)
    return services.young_person_create(actor=actor, organization=org, **values)


def test_create_makes_the_actor_referent_and_strips_input(org, advisor):
    young_person = create(advisor, org, first_name="  Léa ", last_name=" Martin", email=" ")
    young_person.refresh_from_db()
    assert young_person.referent == advisor
    assert young_person.created_by == advisor
    assert young_person.organization == org
    assert (young_person.first_name, young_person.last_name) == ("Léa", "Martin")
    assert young_person.email == ""
    assert young_person.version == 1


def test_create_detects_a_duplicate_in_the_same_organisation_case_insensitively(
    org, advisor, colleague
):
    existing = create(colleague, org, first_name="Lea", last_name="Martin")
    with pytest.raises(DuplicateSuspected) as error:
        create(advisor, org, first_name=" lea ", last_name="MARTIN")
    assert error.value.matches == [existing]
    assert "already exists" in error.value.message
    assert YoungPerson.objects.count() == 1


def test_duplicate_detection_ignores_the_case_of_accented_letters(org, advisor, colleague):
    create(colleague, org, first_name="Léa", last_name="Lefèvre")
    with pytest.raises(DuplicateSuspected):
        create(advisor, org, first_name="LÉA", last_name="LEFÈVRE")


def test_same_name_with_another_birth_date_is_not_a_duplicate(org, advisor):
    create(advisor, org)
    create(advisor, org, birth_date=date(2005, 3, 15))
    assert YoungPerson.objects.count() == 2


def test_confirm_duplicate_creates_a_second_file(org, advisor, colleague):
    create(colleague, org)
    second = create(advisor, org, confirm_duplicate=True)
    assert YoungPerson.objects.filter(first_name="Léa", last_name="Martin").count() == 2
    assert second.referent == advisor


def test_same_person_in_another_organisation_is_not_a_duplicate(org, advisor):
    other_org = OrganizationFactory()
    create(member(other_org), other_org)
    young_person = create(advisor, org)
    assert young_person.organization == org
    assert YoungPerson.objects.count() == 2


@pytest.mark.parametrize("role", [Role.PARTNER, Role.ORG_ADMIN])
def test_create_refused_to_a_non_casework_member(org, role):
    with pytest.raises(NotAllowed):
        create(member(org, role), org)
    assert not YoungPerson.objects.exists()


def test_create_refused_in_an_organisation_the_actor_does_not_belong_to(org):
    other_org = OrganizationFactory()
    with pytest.raises(NotAllowed):
        create(member(other_org), org)
    assert not YoungPerson.objects.exists()


def test_create_refused_to_a_deactivated_member(org, advisor):
    Membership.objects.filter(user=advisor).update(is_active=False)
    with pytest.raises(NotAllowed):
        create(fresh(advisor), org)
    assert not YoungPerson.objects.exists()


def test_create_refuses_a_referent_from_another_organisation(org, advisor):
    outsider = member(OrganizationFactory())
    with pytest.raises(NotAllowed):
        create(advisor, org, referent=outsider)
    assert not YoungPerson.objects.exists()


def test_create_with_a_colleague_as_referent(org, supervisor, colleague):
    young_person = create(supervisor, org, referent=colleague)
    assert young_person.referent == colleague
    assert young_person.created_by == supervisor


# --- young_person_update -----------------------------------------------------------------


def test_update_saves_and_increments_the_version(advisor, yp):
    services.young_person_update(actor=advisor, young_person=yp, version=1, city=" Roubaix ")
    assert yp.version == 2
    yp.refresh_from_db()
    assert yp.city == "Roubaix"
    assert yp.version == 2
    services.young_person_update(actor=advisor, young_person=yp, version=2, phone="0601020304")
    yp.refresh_from_db()
    assert yp.version == 3
    assert yp.phone == "0601020304"


def test_update_with_a_stale_version_is_refused_and_changes_nothing(advisor, supervisor, yp):
    # Two people who may both write the file load version 1; the first to save wins.
    first = YoungPerson.objects.get(pk=yp.pk)
    second = YoungPerson.objects.get(pk=yp.pk)
    services.young_person_update(actor=advisor, young_person=first, version=1, city="Roubaix")
    with pytest.raises(ConcurrentModification) as error:
        services.young_person_update(
            actor=supervisor, young_person=second, version=1, city="Tourcoing", phone="0700000000"
        )
    assert "changed by someone else" in error.value.message
    yp.refresh_from_db()
    assert yp.city == "Roubaix"
    assert yp.phone == ""
    assert yp.version == 2


def test_update_refuses_fields_that_are_not_editable(advisor, yp):
    with pytest.raises(ValueError, match="referent"):
        services.young_person_update(actor=advisor, young_person=yp, version=1, referent=advisor)
    yp.refresh_from_db()
    assert yp.version == 1


def test_update_validates_the_values(advisor, yp):
    with pytest.raises(ValidationError):
        services.young_person_update(actor=advisor, young_person=yp, version=1, email="nope")
    yp.refresh_from_db()
    assert yp.email == ""
    assert yp.version == 1


# --- diagnostic_record -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "level"),
    [
        (ALL_NO, AutonomyLevel.NONE),
        (ALL_YES, AutonomyLevel.AUTONOMOUS),
        ({**ALL_NO, "has_smartphone": True, "has_mobile_data": True}, AutonomyLevel.BEGINNER),
        (
            {**ALL_YES, "has_home_internet": False, "has_mobile_data": False},
            AutonomyLevel.INTERMEDIATE,
        ),
    ],
)
def test_diagnostic_record_computes_the_level(advisor, yp, answers, level):
    diagnostic = services.diagnostic_record(
        actor=advisor, young_person=yp, answers=answers, notes="premier entretien"
    )
    diagnostic.refresh_from_db()
    assert diagnostic.autonomy_level == level
    assert diagnostic.performed_by == advisor
    assert diagnostic.young_person == yp
    assert all(getattr(diagnostic, name) == value for name, value in answers.items())


def test_diagnostic_record_requires_every_answer(advisor, yp):
    incomplete = dict(ALL_YES)
    del incomplete["can_scan_upload"]
    with pytest.raises(ValueError, match="can_scan_upload"):
        services.diagnostic_record(actor=advisor, young_person=yp, answers=incomplete)
    assert not yp.diagnostics.exists()


def test_diagnostic_record_touches_the_file(advisor, yp):
    before = YoungPerson.objects.get(pk=yp.pk).updated_at
    services.diagnostic_record(actor=advisor, young_person=yp, answers=ALL_NO)
    assert YoungPerson.objects.get(pk=yp.pk).updated_at > before


# --- steps --------------------------------------------------------------------------------


def test_steps_add_creates_steps_with_due_date(advisor, yp):
    due = timezone.localdate() + timedelta(days=7)
    created = services.steps_add(
        actor=advisor,
        young_person=yp,
        step_types=[default_step_type("create_email"), default_step_type("write_cv")],
        due_date=due,
    )
    assert len(created) == 2
    steps = Step.objects.filter(young_person=yp)
    assert {s.step_type.code for s in steps} == {"create_email", "write_cv"}
    assert {s.due_date for s in steps} == {due}
    assert {s.status for s in steps} == {StepStatus.TODO}


def test_steps_add_skips_steps_already_present(advisor, yp):
    existing = StepFactory(
        young_person=yp, step_type=default_step_type("create_email"), status=StepStatus.IN_PROGRESS
    )
    created = services.steps_add(
        actor=advisor,
        young_person=yp,
        step_types=[default_step_type("create_email"), default_step_type("write_cv")],
    )
    assert [s.step_type.code for s in created] == ["write_cv"]
    assert yp.steps.count() == 2
    existing.refresh_from_db()
    assert existing.status == StepStatus.IN_PROGRESS


def test_steps_add_accepts_the_organisations_own_step_type(org, advisor, yp):
    own = StepType.objects.create(organization=org, code="atelier-cv", label="Atelier CV")
    created = services.steps_add(actor=advisor, young_person=yp, step_types=[own])
    assert [s.step_type for s in created] == [own]


def test_steps_add_refuses_a_step_type_of_another_organisation(advisor, yp):
    foreign = StepType.objects.create(
        organization=OrganizationFactory(), code="atelier", label="Atelier d'ailleurs"
    )
    with pytest.raises(NotAllowed, match="catalogue"):
        services.steps_add(
            actor=advisor,
            young_person=yp,
            step_types=[default_step_type("write_cv"), foreign],
        )
    assert not yp.steps.exists()


def test_steps_add_refuses_an_inactive_step_type(org, advisor, yp):
    retired = StepType.objects.create(
        organization=org, code="old", label="Ancienne étape", is_active=False
    )
    with pytest.raises(NotAllowed):
        services.steps_add(actor=advisor, young_person=yp, step_types=[retired])
    assert not yp.steps.exists()


def test_step_done_stamps_completion_and_reopening_clears_it(advisor, supervisor, yp):
    step = StepFactory(young_person=yp)
    services.step_update(
        actor=advisor, step=step, status=StepStatus.DONE, due_date=None, evidence=" adresse créée "
    )
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.completed_by == advisor
    assert step.completed_at is not None
    assert timezone.now() - step.completed_at < timedelta(minutes=1)
    assert step.evidence == "adresse créée"
    stamped_at = step.completed_at

    # Saving a done step again keeps who and when it was completed.
    services.step_update(actor=supervisor, step=step, status=StepStatus.DONE, due_date=None)
    step.refresh_from_db()
    assert (step.completed_at, step.completed_by) == (stamped_at, advisor)

    services.step_update(actor=supervisor, step=step, status=StepStatus.IN_PROGRESS, due_date=None)
    step.refresh_from_db()
    assert step.status == StepStatus.IN_PROGRESS
    assert step.completed_at is None
    assert step.completed_by is None


def test_step_update_refuses_an_unknown_status(advisor, yp):
    step = StepFactory(young_person=yp)
    with pytest.raises(ValueError):
        services.step_update(actor=advisor, step=step, status="finished", due_date=None)
    step.refresh_from_db()
    assert step.status == StepStatus.TODO


# --- follow-ups ---------------------------------------------------------------------------


def test_follow_up_create(advisor, yp):
    occurred_at = timezone.now() - timedelta(hours=2)
    next_appointment = timezone.now() + timedelta(days=7)
    follow_up = services.follow_up_create(
        actor=advisor,
        young_person=yp,
        occurred_at=occurred_at,
        channel=FollowUpChannel.PHONE,
        duration_minutes=20,
        notes=" A créé son adresse ",
        next_action="Envoyer le CV",
        next_appointment=next_appointment,
    )
    follow_up.refresh_from_db()
    assert follow_up.author == advisor
    assert follow_up.notes == "A créé son adresse"
    assert follow_up.occurred_at == occurred_at
    assert follow_up.next_appointment == next_appointment
    assert selectors.young_person_file(yp).next_appointment == next_appointment


@pytest.mark.parametrize("minutes", [0, 601])
def test_follow_up_duration_out_of_range_is_refused(advisor, yp, minutes):
    with pytest.raises(ValidationError):
        services.follow_up_create(
            actor=advisor,
            young_person=yp,
            occurred_at=timezone.now(),
            channel=FollowUpChannel.IN_PERSON,
            duration_minutes=minutes,
        )
    assert not FollowUp.objects.exists()


# --- documents ----------------------------------------------------------------------------


def test_document_upload_stores_a_pdf_privately(advisor, yp, private_media_root):
    document = services.document_upload(
        actor=advisor,
        young_person=yp,
        kind=DocumentKind.CV,
        title=" Mon CV ",
        upload=pdf("CV Léa Martin.pdf"),
    )
    document.refresh_from_db()
    assert document.title == "Mon CV"
    assert document.original_name == "CV Léa Martin.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF_BYTES)
    assert document.uploaded_by == advisor
    # The stored name carries no personal data.
    assert document.file.name.startswith(f"documents/{yp.pk}/")
    assert "Martin" not in document.file.name
    with document.file.open("rb") as handle:
        assert handle.read() == PDF_BYTES
    assert stored_files(private_media_root) == [private_media_root / document.file.name]


def test_document_title_defaults_to_the_file_name(advisor, yp):
    document = services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.CV, title="", upload=pdf("cv.PDF")
    )
    assert document.title == "cv.PDF"


def test_document_upload_accepts_png(advisor, yp):
    upload = SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    document = services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.ID, title="Pièce", upload=upload
    )
    assert document.content_type == "image/png"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("cv.pdf", b""), "The file is empty."),
        (SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 60), "not accepted"),
        (SimpleUploadedFile("cv.pdf.exe", PDF_BYTES), "not accepted"),
        (SimpleUploadedFile("notes.txt", b"hello"), "not accepted"),
        (SimpleUploadedFile("cv.pdf", b"just some text, not a PDF"), "does not match"),
        (SimpleUploadedFile("photo.png", PDF_BYTES), "does not match"),
    ],
    ids=["empty", "exe", "double-extension", "txt", "text-as-pdf", "pdf-as-png"],
)
def test_document_upload_rejects_bad_files(advisor, yp, private_media_root, upload, message):
    with pytest.raises(InvalidDocument) as error:
        services.document_upload(
            actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=upload
        )
    assert message in error.value.message
    assert not Document.objects.exists()
    assert stored_files(private_media_root) == []


def test_document_upload_rejects_a_file_over_the_limit(advisor, yp, settings, private_media_root):
    settings.DOCUMENT_MAX_BYTES = 1_048_576
    big = pdf(content=PDF_BYTES + b"0" * (2 * 1_048_576))
    with pytest.raises(InvalidDocument) as error:
        services.document_upload(
            actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=big
        )
    assert error.value.message == "The file is too large (2.0 MB); the limit is 1 MB."
    assert not Document.objects.exists()
    assert stored_files(private_media_root) == []


def test_document_at_the_limit_is_accepted(advisor, yp, settings):
    settings.DOCUMENT_MAX_BYTES = len(PDF_BYTES)
    services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=pdf()
    )
    assert Document.objects.count() == 1


def test_a_document_row_that_fails_to_save_leaves_no_file(
    advisor, yp, private_media_root, monkeypatch
):
    def broken_save(*args, **kwargs):
        raise IntegrityError("simulated")

    monkeypatch.setattr(Document, "save", broken_save)
    with pytest.raises(IntegrityError):
        services.document_upload(
            actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=pdf()
        )
    assert stored_files(private_media_root) == []


def test_document_delete_removes_the_file_after_commit(
    advisor, yp, private_media_root, django_capture_on_commit_callbacks
):
    document = services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=pdf()
    )
    assert len(stored_files(private_media_root)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.document_delete(actor=advisor, document=document)
    assert not Document.objects.exists()
    assert stored_files(private_media_root) == []


# --- applications -------------------------------------------------------------------------


def upload_cv(actor, young_person) -> Document:
    return services.document_upload(
        actor=actor, young_person=young_person, kind=DocumentKind.CV, title="CV", upload=pdf()
    )


def test_application_save_creates_and_dates_a_sent_application(advisor, yp):
    cv = upload_cv(advisor, yp)
    application = services.application_save(
        actor=advisor,
        young_person=yp,
        employer=" Boulangerie Martin ",
        position="Apprentie boulangère",
        source=ApplicationSource.FRANCE_TRAVAIL,
        status=ApplicationStatus.SENT,
        cv=cv,
    )
    application.refresh_from_db()
    assert application.employer == "Boulangerie Martin"
    assert application.cv == cv
    assert application.created_by == advisor
    assert application.applied_on == timezone.localdate()


def test_application_save_edits_an_existing_application(advisor, yp):
    application = services.application_save(
        actor=advisor,
        young_person=yp,
        employer="Resto",
        position="Commis",
        source=ApplicationSource.JOB_BOARD,
    )
    assert application.status == ApplicationStatus.DRAFT
    assert application.applied_on is None
    services.application_save(
        actor=advisor,
        young_person=yp,
        application=application,
        status=ApplicationStatus.INTERVIEW,
        applied_on=date(2025, 1, 6),
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INTERVIEW
    assert application.applied_on == date(2025, 1, 6)
    assert application.employer == "Resto"
    assert Application.objects.count() == 1


def test_application_with_the_cv_of_another_young_person_is_refused(org, advisor, yp):
    other = YoungPersonFactory(organization=org, referent=advisor)
    foreign_cv = upload_cv(advisor, other)
    with pytest.raises(NotAllowed, match="another file"):
        services.application_save(
            actor=advisor,
            young_person=yp,
            employer="Resto",
            position="Commis",
            source=ApplicationSource.JOB_BOARD,
            cv=foreign_cv,
        )
    assert not Application.objects.exists()


def test_editing_an_application_to_a_foreign_cv_is_refused(org, advisor, yp):
    own_cv = upload_cv(advisor, yp)
    application = services.application_save(
        actor=advisor,
        young_person=yp,
        employer="Resto",
        position="Commis",
        source=ApplicationSource.JOB_BOARD,
        cv=own_cv,
    )
    foreign_cv = upload_cv(advisor, YoungPersonFactory(organization=org, referent=advisor))
    with pytest.raises(NotAllowed):
        services.application_save(
            actor=advisor, young_person=yp, application=application, cv=foreign_cv
        )
    application.refresh_from_db()
    assert application.cv == own_cv


# --- delegations ----------------------------------------------------------------------------


def can_see(user: User, young_person: YoungPerson) -> bool:
    return selectors.young_people_full_access(fresh(user)).filter(pk=young_person.pk).exists()


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def test_delegation_gives_full_access_until_revoked(advisor, colleague, yp):
    assert not can_see(colleague, yp)
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(7))
    assert can_see(colleague, yp)
    # The delegate sees the file but it is not in their own caseload.
    assert not selectors.caseload(fresh(colleague)).filter(pk=yp.pk).exists()

    services.delegation_revoke(actor=advisor, young_person=yp, grantee=colleague)
    assert not can_see(colleague, yp)
    assert not YoungPersonUserObjectPermission.objects.exists()


def test_delegation_ends_at_the_end_of_its_last_day(advisor, colleague, yp):
    grant = services.delegation_grant(
        actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(3)
    )
    expected = timezone.make_aware(datetime.combine(in_days(3), datetime.max.time()))
    assert abs(grant.expires_at - expected) < timedelta(seconds=1)
    assert [g.user for g in selectors.young_person_delegations(yp)] == [colleague]


def test_delegation_is_over_after_its_end_date(advisor, colleague, yp):
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(3))
    YoungPersonUserObjectPermission.objects.filter(user=colleague).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert not can_see(colleague, yp)
    assert list(selectors.young_person_delegations(yp)) == []


def test_delegation_ends_when_the_delegate_membership_is_deactivated(advisor, colleague, yp):
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(3))
    Membership.objects.filter(user=colleague).update(is_active=False)
    assert not can_see(colleague, yp)


def test_delegation_ends_when_the_delegate_becomes_a_partner(advisor, colleague, yp):
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(3))
    Membership.objects.filter(user=colleague).update(role=Role.PARTNER)
    assert not can_see(colleague, yp)


def test_delegation_to_a_user_of_another_organisation_is_refused(advisor, yp):
    outsider = member(OrganizationFactory())
    with pytest.raises(NotAllowed, match="advisor of the organisation"):
        services.delegation_grant(
            actor=advisor, young_person=yp, grantee=outsider, ends_on=in_days(3)
        )
    assert not YoungPersonUserObjectPermission.objects.exists()
    assert not can_see(outsider, yp)


def test_delegation_to_a_partner_of_the_same_organisation_is_refused(org, advisor, yp):
    with pytest.raises(NotAllowed):
        services.delegation_grant(
            actor=advisor, young_person=yp, grantee=member(org, Role.PARTNER), ends_on=in_days(3)
        )
    assert not YoungPersonUserObjectPermission.objects.exists()


def test_delegation_to_the_referent_is_refused(supervisor, advisor, yp):
    with pytest.raises(NotAllowed):
        services.delegation_grant(
            actor=supervisor, young_person=yp, grantee=advisor, ends_on=in_days(3)
        )
    assert not YoungPersonUserObjectPermission.objects.exists()


@pytest.mark.parametrize("days", [0, -1])
def test_delegation_end_date_must_be_in_the_future(advisor, colleague, yp, days):
    with pytest.raises(NotAllowed, match="future"):
        services.delegation_grant(
            actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(days)
        )
    assert not YoungPersonUserObjectPermission.objects.exists()
    assert not AccessLog.objects.exists()


def test_granting_again_moves_the_end_date(advisor, colleague, yp):
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(3))
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(9))
    grant = YoungPersonUserObjectPermission.objects.get()
    assert timezone.localtime(grant.expires_at).date() == in_days(9)


def test_delegation_grant_and_revoke_are_logged(advisor, colleague, yp):
    colleague.first_name, colleague.last_name = "Karim", "Benali"
    colleague.save()
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(5))
    services.delegation_revoke(actor=advisor, young_person=yp, grantee=colleague)
    entries = list(AccessLog.objects.filter(young_person=yp).order_by("pk"))
    assert [(e.action, e.user) for e in entries] == [
        (AccessAction.DELEGATION_GRANTED, advisor),
        (AccessAction.DELEGATION_REVOKED, advisor),
    ]
    assert "Karim Benali" in entries[0].detail
    assert in_days(5).isoformat() in entries[0].detail
    assert entries[1].detail == "Karim Benali"


def test_delegation_does_not_reach_other_young_people(org, advisor, colleague, yp):
    other = YoungPersonFactory(organization=org, referent=advisor)
    services.delegation_grant(actor=advisor, young_person=yp, grantee=colleague, ends_on=in_days(3))
    assert can_see(colleague, yp)
    assert not can_see(colleague, other)


# --- scoping (what the services and views rely on) -----------------------------------------


def test_supervisor_sees_the_whole_organisation_but_not_others(org, supervisor, yp):
    foreign = YoungPersonFactory(organization=OrganizationFactory())
    assert can_see(supervisor, yp)
    assert not can_see(supervisor, foreign)


def test_colleague_gets_a_directory_card_only(colleague, yp):
    reachable = access_young_person(fresh(colleague), yp.pk, level=AccessLevel.DIRECTORY)
    assert reachable.access == "directory"
    with pytest.raises(NotFound):
        access_young_person(fresh(colleague), yp.pk)


# --- step catalogue --------------------------------------------------------------------------


def test_step_type_create_and_toggle(org):
    admin = member(org, Role.ORG_ADMIN)
    step_type = services.step_type_create(
        actor=admin,
        organization=org,
        code="atelier-cv",
        label=" Atelier CV ",
        category=StepCategory.JOB_SEARCH,
        order=35,
    )
    assert step_type.label == "Atelier CV"
    assert step_type in selectors.step_types_for(org.pk)
    assert step_type not in selectors.step_types_for(OrganizationFactory().pk)
    services.step_type_set_active(actor=admin, step_type=step_type, is_active=False)
    assert step_type not in selectors.step_types_for(org.pk)


def test_step_type_cannot_reuse_a_default_code(org):
    with pytest.raises(NotAllowed, match="default step"):
        services.step_type_create(
            actor=member(org, Role.ORG_ADMIN),
            organization=org,
            code="create_email",
            label="Autre",
            category=StepCategory.DIGITAL,
            order=1,
        )
    assert not StepType.objects.filter(organization=org).exists()
