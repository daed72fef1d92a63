"""Who reaches the supervision pages, what bad parameters do, the delegations page, and
the chart's geometry and markup."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.enums import Role
from accounts.models import Membership
from cases import services
from supervision.charts import horizontal_bar_chart
from tests.factories import MembershipFactory, OrganizationFactory, YoungPersonFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory(name="B mission locale")


def test_home_redirects_to_the_first_supervised_organisation(client, org):
    first = OrganizationFactory(name="A mission locale")
    supervisor = member(org, Role.SUPERVISOR)
    MembershipFactory(user=supervisor, organization=first, role=Role.SUPERVISOR)
    client.force_login(supervisor)
    response = client.get(reverse("supervision:home"))
    assert response["Location"] == reverse("supervision:dashboard", args=[first.pk])
    # Both dashboards answer, and each links to the other.
    for organization in (first, org):
        page = client.get(reverse("supervision:dashboard", args=[organization.pk]))
        assert page.status_code == 200
        html = page.content.decode()
        assert f'href="/supervision/{first.pk}/"' in html
        assert f'href="/supervision/{org.pk}/"' in html


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.ORG_ADMIN, Role.PARTNER])
def test_other_roles_get_404_everywhere(client, org, role):
    client.force_login(member(org, role))
    assert client.get(reverse("supervision:home")).status_code == 404
    for name in ("dashboard", "young_people", "referrals", "delegations"):
        assert client.get(reverse(f"supervision:{name}", args=[org.pk])).status_code == 404


def test_a_former_supervisor_gets_404(client, org):
    supervisor = member(org, Role.SUPERVISOR)
    Membership.objects.filter(user=supervisor).update(is_active=False)
    client.force_login(supervisor)
    assert client.get(reverse("supervision:dashboard", args=[org.pk])).status_code == 404


def test_supervisor_of_another_organisation_gets_404(client, org):
    client.force_login(member(OrganizationFactory(), Role.SUPERVISOR))
    for name in ("dashboard", "young_people", "referrals", "delegations"):
        assert client.get(reverse(f"supervision:{name}", args=[org.pk])).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"metric": "everything"},
        {"metric": "step_done"},
        {"metric": "step_done", "step": "write_cv"},
        {"referent": "abc"},
        {"metric": "hired", "start": "2025-02-30"},
        {"metric": "hired", "start": "2025-03-01", "end": "2025-01-01"},
    ],
)
def test_bad_list_parameters_are_a_bad_request(client, org, query):
    client.force_login(member(org, Role.SUPERVISOR))
    response = client.get(reverse("supervision:young_people", args=[org.pk]), query)
    assert response.status_code == 400


def test_a_referent_of_another_organisation_is_not_named(client, org):
    stranger = member(OrganizationFactory(), Role.ADVISOR, first_name="Secret")
    client.force_login(member(org, Role.SUPERVISOR))
    for name in ("young_people", "referrals"):
        url = reverse(f"supervision:{name}", args=[org.pk])
        assert client.get(url, {"referent": stranger.pk}).status_code == 404


def test_an_invalid_period_falls_back_to_the_last_twelve_months(client, org):
    client.force_login(member(org, Role.SUPERVISOR))
    response = client.get(
        reverse("supervision:dashboard", args=[org.pk]),
        {"start": "2025-06-01", "end": "2025-01-01"},
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    today = timezone.localdate()
    assert response.context["dashboard"].period.end == today
    assert response.context["dashboard"].period.start == today - timedelta(days=364)


def test_delegations_page_lists_running_delegations_of_the_organisation(client, org):
    supervisor = member(org, Role.SUPERVISOR)
    referent = member(org, Role.ADVISOR, first_name="Rita", last_name="Ref")
    delegate = member(org, Role.ADVISOR, first_name="Dan", last_name="Deleg")
    leaver = member(org, Role.ADVISOR, first_name="Lea", last_name="Leaver")
    young_person = YoungPersonFactory(
        organization=org, referent=referent, first_name="Zoé", last_name="Durand"
    )
    until = timezone.localdate() + timedelta(days=10)
    for grantee in (delegate, leaver):
        services.delegation_grant(
            actor=referent, young_person=young_person, grantee=grantee, ends_on=until
        )
    Membership.objects.filter(user=leaver).update(is_active=False)
    # Elsewhere: not listed.
    elsewhere = YoungPersonFactory(organization=OrganizationFactory())
    services.delegation_grant(
        actor=elsewhere.referent,
        young_person=elsewhere,
        grantee=member(elsewhere.organization, Role.ADVISOR),
        ends_on=until,
    )
    client.force_login(supervisor)
    response = client.get(reverse("supervision:delegations", args=[org.pk]))
    html = response.content.decode()
    assert [g.user_id for g in response.context["page"].object_list] == sorted(
        [delegate.pk, leaver.pk]
    )
    assert reverse("cases:delegations", args=[young_person.pk]) in html
    assert "Dan Deleg" in html and "Rita Ref" in html
    assert html.count("no longer a member: grants nothing") == 1
    # The file's own delegation page is open to the supervisor.
    assert client.get(reverse("cases:delegations", args=[young_person.pk])).status_code == 200


def test_chart_geometry():
    chart = horizontal_bar_chart([("a", 10), ("b", 5), ("c", 0), ("d", 1_000_000)])
    widths = [bar.bar_width for bar in chart.bars]
    assert widths[3] == chart.width - chart.left - 56
    assert widths[2] == 0
    assert widths[0] == 2  # tiny but not zero: still visible
    assert all(
        isinstance(v, int) for bar in chart.bars for v in vars(bar).values() if v != bar.label
    )
    assert chart.description == "a: 10; b: 5; c: 0; d: 1000000"
    empty = horizontal_bar_chart([("a", 0)])
    assert [bar.bar_width for bar in empty.bars] == [0]


def test_chart_markup_is_accessible_and_has_no_script_or_inline_style(client, org):
    client.force_login(member(org, Role.SUPERVISOR))
    with translation.override("fr"):
        html = client.get(
            reverse("supervision:dashboard", args=[org.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert 'aria-labelledby="funnel-chart-title funnel-chart-desc"' in svg
    assert '<title id="funnel-chart-title">' in svg and '<desc id="funnel-chart-desc">' in svg
    assert "style=" not in html and "<script" not in html
    # French number formatting must never reach a coordinate.
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)


def test_long_lists_are_paginated_in_name_order(client, org):
    advisor = member(org, Role.ADVISOR)
    for i in range(55):
        YoungPersonFactory(organization=org, referent=advisor, last_name=f"Nom{i:02d}")
    client.force_login(member(org, Role.SUPERVISOR))
    url = reverse("supervision:young_people", args=[org.pk])
    first = client.get(url, {"metric": "active"})
    names = [yp.last_name for yp in first.context["page"].object_list]
    assert names == [f"Nom{i:02d}" for i in range(50)]
    html = first.content.decode()
    assert f'href="{url}?metric=active&amp;page=2"' in html
    assert 'name="all_matching"' in html and "Reassign all 55 files of this list" in html
    second = client.get(url, {"metric": "active", "page": 2})
    assert [yp.last_name for yp in second.context["page"].object_list] == [
        f"Nom{i:02d}" for i in range(50, 55)
    ]
    # Every row carries the caseload columns.
    assert all(yp.overdue_steps == 0 for yp in second.context["page"].object_list)
