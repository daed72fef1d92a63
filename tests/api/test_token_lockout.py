"""POST /api/v1/auth/token/ under attack: the lockout of the login form applies (a clear
429 `account_locked`, never a 500), and neither it nor DRF's throttle can be escaped with
a forged X-Forwarded-For."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.enums import Role
from accounts.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ATTACKER = "198.51.100.66"


@pytest.fixture
def advisor():
    return member(OrganizationFactory(), Role.ADVISOR, username="camille.l")


def ask(client: APIClient, password: str, **extra):
    return client.post(
        TOKEN_URL, {"username": "camille.l", "password": password}, format="json", **extra
    )


def assert_locked(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "account_locked"
    assert "verrouillé" in body["detail"]
    assert "http://testserver/accounts/password/reset/" in body["detail"]
    assert 0 < body["retry_after"] <= 15 * 60
    assert int(response["Retry-After"]) == body["retry_after"]


def test_eleven_wrong_passwords_then_the_right_one_is_refused(advisor):
    client = APIClient(REMOTE_ADDR=ATTACKER)

    answers = [ask(client, f"guess-{n}") for n in range(11)]
    right = ask(client, DEFAULT_PASSWORD)

    assert [a.status_code for a in answers[:9]] == [400] * 9
    assert_locked(answers[9])
    assert_locked(answers[10])
    assert_locked(right)
    assert not ApiToken.objects.exists()


def test_the_lock_expires_after_fifteen_minutes(advisor):
    client = APIClient(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        ask(client, f"guess-{n}")

    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=14))
    assert_locked(ask(client, DEFAULT_PASSWORD))
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    response = ask(client, DEFAULT_PASSWORD)

    assert response.status_code == 200
    assert response.json()["token"].startswith(ApiToken.objects.get(user=advisor).token_key)


def test_another_client_still_gets_its_token(advisor):
    attacker = APIClient(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        ask(attacker, f"guess-{n}")

    assert ask(APIClient(REMOTE_ADDR="203.0.113.20"), DEFAULT_PASSWORD).status_code == 200


def test_a_forged_x_forwarded_for_does_not_escape_the_lock(advisor):
    client = APIClient(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        ask(client, "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

    assert_locked(ask(client, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9"))


def test_the_web_and_the_api_share_the_count(advisor):
    client = APIClient(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        client.post(
            "/accounts/login/",
            {"username": "camille.l", "password": f"guess-{n}"},
            format="multipart",
        )

    assert_locked(ask(client, DEFAULT_PASSWORD))


@pytest.fixture
def strict_token_rate(monkeypatch):
    """Two token requests a minute."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})


def test_a_forged_x_forwarded_for_does_not_escape_the_throttle(advisor, strict_token_rate):
    client = APIClient(REMOTE_ADDR=ATTACKER)

    answers = [ask(client, "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}") for n in range(3)]

    assert [a.status_code for a in answers] == [400, 400, 429]
    assert answers[2].json()["detail"]
    assert int(answers[2]["Retry-After"]) > 0


def test_behind_one_trusted_proxy_each_client_has_its_own_throttle_and_lock(
    advisor, strict_token_rate, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = APIClient(REMOTE_ADDR="10.0.0.1")

    first = [ask(proxy, "guess", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, {ATTACKER}") for n in range(3)]
    other_client = ask(proxy, DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.20")

    assert [a.status_code for a in first] == [400, 400, 429]
    assert other_client.status_code == 200
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_the_schema_documents_the_lock():
    from django.test import Client

    client = Client()
    client.force_login(member(OrganizationFactory()))  # the schema needs a login
    schema = client.get("/api/schema/?format=json").json()
    answer = schema["paths"][TOKEN_URL]["post"]["responses"]["429"]

    assert "account_locked" in answer["description"]
    assert answer["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Retry-After" in answer["headers"]
