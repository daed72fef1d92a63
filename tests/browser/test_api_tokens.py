""" "Mes accès API" in a real Chromium: reached from the header, a token created with the
password (its key shown once, then never again), used by a program, revoked; every page
clean for axe-core, at desktop and phone widths."""

import re
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from accounts.enums import OrganizationKind, Role
from accounts.models import ApiToken, User
from accounts.services import membership_grant, organization_create
from tests.factories import ensure_default_catalogue

PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], indirect=True
)
def test_create_use_and_revoke_a_token(
    page, live_server, login, assert_accessible, transactional_db
):
    ensure_default_catalogue()
    partner = organization_create(name="Agence Horizon", kind=OrganizationKind.PARTNER)
    user = User.objects.create_user(username="yanis", password=PASSWORD, first_name="Yanis")
    membership_grant(user=user, organization=partner, role=Role.PARTNER)

    login(page, live_server, "yanis", PASSWORD)
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="Mes accès API").click()
    assert urlsplit(page.url).path == "/accounts/api-tokens/"
    assert page.get_by_text("Vous ne détenez aucun jeton d'API.").is_visible()
    assert_accessible(page)

    form = page.locator("main form", has=page.locator("input[name='label']"))
    form.get_by_label("Nom").fill("Logiciel de l'agence")
    form.get_by_label("Votre mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        form.get_by_role("button", name="Créer le jeton").click()

    key_field = page.get_by_label("Clé")
    key = key_field.input_value()
    assert re.fullmatch(r"relais_[0-9a-f]{64}", key)
    assert page.get_by_text("elle n'est affichée qu'une fois", exact=False).is_visible()
    # The long key wraps: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200

    with page.expect_navigation():
        page.get_by_role("link", name="Retour à mes accès API").click()
    assert key not in page.content()
    row = page.locator("tbody tr")
    assert row.count() == 1
    assert "Logiciel de l'agence" in row.inner_text()
    assert ApiToken.objects.get().token_key in row.inner_text()
    assert_accessible(page)

    with page.expect_navigation():
        row.get_by_role("button", name="Révoquer").click()
    assert page.get_by_text("révoqué : il ne fonctionne plus", exact=False).is_visible()
    assert page.locator("tbody tr").count() == 0
    assert api.get("/api/v1/me/").status_code == 401
    assert_accessible(page)


def test_a_wrong_password_is_said_next_to_the_field(
    page, live_server, login, assert_accessible, transactional_db
):
    ensure_default_catalogue()
    partner = organization_create(name="Agence Horizon", kind=OrganizationKind.PARTNER)
    user = User.objects.create_user(username="yanis", password=PASSWORD)
    membership_grant(user=user, organization=partner, role=Role.PARTNER)

    login(page, live_server, "yanis", PASSWORD)
    page.goto(f"{live_server.url}/accounts/api-tokens/")
    form = page.locator("main form", has=page.locator("input[name='label']"))
    form.get_by_label("Nom").fill("Logiciel")
    form.get_by_label("Votre mot de passe").fill("pas-le-bon")
    with page.expect_navigation():
        form.get_by_role("button", name="Créer le jeton").click()

    assert page.get_by_text("Ce n'est pas votre mot de passe.").is_visible()
    assert not ApiToken.objects.exists()
    assert_accessible(page)
