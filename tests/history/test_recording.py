"""Every create, update and delete of a young person and of their records is recorded:
who, when, through which channel, and the fields with their values before and after.

The writes go through the services (web pages, API, import and commands call the same
ones); the web pages are used where the request itself matters (actor, channel)."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from cases import services
from cases.enums import StepStatus
from cases.models import (
    Application,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from history.context import recording
from history.enums import Action, Channel
from history.models import HistoryEntry
from referrals import services as referral_services
from referrals.models import Referral
from tests.factories import ALL_NO, ALL_YES, OrganizationFactory, member
from tests.history.helpers import entries_of, last_entry

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_web(user):
    return recording(channel=Channel.WEB, actor=user)


def test_creating_a_file_records_every_field_with_the_actor(org, advisor):
    with as_web(advisor):
        yp = services.young_person_create(
            actor=advisor,
            organization=org,
            first_name="Lina",
            last_name="Bernard",
            birth_date=timezone.localdate() - timedelta(days=19 * 365),
            city="Lille",
        )
    (entry,) = entries_of(yp)
    assert entry.action_name == Action.CREATE
    assert (entry.actor, entry.channel, entry.young_person_id) == (advisor, "web", yp.pk)
    assert entry.object_repr == "Lina Bernard"
    assert entry.changes["first_name"] == [None, "Lina"]
    assert entry.changes["city"] == [None, "Lille"]
    assert entry.changes["referent"] == [None, advisor.pk]
    assert entry.additional_data["names"]["referent"] == [None, "Camille Roux"]
    # Bookkeeping is not history: the entry itself says when and who.
    assert not {"id", "version", "updated_at", "created_at", "created_by"} & set(entry.changes)


def test_editing_a_file_on_the_web_records_the_changed_fields_only(client, advisor, yp):
    client.force_login(advisor)
    data = {
        "first_name": yp.first_name,
        "last_name": yp.last_name,
        "birth_date": yp.birth_date.isoformat(),
        "email": "",
        "phone": "",
        "city": "Douai",
        "situation": yp.situation,
        "status": "paused",
        "version": yp.version,
    }
    response = client.post(reverse("cases:update", args=[yp.pk]), data)
    assert response.status_code == 302
    entry = last_entry(yp)
    assert entry.action_name == Action.UPDATE
    assert (entry.actor, entry.channel) == (advisor, "web")
    assert entry.changes == {"city": ["Lille", "Douai"], "status": ["active", "paused"]}


def test_an_edit_that_changes_nothing_records_nothing(advisor, yp):
    before = len(entries_of(yp))
    services.young_person_update(
        actor=advisor, young_person=yp, version=yp.version, city=yp.city, status=yp.status
    )
    assert len(entries_of(yp)) == before


def test_a_refused_edit_records_nothing(advisor, yp):
    from core.exceptions import ConcurrentModification

    before = len(entries_of(yp))
    with pytest.raises(ConcurrentModification):
        services.young_person_update(
            actor=advisor, young_person=yp, version=yp.version + 5, city="Ailleurs"
        )
    assert len(entries_of(yp)) == before


def test_reassigning_files_records_the_referent_before_and_after(org, advisor, supervisor, yp):
    colleague = member(org, Role.ADVISOR, first_name="Noé", last_name="Blanc")
    yp = YoungPerson.objects.select_related("referent").get(pk=yp.pk)
    with as_web(supervisor):
        services.young_people_reassign(actor=supervisor, young_people=[yp], new_referent=colleague)
    entry = last_entry(yp)
    assert (entry.action_name, entry.actor) == (Action.UPDATE, supervisor)
    assert entry.changes == {"referent": [advisor.pk, colleague.pk]}
    assert entry.additional_data["names"]["referent"] == ["Camille Roux", "Noé Blanc"]


def test_deleting_a_file_keeps_its_values_and_those_of_its_records(advisor, yp):
    step = services.steps_add(
        actor=advisor, young_person=yp, step_types=[StepType.objects.filter(organization=None)[0]]
    )[0]
    pk = yp.pk
    with recording(channel=Channel.SYSTEM):
        yp.delete()
    deleted = HistoryEntry.objects.filter(young_person_id=pk, action=HistoryEntry.Action.DELETE)
    by_object = {(e.content_type.model, e.object_id): e for e in deleted}
    assert by_object[("youngperson", pk)].changes["last_name"] == ["Bernard", None]
    assert ("step", step.pk) in by_object


def test_diagnostic_is_recorded_with_its_answers(advisor, yp):
    with as_web(advisor):
        diagnostic = services.diagnostic_record(actor=advisor, young_person=yp, answers=ALL_YES)
    (entry,) = entries_of(diagnostic)
    assert (entry.young_person_id, entry.actor) == (yp.pk, advisor)
    assert entry.changes["has_email"] == [None, True]
    assert entry.changes["autonomy_level"] == [None, 4]
    assert entry.changes["performed_by"] == [None, advisor.pk]


def test_steps_added_in_bulk_are_recorded_one_by_one(advisor, yp):
    step_types = list(StepType.objects.filter(organization=None).order_by("order")[:3])
    with as_web(advisor):
        steps = services.steps_add(actor=advisor, young_person=yp, step_types=step_types)
    for step, step_type in zip(steps, step_types, strict=True):
        (entry,) = entries_of(step)
        assert (entry.action_name, entry.actor, entry.young_person_id) == (
            Action.CREATE,
            advisor,
            yp.pk,
        )
        assert entry.object_repr == step_type.label
        assert entry.changes["step_type"] == [None, step_type.pk]
        assert entry.additional_data["names"]["step_type"] == [None, step_type.label]
        assert entry.changes["status"] == [None, "todo"]


def test_completing_a_step_on_the_web_records_status_and_completion(client, advisor, yp):
    step = services.steps_add(
        actor=advisor, young_person=yp, step_types=[StepType.objects.filter(organization=None)[0]]
    )[0]
    client.force_login(advisor)
    response = client.post(
        reverse("cases:step_update", args=[yp.pk, step.pk]),
        {"status": "done", "due_date": "", "evidence": "Adresse créée"},
    )
    assert response.status_code == 302
    entry = last_entry(step)
    assert (entry.action_name, entry.actor, entry.channel) == (Action.UPDATE, advisor, "web")
    assert entry.changes["status"] == ["todo", "done"]
    assert entry.changes["evidence"] == ["", "Adresse créée"]
    assert entry.changes["completed_by"] == [None, advisor.pk]
    assert entry.changes["completed_at"][0] is None
    assert entry.changes["completed_at"][1]


def test_follow_up_is_recorded(advisor, yp):
    with as_web(advisor):
        follow_up = services.follow_up_create(
            actor=advisor,
            young_person=yp,
            occurred_at=timezone.now(),
            channel="phone",
            duration_minutes=20,
            notes="Appel",
        )
    (entry,) = entries_of(follow_up)
    assert entry.changes["channel"] == [None, "phone"]
    assert entry.changes["duration_minutes"] == [None, 20]
    assert entry.changes["notes"] == [None, "Appel"]


def test_application_created_then_changed(advisor, yp):
    with as_web(advisor):
        application = services.application_save(
            actor=advisor,
            young_person=yp,
            employer="Boulangerie Martin",
            position="Vendeuse",
            source="job_board",
            status="draft",
        )
        services.application_save(
            actor=advisor,
            young_person=yp,
            application=application,
            status="sent",
            applied_on=timezone.localdate(),
        )
    created, changed = entries_of(application)
    assert created.changes["employer"] == [None, "Boulangerie Martin"]
    assert changed.changes["status"] == ["draft", "sent"]
    assert changed.changes["applied_on"] == [None, timezone.localdate().isoformat()]
    assert changed.object_repr == "Vendeuse — Boulangerie Martin"


def test_deleted_document_leaves_its_metadata_and_who_deleted_it(client, advisor, supervisor, yp):
    client.force_login(advisor)
    upload = SimpleUploadedFile("CV Lina.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("cases:document_upload", args=[yp.pk]),
        {"kind": "cv", "title": "CV de Lina", "file": upload},
    )
    assert response.status_code == 302
    document = Document.objects.get(young_person=yp)
    stored_name = document.file.name
    application = services.application_save(
        actor=advisor,
        young_person=yp,
        employer="Boulangerie",
        position="Vendeuse",
        source="job_board",
        cv=document,
    )
    client.force_login(supervisor)
    response = client.post(reverse("cases:document_delete", args=[yp.pk, document.pk]))
    assert response.status_code == 302
    assert not Document.objects.filter(pk=document.pk).exists()

    uploaded, deleted = entries_of(document)
    assert (uploaded.action_name, uploaded.actor) == (Action.CREATE, advisor)
    assert (deleted.action_name, deleted.actor, deleted.channel) == (
        Action.DELETE,
        supervisor,
        "web",
    )
    assert deleted.young_person_id == yp.pk
    assert deleted.object_repr == "CV de Lina"
    assert deleted.changes["title"] == ["CV de Lina", None]
    assert deleted.changes["original_name"] == ["CV Lina.pdf", None]
    assert deleted.changes["kind"] == ["cv", None]
    assert deleted.changes["size"] == [len(PDF), None]
    assert deleted.changes["uploaded_by"] == [advisor.pk, None]
    # Metadata only: neither the stored file's path nor its bytes.
    assert "file" not in deleted.changes
    assert stored_name not in str(deleted.changes) + str(deleted.additional_data)
    # The application that sent it lost its CV by ON DELETE SET NULL: recorded too.
    cv_lost = last_entry(application)
    assert cv_lost.changes == {"cv": [document.pk, None]}
    assert cv_lost.additional_data["names"]["cv"] == ["CV de Lina", None]
    assert cv_lost.actor == supervisor


def test_delegation_granted_extended_and_revoked(org, advisor, yp):
    colleague = member(org, Role.ADVISOR, first_name="Noé", last_name="Blanc")
    ends_on = timezone.localdate() + timedelta(days=10)
    with as_web(advisor):
        services.delegation_grant(
            actor=advisor, young_person=yp, grantee=colleague, ends_on=ends_on
        )
        grant = YoungPersonUserObjectPermission.objects.get(content_object=yp, user=colleague)
        services.delegation_grant(
            actor=advisor, young_person=yp, grantee=colleague, ends_on=ends_on + timedelta(days=5)
        )
        services.delegation_revoke(actor=advisor, young_person=yp, grantee=colleague)
    granted, extended, revoked = entries_of(grant)
    assert [e.action_name for e in (granted, extended, revoked)] == [
        Action.CREATE,
        Action.UPDATE,
        Action.DELETE,
    ]
    assert {e.young_person_id for e in (granted, extended, revoked)} == {yp.pk}
    assert granted.object_repr == "Noé Blanc"
    assert granted.changes["user"] == [None, colleague.pk]
    assert granted.additional_data["names"]["user"] == [None, "Noé Blanc"]
    assert set(extended.changes) == {"expires_at"}
    assert revoked.changes["user"] == [colleague.pk, None]
    assert revoked.actor == advisor


def test_referral_sent_and_accepted_belongs_to_the_young_persons_history(advisor, yp):
    emmaus = OrganizationFactory(emmaus=True, name="Emmaüs Connect Lille")
    handler = member(emmaus, Role.ADVISOR, first_name="Inès", last_name="Haddad")
    with as_web(advisor):
        referral = referral_services.referral_send(
            actor=advisor,
            young_person=yp,
            to_organization=emmaus,
            reason="equipment",
            message="Besoin d'un téléphone",
            shared_sections=["identity", "diagnostic"],
            consent_method="oral",
            consent_given=True,
        )
    with as_web(handler):
        referral_services.referral_accept(actor=handler, referral=referral)
    sent, accepted = entries_of(referral)
    assert {sent.young_person_id, accepted.young_person_id} == {yp.pk}
    assert sent.object_repr == "Emmaüs Connect Lille"
    assert sent.changes["shared_sections"] == [None, ["identity", "diagnostic"]]
    assert sent.changes["to_organization"] == [None, emmaus.pk]
    assert (accepted.action_name, accepted.actor) == (Action.UPDATE, handler)
    assert accepted.changes["status"] == ["sent", "accepted"]
    assert accepted.changes["handler"] == [None, handler.pk]
    assert accepted.additional_data["names"]["handler"] == [None, "Inès Haddad"]
    assert accepted.changes["answered_at"][1]


@pytest.mark.parametrize(
    ("model", "make", "field", "value"),
    [
        (
            DigitalDiagnostic,
            lambda a, yp: services.diagnostic_record(actor=a, young_person=yp, answers=ALL_NO),
            "notes",
            "Corrigé",
        ),
        (
            FollowUp,
            lambda a, yp: services.follow_up_create(
                actor=a,
                young_person=yp,
                occurred_at=timezone.now(),
                channel="phone",
                duration_minutes=10,
            ),
            "duration_minutes",
            45,
        ),
        (
            Step,
            lambda a, yp: services.steps_add(
                actor=a, young_person=yp, step_types=[StepType.objects.filter(organization=None)[0]]
            )[0],
            "status",
            StepStatus.IN_PROGRESS,
        ),
        (
            Application,
            lambda a, yp: services.application_save(
                actor=a, young_person=yp, employer="E", position="P", source="job_board"
            ),
            "employer",
            "Autre employeur",
        ),
    ],
)
def test_any_save_or_delete_of_a_record_is_recorded(advisor, yp, model, make, field, value):
    """Writes outside the services (the Django shell, a data fix) are recorded as well."""
    record = make(advisor, yp)
    before = getattr(record, field)
    setattr(record, field, value)
    with recording(channel=Channel.SYSTEM):
        record.save()
        pk = record.pk
        record.delete()
    record.pk = pk
    *_, changed, deleted = entries_of(record)
    assert (changed.action_name, changed.channel, changed.actor) == (Action.UPDATE, "system", None)
    assert changed.changes == {field: [before, value]}
    assert deleted.action_name == Action.DELETE
    assert deleted.changes[field] == [value, None]
    assert {changed.young_person_id, deleted.young_person_id} == {yp.pk}


def test_referral_expired_by_the_command_is_recorded_as_a_command(advisor, yp, settings):
    emmaus = OrganizationFactory(emmaus=True)
    referral = referral_services.referral_send(
        actor=advisor,
        young_person=yp,
        to_organization=emmaus,
        reason="equipment",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=timezone.now() - timedelta(days=settings.REFERRAL_EXPIRY_DAYS + 1)
    )
    call_command("expire_referrals", stdout=io.StringIO())
    entry = last_entry(referral)
    assert (entry.channel, entry.actor) == ("command", None)
    assert entry.changes["status"] == ["sent", "expired"]
