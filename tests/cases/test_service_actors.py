"""Every service that writes a file's record checks its actor itself.

Whatever calls a service (a web view, the API, the CSV import, a command), an actor who
may not write the file gets `NotFound` — the answer for a file that does not exist — and
nothing is written. The matrix below runs every write as every kind of wrong actor, and as
every kind of right one (so that a refusal is never the only thing tested)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from accounts.enums import Role
from accounts.models import User
from cases import grants, services
from cases.enums import ApplicationSource, ApplicationStatus, DocumentKind, StepStatus
from cases.models import (
    AccessLog,
    Application,
    DigitalDiagnostic,
    Document,
    FollowUp,
    Step,
    StepType,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from core.exceptions import NotAllowed, NotFound
from tests.factories import (
    ALL_NO,
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


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("cv.pdf", PDF_BYTES, content_type="application/pdf")


@dataclass
class World:
    users: dict[str, User]
    young_person: YoungPerson
    other_file: YoungPerson  # same referent, so every right actor may write it too
    step: Step
    document: Document
    application: Application
    step_type: StepType


@pytest.fixture
def world() -> World:
    org = OrganizationFactory()
    other_org = OrganizationFactory()
    partner_org = OrganizationFactory(partner=True)
    users = {
        "referent": member(org, Role.ADVISOR),
        "supervisor": member(org, Role.SUPERVISOR),
        "delegate": member(org, Role.ADVISOR),
        "colleague": member(org, Role.ADVISOR),
        "partner_in_org": member(org, Role.PARTNER),
        "org_admin": member(org, Role.ORG_ADMIN),
        "other_org_advisor": member(other_org, Role.ADVISOR),
        "other_org_supervisor": member(other_org, Role.SUPERVISOR),
        "partner": member(partner_org, Role.PARTNER),
        "expired_delegate": member(org, Role.ADVISOR),
    }
    young_person = YoungPersonFactory(organization=org, referent=users["referent"])
    other_file = YoungPersonFactory(organization=org, referent=users["referent"])
    ends = timezone.now() + timedelta(days=7)
    for name, expires_at in (("delegate", ends), ("expired_delegate", timezone.now())):
        for file in (young_person, other_file):
            grants.grant_delegation(
                young_person=file,
                user=users[name],
                expires_at=expires_at,
                granted_by=users["referent"],
            )
    referent = users["referent"]
    return World(
        users=users,
        young_person=young_person,
        other_file=other_file,
        step=StepFactory(young_person=young_person),
        document=services.document_upload(
            actor=referent,
            young_person=young_person,
            kind=DocumentKind.CV,
            title="CV",
            upload=pdf(),
        ),
        application=services.application_save(
            actor=referent,
            young_person=young_person,
            employer="Boulangerie",
            position="Vendeuse",
            source=ApplicationSource.JOB_BOARD,
        ),
        step_type=StepType.objects.create(organization=org, code="atelier", label="Atelier"),
    )


def fresh(user: User) -> User:
    """A new instance, as a new request would have (membership look-ups are cached)."""
    return User.objects.get(pk=user.pk)


def state(private_media_root: Path) -> dict:
    """Everything a write of this file could change."""
    return {
        "files": sorted(
            YoungPerson.objects.values_list("pk", "version", "city", "birth_date", "updated_at")
        ),
        "steps": sorted(Step.objects.values_list("pk", "status", "evidence", "completed_by")),
        "follow_ups": FollowUp.objects.count(),
        "diagnostics": DigitalDiagnostic.objects.count(),
        "documents": sorted(Document.objects.values_list("pk", "file")),
        "stored": sorted(p for p in private_media_root.rglob("*") if p.is_file()),
        "applications": sorted(Application.objects.values_list("pk", "status", "employer")),
        "grants": sorted(YoungPersonUserObjectPermission.objects.values_list("user", "expires_at")),
        "step_types": sorted(StepType.objects.values_list("pk", "is_active")),
        "access_log": AccessLog.objects.count(),
    }


# One write of each service, by `actor`, on the world's file.
WRITES: dict[str, Callable[[User, World], object]] = {
    "young_person_update": lambda actor, w: services.young_person_update(
        actor=actor, young_person=w.young_person, version=w.young_person.version, city="Roubaix"
    ),
    "diagnostic_record": lambda actor, w: services.diagnostic_record(
        actor=actor, young_person=w.young_person, answers=ALL_NO
    ),
    "steps_add": lambda actor, w: services.steps_add(
        actor=actor, young_person=w.young_person, step_types=[default_step_type("write_cv")]
    ),
    "step_update": lambda actor, w: services.step_update(
        actor=actor, step=w.step, status=StepStatus.DONE, due_date=None, evidence="fait"
    ),
    "follow_up_create": lambda actor, w: services.follow_up_create(
        actor=actor,
        young_person=w.young_person,
        occurred_at=timezone.now(),
        channel="phone",
        duration_minutes=15,
    ),
    "document_upload": lambda actor, w: services.document_upload(
        actor=actor, young_person=w.young_person, kind=DocumentKind.CV, title="CV", upload=pdf()
    ),
    "document_delete": lambda actor, w: services.document_delete(actor=actor, document=w.document),
    "application_create": lambda actor, w: services.application_save(
        actor=actor,
        young_person=w.young_person,
        employer="Garage",
        position="Apprenti",
        source=ApplicationSource.NETWORK,
    ),
    "application_edit": lambda actor, w: services.application_save(
        actor=actor,
        young_person=w.young_person,
        application=w.application,
        status=ApplicationStatus.SENT,
    ),
}

# Who may not write the file: the same organisation without a relation to it, other
# organisations, partners, an administrator (who sees no case content), a delegation over.
WRONG_ACTORS = [
    "colleague",
    "partner_in_org",
    "org_admin",
    "other_org_advisor",
    "other_org_supervisor",
    "partner",
    "expired_delegate",
]
RIGHT_ACTORS = ["referent", "supervisor", "delegate"]


@pytest.mark.parametrize("actor", WRONG_ACTORS)
@pytest.mark.parametrize("write", list(WRITES))
def test_a_wrong_actor_gets_not_found_and_nothing_is_written(
    world, private_media_root, write, actor
):
    before = state(private_media_root)
    with pytest.raises(NotFound):
        WRITES[write](fresh(world.users[actor]), world)
    assert state(private_media_root) == before


@pytest.mark.parametrize("actor", RIGHT_ACTORS)
@pytest.mark.parametrize("write", list(WRITES))
def test_the_referent_a_supervisor_and_a_delegate_may_write(
    world, private_media_root, write, actor
):
    before = state(private_media_root)
    WRITES[write](fresh(world.users[actor]), world)
    assert state(private_media_root) != before


def test_a_deactivated_referent_may_no_longer_write(world, private_media_root):
    referent = world.users["referent"]
    referent.memberships.update(is_active=False)
    before = state(private_media_root)
    for write in WRITES.values():
        with pytest.raises(NotFound):
            write(fresh(referent), world)
    assert state(private_media_root) == before


# --- a child record belongs to its file ----------------------------------------------------


def test_an_application_of_another_file_cannot_be_edited_through_this_one(
    world, private_media_root
):
    referent = world.users["referent"]
    elsewhere = services.application_save(
        actor=referent,
        young_person=world.other_file,
        employer="Garage",
        position="Apprenti",
        source=ApplicationSource.NETWORK,
    )
    before = state(private_media_root)
    with pytest.raises(NotFound):
        services.application_save(
            actor=referent,
            young_person=world.young_person,
            application=elsewhere,
            status=ApplicationStatus.SENT,
        )
    assert state(private_media_root) == before


def test_a_child_record_is_checked_in_the_database_not_in_memory(world, private_media_root):
    """An object whose parent was swapped in memory still answers for its stored row."""
    other_org = OrganizationFactory()
    outsider = member(other_org, Role.ADVISOR)
    own_file = YoungPersonFactory(organization=other_org, referent=outsider)
    step, document = world.step, world.document
    step.young_person_id = document.young_person_id = own_file.pk
    before = state(private_media_root)
    with pytest.raises(NotFound):
        services.step_update(actor=fresh(outsider), step=step, status="done", due_date=None)
    with pytest.raises(NotFound):
        services.document_delete(actor=fresh(outsider), document=document)
    assert state(private_media_root) == before


def test_a_record_never_saved_is_not_found(world):
    unsaved = Step(young_person=world.young_person, step_type=default_step_type("write_cv"))
    with pytest.raises(NotFound):
        services.step_update(
            actor=world.users["referent"], step=unsaved, status="done", due_date=None
        )
    assert not Step.objects.filter(step_type__code="write_cv").exists()


# --- delegations: the referent or a supervisor, to a colleague, for a bounded time ------


def in_days(days: int):
    return timezone.localdate() + timedelta(days=days)


@pytest.mark.parametrize("actor", [*WRONG_ACTORS, "delegate"])
def test_only_the_referent_or_a_supervisor_grants_a_delegation(world, private_media_root, actor):
    before = state(private_media_root)
    with pytest.raises(NotFound):
        services.delegation_grant(
            actor=fresh(world.users[actor]),
            young_person=world.young_person,
            grantee=world.users["colleague"],
            ends_on=in_days(7),
        )
    assert state(private_media_root) == before


@pytest.mark.parametrize("actor", [*WRONG_ACTORS, "delegate"])
def test_only_the_referent_or_a_supervisor_revokes_a_delegation(world, private_media_root, actor):
    before = state(private_media_root)
    with pytest.raises(NotFound):
        services.delegation_revoke(
            actor=fresh(world.users[actor]),
            young_person=world.young_person,
            grantee=world.users["delegate"],
        )
    assert state(private_media_root) == before


@pytest.mark.parametrize("actor", ["referent", "supervisor"])
def test_the_referent_and_a_supervisor_grant_and_revoke(world, actor):
    services.delegation_grant(
        actor=fresh(world.users[actor]),
        young_person=world.young_person,
        grantee=world.users["colleague"],
        ends_on=in_days(7),
    )
    services.delegation_revoke(
        actor=fresh(world.users[actor]),
        young_person=world.young_person,
        grantee=world.users["delegate"],
    )
    holders = set(grants.active_delegations(world.young_person).values_list("user", flat=True))
    assert holders == {world.users["colleague"].pk}


def test_revoking_a_delegation_that_does_not_run_is_not_found(world, private_media_root):
    before = state(private_media_root)
    for grantee in ("colleague", "expired_delegate"):
        with pytest.raises(NotFound):
            services.delegation_revoke(
                actor=world.users["referent"],
                young_person=world.young_person,
                grantee=world.users[grantee],
            )
    assert state(private_media_root) == before


@pytest.mark.parametrize(
    "grantee", ["partner_in_org", "org_admin", "other_org_advisor", "partner", "inactive"]
)
def test_a_delegation_goes_to_an_active_advisor_of_the_organisation(
    world, private_media_root, grantee
):
    if grantee == "inactive":
        user = world.users["colleague"]
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        user = world.users[grantee]
    before = state(private_media_root)
    with pytest.raises(NotAllowed, match="advisor of the organisation"):
        services.delegation_grant(
            actor=world.users["referent"],
            young_person=world.young_person,
            grantee=user,
            ends_on=in_days(7),
        )
    assert state(private_media_root) == before


def test_a_delegation_to_a_supervisor_of_the_organisation_is_allowed(world):
    grant = services.delegation_grant(
        actor=world.users["referent"],
        young_person=world.other_file,
        grantee=world.users["supervisor"],
        ends_on=in_days(366),
    )
    assert grant.user == world.users["supervisor"]


def test_a_delegation_is_bounded(world, private_media_root):
    before = state(private_media_root)
    with pytest.raises(NotAllowed, match="at most") as error:
        services.delegation_grant(
            actor=world.users["referent"],
            young_person=world.young_person,
            grantee=world.users["colleague"],
            ends_on=in_days(367),
        )
    assert error.value.field == "ends_on"
    assert state(private_media_root) == before


# --- the step catalogue: its organisation's administrators only --------------------------


@pytest.mark.parametrize("actor", ["referent", "supervisor", "partner_in_org", "other_admin"])
def test_only_an_admin_of_its_organisation_activates_a_step_type(world, private_media_root, actor):
    user = (
        member(OrganizationFactory(), Role.ORG_ADMIN)
        if actor == "other_admin"
        else world.users[actor]
    )
    before = state(private_media_root)
    with pytest.raises(NotFound):
        services.step_type_set_active(actor=fresh(user), step_type=world.step_type, is_active=False)
    assert state(private_media_root) == before


def test_nobody_deactivates_a_default_step_type(world, private_media_root):
    before = state(private_media_root)
    with pytest.raises(NotFound):
        services.step_type_set_active(
            actor=world.users["org_admin"],
            step_type=default_step_type("create_email"),
            is_active=False,
        )
    assert state(private_media_root) == before


def test_the_admin_of_its_organisation_activates_a_step_type(world):
    services.step_type_set_active(
        actor=world.users["org_admin"], step_type=world.step_type, is_active=False
    )
    world.step_type.refresh_from_db()
    assert not world.step_type.is_active


@pytest.mark.parametrize("actor", ["referent", "supervisor", "other_admin"])
def test_only_an_admin_of_the_organisation_adds_to_its_catalogue(world, actor):
    user = (
        member(OrganizationFactory(), Role.ORG_ADMIN)
        if actor == "other_admin"
        else world.users[actor]
    )
    with pytest.raises(NotAllowed, match="administrator"):
        services.step_type_create(
            actor=fresh(user),
            organization=world.young_person.organization,
            code="nouvelle",
            label="Nouvelle étape",
            category="digital",
            order=5,
        )
    assert not StepType.objects.filter(code="nouvelle").exists()
