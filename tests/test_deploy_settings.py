"""Defaults that are safe in production (README, "Production settings"): `check --deploy`
passes with the documented environment and refuses the console email backend, signed-in
responses are never cached, every response has a Permissions-Policy, sessions end after
an idle time and an absolute maximum, and the API schema and docs need a login."""

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from core.middleware import LAST_SEEN_AT, SIGNED_IN_AT, SecurityHeadersMiddleware
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member

README = Path(settings.BASE_DIR) / "README.md"
NO_ISSUES = "System check identified no issues"


def documented_environment(tmp_path: Path) -> dict[str, str]:
    """The ```sh block of the README's "Production settings" section, with a random
    secret key and a throwaway SQLite database."""
    section = README.read_text().split("## Production settings", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL)[1]
    environ = {}
    for line in block.splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            environ[name] = value.strip('"')
    assert {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_BACKEND", "DATABASE_URL"} <= set(environ)
    return environ | {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private_media"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }


def run_python(args: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess:
    """A fresh process (settings read again) with only `environ` on top of the system's:
    none of the test suite's variables (RELAIS_TESTING, throttling rates…)."""
    base = {
        name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=base | environ,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def check_deploy(environ: dict[str, str]) -> subprocess.CompletedProcess:
    return run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environ)


# --- manage.py check --deploy --------------------------------------------------------------


def test_the_documented_production_environment_passes_check_deploy(tmp_path):
    result = check_deploy(documented_environment(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert NO_ISSUES in result.stdout
    assert "WARNING" not in result.stderr + result.stdout


def test_production_settings_are_https_only(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings';"
        "django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    environ = documented_environment(tmp_path)

    behind_proxy = run_python(["-c", code], environ)
    direct = run_python(["-c", code], environ | {"BEHIND_TLS_PROXY": "0"})

    assert behind_proxy.stdout.split() == [
        "True",
        "31536000",
        "True",
        "True",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ], behind_proxy.stderr
    # Without the documented proxy, a client's X-Forwarded-Proto is not trusted.
    assert direct.stdout.split()[-1] == "None", direct.stderr


@pytest.mark.parametrize("backend", ["", "django.core.mail.backends.console.EmailBackend"])
def test_production_refuses_the_console_email_backend(tmp_path, backend):
    environ = documented_environment(tmp_path)
    if backend:
        environ["EMAIL_BACKEND"] = backend
    else:
        del environ["EMAIL_BACKEND"]  # the development default is the console

    check = check_deploy(environ)
    wsgi = run_python(["-c", "import config.wsgi"], environ)
    asgi = run_python(["-c", "import config.asgi"], environ)

    assert check.returncode != 0
    assert "relais.E001" in check.stderr and "console" in check.stderr
    for server in (wsgi, asgi):
        assert server.returncode != 0
        assert "ImproperlyConfigured" in server.stderr and "EMAIL_BACKEND" in server.stderr


def test_the_servers_start_with_the_documented_environment(tmp_path):
    environ = documented_environment(tmp_path)

    for module in ("config.wsgi", "config.asgi"):
        result = run_python(["-c", f"import {module}"], environ)
        assert result.returncode == 0, result.stderr


def test_wsgi_still_refuses_to_start_without_a_secret_key(tmp_path):
    environ = documented_environment(tmp_path)
    del environ["SECRET_KEY"]

    result = run_python(["-c", "import config.wsgi"], environ)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


# --- headers --------------------------------------------------------------------------------


@pytest.fixture
def advisor(db):
    return member(OrganizationFactory(name="Mission Locale de Calais"))


def cache_directives(response) -> set[str]:
    return {d.strip() for d in response.get("Cache-Control", "").split(",") if d.strip()}


@pytest.mark.django_db
def test_signed_in_pages_are_never_cached(client, advisor):
    client.force_login(advisor)

    home = client.get("/")  # a redirect to the caseload: not cached either
    pages = [client.get(url) for url in ("/young-people/", "/accounts/password/change/")]
    api = client.get("/api/v1/me/")

    assert home.status_code == 302
    for response in [home, *pages, api]:
        assert response.status_code in (200, 302), response
        assert {"private", "no-store"} <= cache_directives(response), response


@pytest.mark.django_db
def test_token_api_answers_are_never_cached(advisor):
    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/",
        {"username": advisor.username, "password": DEFAULT_PASSWORD},
        format="json",
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    response = api.get("/api/v1/young-people/")

    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_directives(response)


def test_anonymous_answers_keep_their_own_caching():
    request = RequestFactory().get("/accounts/password/reset/done/")
    request.user = AnonymousUser()

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "max-age=300"
        return response

    response = SecurityHeadersMiddleware(view)(request)

    assert cache_directives(response) == {"max-age=300"}
    assert "camera=()" in response["Permissions-Policy"]


def test_a_stricter_header_set_by_a_view_is_kept(advisor):
    request = RequestFactory().get("/")
    request.user = advisor

    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "no-cache, no-store, must-revalidate, max-age=0"
        return response

    response = SecurityHeadersMiddleware(view)(request)

    assert cache_directives(response) == {
        "no-cache",
        "no-store",
        "must-revalidate",
        "max-age=0",
        "private",
    }


@pytest.mark.django_db
def test_every_response_has_a_permissions_policy(client, advisor):
    anonymous = [client.get("/accounts/login/"), client.get("/"), client.get("/api/v1/me/")]
    client.force_login(advisor)
    signed_in = [client.get("/"), client.get("/api/v1/me/"), client.get("/nowhere/")]

    for response in anonymous + signed_in:
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy, response


# --- session lifetime ------------------------------------------------------------------------


def _age_session(client: Client, **seconds_ago: int) -> None:
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def _keys(*, signed_in: int = 0, last_seen: int = 0) -> dict[str, int]:
    return {SIGNED_IN_AT: signed_in, LAST_SEEN_AT: last_seen}


@pytest.mark.django_db
def test_signing_in_stamps_the_session(client, advisor):
    before = int(time.time())

    response = client.post(
        "/accounts/login/", {"username": advisor.username, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 302
    assert client.session[SIGNED_IN_AT] >= before
    assert client.session[LAST_SEEN_AT] >= before


@pytest.mark.django_db
def test_a_session_idle_for_two_hours_ends(client, advisor):
    client.force_login(advisor)
    _age_session(client, **_keys(signed_in=3 * 3600, last_seen=2 * 3600 + 1))

    response = client.get("/young-people/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    assert not response.wsgi_request.user.is_authenticated
    assert client.get("/young-people/").status_code == 302  # signed out for good


@pytest.mark.django_db
def test_activity_keeps_a_session_alive_and_is_recorded(client, advisor):
    client.force_login(advisor)
    _age_session(client, **_keys(signed_in=3 * 3600, last_seen=2 * 3600 - 60))

    response = client.get("/young-people/")

    assert response.status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_AT] < 5


@pytest.mark.django_db
def test_a_session_ends_twelve_hours_after_sign_in_whatever_the_activity(client, advisor):
    client.force_login(advisor)
    _age_session(client, **_keys(signed_in=12 * 3600 + 1, last_seen=30))

    assert client.get("/young-people/").status_code == 302
    # The API answers 401 to the same expired session.
    client.force_login(advisor)
    _age_session(client, **_keys(signed_in=12 * 3600 + 1, last_seen=30))
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_the_session_lifetimes_are_configurable(client, advisor, settings):
    settings.SESSION_IDLE_MINUTES = 5
    settings.SESSION_MAX_HOURS = 1
    client.force_login(advisor)

    _age_session(client, **_keys(signed_in=60, last_seen=4 * 60))
    assert client.get("/young-people/").status_code == 200
    _age_session(client, **_keys(signed_in=60, last_seen=5 * 60 + 1))
    assert client.get("/young-people/").status_code == 302

    client.force_login(advisor)
    _age_session(client, **_keys(signed_in=3600 + 1, last_seen=0))
    assert client.get("/young-people/").status_code == 302


# --- API schema and docs ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_and_docs_need_a_login_outside_debug(client, advisor, url):
    anonymous = client.get(url)
    client.force_login(advisor)
    signed_in = client.get(url)
    api = APIClient()
    token = api.post(
        "/api/v1/auth/token/",
        {"username": advisor.username, "password": DEFAULT_PASSWORD},
        format="json",
    ).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with_token = api.get(url)

    assert anonymous.status_code == 401
    assert signed_in.status_code == 200
    assert with_token.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/"])
def test_the_api_schema_and_docs_stay_open_in_debug(client, settings, url):
    settings.DEBUG = True

    assert client.get(url).status_code == 200
