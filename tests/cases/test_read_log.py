"""The read log (README, "Read log"): every response that carries the content of a file
writes one access-log entry per file concerned — which files, which user, what, how — and
nothing for another file; the lists that show only names and statuses write nothing."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from accounts.models import User
from cases import services
from cases.enums import AccessAction, AccessChannel
from cases.models import AccessLog, Application, Document, Step, YoungPerson
from core.testing import capture_queries
from tests.factories import (
    ALL_NO,
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    api_token,
    default_step_type,
    member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
A, W, E = AccessChannel.API, AccessChannel.WEB, AccessChannel.EXPORT


def api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def entries() -> set[tuple[int, int, str, str]]:
    """(file, user, action, channel) of every entry: a set, so a duplicate would show
    as a count mismatch in `entry_count` instead."""
    return {
        (e.young_person_id, e.user_id, e.action, e.channel)
        for e in AccessLog.objects.order_by("pk")
    }


def upload(actor, young_person, title="CV") -> Document:
    return services.document_upload(
        actor=actor,
        young_person=young_person,
        kind="cv",
        title=title,
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )


@dataclass
class World:
    advisor: User  # referent of `file` and `second`
    colleague: User  # same organisation, directory card only
    supervisor: User
    outsider: User  # another organisation
    file: YoungPerson
    second: YoungPerson  # another file of the same advisor
    colleague_file: YoungPerson
    outsider_file: YoungPerson
    step: Step
    application: Application
    document: Document


@pytest.fixture
def world() -> World:
    org, other = OrganizationFactory(), OrganizationFactory()
    advisor = member(org, Role.ADVISOR)
    colleague = member(org, Role.ADVISOR)
    supervisor = member(org, Role.SUPERVISOR)
    outsider = member(other, Role.ADVISOR)
    file = YoungPersonFactory(organization=org, referent=advisor, last_name="Aubert")
    second = YoungPersonFactory(organization=org, referent=advisor, last_name="Bernard")
    colleague_file = YoungPersonFactory(organization=org, referent=colleague)
    outsider_file = YoungPersonFactory(organization=other, referent=outsider)
    for young_person in (file, second, colleague_file, outsider_file):
        # Two records of each kind per file: a list names each file once all the same.
        for _ in range(2):
            FollowUpFactory(young_person=young_person)
            services.diagnostic_record(
                actor=young_person.referent, young_person=young_person, answers=ALL_NO
            )
            upload(young_person.referent, young_person)
            services.application_save(
                actor=young_person.referent,
                young_person=young_person,
                employer="Boulangerie",
                position="Vendeur",
                source="job_board",
                status="sent",
            )
        StepFactory(young_person=young_person, step_type=default_step_type("create_email"))
        StepFactory(young_person=young_person, step_type=default_step_type("write_cv"))
    AccessLog.objects.all().delete()
    return World(
        advisor=advisor,
        colleague=colleague,
        supervisor=supervisor,
        outsider=outsider,
        file=file,
        second=second,
        colleague_file=colleague_file,
        outsider_file=outsider_file,
        step=file.steps.order_by("pk").first(),
        application=file.applications.order_by("pk").first(),
        document=file.documents.order_by("pk").first(),
    )


def _read(response) -> None:
    assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


# --- the web: pages, downloads, PDFs and CSV exports ----------------------------------------

# (url name, its arguments from the world, which files, action, channel)
WEB_READS = [
    ("cases:detail", lambda w: [w.file.pk], "file", AccessAction.VIEW_FILE, W),
    ("cases:update", lambda w: [w.file.pk], "file", AccessAction.VIEW_FILE, W),
    ("cases:step_update", lambda w: [w.file.pk, w.step.pk], "file", AccessAction.VIEW_RECORDS, W),
    (
        "cases:application_update",
        lambda w: [w.file.pk, w.application.pk],
        "file",
        AccessAction.VIEW_RECORDS,
        W,
    ),
    (
        "cases:document_download",
        lambda w: [w.file.pk, w.document.pk],
        "file",
        AccessAction.DOWNLOAD_DOCUMENT,
        W,
    ),
    ("reports:young_person_summary", lambda w: [w.file.pk], "file", AccessAction.VIEW_FILE, E),
    ("reports:my_pathway", lambda w: [w.file.pk], "file", AccessAction.VIEW_FILE, E),
    ("reports:caseload_pdf", lambda w: [], "caseload", AccessAction.EXPORTED, E),
    ("reports:export_caseload", lambda w: [], "caseload", AccessAction.EXPORTED, E),
]


@pytest.mark.parametrize(("url_name", "args", "files", "action", "channel"), WEB_READS)
def test_each_web_read_logs_the_files_it_shows(
    client, world, url_name, args, files, action, channel
):
    client.force_login(world.advisor)
    _read(client.get(reverse(url_name, args=args(world))))
    expected = [world.file] if files == "file" else [world.file, world.second]
    assert entries() == {(yp.pk, world.advisor.pk, action, channel) for yp in expected}
    assert AccessLog.objects.count() == len(expected)  # one entry per file, no duplicate


def test_the_directory_card_logs_a_card_view(client, world):
    client.force_login(world.colleague)
    _read(client.get(reverse("cases:detail", args=[world.file.pk])))
    assert entries() == {(world.file.pk, world.colleague.pk, AccessAction.VIEW_CARD, W)}


def test_an_edit_form_sent_back_with_errors_is_a_read_too(client, world):
    client.force_login(world.advisor)
    url = reverse("cases:update", args=[world.file.pk])
    response = client.post(url, {"first_name": "", "version": world.file.version})
    assert response.status_code == 200  # the form again, filled with the file
    assert entries() == {(world.file.pk, world.advisor.pk, AccessAction.VIEW_FILE, W)}
    assert AccessLog.objects.get().detail  # says it was the edit form


def test_the_caseload_export_logs_only_the_filtered_files(client, world):
    client.force_login(world.advisor)
    _read(client.get(reverse("reports:export_caseload") + "?q=Aubert"))
    assert entries() == {(world.file.pk, world.advisor.pk, AccessAction.EXPORTED, E)}


def test_a_supervisor_organisation_export_logs_every_file_of_the_organisation(client, world):
    client.force_login(world.supervisor)
    _read(client.get(reverse("reports:caseload_pdf") + "?scope=organization"))
    files = {world.file, world.second, world.colleague_file}
    assert entries() == {(yp.pk, world.supervisor.pk, AccessAction.EXPORTED, E) for yp in files}


def test_an_invalid_export_logs_nothing(client, world):
    client.force_login(world.advisor)
    response = client.get(reverse("reports:export_caseload") + "?ordering=nonsense")
    assert response.status_code == 400
    assert not AccessLog.objects.exists()


NOT_LOGGED = [
    # Names and statuses only: the lists people pick a file from (README, "Read log").
    ("cases:caseload", lambda w: [], ""),
    ("cases:directory", lambda w: [], "?q=a"),
    # An empty "add" form shows the name only.
    ("cases:follow_up_create", lambda w: [w.file.pk], ""),
    ("cases:application_create", lambda w: [w.file.pk], ""),
    ("cases:delegations", lambda w: [w.file.pk], ""),
    # The log itself: reading it is not reading the file.
    ("cases:access_log", lambda w: [w.file.pk], ""),
    ("reports:export_access_log", lambda w: [w.file.pk], ""),
]


@pytest.mark.parametrize(("url_name", "args", "query"), NOT_LOGGED)
def test_name_and_status_lists_and_the_log_itself_are_not_logged(
    client, world, url_name, args, query
):
    client.force_login(world.advisor)
    _read(client.get(reverse(url_name, args=args(world)) + query))
    assert not AccessLog.objects.exists()


def test_supervision_lists_and_the_activity_report_are_not_logged(client, world):
    client.force_login(world.supervisor)
    org_pk = world.file.organization_id
    _read(client.get(reverse("supervision:young_people", args=[org_pk])))
    today = timezone.localdate()
    _read(
        client.get(
            reverse("reports:activity_pdf") + f"?start={today - timedelta(days=30)}&end={today}"
        )
    )
    assert not AccessLog.objects.exists()


def test_a_page_out_of_reach_logs_nothing(client, world):
    client.force_login(world.outsider)
    assert client.get(reverse("cases:detail", args=[world.file.pk])).status_code == 404
    assert client.get(reverse("reports:my_pathway", args=[world.file.pk])).status_code == 404
    assert not AccessLog.objects.exists()


# --- the API: lists, details, write answers, downloads --------------------------------------

RECORD_LISTS = [
    ("api:diagnostic-list", "diagnostics"),
    ("api:step-list", "steps"),
    ("api:follow-up-list", "follow-ups"),
    ("api:application-list", "applications"),
    ("api:document-list", "documents"),
]


def test_the_api_list_of_files_logs_each_file_of_the_page(world):
    _read(api(world.advisor).get(reverse("api:young-person-list")))
    assert entries() == {
        (yp.pk, world.advisor.pk, AccessAction.VIEW_FILE, A) for yp in (world.file, world.second)
    }


@pytest.mark.parametrize(("url_name", "kind"), RECORD_LISTS)
def test_each_api_list_of_records_logs_each_file_once(world, url_name, kind):
    response = api(world.advisor).get(reverse(url_name))
    _read(response)
    assert response.json()["count"] >= 4  # two records (or more) of each of the two files
    assert entries() == {
        (yp.pk, world.advisor.pk, AccessAction.VIEW_RECORDS, A) for yp in (world.file, world.second)
    }
    details = set(AccessLog.objects.values_list("detail", flat=True))
    assert AccessLog.objects.count() == 2
    assert len(details) == 1 and details != {""}  # the kind of record read, once per file


@pytest.mark.parametrize(("url_name", "kind"), RECORD_LISTS)
def test_a_filtered_api_list_logs_only_the_files_it_returns(world, url_name, kind):
    response = api(world.advisor).get(reverse(url_name) + f"?young_person={world.second.pk}")
    _read(response)
    assert entries() == {(world.second.pk, world.advisor.pk, AccessAction.VIEW_RECORDS, A)}


def test_an_api_list_logs_the_page_it_returns_not_every_page(world):
    org = world.file.organization
    for _ in range(53):  # 55 files in all: a page of 50, then one of 5
        YoungPersonFactory(organization=org, referent=world.advisor)
    client = api(world.advisor)
    first = client.get(reverse("api:young-person-list"))
    assert len(first.json()["results"]) == 50
    page_one = {row["id"] for row in first.json()["results"]}
    assert set(AccessLog.objects.values_list("young_person_id", flat=True)) == page_one
    assert AccessLog.objects.count() == 50
    AccessLog.objects.all().delete()
    second = client.get(reverse("api:young-person-list") + "?page=2")
    page_two = {row["id"] for row in second.json()["results"]}
    assert len(page_two) == 5
    assert set(AccessLog.objects.values_list("young_person_id", flat=True)) == page_two


def test_an_empty_api_list_logs_nothing_and_runs_no_insert(world):
    client = api(world.outsider)
    url = reverse("api:step-list") + f"?young_person={world.file.pk}"
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200 and response.json()["results"] == []
    assert not AccessLog.objects.exists()
    assert not [q for q in queries.captured_queries if "cases_accesslog" in q["sql"]]


def _detail_url(world, url_name: str) -> str:
    w = world
    pk = {
        "api:young-person-detail": w.file.pk,
        "api:diagnostic-detail": w.file.diagnostics.first().pk,
        "api:step-detail": w.step.pk,
        "api:follow-up-detail": w.file.follow_ups.first().pk,
        "api:application-detail": w.application.pk,
        "api:document-detail": w.document.pk,
        "api:document-download": w.document.pk,
    }[url_name]
    return reverse(url_name, args=[pk])


@pytest.mark.parametrize(
    ("url_name", "action"),
    [
        ("api:young-person-detail", AccessAction.VIEW_FILE),
        ("api:diagnostic-detail", AccessAction.VIEW_RECORDS),
        ("api:step-detail", AccessAction.VIEW_RECORDS),
        ("api:follow-up-detail", AccessAction.VIEW_RECORDS),
        ("api:application-detail", AccessAction.VIEW_RECORDS),
        ("api:document-detail", AccessAction.VIEW_RECORDS),
        ("api:document-download", AccessAction.DOWNLOAD_DOCUMENT),
    ],
)
def test_each_api_detail_logs_its_file(world, url_name, action):
    _read(api(world.advisor).get(_detail_url(world, url_name)))
    assert entries() == {(world.file.pk, world.advisor.pk, action, A)}


@pytest.mark.parametrize("url_name", ["api:young-person-detail", "api:step-detail"])
def test_an_api_detail_out_of_reach_logs_nothing(world, url_name):
    assert api(world.outsider).get(_detail_url(world, url_name)).status_code == 404
    assert not AccessLog.objects.exists()


def test_api_write_answers_carry_the_record_and_are_logged(world):
    client = api(world.advisor)
    created = client.post(
        reverse("api:follow-up-list"),
        {"young_person": world.second.pk, "channel": "phone", "duration_minutes": 10},
    )
    assert created.status_code == 201
    patched = client.patch(reverse("api:step-detail", args=[world.step.pk]), {"status": "done"})
    assert patched.status_code == 200
    # An empty PATCH changes nothing and still answers the whole file: not a way around.
    same = client.patch(reverse("api:young-person-detail", args=[world.file.pk]), {})
    assert same.status_code == 200
    assert [
        (e.young_person_id, e.user_id, e.action, e.channel)
        for e in AccessLog.objects.order_by("pk")
    ] == [
        (world.second.pk, world.advisor.pk, AccessAction.VIEW_RECORDS, A),
        (world.file.pk, world.advisor.pk, AccessAction.VIEW_RECORDS, A),
        (world.file.pk, world.advisor.pk, AccessAction.VIEW_FILE, A),
    ]


def test_a_refused_api_write_logs_nothing(world):
    response = api(world.advisor).post(
        reverse("api:follow-up-list"), {"young_person": world.outsider_file.pk, "channel": "x"}
    )
    assert response.status_code == 400
    assert not AccessLog.objects.exists()


def test_a_delegate_reading_through_the_api_is_logged_as_the_delegate(world):
    services.delegation_grant(
        actor=world.advisor,
        young_person=world.file,
        grantee=world.colleague,
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    AccessLog.objects.all().delete()
    _read(api(world.colleague).get(reverse("api:follow-up-list")))
    # The colleague's own file and the delegated one; never the advisor's other file.
    assert entries() == {
        (yp.pk, world.colleague.pk, AccessAction.VIEW_RECORDS, A)
        for yp in (world.file, world.colleague_file)
    }


# --- the service ------------------------------------------------------------------------------


def test_record_many_writes_one_entry_per_distinct_file_in_one_insert(world):
    with capture_queries() as queries:
        written = services.access_log_record_many(
            user=world.advisor,
            young_people=[world.file.pk, world.second, world.file.pk],
            action=AccessAction.VIEW_RECORDS,
            channel=A,
            detail="x" * 400,
        )
    assert written == 2
    assert len(queries) == 1 and queries.captured_queries[0]["sql"].startswith("INSERT")
    assert entries() == {
        (yp.pk, world.advisor.pk, AccessAction.VIEW_RECORDS, A) for yp in (world.file, world.second)
    }
    assert {len(d) for d in AccessLog.objects.values_list("detail", flat=True)} == {300}
    assert len({e.at for e in AccessLog.objects.all()}) == 1  # one moment for one response


def test_record_many_from_a_queryset_never_brings_the_rows_to_python(world):
    # A join that repeats each file (two follow-ups each) still logs each file once.
    rows = YoungPerson.objects.filter(follow_ups__isnull=False, referent=world.advisor)
    assert rows.count() == 4
    with capture_queries() as queries:
        written = services.access_log_record_many(
            user=world.supervisor, young_people=rows, action=AccessAction.EXPORTED, channel=E
        )
    # One INSERT for the read log, one for the security log's export event.
    assert written == 2 and len(queries) == 2
    assert entries() == {
        (yp.pk, world.supervisor.pk, AccessAction.EXPORTED, E) for yp in (world.file, world.second)
    }


def test_record_many_with_nothing_to_log_runs_no_query(world):
    with capture_queries() as queries:
        assert (
            services.access_log_record_many(
                user=world.advisor, young_people=[], action=AccessAction.VIEW_FILE, channel=A
            )
            == 0
        )
        assert (
            services.access_log_record_many(
                user=world.advisor,
                young_people=YoungPerson.objects.none(),
                action=AccessAction.VIEW_FILE,
                channel=A,
            )
            == 0
        )
    assert len(queries) == 0
    assert not AccessLog.objects.exists()


def test_record_many_keeps_parameters_out_of_the_sql(world):
    """A hostile detail or filter value is a parameter, never SQL."""
    hostile = "'); DELETE FROM cases_accesslog; --"
    rows = YoungPerson.objects.filter(last_name__in=["Aubert", hostile])
    services.access_log_record_many(
        user=world.advisor,
        young_people=rows,
        action=AccessAction.EXPORTED,
        channel=E,
        detail=hostile,
    )
    entry = AccessLog.objects.get()
    assert (entry.young_person_id, entry.detail) == (world.file.pk, hostile)


def test_the_log_page_shows_the_channel(client, world):
    client.force_login(world.advisor)
    _read(api(world.advisor).get(reverse("api:young-person-detail", args=[world.file.pk])))
    page = client.get(reverse("cases:access_log", args=[world.file.pk])).content.decode()
    assert str(AccessChannel.API.label) in page
    assert str(AccessAction.VIEW_FILE.label) in page


def test_the_index_serves_the_log_page_of_one_file():
    indexes = [tuple(index.fields) for index in AccessLog._meta.indexes]
    assert ("young_person", "-at") in indexes
