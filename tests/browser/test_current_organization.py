"""The organisation switcher in a real Chromium: a plain form (no JavaScript needed), clean
for axe-core, at desktop and phone widths, that brings the user back to the same page."""

from urllib.parse import urlsplit

import pytest

from accounts.enums import OrganizationKind, Role
from accounts.models import User
from accounts.services import membership_grant, organization_create
from tests.factories import ensure_default_catalogue

PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], indirect=True
)
def test_switching_organisation_from_the_header(
    page, live_server, login, assert_accessible, transactional_db
):
    ensure_default_catalogue()
    alpha = organization_create(name="Mission Locale Alpha", kind=OrganizationKind.MISSION_LOCALE)
    beta = organization_create(name="Mission Locale Beta", kind=OrganizationKind.MISSION_LOCALE)
    user = User.objects.create_user(username="nadia", password=PASSWORD, first_name="Nadia")
    membership_grant(user=user, organization=alpha, role=Role.ADVISOR)
    membership_grant(user=user, organization=beta, role=Role.ORG_ADMIN)

    login(page, live_server, "nadia", PASSWORD)
    response = page.goto(f"{live_server.url}/young-people/new/")
    assert response is not None and response.ok
    header = page.locator("header")
    assert "Mission Locale Alpha" in header.locator(".current-organization").inner_text()
    assert page.locator("main").get_by_text("Mission Locale Alpha").count() == 1
    switcher = page.locator("form.organization-switcher")
    assert switcher.locator("label[for='organization-switcher']").is_visible()
    assert_accessible(page)

    switcher.locator("select[name='organization']").select_option(str(beta.pk))
    with page.expect_navigation():
        switcher.locator("button[type='submit']").click()

    assert urlsplit(page.url).path == "/young-people/new/"
    assert "Mission Locale Beta" in header.locator(".current-organization").inner_text()
    # An administrator in Beta: the admin pages are in the menu, the caseload is not.
    nav = page.locator("nav.site-nav")
    assert nav.locator(f"a[href='/accounts/organizations/{beta.pk}/members/']").count() == 1
    assert nav.locator("a[href='/young-people/']").count() == 0
    assert_accessible(page)
