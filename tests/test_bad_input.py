"""Bad input never gets a 500 (issue 9, item 6): ids past the 64-bit range, dates the
databases cannot hold, over-long file names, SQLite's "database is locked", and forms
submitted twice."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services
from cases.enums import DocumentKind, StepStatus
from cases.models import Application, Document, FollowUp, Step
from core.exceptions import InvalidDocument
from tests.factories import (
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    api_token,
    member,
)

pytestmark = pytest.mark.django_db

HUGE_ID = "9" * 20
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FOLLOW_UP = {"occurred_at": "2025-01-10T10:00", "channel": "phone", "duration_minutes": "25"}
IMPLAUSIBLE = "Check the date: it must fall between the years 2000 and 2099."


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR)


@pytest.fixture
def supervisor(org):
    return member(org, Role.SUPERVISOR)


@pytest.fixture
def yp(org, advisor):
    return YoungPersonFactory(organization=org, referent=advisor)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


# --- 1. a 20-digit referent ----------------------------------------------------------------


@pytest.mark.parametrize("value", [HUGE_ID, f"-{HUGE_ID}"])
def test_a_referent_past_the_64_bit_range_empties_the_caseload(client, supervisor, yp, value):
    client.force_login(supervisor)
    response = client.get(reverse("cases:caseload"), {"referent": value, "scope": "organization"})
    # As any malformed filter (`?referent=abc`): no row rather than every row.
    assert response.status_code == 200
    assert not response.context["page"].object_list
    assert "No young person matches these criteria." in response.content.decode()


@pytest.mark.parametrize("value", [HUGE_ID, f"-{HUGE_ID}"])
def test_a_referent_past_the_64_bit_range_is_a_400_in_the_csv_export(client, supervisor, value):
    client.force_login(supervisor)
    response = client.get(reverse("reports:export_caseload"), {"referent": value})
    assert response.status_code == 400


@pytest.mark.parametrize("name", ["young_people", "referrals"])
def test_a_referent_past_the_64_bit_range_on_the_supervision_lists(client, org, supervisor, name):
    client.force_login(supervisor)
    response = client.get(reverse(f"supervision:{name}", args=[org.pk]), {"referent": HUGE_ID})
    assert response.status_code in {400, 404}


def test_a_referent_past_the_64_bit_range_is_a_400_in_the_api(advisor, yp):
    response = api(advisor).get("/api/v1/young-people/", {"referent": HUGE_ID})
    assert response.status_code == 400
    assert "referent" in response.json()


@pytest.mark.parametrize("value", [HUGE_ID, f"-{HUGE_ID}"])
def test_a_step_type_id_past_the_64_bit_range_adds_nothing(client, advisor, yp, value):
    client.force_login(advisor)
    response = client.post(
        reverse("cases:steps_add", args=[yp.pk]), {"step_types": value}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("cases:detail", args=[yp.pk]) + "#steps"
    assert "Choose at least one step from the catalogue." in response.content.decode()
    assert not Step.objects.exists()


@pytest.mark.parametrize("value", [HUGE_ID, f"-{HUGE_ID}"])
def test_a_file_id_past_the_64_bit_range_reassigns_nothing(
    client, org, supervisor, advisor, yp, value
):
    client.force_login(supervisor)
    response = client.post(
        reverse("supervision:reassign", args=[org.pk]),
        {"young_people": [str(yp.pk), value], "new_referent": supervisor.pk},
    )
    assert response.status_code == 400  # the list again, with the error
    assert "does not exist or is out of your reach" in response.content.decode()
    yp.refresh_from_db()
    assert yp.referent == advisor


# --- 2. dates the databases cannot hold ----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [{"start": "0001-01-01"}, {"end": "9999-12-31"}, {"start": "0001-01-01", "end": "0001-12-31"}],
)
def test_a_dashboard_period_in_year_1_or_9999_is_a_form_error(client, org, supervisor, query):
    client.force_login(supervisor)
    response = client.get(reverse("supervision:dashboard", args=[org.pk]), query)
    assert response.status_code == 200  # the default period, with the form's error
    assert IMPLAUSIBLE in response.content.decode()


@pytest.mark.parametrize("query", [{"start": "0001-01-01"}, {"end": "9999-12-31"}])
def test_a_drill_down_period_in_year_1_or_9999_is_a_bad_request(client, org, supervisor, query):
    client.force_login(supervisor)
    response = client.get(
        reverse("supervision:young_people", args=[org.pk]), {"metric": "hired", **query}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01", "end": "2025-01-31"},
        {"start": "2025-01-01", "end": "9999-12-31"},
        {"start": "01/01/0001", "end": "31/12/9999"},
    ],
)
def test_an_activity_report_in_year_1_or_9999_is_a_form_error(client, supervisor, query):
    client.force_login(supervisor)
    response = client.get(reverse("reports:activity_pdf"), query)
    assert response.status_code == 400
    assert IMPLAUSIBLE in response.content.decode()


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "0001-01-01T00:00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
    ],
)
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/young-people/",
        "/api/v1/steps/",
        "/api/v1/follow-ups/",
        "/api/v1/applications/",
        "/api/v1/referrals/",
    ],
)
def test_updated_since_out_of_range_is_a_400_in_the_api(advisor, yp, path, value):
    response = api(advisor).get(path, {"updated_since": value})
    assert response.status_code == 400
    assert response.json()["updated_since"] == [IMPLAUSIBLE]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31T23:59:59-12:00"])
def test_updated_since_out_of_range_empties_the_caseload(client, advisor, yp, value):
    client.force_login(advisor)
    response = client.get(reverse("cases:caseload"), {"updated_since": value})
    assert response.status_code == 200
    assert not response.context["page"].object_list


# --- 3. a long file name and no title -------------------------------------------------------

LONG_NAME = ("curriculum vitae de Lina Martin " * 8).strip()[:224] + ".pdf"


def test_the_long_name_really_is_past_the_title_column():
    assert 200 < len(LONG_NAME) <= 255
    assert Document._meta.get_field("title").max_length == 200
    assert Document._meta.get_field("original_name").max_length == 255


def _check_derived_title(document: Document) -> None:
    assert document.original_name == LONG_NAME
    assert len(document.title) <= 200
    assert document.title.endswith("…")
    # Cut at a word boundary: what precedes the ellipsis is a whole word of the name.
    assert LONG_NAME.startswith(document.title[:-1])
    assert LONG_NAME[len(document.title) - 1] == " "


def test_a_long_file_name_without_a_title_on_the_web(client, advisor, yp):
    client.force_login(advisor)
    response = client.post(
        reverse("cases:document_upload", args=[yp.pk]),
        {"kind": DocumentKind.CV, "title": "", "file": SimpleUploadedFile(LONG_NAME, PDF)},
    )
    assert response.status_code == 302, response.content.decode()
    _check_derived_title(Document.objects.get())


def test_a_long_file_name_without_a_title_in_the_api(advisor, yp):
    response = api(advisor).post(
        "/api/v1/documents/",
        {"young_person": yp.pk, "kind": "cv", "file": SimpleUploadedFile(LONG_NAME, PDF)},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == LONG_NAME
    _check_derived_title(Document.objects.get())


def test_a_long_name_without_spaces_is_cut_with_an_ellipsis(advisor, yp):
    name = "x" * 240 + ".pdf"
    document = services.document_upload(
        actor=advisor,
        young_person=yp,
        kind=DocumentKind.CV,
        title="",
        upload=SimpleUploadedFile(name, PDF),
    )
    assert document.title == "x" * 199 + "…"
    assert document.original_name == name


class _NamedUpload(SimpleUploadedFile):
    """An upload whose name Django did not shorten (a command or an import may build one)."""

    @property
    def name(self):
        return self._long_name

    @name.setter
    def name(self, value):
        self._long_name = value


def test_a_name_past_the_original_name_column_is_refused_not_cut(advisor, yp):
    upload = _NamedUpload("cv.pdf", PDF)
    upload._long_name = "a" * 300 + ".pdf"
    with pytest.raises(InvalidDocument) as refused:
        services.document_upload(
            actor=advisor, young_person=yp, kind=DocumentKind.CV, title="", upload=upload
        )
    assert "255" in refused.value.message
    assert not Document.objects.exists()


# --- 4. SQLite's "database is locked" -------------------------------------------------------

# Two transactions that read, then write: the classic SQLite deadlock of deferred
# transactions, answered at once with "database is locked" whatever the busy timeout.
# Immediate transactions take the write lock at BEGIN, so the second one waits instead.
CONCURRENT_WRITERS = textwrap.dedent(
    """
    import json, threading, time
    import django
    django.setup()
    from django.db import connection, connections, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id integer PRIMARY KEY, n integer)")
    connection.close()
    errors = []

    def writer(start_after):
        try:
            time.sleep(start_after)
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM counter")
                    time.sleep(0.4)
                    cursor.execute("INSERT INTO counter (n) VALUES (1)")
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(delay,)) for delay in (0, 0.1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counter")
        rows = cursor.fetchone()[0]
    print(json.dumps({"errors": errors, "rows": rows}))
    """
)


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's locking only",
)
def test_simultaneous_writes_on_sqlite_wait_instead_of_failing(tmp_path: Path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", CONCURRENT_WRITERS],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"errors": [], "rows": 2}


def test_sqlite_waits_for_a_busy_database():
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        assert options["transaction_mode"] == "IMMEDIATE"
        assert options["timeout"] >= 20
    else:
        assert "transaction_mode" not in options


def _locked(**_kwargs):
    raise OperationalError("database is locked")


def test_a_locked_database_is_a_409_in_the_api(monkeypatch, advisor, yp):
    monkeypatch.setattr(services, "follow_up_create", _locked)
    response = api(advisor).post(
        "/api/v1/follow-ups/",
        {"young_person": yp.pk, **FOLLOW_UP},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "database_busy"


def test_a_locked_database_is_a_409_page_on_the_web(monkeypatch, client, advisor, yp):
    monkeypatch.setattr(services, "follow_up_create", _locked)
    client.force_login(advisor)
    response = client.post(
        reverse("cases:follow_up_create", args=[yp.pk]),
        FOLLOW_UP,
    )
    assert response.status_code == 409
    assert "Please try again" in response.content.decode()


def test_another_operational_error_is_not_hidden(monkeypatch, advisor, yp):
    def broken(**_kwargs):
        raise OperationalError("no such table: cases_followup")

    monkeypatch.setattr(services, "follow_up_create", broken)
    client = api(advisor)
    client.raise_request_exception = True
    with pytest.raises(OperationalError):
        client.post(
            "/api/v1/follow-ups/",
            {"young_person": yp.pk, **FOLLOW_UP},
            format="json",
        )


# --- 5. a form submitted twice --------------------------------------------------------------


def _token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    return page.context["form_token"]


def _submit_twice(client, url: str, data: dict) -> list:
    data = {**data, "form_token": _token(client, url)}
    responses = []
    for _attempt in range(2):
        if "file" in data:
            data["file"].seek(0)
        responses.append(client.post(url, data, follow=True))
    return responses


def _check_twice(responses, detail: str) -> None:
    first, second = responses
    assert first.redirect_chain[-1][0] == detail
    assert second.redirect_chain[-1][0] == detail
    assert "Saved." in first.content.decode()
    assert "This form was already saved" in second.content.decode()


def test_a_follow_up_submitted_twice_is_saved_once(client, advisor, yp):
    client.force_login(advisor)
    responses = _submit_twice(
        client,
        reverse("cases:follow_up_create", args=[yp.pk]),
        FOLLOW_UP,
    )
    _check_twice(responses, reverse("cases:detail", args=[yp.pk]))
    assert FollowUp.objects.count() == 1


def test_an_application_submitted_twice_is_saved_once(client, advisor, yp):
    client.force_login(advisor)
    responses = _submit_twice(
        client,
        reverse("cases:application_create", args=[yp.pk]),
        {"employer": "Boulangerie", "position": "Vendeuse", "source": "other", "status": "draft"},
    )
    _check_twice(responses, reverse("cases:detail", args=[yp.pk]))
    assert Application.objects.count() == 1


def test_a_document_submitted_twice_is_saved_once(client, advisor, yp):
    client.force_login(advisor)
    responses = _submit_twice(
        client,
        reverse("cases:document_upload", args=[yp.pk]),
        {"kind": DocumentKind.CV, "title": "CV", "file": SimpleUploadedFile("cv.pdf", PDF)},
    )
    _check_twice(responses, reverse("cases:detail", args=[yp.pk]))
    assert Document.objects.count() == 1


def test_a_step_submitted_twice_is_saved_once(client, advisor, yp):
    step = StepFactory(young_person=yp)
    client.force_login(advisor)
    url = reverse("cases:step_update", args=[yp.pk, step.pk])
    responses = _submit_twice(client, url, {"status": StepStatus.DONE, "evidence": "Fait"})
    _check_twice(responses, reverse("cases:detail", args=[yp.pk]))
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert Step.objects.count() == 1


def test_a_refused_submission_keeps_its_token_for_the_corrected_one(client, advisor, yp):
    client.force_login(advisor)
    url = reverse("cases:follow_up_create", args=[yp.pk])
    token = _token(client, url)
    refused = client.post(url, {**FOLLOW_UP, "occurred_at": "", "form_token": token})
    assert refused.status_code == 200
    assert refused.context["form_token"] == token
    assert f'value="{token}"' in refused.content.decode()
    saved = client.post(url, {**FOLLOW_UP, "form_token": token})
    assert saved.status_code == 302
    assert FollowUp.objects.count() == 1


def test_a_token_is_the_users_own(client, org, advisor, yp):
    url = reverse("cases:follow_up_create", args=[yp.pk])
    client.force_login(advisor)
    token = _token(client, url)
    data = {**FOLLOW_UP, "form_token": token}
    assert client.post(url, data).status_code == 302
    colleague = member(org, Role.SUPERVISOR)
    client.force_login(colleague)
    assert client.post(url, data).status_code == 302
    assert FollowUp.objects.count() == 2


def test_without_a_token_a_form_behaves_as_before(client, advisor, yp):
    client.force_login(advisor)
    url = reverse("cases:follow_up_create", args=[yp.pk])
    for _attempt in range(2):
        client.post(url, FOLLOW_UP)
    assert FollowUp.objects.count() == 2
