"""GET /api/v1/young-people/{id}/access-log/: "who looked at this file" for partner
systems — the rule of the web page (the whole file), paginated, newest first, 404 out of
reach; and the query counts of the logged API lists (one INSERT whatever the rows)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services
from cases.enums import AccessAction, AccessChannel
from cases.models import AccessLog
from core.testing import CapturedQueries, assert_same_num_queries, capture_queries
from referrals import services as referral_services
from tests.factories import (
    ALL_NO,
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    UserFactory,
    YoungPersonFactory,
    api_token,
    member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def url(young_person_pk) -> str:
    return f"/api/v1/young-people/{young_person_pk}/access-log/"


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, first_name="Nadia", last_name="Referente")


@pytest.fixture
def file(org, advisor):
    return YoungPersonFactory(organization=org, referent=advisor)


def test_the_entries_newest_first_with_who_what_and_how(org, advisor, file):
    colleague = member(org, Role.ADVISOR, first_name="Karim", last_name="Collegue")
    old = services.access_log_record(
        user=colleague, young_person=file, action=AccessAction.VIEW_CARD
    )
    AccessLog.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=2))
    services.access_log_record(
        user=advisor,
        young_person=file,
        action=AccessAction.DOWNLOAD_DOCUMENT,
        channel=AccessChannel.API,
        detail="CV",
    )
    other_file = YoungPersonFactory(organization=org, referent=advisor)
    services.access_log_record(user=advisor, young_person=other_file, action="view_file")

    response = api(advisor).get(url(file.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2  # never the entries of another file
    newest, oldest = body["results"]
    assert set(newest) == {"at", "user", "action", "channel", "detail"}
    assert newest["user"] == {
        "id": advisor.pk,
        "username": advisor.username,
        "display_name": "Nadia Referente",
    }
    assert (newest["action"], newest["channel"], newest["detail"]) == (
        "download_document",
        "api",
        "CV",
    )
    assert (oldest["user"]["id"], oldest["action"], oldest["channel"]) == (
        colleague.pk,
        "view_card",
        "web",
    )
    assert newest["at"] > oldest["at"]


def test_an_entry_of_a_deleted_account_keeps_the_read_without_the_name(advisor, file):
    gone = UserFactory()
    services.access_log_record(user=gone, young_person=file, action=AccessAction.VIEW_FILE)
    gone.delete()
    (entry,) = api(advisor).get(url(file.pk)).json()["results"]
    assert entry["user"] is None
    assert entry["action"] == "view_file"


def test_paginated_like_every_list(advisor, file):
    AccessLog.objects.bulk_create(
        AccessLog(young_person=file, user=advisor, action=AccessAction.VIEW_FILE) for _ in range(60)
    )
    client = api(advisor)
    first = client.get(url(file.pk)).json()
    assert (first["count"], len(first["results"])) == (60, 50)
    assert first["next"].endswith("?page=2")
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 10 and second["next"] is None
    assert client.get(url(file.pk) + "?page=9").status_code == 404


def test_reading_the_log_is_not_logged(advisor, file):
    client = api(advisor)
    client.get(url(file.pk))
    client.get(url(file.pk))
    assert not AccessLog.objects.exists()


def test_the_rule_of_the_web_page(org, advisor, file):
    supervisor = member(org, Role.SUPERVISOR)
    delegate = member(org, Role.ADVISOR)
    colleague = member(org, Role.ADVISOR)
    services.delegation_grant(
        actor=advisor,
        young_person=file,
        grantee=delegate,
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    for user in (advisor, supervisor, delegate):
        assert api(user).get(url(file.pk)).status_code == 200
    other_org = OrganizationFactory()
    partner_org = OrganizationFactory(partner=True)
    for user in (
        colleague,  # the directory card only
        member(other_org, Role.ADVISOR),
        member(other_org, Role.SUPERVISOR),
        member(partner_org, Role.PARTNER),
        member(org, Role.ORG_ADMIN),  # no case content
    ):
        response = api(user).get(url(file.pk))
        assert response.status_code == 404, user
        assert set(response.json()) >= {"detail"}  # a JSON 404, never the log
    assert APIClient().get(url(file.pk)).status_code == 401


@pytest.mark.parametrize("odd", ["abc", "0", "-1", "1.5", "99999999999999999999", "%00"])
def test_odd_ids_answer_404(advisor, odd):
    assert api(advisor).get(url(odd)).status_code == 404


def test_in_the_schema(advisor):
    schema = api(advisor).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/young-people/{id}/access-log/"]["get"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/PaginatedAccessLogEntryList")
    assert "404" in operation["responses"]


# --- query counts: one INSERT per logged list, whatever the rows -----------------------------


def _queries(client, path: str) -> CapturedQueries:
    with capture_queries() as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.content[:200])
    return queries


def _inserts(queries: CapturedQueries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT")]


def _file_with_records(org, advisor):
    young_person = YoungPersonFactory(organization=org, referent=advisor)
    FollowUpFactory(young_person=young_person)
    StepFactory(young_person=young_person)
    services.diagnostic_record(actor=advisor, young_person=young_person, answers=ALL_NO)
    services.application_save(
        actor=advisor,
        young_person=young_person,
        employer="Boulangerie",
        position="Vendeur",
        source="job_board",
        status="sent",
    )
    services.document_upload(
        actor=advisor,
        young_person=young_person,
        kind="cv",
        title="CV",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    return young_person


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/young-people/",
        "/api/v1/diagnostics/",
        "/api/v1/steps/",
        "/api/v1/follow-ups/",
        "/api/v1/applications/",
        "/api/v1/documents/",
    ],
)
def test_logged_api_lists_add_one_insert_at_1_and_100_rows(path):
    runs = []
    for n in (1, 100):
        org = OrganizationFactory()
        advisor = member(org, Role.ADVISOR)
        for _ in range(n):
            _file_with_records(org, advisor)
        AccessLog.objects.all().delete()
        queries = _queries(api(advisor), path)
        assert len(_inserts(queries)) == 1, _inserts(queries)
        assert AccessLog.objects.count() == min(n, 50)  # the page returned, one per file
        runs.append(queries)
    assert_same_num_queries(*runs)


def test_the_referral_list_adds_one_insert_at_1_and_100_rows():
    runs = []
    for n in (1, 100):
        org, partner = OrganizationFactory(), OrganizationFactory(partner=True)
        advisor = member(org, Role.ADVISOR)
        for _ in range(n):
            referral_services.referral_send(
                actor=advisor,
                young_person=YoungPersonFactory(organization=org, referent=advisor),
                to_organization=partner,
                reason="training",
                message="",
                shared_sections=["identity"],
                consent_method="oral",
                consent_given=True,
            )
        client = api(advisor)
        queries = _queries(client, "/api/v1/referrals/")
        assert len(_inserts(queries)) == 1
        runs.append(queries)
    assert_same_num_queries(*runs)


def test_the_access_log_api_constant_at_1_and_100_entries():
    runs = []
    for n in (1, 100):
        org = OrganizationFactory()
        advisor = member(org, Role.ADVISOR)
        young_person = YoungPersonFactory(organization=org, referent=advisor)
        AccessLog.objects.bulk_create(
            # Distinct readers: their names must not cost a query each.
            AccessLog(young_person=young_person, user=member(org), action="view_file")
            for _ in range(n)
        )
        client = api(advisor)
        queries = _queries(client, url(young_person.pk))
        assert _inserts(queries) == []
        runs.append(queries)
    assert_same_num_queries(*runs)


@pytest.mark.parametrize(
    ("name", "params", "role"),
    [
        ("reports:export_caseload", "", Role.ADVISOR),
        ("reports:caseload_pdf", "?scope=organization", Role.SUPERVISOR),
        ("reports:export_referrals_sent", "", Role.ADVISOR),
    ],
)
def test_exports_add_one_insert_whatever_their_size(client, name, params, role):
    counts = []
    for n in (1, 100):
        org, partner = OrganizationFactory(), OrganizationFactory(partner=True)
        user = member(org, role)
        for _ in range(n):
            young_person = YoungPersonFactory(organization=org, referent=user)
            referral_services.referral_send(
                actor=user,
                young_person=young_person,
                to_organization=partner,
                reason="training",
                message="",
                shared_sections=["identity"],
                consent_method="oral",
                consent_given=True,
            )
        AccessLog.objects.all().delete()
        client.force_login(user)
        with capture_queries() as queries:
            response = client.get(reverse(name) + params)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200
        # One INSERT for the read log, one for the security log's export event.
        inserts = _inserts(queries)
        assert len(inserts) == 2
        assert sum('"cases_accesslog"' in sql for sql in inserts) == 1
        assert AccessLog.objects.filter(user=user, action=AccessAction.EXPORTED).count() == n
        counts.append(queries)
    assert_same_num_queries(*counts)
