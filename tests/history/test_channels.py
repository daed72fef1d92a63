"""Through which door a change came in (web, API, admin, import, command, system), and
who made it — the API's token user included, whom DRF authenticates inside the view."""

import importlib
import pkgutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import BaseCommand
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services
from cases.models import YoungPerson
from history.commands import RecordedCommand
from history.context import current, recording
from history.enums import Channel
from history.middleware import HistoryMiddleware, channel_of
from history.models import HistoryEntry
from reports.services import young_people_import
from tests.factories import DEFAULT_PASSWORD, YoungPersonFactory, member
from tests.history.helpers import entries_of, last_entry

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    """A partner system: a token from POST /api/v1/auth/token/, then the token only."""
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def test_api_writes_with_a_token_record_the_token_user_and_the_api_channel(org, advisor):
    client = token_client(advisor)
    created = client.post(
        "/api/v1/young-people/",
        {
            "first_name": "Lina",
            "last_name": "Bernard",
            "birth_date": (timezone.localdate() - timedelta(days=19 * 365)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    yp = YoungPerson.objects.get(pk=created.json()["id"])
    changed = client.patch(f"/api/v1/young-people/{yp.pk}/", {"city": "Douai"}, format="json")
    assert changed.status_code == 200, changed.content

    creation, change = entries_of(yp)
    assert (creation.actor, creation.channel) == (advisor, "api")
    assert (change.actor, change.channel) == (advisor, "api")
    assert change.changes == {"city": ["", "Douai"]}


def test_the_channel_comes_from_the_path_never_from_a_header():
    factory = RequestFactory()
    assert channel_of(factory.get("/young-people/1/")) == Channel.WEB
    assert channel_of(factory.get("/api/v1/steps/")) == Channel.API
    assert channel_of(factory.get("/admin/accounts/membership/")) == Channel.ADMIN
    forged = factory.post(
        "/young-people/1/edit/", HTTP_X_CHANNEL="import", HTTP_X_FORWARDED_PREFIX="/api"
    )
    assert channel_of(forged) == Channel.WEB


def test_the_middleware_reads_the_user_when_an_entry_is_written(advisor):
    """The request's user as it is when the change is made (DRF replaces it after the
    middleware ran): not frozen when the request came in."""
    request = RequestFactory().get("/api/v1/young-people/")
    seen = []

    def view(request):
        seen.append(current().resolve_actor())
        request.user = advisor  # what DRF does once the token is checked
        seen.append(current().resolve_actor())
        return None

    request.user = AnonymousUser()
    HistoryMiddleware(view)(request)
    assert seen == [None, advisor]
    assert current().channel == Channel.SYSTEM  # nothing leaks out of the request


def test_import_is_recorded_as_an_import_then_the_web_again(org, advisor):
    rows = [(2, ["Lina", "Bernard", "14/03/2006"]), (3, ["Noé", "Blanc", "02/09/2005"])]
    mapping = {"first_name": 0, "last_name": 1, "birth_date": 2}
    with recording(channel=Channel.WEB, actor=advisor):
        report = young_people_import(
            actor=advisor, organization=org, rows=rows, mapping=mapping, dry_run=False
        )
        assert report.committed, report.errors
        after = services.young_person_create(
            actor=advisor,
            organization=org,
            first_name="Sami",
            last_name="Nour",
            birth_date=timezone.localdate() - timedelta(days=20 * 365),
        )
    imported = YoungPerson.objects.filter(last_name__in=["Bernard", "Blanc"])
    assert imported.count() == 2
    for yp in imported:
        (entry,) = entries_of(yp)
        assert (entry.channel, entry.actor) == ("import", advisor)
    assert last_entry(after).channel == "web"


def test_an_import_refused_for_a_bad_row_records_nothing(org, advisor):
    rows = [(2, ["Lina", "Bernard", "14/03/2006"]), (3, ["", "Blanc", "pas une date"])]
    mapping = {"first_name": 0, "last_name": 1, "birth_date": 2}
    report = young_people_import(
        actor=advisor, organization=org, rows=rows, mapping=mapping, dry_run=False
    )
    assert not report.committed
    assert not HistoryEntry.objects.filter(channel="import").exists()


def test_without_request_or_command_the_channel_is_system(org, advisor):
    yp = YoungPersonFactory(organization=org, referent=advisor)
    assert (last_entry(yp).channel, last_entry(yp).actor) == ("system", None)


def test_an_explicit_actor_is_recorded_outside_a_request(org, advisor):
    supervisor = member(org, Role.SUPERVISOR)
    with recording(channel=Channel.COMMAND, actor=supervisor):
        yp = YoungPersonFactory(organization=org, referent=advisor)
    assert (last_entry(yp).channel, last_entry(yp).actor) == ("command", supervisor)


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValueError), recording(channel="telepathy"):
        pass


def test_every_relais_command_records_its_changes_as_a_command():
    """A new management command must derive from RecordedCommand (else its changes would
    be recorded as "system")."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        commands = Path(config.path) / "management" / "commands"
        path = Path(config.path).resolve()
        # Relais' own apps (CI's virtualenv lives inside the clone: not its packages).
        if not path.is_relative_to(base) or "site-packages" in path.parts:
            continue
        if not commands.is_dir():
            continue
        for module in pkgutil.iter_modules([str(commands)]):
            command = importlib.import_module(f"{config.name}.management.commands.{module.name}")
            if isinstance(getattr(command, "Command", None), type) and issubclass(
                command.Command, BaseCommand
            ):
                found.append((module.name, issubclass(command.Command, RecordedCommand)))
    assert {"expire_referrals", "retry_webhooks", "seed_demo"} <= {name for name, _ in found}
    assert [name for name, recorded in found if not recorded] == []
