"""The supervisor's journey in a real browser: dashboard (chart and tables), a figure's
list, a bulk reassignment, the referrals and delegations pages; axe-core on each page, at
desktop and at phone width."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone

from cases import services
from cases.models import YoungPerson
from tests.factories import DEFAULT_PASSWORD
from tests.supervision.known_org import build_known_org


@pytest.fixture
def default_catalogue(transactional_db):
    """The live server's transactional database is flushed after each test, taking the
    default step catalogue (written by a data migration) with it: write it again."""
    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0002_default_step_types")
    migration.load(apps, None)


@pytest.mark.usefixtures("default_catalogue")
@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], indirect=True
)
def test_supervisor_journey_is_accessible(page, live_server, login, assert_accessible):
    known = build_known_org()
    services.delegation_grant(
        actor=known.users["sam"],
        young_person=known.yp["a1"],
        grantee=known.users["bob"],
        ends_on=timezone.localdate() + timedelta(days=10),
    )
    login(page, live_server, known.users["sam"].username, DEFAULT_PASSWORD)

    page.goto(f"{live_server.url}/supervision/")
    assert page.url.endswith(f"/supervision/{known.org.pk}/")
    assert page.locator("svg[role='img'] title").count() == 1
    assert page.locator("#advisors-table tfoot td strong").first.inner_text() == "9"
    assert_accessible(page)

    # A figure opens its list: Alice's files with no follow-up for 60 days.
    alice_row = page.locator("#advisors-table tbody tr", has_text="Alice Martin")
    alice_row.locator("td").nth(2).locator("a").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == 3
    assert_accessible(page)

    # Reassign two of them to Bob.
    page.locator("input[name='young_people']").nth(0).check()
    page.locator("input[name='young_people']").nth(1).check()
    page.select_option("select[name='new_referent']", label="Bob Petit")
    with page.expect_navigation():
        page.locator("main form[method='post'] button[type='submit']").click()
    assert page.locator(".messages").inner_text().strip() != ""
    assert page.locator("tbody tr").count() == 1
    assert_accessible(page)
    moved = YoungPerson.objects.filter(pk__in=known.ids("a3", "a4"))
    assert {yp.referent_id for yp in moved} == {known.users["bob"].pk}

    # An empty submission comes back with an error, still accessible.
    with page.expect_navigation():
        page.locator("main form[method='post'] button[type='submit']").click()
    assert page.locator("[role='alert']").count() == 1
    assert_accessible(page)

    for path in ("referrals/?direction=sent", "referrals/?direction=received", "delegations/"):
        page.goto(f"{live_server.url}/supervision/{known.org.pk}/{path}")
        assert page.locator("tbody tr").count() >= 1, path
        assert_accessible(page)
