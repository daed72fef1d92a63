"""The production path of notifications: tasks stored by django-tasks-db, run by its
worker (`manage.py db_worker`), not in the request."""

from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.enums import OrganizationKind, Role
from cases.services import young_person_create
from referrals.services import referral_send
from tests.factories import OrganizationFactory, member


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db(transaction=True)
def test_referral_email_waits_for_the_worker(database_tasks):
    from django_tasks_db.models import DBTaskResult

    nord = OrganizationFactory()
    emmaus = OrganizationFactory(emmaus=True)
    advisor = member(nord, Role.ADVISOR)
    member(emmaus, Role.SUPERVISOR, email="accueil@emmaus.example")
    young_person = young_person_create(
        actor=advisor,
        organization=nord,
        first_name="Inès",
        last_name="Roux",
        birth_date=date(2005, 6, 1),
    )
    referral_send(
        actor=advisor,
        young_person=young_person,
        to_organization=emmaus,
        reason="equipment",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )
    assert emmaus.kind == OrganizationKind.EMMAUS_CONNECT
    assert mail.outbox == []  # stored, not sent in the request
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay")

    assert [m.to for m in mail.outbox] == [["accueil@emmaus.example"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
