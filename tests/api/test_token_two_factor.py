"""A token for an account with two-factor authentication takes its current code (`otp`):
the password alone gets no token, a wrong or replayed code neither, and guessing codes
leads to the same lockout as guessing passwords."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.enums import Role
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member
from tests.two_factor import authenticator, current_code, fresh_code

pytestmark = pytest.mark.django_db

TOKEN = reverse("api:auth-token")


@pytest.fixture
def supervisor():
    return member(OrganizationFactory(), Role.SUPERVISOR, username="sam.sup")


@pytest.fixture
def advisor():
    return member(OrganizationFactory(), Role.ADVISOR, username="alex.adv")


def ask(otp: str | None = None, *, client=None, **extra):
    data = {"username": extra.pop("username", "sam.sup"), "password": DEFAULT_PASSWORD}
    if otp is not None:
        data["otp"] = otp
    return (client or APIClient()).post(TOKEN, data, format="json", **extra)


def test_with_the_current_code_a_token_is_given(supervisor):
    response = ask(current_code(authenticator(supervisor)))
    assert response.status_code == 200
    token = response.json()["token"]
    me = APIClient().get(reverse("api:me"), HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


def test_the_password_alone_gets_no_token(supervisor):
    authenticator(supervisor)
    for otp in [None, "", "   "]:
        response = ask(otp)
        assert response.status_code == 400
        assert "otp" in response.json()
        assert "token" not in response.json()


def test_a_wrong_or_replayed_code_gets_no_token(supervisor):
    device = authenticator(supervisor)
    code = current_code(device)
    assert ask(code).status_code == 200
    assert ask(code).status_code == 400, "a code works once"
    wrong = "000000" if code != "000000" else "111111"
    assert ask(wrong).status_code == 400


def test_guessing_codes_locks_the_account_like_guessing_passwords(supervisor, settings):
    device = authenticator(supervisor)
    client = Client(REMOTE_ADDR="198.51.100.7")
    # django-otp's throttle also slows the guesser; the lockout is what stops them.
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = ask("12345", client=client)
        assert response.status_code == 400
    locked = ask(current_code(device), client=client)
    assert locked.status_code == 429
    assert locked.json()["code"] == "account_locked"


def test_a_supervisor_not_enrolled_yet_must_enrol_first(supervisor):
    response = ask("123456")
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_enrolment_required"


def test_an_advisor_without_2fa_needs_no_code_and_one_with_2fa_does(advisor):
    assert ask(username="alex.adv").status_code == 200
    authenticator(advisor)
    assert ask(username="alex.adv").status_code == 400
    assert ask(fresh_code(advisor), username="alex.adv").status_code == 200


@pytest.mark.parametrize("otp", ["x" * 33, "١٢٣٤٥٦", "\x00", 123456, ["1"]])
def test_odd_codes_get_a_400_not_a_500(supervisor, otp):
    authenticator(supervisor)
    response = ask(otp)
    assert response.status_code == 400
