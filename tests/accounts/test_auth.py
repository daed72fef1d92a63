"""Logging in and out, the login requirement, and passwords (change and reset by email)."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from tests.factories import (
    DEFAULT_PASSWORD,
    OrganizationFactory,
    YoungPersonFactory,
    member,
    signin_request,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")
CASELOAD = reverse("cases:caseload")
HOME = reverse("home")
NEW_PASSWORD = "un-nouveau-mot-de-passe-solide"
RESET_LINK = re.compile(r"https?://testserver(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="conseillere.demo", email="conseillere@example.org")


# --- login / logout -------------------------------------------------------------------------


def test_login_page_renders(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert reverse("accounts:password_reset") in html


def test_login_page_is_french_by_default(client, settings):
    settings.LANGUAGE_CODE = "fr"
    with translation.override("fr"):
        html = client.get(LOGIN).content.decode()
    assert '<html lang="fr">' in html
    assert "Se connecter à Relais" in html, "French catalogue not compiled? make compilemessages"


def test_advisor_login_lands_on_the_caseload(client, advisor):
    response = client.post(
        LOGIN, {"username": "conseillere.demo", "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == CASELOAD
    assert response.wsgi_request.user == advisor
    assert "cases/caseload.html" in [t.name for t in response.templates]


def test_partner_login_lands_on_home(client):
    partner = member(
        OrganizationFactory(partner=True), Role.PARTNER, first_name="Paul", last_name="Partenaire"
    )
    response = client.post(
        LOGIN, {"username": partner.username, "password": DEFAULT_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain == [(HOME, 302)]
    assert "home.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Welcome, Paul Partenaire" in html
    # An attached partner is shown their work, not told to ask for an organisation.
    assert reverse("referrals:received") in html
    assert "not attached to any organisation" not in html
    assert CASELOAD not in html


def test_login_honours_a_safe_next_and_ignores_an_external_one(client, advisor):
    directory = reverse("cases:directory")
    response = client.post(
        LOGIN, {"username": advisor.username, "password": DEFAULT_PASSWORD, "next": directory}
    )
    assert response.url == directory
    client.logout()
    response = client.post(
        LOGIN,
        {
            "username": advisor.username,
            "password": DEFAULT_PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.url == HOME


def test_login_with_a_wrong_password_fails(client, advisor):
    response = client.post(LOGIN, {"username": advisor.username, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.wsgi_request.user.is_authenticated
    assert client.get(CASELOAD).status_code == 302


def test_inactive_user_cannot_log_in(client, advisor):
    User.objects.filter(pk=advisor.pk).update(is_active=False)
    response = client.post(LOGIN, {"username": advisor.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_login_page_redirects_a_logged_in_user(client, advisor):
    client.force_login(advisor)
    assert client.get(LOGIN).status_code == 302


def test_logout_is_a_post(client, advisor):
    client.force_login(advisor)
    assert client.get(LOGOUT).status_code == 405
    assert client.get(CASELOAD).status_code == 200
    response = client.post(LOGOUT)
    assert response.status_code == 302
    assert response.url == LOGIN
    assert client.get(CASELOAD).status_code == 302


def test_every_page_shows_a_logout_form(client, advisor):
    client.force_login(advisor)
    html = client.get(CASELOAD).content.decode()
    assert f'<form method="post" action="{LOGOUT}">' in html


# --- login required -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        CASELOAD,
        HOME,
        reverse("cases:directory"),
        reverse("cases:create"),
        reverse("cases:catalogue"),
        reverse("accounts:password_change"),
    ],
)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={url}"


def test_anonymous_cannot_reach_a_file_or_members(client, org, advisor):
    young_person = YoungPersonFactory(organization=org, referent=advisor)
    for url in (
        reverse("cases:detail", args=[young_person.pk]),
        reverse("accounts:members", args=[org.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)
    response = client.post(reverse("cases:update", args=[young_person.pk]), {"city": "X"})
    assert response.status_code == 302
    young_person.refresh_from_db()
    assert young_person.city == "Lille"


# --- password change -------------------------------------------------------------------------


def test_password_change(client, advisor):
    client.force_login(advisor)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200

    refused = client.post(
        url,
        {"old_password": "not-mine", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["old_password"]

    response = client.post(
        url,
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_change_done")
    advisor.refresh_from_db()
    assert advisor.check_password(NEW_PASSWORD)
    # The session survives the change.
    assert client.get(response.url).status_code == 200
    assert client.get(CASELOAD).status_code == 200


def test_password_change_enforces_the_validators(client, advisor):
    client.force_login(advisor)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    advisor.refresh_from_db()
    assert advisor.check_password(DEFAULT_PASSWORD)


# --- password reset --------------------------------------------------------------------------


def test_password_reset_by_email(client, advisor):
    form_page = client.get(reverse("accounts:password_reset"))
    assert form_page.status_code == 200

    response = client.post(reverse("accounts:password_reset"), {"email": advisor.email})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert client.get(response.url).status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [advisor.email]
    assert advisor.username in message.body
    match = RESET_LINK.search(message.body)
    assert match, message.body
    link = match.group(1)

    # Django swaps the token for a session marker and redirects to the set-password URL.
    redirect = client.get(link)
    assert redirect.status_code == 302
    set_password_url = redirect.url
    assert set_password_url.startswith("/accounts/password/reset/")
    form = client.get(set_password_url)
    assert form.status_code == 200
    assert form.context["validlink"]

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    assert client.get(done.url).status_code == 200
    advisor.refresh_from_db()
    assert advisor.check_password(NEW_PASSWORD)
    assert client.login(request=signin_request(), username=advisor.username, password=NEW_PASSWORD)

    # The link is single-use.
    client.logout()
    reused = client.get(link, follow=True)
    assert reused.context["validlink"] is False


def test_password_reset_for_an_unknown_email_sends_nothing_and_reveals_nothing(client, advisor):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_with_a_forged_token_is_refused(client, advisor):
    response = client.get(
        reverse("accounts:password_reset_confirm", args=["MQ", "forged-token"]), follow=True
    )
    assert response.status_code == 200
    assert response.context["validlink"] is False
    advisor.refresh_from_db()
    assert advisor.check_password(DEFAULT_PASSWORD)
