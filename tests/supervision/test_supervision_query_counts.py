"""Query counts of the supervision pages: the same at 1 and at 100 rows, and pinned for
the dashboard, so that a per-advisor query shows up as a failing number in review."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from accounts.models import Membership
from cases import services
from core.testing import (
    CapturedQueries,
    assert_num_queries,
    assert_same_num_queries,
    capture_queries,
)
from referrals import services as referral_services
from tests.factories import (
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    default_step_type,
    member,
)

pytestmark = pytest.mark.django_db

# Measured at 1 row, then at 100 (99 more).
ROWS_ADDED = (1, 99)


def queries_of(client, url: str, data: dict | None = None) -> CapturedQueries:
    with capture_queries() as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200, url
    return queries


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def supervisor(org):
    return member(org, Role.SUPERVISOR)


def _refer(young_person, to_organization) -> None:
    referral_services.referral_send(
        actor=young_person.referent,
        young_person=young_person,
        to_organization=to_organization,
        reason="equipment",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )


def _busy_file(org, advisor):
    """A file that feeds every column of the dashboard and every funnel stage."""
    young_person = YoungPersonFactory(organization=org, referent=advisor)
    FollowUpFactory(
        young_person=young_person,
        occurred_at=timezone.now() - timedelta(days=45),
        next_appointment=timezone.now() + timedelta(days=2),
    )
    StepFactory(young_person=young_person, overdue=True)
    for code in ("send_attachment", "upload_cv", "first_online_application"):
        StepFactory(young_person=young_person, step_type=default_step_type(code), done=True)
    services.application_save(
        actor=advisor,
        young_person=young_person,
        employer="E",
        position="P",
        source="job_board",
        status="hired",
    )
    return young_person


def _advisor_with_a_busy_file(org, emmaus, index: int) -> None:
    advisor = member(org, Role.ADVISOR)
    _refer(_busy_file(org, advisor), emmaus)
    if index % 10 == 0:
        # Some leave and keep their files: they stay on the dashboard, as rows.
        Membership.objects.filter(user=advisor).update(is_active=False)


def test_dashboard_constant_in_the_number_of_advisors(client, org, supervisor):
    emmaus = OrganizationFactory(emmaus=True)
    client.force_login(supervisor)
    url = reverse("supervision:dashboard", args=[org.pk])
    runs = []
    for extra in ROWS_ADDED:
        for index in range(extra):
            _advisor_with_a_busy_file(org, emmaus, index)
        runs.append(queries_of(client, url))
    assert_same_num_queries(*runs)


def test_dashboard_query_count_snapshot(client, org, supervisor):
    emmaus = OrganizationFactory(emmaus=True)
    for index in range(5):
        _advisor_with_a_busy_file(org, emmaus, index)
    client.force_login(supervisor)
    # session, user, the second factor's device (django-otp), memberships; advisors,
    # files, follow-ups, overdue steps, referrals sent (per referent); referrals received;
    # funnel steps, hired.
    assert_num_queries(queries_of(client, reverse("supervision:dashboard", args=[org.pk])), 12)


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"metric": "no_follow_up_30"},
        {"metric": "overdue_steps", "referent": "ADVISOR"},
        {"metric": "appointments"},
        {"metric": "held", "referent": "ADVISOR"},
        {"metric": "step_done", "step": "upload_cv"},
        {"metric": "hired"},
    ],
)
def test_young_people_list_constant(client, org, supervisor, query):
    client.force_login(supervisor)
    url = reverse("supervision:young_people", args=[org.pk])
    advisor = member(org, Role.ADVISOR)
    query = {k: (advisor.pk if v == "ADVISOR" else v) for k, v in query.items()}
    runs = []
    for extra in ROWS_ADDED:
        for _ in range(extra):
            _busy_file(org, advisor)
        runs.append(queries_of(client, url, query))
    assert_same_num_queries(*runs)


def test_reassign_error_page_constant(client, org, supervisor):
    advisor = member(org, Role.ADVISOR)
    client.force_login(supervisor)
    runs = []
    for n in (1, 100):
        ids = [YoungPersonFactory(organization=org, referent=advisor).pk for _ in range(n)]
        with capture_queries() as queries:
            response = client.post(
                reverse("supervision:reassign", args=[org.pk]),
                {"young_people": [*ids, 999_999], "new_referent": supervisor.pk},
            )
        assert response.status_code == 400
        runs.append(queries)
    assert_same_num_queries(*runs)


@pytest.mark.parametrize("direction", ["sent", "received"])
def test_referrals_list_constant(client, org, supervisor, direction):
    other = OrganizationFactory()
    sender = member(other, Role.ADVISOR)
    advisors = [member(org, Role.ADVISOR) for _ in range(3)]
    client.force_login(supervisor)
    runs = []
    for extra in ROWS_ADDED:
        for index in range(extra):
            if direction == "sent":
                _refer(YoungPersonFactory(organization=org, referent=advisors[index % 3]), other)
            else:
                _refer(YoungPersonFactory(organization=other, referent=sender), org)
        runs.append(
            queries_of(
                client, reverse("supervision:referrals", args=[org.pk]), {"direction": direction}
            )
        )
    assert_same_num_queries(*runs)


def test_delegations_page_constant(client, org, supervisor):
    client.force_login(supervisor)
    until = timezone.localdate() + timedelta(days=5)
    runs = []
    for extra in ROWS_ADDED:
        for _ in range(extra):
            young_person = YoungPersonFactory(organization=org)
            services.delegation_grant(
                actor=supervisor,
                young_person=young_person,
                grantee=member(org, Role.ADVISOR),
                ends_on=until,
            )
        runs.append(queries_of(client, reverse("supervision:delegations", args=[org.pk])))
    assert_same_num_queries(*runs)
