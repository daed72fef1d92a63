"""Password rules: Django's, plus common French passwords and the user's own names, with
French messages; the demo password stays valid."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.models import User
from demo.data import ACCOUNTS, DEFAULT_DEMO_PASSWORD, SUPERUSER
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member

AMANDINE = User(
    username="amandine.lefevre",
    first_name="Amandine",
    last_name="Lefèvre",
    email="a.lefevre@example.org",
)


def refusal(password: str, user: User | None = AMANDINE) -> list[str]:
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        validate_password(password, user)
    return error.value.messages


@pytest.mark.parametrize(
    "password",
    [
        "motdepasse1",
        "MotDePasse2024",
        "mot-de-passe-123",
        "azerty123",
        "azertyuiop",
        "AZERTY123!",
        "soleil12",
        "bonjour1",
        "doudou12",
        "jetaime123",
        "marseille13",
        "chocolat!!",
        "Loulou2025",
    ],
)
def test_common_french_passwords_are_refused(password):
    assert "Ce mot de passe est trop courant." in refusal(password)


@pytest.mark.parametrize(
    "password",
    ["Amandine2024!", "lefevre-1234", "LEFÈVRE*2026", "amandine.lefevre", "xx-a.lefevre-xx"],
)
def test_the_users_own_names_are_refused(password):
    assert "Ce mot de passe contient votre nom ou votre identifiant." in refusal(password)


def test_a_sound_password_passes():
    validate_password("cheval-agrafe-batterie", AMANDINE)
    validate_password("un-nouveau-mot-de-passe-solide", AMANDINE)


@pytest.mark.parametrize("account", [(row[0], row[1], row[2]) for row in ACCOUNTS] + [SUPERUSER])
def test_the_demo_password_stays_valid_for_every_demo_account(account):
    username, first_name, last_name = account
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=f"{username}@demo.relais.invalid",
    )

    validate_password(DEFAULT_DEMO_PASSWORD, user)


@pytest.mark.django_db
def test_the_password_change_form_refuses_them(client):
    advisor = member(OrganizationFactory(), Role.ADVISOR, first_name="Amandine")
    client.force_login(advisor)

    with translation.override("fr"):
        response = client.post(
            reverse("accounts:password_change"),
            {
                "old_password": DEFAULT_PASSWORD,
                "new_password1": "Amandine-soleil",
                "new_password2": "Amandine-soleil",
            },
        )

    assert response.status_code == 200
    errors = response.context["form"].errors["new_password2"]
    assert "Ce mot de passe contient votre nom ou votre identifiant." in errors
    advisor.refresh_from_db()
    assert advisor.check_password(DEFAULT_PASSWORD)
