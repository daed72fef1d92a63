"""Two-factor authentication in a real Chromium, axe-core on every page: a supervisor
without an authenticator is stopped at the enrolment, scans (reads) the key, confirms,
keeps the recovery codes, then signs in again with password and code."""

from urllib.parse import urlsplit

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import OrganizationKind, Role
from accounts.models import User
from accounts.services import membership_grant, organization_create
from tests.two_factor import current_code, fresh_code

PASSWORD = "correct-horse-battery"


def test_a_supervisor_enrols_then_signs_in_with_a_code(page, live_server, assert_accessible):
    organization = organization_create(
        name="Mission Locale Est", kind=OrganizationKind.MISSION_LOCALE
    )
    user = User.objects.create_user(username="nadia", password=PASSWORD, first_name="Nadia")
    membership_grant(user=user, organization=organization, role=Role.SUPERVISOR)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='username']", "nadia")
    page.fill("input[name='password']", PASSWORD)
    with page.expect_navigation():
        page.locator("main form [type='submit']").first.click()
    # The password alone leads to the enrolment, whatever the page asked for.
    page.goto(f"{base}/supervision/")
    assert urlsplit(page.url).path == "/accounts/two-factor/setup/"
    assert_accessible(page)
    key = page.locator("main code").inner_text().replace(" ", "")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    from accounts.two_factor import base32_secret

    assert key == base32_secret(device)
    assert page.locator("main img[src^='data:image/svg+xml']").is_visible()

    page.fill("input[name='code']", current_code(device))
    with page.expect_navigation():
        page.locator("main form [type='submit']").first.click()
    assert urlsplit(page.url).path == "/accounts/two-factor/recovery-codes/new/"
    assert_accessible(page)
    assert page.locator("ul.recovery-codes li").count() == 10
    page.locator("main a.button").click()
    page.wait_for_url(f"{base}/accounts/two-factor/")
    assert_accessible(page)

    # Signed out, then in again: password, then code.
    with page.expect_navigation():
        page.locator("header form[action='/accounts/logout/'] button").click()
    page.goto(f"{base}/accounts/login/?next=/supervision/")
    page.fill("input[name='username']", "nadia")
    page.fill("input[name='password']", PASSWORD)
    with page.expect_navigation():
        page.locator("main form [type='submit']").first.click()
    assert urlsplit(page.url).path == "/accounts/two-factor/verify/"
    assert_accessible(page)
    page.fill("input[name='code']", "000000" if fresh_code(user) != "000000" else "111111")
    with page.expect_navigation():
        page.locator("main form [type='submit']").first.click()
    assert page.locator("main .errorlist").is_visible()
    assert_accessible(page)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)
    page.fill("input[name='code']", fresh_code(user))
    with page.expect_navigation():
        page.locator("main form [type='submit']").first.click()
    assert urlsplit(page.url).path.startswith("/supervision/")
