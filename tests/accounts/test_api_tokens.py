""" "Mes accès API" (/accounts/api-tokens/): a signed-in user lists, creates (password
re-entered, key shown once) and revokes their own API tokens; nobody else's. The Django
admin lists tokens without anything derived from the keys. The migration that drops DRF's
plaintext tokens. (What ends a token: tests/api/test_token_lifecycle.py.)"""

import importlib
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.enums import Role
from accounts.enums import SecurityEventKind as K
from accounts.models import ApiToken, SecurityEvent, User
from core.testing import assert_same_num_queries, capture_queries
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, api_token, member

pytestmark = pytest.mark.django_db

PAGE = "/accounts/api-tokens/"
KEY_RE = re.compile(r"relais_[0-9a-f]{64}")


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="lou.b")


@pytest.fixture
def browser(client, advisor):
    client.force_login(advisor)
    return client


def create(client, label: str = "Logiciel de l'agence", password: str = DEFAULT_PASSWORD):
    return client.post(PAGE, {"label": label, "password": password})


def works(key: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get("/api/v1/me/").status_code == 200


def test_the_page_lists_my_live_tokens_only(client, advisor, org, clock):
    expired = ApiToken.objects.create(user=advisor, expiry=timedelta(days=1), label="Ancien")[0]
    clock.advance(days=2)
    api_token(advisor, label="Logiciel A")
    api_token(member(org, Role.ADVISOR), label="Logiciel du collègue")
    browser = client
    browser.force_login(advisor)

    page = browser.get(PAGE)

    assert page.status_code == 200
    text = page.content.decode()
    assert [t.label for t in page.context["tokens"]] == ["Logiciel A"]
    assert "Logiciel du collègue" not in text
    assert "Ancien" not in text and expired.token_key not in text
    mine = ApiToken.objects.get(label="Logiciel A")
    assert f"{mine.token_key}…" in text
    assert mine.digest not in text


def test_creating_a_token_shows_the_key_once(browser, advisor):
    response = create(browser)

    assert response.status_code == 200
    assert response.templates[0].name == "accounts/api_token_created.html"
    assert "no-store" in response["Cache-Control"]
    keys = set(KEY_RE.findall(response.content.decode()))
    assert len(keys) == 1
    key = keys.pop()
    assert works(key)
    token = ApiToken.objects.get(user=advisor)
    assert token.label == "Logiciel de l'agence"
    event = SecurityEvent.objects.get(kind=K.TOKEN_CREATED)
    assert (event.actor, event.subject, event.detail["via"]) == (advisor, advisor, "web")
    # Never again: not on the list, not in the session.
    assert key not in browser.get(PAGE).content.decode()
    assert key not in str(dict(browser.session))


def test_a_wrong_password_creates_nothing_and_counts_as_a_failed_sign_in(browser, advisor):
    response = create(browser, password="not-my-password")

    assert response.status_code == 400
    assert response.context["form"].errors["password"]
    assert not ApiToken.objects.exists()
    assert AccessAttempt.objects.get(username="lou.b").failures_since_start == 1


def test_guessing_the_password_here_locks_the_account_like_the_login_form(browser, advisor):
    answers = [create(browser, password=f"guess-{n}").status_code for n in range(10)]
    right = create(browser)

    assert answers[:9] == [400] * 9
    assert answers[9] == right.status_code == 429
    assert "verrouillé" in right.content.decode()
    assert not ApiToken.objects.exists()


def test_a_name_is_required(browser):
    response = create(browser, label="  ")

    assert response.status_code == 400
    assert response.context["form"].errors["label"]
    assert not ApiToken.objects.exists()


def test_past_the_limit_the_form_says_so(browser, advisor, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 2
    api_token(advisor)
    api_token(advisor)

    response = create(browser)

    assert response.status_code == 400
    assert "2" in " ".join(response.context["form"].non_field_errors())
    assert ApiToken.objects.count() == 2


def test_creating_needs_the_csrf_token(advisor):
    client = Client(enforce_csrf_checks=True)
    client.force_login(advisor)

    assert create(client).status_code == 403
    assert not ApiToken.objects.exists()


def test_revoking_my_token(browser, advisor):
    key = api_token(advisor, label="Logiciel A")
    kept = api_token(advisor, label="Logiciel B")
    token = ApiToken.objects.get(label="Logiciel A")

    response = browser.post(reverse("accounts:api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response["Location"] == PAGE
    assert not works(key)
    assert works(kept)
    event = SecurityEvent.objects.get(kind=K.TOKEN_REVOKED)
    assert (event.actor, event.detail["via"], event.detail["label"]) == (
        advisor,
        "web",
        "Logiciel A",
    )


def test_nobody_revokes_somebody_else_s_token(browser, org):
    colleague = member(org, Role.SUPERVISOR)
    key = api_token(colleague)
    token = ApiToken.objects.get(user=colleague)

    for pk in (token.pk, "999999", "x"):
        url = f"/accounts/api-tokens/{pk}/revoke/"
        assert browser.post(url).status_code == 404
    assert works(key)
    assert not SecurityEvent.objects.filter(kind=K.TOKEN_REVOKED).exists()


def test_revoking_is_a_post(browser, advisor):
    api_token(advisor)
    token = ApiToken.objects.get()

    assert browser.get(reverse("accounts:api_token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.exists()


def test_anonymous_visitors_go_to_the_login_page():
    response = Client().get(PAGE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_page_speaks_french_and_the_header_links_to_it(browser, advisor):
    api_token(advisor, label="Logiciel A")
    with translation.override("fr"):
        text = browser.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        home = browser.get("/accounts/password/change/").content.decode()

    assert "<h1>Mes accès API</h1>" in text
    assert "Révoquer" in text and "Créer le jeton" in text
    assert f'href="{PAGE}">Mes accès API</a>' in home


def test_the_page_costs_the_same_queries_at_1_and_100_tokens(browser, advisor):
    runs = []
    for n in (1, 100):
        for _ in range(n):
            api_token(advisor)
        with capture_queries() as queries:
            assert browser.get(PAGE).status_code == 200
        runs.append(queries)
    assert_same_num_queries(*runs)


# --- the Django admin ----------------------------------------------------------------------


def test_the_admin_never_shows_a_key_digest_or_prefix(client, advisor):
    key = api_token(advisor, label="Logiciel A")
    token = ApiToken.objects.get()
    client.force_login(User.objects.create_superuser("platform", "platform@example.org", "x"))

    search = client.get(reverse("admin:accounts_apitoken_changelist"), {"q": token.token_key})
    assert search.context["cl"].result_count == 0  # the prefix is not even searchable
    pages = [
        client.get(reverse("admin:accounts_apitoken_changelist")),
        client.get(reverse("admin:accounts_apitoken_change", args=[token.pk])),
        client.get(reverse("admin:accounts_user_change", args=[advisor.pk])),
        client.get(reverse("admin:accounts_user_delete", args=[advisor.pk])),
        client.get(reverse("admin:index")),
    ]

    assert [p.status_code for p in pages] == [200] * 5
    assert "Logiciel A" in pages[0].content.decode()
    for page in pages:
        text = page.content.decode()
        assert key not in text and token.digest not in text and token.token_key not in text
    # Read-only: no adding (knox's admin could mint keys), no editing.
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert 'name="_save"' not in pages[1].content.decode()


def test_neither_knox_nor_drf_tokens_have_an_admin():
    labels = {model._meta.label for model in admin.site._registry}

    assert "accounts.ApiToken" in labels
    assert not {"knox.AuthToken", "authtoken.Token", "authtoken.TokenProxy"} & labels
    assert not apps.is_installed("rest_framework.authtoken")


# --- DRF's plaintext tokens do not survive the upgrade ------------------------------------------


def test_the_migration_drops_the_plaintext_tokens_of_drf(advisor):
    migration = importlib.import_module("accounts.migrations.0005_api_tokens")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp, "
            "user_id bigint)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', "
            "CURRENT_TIMESTAMP, %s)",
            [advisor.pk],
        )

    migration.drop_plaintext_tokens(apps, SimpleNamespace(connection=connection))

    assert "authtoken_token" not in connection.introspection.table_names()
    # Running it again (a fresh database never had the table) is harmless.
    migration.drop_plaintext_tokens(apps, SimpleNamespace(connection=connection))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    assert api.get("/api/v1/me/").status_code == 401
