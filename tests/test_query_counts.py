"""Query counts of every list, detail and dashboard page: the same at 1 and at 100 rows,
and pinned, so an N+1 or a new query shows up as a failing number in review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from cases import services
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


def queries_of(client, url: str) -> CapturedQueries:
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return queries


@pytest.fixture
def org(db):
    return OrganizationFactory()


def _populate_file(young_person, n: int) -> None:
    step_types = list(StepType.objects.filter(organization__isnull=True))
    referent = young_person.referent
    for i in range(n):
        FollowUpFactory(
            young_person=young_person,
            occurred_at=timezone.now() - timedelta(days=i),
            next_appointment=timezone.now() + timedelta(days=i + 1),
        )
        services.application_save(
            actor=referent,
            young_person=young_person,
            employer=f"Employeur {i}",
            position="Vendeur",
            source="job_board",
            status="sent",
        )
        services.access_log_record(user=referent, young_person=young_person, action="view_file")
    for step_type in step_types[: min(n, len(step_types))]:
        StepFactory(young_person=young_person, step_type=step_type, overdue=True)
    for _ in range(min(n, 5)):
        services.diagnostic_record(
            actor=referent,
            young_person=young_person,
            answers={
                name: i % 2 == 0
                for i, name in enumerate(
                    [
                        "has_email",
                        "can_log_in_email",
                        "can_send_attachment",
                        "has_smartphone",
                        "has_computer",
                        "has_home_internet",
                        "has_mobile_data",
                        "can_create_online_account",
                        "can_scan_upload",
                    ]
                )
            },
        )


def _caseload_of(org, n: int):
    advisor = member(org, Role.ADVISOR)
    for _ in range(n):
        young_person = YoungPersonFactory(organization=org, referent=advisor, last_name="Martin")
        FollowUpFactory(young_person=young_person)
        StepFactory(young_person=young_person, overdue=True)
    return advisor


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("cases:caseload", ""),
        ("cases:caseload", "?overdue=true&ordering=-last_follow_up_at"),
        ("cases:caseload", "?step_status=todo&no_follow_up_days=30&q=a"),
        ("cases:directory", "?q=a"),
    ],
)
def test_caseload_pages_constant(client, org, url_name, params):
    runs = []
    for n in (1, 100):
        advisor = _caseload_of(org, n)
        client.force_login(advisor)
        runs.append(queries_of(client, reverse(url_name) + params))
    assert_same_num_queries(*runs)


def test_caseload_query_count_snapshot(client, org):
    advisor = _caseload_of(org, 30)
    client.force_login(advisor)
    # session, user, memberships, count, page of rows (annotations are subqueries).
    assert_num_queries(queries_of(client, reverse("cases:caseload")), 5)


def test_supervisor_organization_view_constant(client, org):
    supervisor = member(org, Role.SUPERVISOR)
    client.force_login(supervisor)
    runs = []
    for n in (1, 100):
        _caseload_of(org, n)
        runs.append(queries_of(client, reverse("cases:caseload") + "?scope=organization"))
    assert_same_num_queries(*runs)


@pytest.mark.parametrize("url_name", ["cases:detail", "cases:access_log", "cases:history"])
def test_file_pages_constant(client, org, url_name):
    runs = []
    for n in (1, 100):
        young_person = YoungPersonFactory(organization=org)
        _populate_file(young_person, n)
        grantee = member(org, Role.ADVISOR)
        services.delegation_grant(
            actor=young_person.referent,
            young_person=young_person,
            grantee=grantee,
            ends_on=timezone.localdate() + timedelta(days=3),
        )
        client.force_login(young_person.referent)
        runs.append(queries_of(client, reverse(url_name, args=[young_person.pk])))
    assert_same_num_queries(*runs)


def test_directory_card_constant(client, org):
    colleague = member(org, Role.ADVISOR)
    client.force_login(colleague)
    runs = []
    for n in (1, 100):
        young_person = YoungPersonFactory(organization=org)
        _populate_file(young_person, n)
        runs.append(queries_of(client, reverse("cases:detail", args=[young_person.pk])))
    assert_same_num_queries(*runs)


def test_delegations_page_constant(client, org):
    runs = []
    for n in (1, 30):
        young_person = YoungPersonFactory(organization=org)
        for _ in range(n):
            services.delegation_grant(
                actor=young_person.referent,
                young_person=young_person,
                grantee=member(org, Role.ADVISOR),
                ends_on=timezone.localdate() + timedelta(days=3),
            )
        client.force_login(young_person.referent)
        runs.append(queries_of(client, reverse("cases:delegations", args=[young_person.pk])))
    assert_same_num_queries(*runs)


def test_members_page_constant(client, org):
    admin = member(org, Role.ORG_ADMIN)
    client.force_login(admin)
    runs = []
    for n in (1, 100):
        for _ in range(n):
            member(org, Role.ADVISOR)
        runs.append(queries_of(client, reverse("accounts:members", args=[org.pk])))
    assert_same_num_queries(*runs)
