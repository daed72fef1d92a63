"""The reports page offers each user what they may run, and nothing else."""

import pytest
from django.urls import reverse

from accounts.enums import Role
from tests.factories import OrganizationFactory, member
from tests.reports.report_helpers import make_org

pytestmark = pytest.mark.django_db


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("reports:index"))
    assert response.status_code == 200
    return response.content.decode()


def test_an_advisor_sees_own_reports_exports_and_import(client):
    world = make_org()
    page = _page(client, world.referent)
    assert reverse("reports:caseload_pdf") in page
    assert reverse("reports:export_caseload") in page
    assert reverse("reports:export_referrals_sent") in page
    assert reverse("reports:export_referrals_received") in page
    assert reverse("reports:import_upload") in page
    assert reverse("reports:activity_pdf") not in page
    assert 'name="advisor"' not in page
    assert "?scope=organization" not in page


def test_a_supervisor_also_picks_an_advisor_and_gets_the_activity_report(client):
    world = make_org()
    page = _page(client, world.supervisor)
    assert 'name="advisor"' in page
    assert f'value="{world.referent.pk}"' in page and world.referent.display_name in page
    assert world.other_advisor.display_name not in page
    assert reverse("reports:activity_pdf") in page
    assert 'name="start"' in page and 'name="end"' in page
    assert "?scope=organization" in page


def test_a_partner_only_exports_referrals_received(client):
    partner = member(OrganizationFactory(partner=True), Role.PARTNER)
    page = _page(client, partner)
    assert reverse("reports:export_referrals_received") in page
    assert reverse("reports:caseload_pdf") not in page
    assert reverse("reports:import_upload") not in page


def test_an_organisation_admin_has_no_reports(client):
    client.force_login(member(OrganizationFactory(), Role.ORG_ADMIN))
    assert client.get(reverse("reports:index")).status_code == 404
