"""Query counts of the reports and exports: the same at 1 and at 100 rows (no N+1), and
pinned for the caseload report, whose rows are one annotated query."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from cases.models import StepType
from core.testing import (
    CapturedQueries,
    assert_num_queries,
    assert_same_num_queries,
    capture_queries,
)
from tests.factories import (
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    member,
)

pytestmark = pytest.mark.django_db


def queries_of(client, url: str) -> CapturedQueries:
    with capture_queries() as queries:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return queries


def _caseload_of(org, advisor, n: int) -> None:
    step_types = list(StepType.objects.filter(organization__isnull=True)[:2])
    for _ in range(n):
        young_person = YoungPersonFactory(organization=org, referent=advisor)
        FollowUpFactory(
            young_person=young_person, next_appointment=timezone.now() + timedelta(days=2)
        )
        StepFactory(young_person=young_person, step_type=step_types[0], overdue=True)
        StepFactory(young_person=young_person, step_type=step_types[1], done=True)


@pytest.mark.parametrize(
    ("url_name", "params", "role"),
    [
        ("reports:caseload_pdf", "", Role.ADVISOR),
        ("reports:caseload_pdf", "?scope=organization", Role.SUPERVISOR),
        ("reports:export_caseload", "", Role.ADVISOR),
        ("reports:export_caseload", "?scope=organization&overdue=true", Role.SUPERVISOR),
    ],
)
def test_caseload_lists_constant(client, url_name, params, role):
    runs = []
    for n in (1, 100):
        org = OrganizationFactory()
        user = member(org, role)
        _caseload_of(org, user, n)
        client.force_login(user)
        runs.append(queries_of(client, reverse(url_name) + params))
    assert_same_num_queries(*runs)


def test_caseload_report_query_count_snapshot(client):
    org = OrganizationFactory()
    advisor = member(org, Role.ADVISOR)
    _caseload_of(org, advisor, 30)
    client.force_login(advisor)
    # session, user, memberships, the read log (one INSERT … SELECT for the 30 files), the
    # security log's export event, the rows with every figure as subqueries.
    assert_num_queries(queries_of(client, reverse("reports:caseload_pdf")), 6)


def test_advisor_caseload_for_a_supervisor_constant(client):
    runs = []
    for n in (1, 100):
        org = OrganizationFactory()
        supervisor = member(org, Role.SUPERVISOR)
        advisor = member(org, Role.ADVISOR)
        _caseload_of(org, advisor, n)
        client.force_login(supervisor)
        url = reverse("reports:caseload_pdf") + f"?advisor={advisor.pk}"
        runs.append(queries_of(client, url))
    assert_same_num_queries(*runs)


@pytest.mark.parametrize(
    "url_name",
    ["reports:young_person_summary", "reports:my_pathway", "reports:export_access_log"],
)
def test_file_reports_constant(client, url_name):
    runs = []
    for n in (1, 100):
        org = OrganizationFactory()
        young_person = YoungPersonFactory(organization=org)
        for i in range(n):
            FollowUpFactory(
                young_person=young_person,
                occurred_at=timezone.now() - timedelta(days=i),
                next_appointment=timezone.now() + timedelta(days=i + 1),
            )
            # Distinct viewers: the "who looked" list must not cost a query per person.
            viewer = member(org, Role.ADVISOR)
            young_person.access_logs.create(user=viewer, action="view_card")
        client.force_login(young_person.referent)
        runs.append(queries_of(client, reverse(url_name, args=[young_person.pk])))
    assert_same_num_queries(*runs)


def test_activity_report_constant(client):
    runs = []
    for n in (1, 100):
        org = OrganizationFactory()
        supervisor = member(org, Role.SUPERVISOR)
        _caseload_of(org, supervisor, n)
        client.force_login(supervisor)
        today = timezone.localdate()
        url = reverse("reports:activity_pdf") + f"?start={today - timedelta(days=30)}&end={today}"
        runs.append(queries_of(client, url))
    assert_same_num_queries(*runs)


def test_referral_exports_constant(client):
    from referrals import services as referral_services

    runs = []
    for n in (1, 30):
        org = OrganizationFactory()
        partner_org = OrganizationFactory(partner=True)
        advisor = member(org, Role.ADVISOR)
        for _ in range(n):
            referral_services.referral_send(
                actor=advisor,
                young_person=YoungPersonFactory(organization=org, referent=advisor),
                to_organization=partner_org,
                reason="training",
                message="",
                shared_sections=["identity"],
                consent_method="oral",
                consent_given=True,
            )
        client.force_login(advisor)
        runs.append(queries_of(client, reverse("reports:export_referrals_sent")))
    assert_same_num_queries(*runs)
