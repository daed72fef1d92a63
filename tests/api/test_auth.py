"""Authentication of the API: tokens for partner systems (obtained with a password,
revocable by their owner), sessions for the browser, 401 for everybody else, throttling.
What ends a token (expiry, password change, deactivation…): test_token_lifecycle.py."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.enums import Role
from accounts.models import ApiToken
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, api_token, member

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def advisor():
    return member(OrganizationFactory(name="Mission Locale de Calais"), Role.ADVISOR)


def login(client: APIClient, username: str, password: str = DEFAULT_PASSWORD):
    return client.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_a_password_gives_a_token_that_authenticates(advisor):
    client = APIClient()

    response = login(client, advisor.username)

    assert response.status_code == 200
    token = response.json()["token"]
    assert set(response.json()) == {"token", "expires_at"}
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == advisor.username
    assert me.json()["memberships"] == [
        {
            "organization": advisor.memberships.get().organization_id,
            "organization_name": "Mission Locale de Calais",
            "organization_kind": "mission_locale",
            "role": "advisor",
        }
    ]
    # Logging in again gives another token (one per client system); both work.
    second = login(APIClient(), advisor.username).json()["token"]
    assert second != token
    assert ApiToken.objects.filter(user=advisor).count() == 2
    assert client.get("/api/v1/me/").status_code == 200


def test_a_wrong_password_is_a_400_without_saying_which_part_was_wrong(advisor):
    wrong_password = login(APIClient(), advisor.username, "not-the-password")
    unknown_user = login(APIClient(), "nobody", DEFAULT_PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password.json() == unknown_user.json()
    assert list(wrong_password.json()) == ["non_field_errors"]
    assert not ApiToken.objects.exists()


def test_missing_credentials_are_named(advisor):
    response = APIClient().post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_an_inactive_account_gets_no_token(advisor):
    advisor.is_active = False
    advisor.save(update_fields=["is_active"])

    assert login(APIClient(), advisor.username).status_code == 400


def test_the_owner_revokes_the_token_at_once_and_only_that_one(advisor):
    token = login(APIClient(), advisor.username).json()["token"]
    other_system = api_token(advisor, label="Logiciel B")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert client.delete(TOKEN_URL).status_code == 204

    assert list(ApiToken.objects.filter(user=advisor).values_list("label", flat=True)) == [
        "Logiciel B"
    ]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_system}")
    assert other.get("/api/v1/me/").status_code == 200
    refused = client.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    # A new login gives a new token.
    assert login(APIClient(), advisor.username).json()["token"] != token


def test_revoking_needs_the_token_itself(advisor):
    api_token(advisor)
    session = APIClient()
    session.force_login(advisor)

    assert APIClient().delete(TOKEN_URL).status_code == 401
    # A browser session does not revoke the partner system's token.
    assert session.delete(TOKEN_URL).status_code == 401
    assert ApiToken.objects.filter(user=advisor).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1/me/",
        "/api/v1/young-people/",
        "/api/v1/young-people/1/",
        "/api/v1/referrals/",
        "/api/v1/organizations/",
    ],
)
def test_anonymous_calls_are_401_with_the_scheme_to_use(path):
    response = APIClient().get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def test_an_unknown_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_browser_session_works_and_keeps_csrf(advisor):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(advisor)

    assert browser.get("/api/v1/me/").status_code == 200
    # A write from a session needs the CSRF token, like every form of the site.
    response = browser.post(
        "/api/v1/young-people/",
        {"first_name": "A", "last_name": "B", "birth_date": "2006-01-01"},
        format="json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_organisations_are_readable_by_any_member(advisor):
    emmaus = OrganizationFactory(emmaus=True)
    client = APIClient()
    client.force_authenticate(advisor)

    listed = client.get("/api/v1/organizations/", {"kind": "emmaus_connect"}).json()
    assert [o["id"] for o in listed["results"]] == [emmaus.pk]
    detail = client.get(f"/api/v1/organizations/{emmaus.pk}/").json()
    assert detail == {
        "id": emmaus.pk,
        "name": emmaus.name,
        "kind": "emmaus_connect",
        "territory": emmaus.territory,
    }
    assert client.post("/api/v1/organizations/", {"name": "X"}).status_code == 405


@pytest.fixture
def strict_token_rate(monkeypatch):
    """Two logins a minute, on a clean throttle cache."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    cache.clear()
    yield
    cache.clear()


def test_logins_are_throttled(advisor, strict_token_rate):
    client = APIClient()

    assert login(client, advisor.username).status_code == 200
    assert login(client, advisor.username, "guess").status_code == 400

    third = login(client, advisor.username)

    assert third.status_code == 429
    assert int(third["Retry-After"]) > 0
    assert third.json()["detail"]


def test_the_token_scope_does_not_throttle_the_rest_of_the_api(advisor, strict_token_rate):
    client = APIClient()
    client.force_authenticate(advisor)

    for _call in range(5):
        assert client.get("/api/v1/me/").status_code == 200
