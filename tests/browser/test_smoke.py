"""The smallest journey: the login page is accessible and a login lands on the caseload."""

from urllib.parse import urlsplit

from accounts.models import User
from accounts.services import membership_grant, organization_create


def test_login_page_is_accessible_and_login_lands_on_caseload(
    page, live_server, login, assert_accessible
):
    organization = organization_create(name="Mission locale de Lille", kind="mission_locale")
    user = User.objects.create_user(
        username="camille", password="correct-horse-battery", first_name="Camille"
    )
    membership_grant(user=user, organization=organization, role="advisor")

    response = page.goto(f"{live_server.url}/accounts/login/")
    assert response is not None and response.ok, response and response.status
    assert_accessible(page)

    login(page, live_server, "camille", "correct-horse-battery")

    assert urlsplit(page.url).path == "/young-people/"
    assert_accessible(page)
