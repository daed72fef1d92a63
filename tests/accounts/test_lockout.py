"""Guessing passwords stops: after 10 consecutive failures on one account from one client,
that account is locked for that client (even the right password is refused) for 15 minutes
after the last attempt — on the login form and on /admin/. The attacks are tried here."""

from datetime import timedelta
from html import unescape

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
ADMIN_LOGIN = reverse("admin:login")
CASELOAD = reverse("cases:caseload")
RESET = reverse("accounts:password_reset")
ATTACKER = "198.51.100.66"


@pytest.fixture
def advisor():
    return member(OrganizationFactory(), Role.ADVISOR, username="camille.l")


def attempt(client: Client, password: str, *, url: str = LOGIN, username="camille.l", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def fail(client: Client, times: int, **kwargs) -> list:
    return [attempt(client, f"guess-{number}", **kwargs) for number in range(times)]


def move_attempts_back(minutes: int) -> None:
    """Time moves instead of the test sleeping: the failures happened `minutes` ago."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def assert_locked_page(response) -> None:
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    html = unescape(response.content.decode())
    assert "ce compte est verrouillé sur cet appareil jusqu'à" in html
    assert f'href="{RESET}"' in html
    assert 0 < int(response["Retry-After"]) <= 15 * 60


def test_eleven_wrong_passwords_then_the_right_one_is_refused(advisor):
    client = Client(REMOTE_ADDR=ATTACKER)

    answers = fail(client, 11)

    # Nine failures are ordinary failures; the tenth locks.
    assert [a.status_code for a in answers[:9]] == [200] * 9
    assert all(a.context["form"].errors for a in answers[:9])
    assert_locked_page(answers[9])
    assert_locked_page(answers[10])
    right = attempt(client, DEFAULT_PASSWORD)
    assert_locked_page(right)
    assert client.get(CASELOAD).status_code == 302
    locked = AccessAttempt.objects.get()
    assert (locked.username, locked.ip_address) == ("camille.l", ATTACKER)
    assert locked.failures_since_start == 12


def test_the_lock_holds_fifteen_minutes_then_the_right_password_works(advisor):
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, 10)

    move_attempts_back(14)
    assert_locked_page(attempt(client, DEFAULT_PASSWORD))
    # That refused attempt started the 15 minutes again.
    move_attempts_back(16)
    response = attempt(client, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(CASELOAD).status_code == 200
    # A success clears the count: the next failures start again from zero.
    assert not AccessAttempt.objects.exists()


def test_only_consecutive_failures_count(advisor):
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, 9)
    assert attempt(client, DEFAULT_PASSWORD).status_code == 302
    client.logout()

    answers = fail(client, 9)

    assert [a.status_code for a in answers] == [200] * 9
    assert attempt(client, DEFAULT_PASSWORD).status_code == 302


def test_another_client_is_not_locked_out(advisor):
    fail(Client(REMOTE_ADDR=ATTACKER), 10)

    colleague = Client(REMOTE_ADDR="203.0.113.20")
    response = attempt(colleague, DEFAULT_PASSWORD)

    assert response.status_code == 302
    assert colleague.get(CASELOAD).status_code == 200


def test_another_account_from_the_same_client_is_not_locked_out(advisor):
    member(OrganizationFactory(), Role.ADVISOR, username="julien.r")
    client = Client(REMOTE_ADDR=ATTACKER)
    fail(client, 10)

    assert attempt(client, DEFAULT_PASSWORD, username="julien.r").status_code == 302


def test_a_forged_x_forwarded_for_does_not_escape_the_lock(advisor):
    client = Client(REMOTE_ADDR=ATTACKER)
    for number in range(10):
        attempt(client, "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    response = attempt(client, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")

    assert_locked_page(response)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_behind_one_trusted_proxy_the_client_is_the_address_it_appended(advisor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    # The client writes what it likes on the left; the proxy appends what it saw.
    for number in range(10):
        attempt(proxy, "guess", HTTP_X_FORWARDED_FOR=f"1.2.3.{number}, {ATTACKER}")

    assert_locked_page(attempt(proxy, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR=ATTACKER))
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    colleague = attempt(proxy, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert colleague.status_code == 302


def test_the_admin_login_locks_too():
    User.objects.create_superuser("platform", "platform@example.org", DEFAULT_PASSWORD)
    client = Client(REMOTE_ADDR=ATTACKER)

    answers = fail(client, 10, url=ADMIN_LOGIN, username="platform")
    right = attempt(client, DEFAULT_PASSWORD, url=ADMIN_LOGIN, username="platform")

    assert [a.status_code for a in answers[:9]] == [200] * 9
    assert_locked_page(answers[9])
    assert_locked_page(right)
    assert client.get(reverse("admin:index")).status_code == 302
    # Unlocked after the cool-off.
    move_attempts_back(16)
    assert (
        attempt(client, DEFAULT_PASSWORD, url=ADMIN_LOGIN, username="platform").status_code == 302
    )
    # The password alone does not open the admin: the second factor comes first.
    admin = client.get(reverse("admin:index"))
    assert admin.status_code == 302
    assert admin["Location"].startswith(reverse("accounts:two_factor_setup"))
