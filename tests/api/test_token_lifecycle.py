"""API tokens behave like credentials (issue 9): stored hashed, shown once, expiring, and
revoked when the password changes, the account is deactivated or its last membership
ends — on every path that does those things. Each test performs the attack: it keeps the
key a partner system (or a thief) holds and tries it afterwards. Time is moved, not slept."""

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts import services
from accounts.enums import Role
from accounts.enums import SecurityEventKind as K
from accounts.models import ApiToken, Membership, SecurityEvent, User
from tests.factories import (
    DEFAULT_PASSWORD,
    OrganizationFactory,
    UserFactory,
    api_token,
    member,
    signin_request,
)

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
NEW_PASSWORD = "un-tout-autre-secret-2027"


@pytest.fixture
def org():
    return OrganizationFactory(name="Mission Locale de Roubaix")


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="sacha.m")


@pytest.fixture
def org_admin(org):
    return member(org, Role.ORG_ADMIN)


@pytest.fixture
def platform(client):
    client.force_login(User.objects.create_superuser("platform", "platform@example.org", "x"))
    return client


def obtain(username: str = "sacha.m", password: str = DEFAULT_PASSWORD, **extra) -> dict:
    response = APIClient().post(
        TOKEN_URL, {"username": username, "password": password}, format="json", **extra
    )
    assert response.status_code == 200, response.content
    # The answer holds a credential: no cache may keep it.
    assert "no-store" in response["Cache-Control"]
    return response.json()


def status_with(key: str, path: str = "/api/v1/me/") -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get(path).status_code


def kinds(user: User) -> list[str]:
    return list(
        SecurityEvent.objects.filter(subject=user).order_by("pk").values_list("kind", flat=True)
    )


# --- stored hashed, shown once, expiring ----------------------------------------------------


def test_the_key_is_shown_once_and_stored_only_as_a_digest(advisor):
    before = timezone.now()
    answer = obtain()

    key = answer["token"]
    assert key.startswith("relais_") and len(key) == len("relais_") + 64
    token = ApiToken.objects.get(user=advisor)
    assert token.digest == hashlib.sha512(key.encode()).hexdigest()
    assert token.token_key == key[:15]
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not [value for value in stored if key in value]
    # 30 days by default, said in the answer.
    expires_at = parse_datetime(answer["expires_at"])
    assert expires_at == token.expiry
    assert timedelta(days=30) <= expires_at - before < timedelta(days=30, minutes=1)
    assert status_with(key) == 200


def test_the_lifetime_is_configurable(advisor, settings):
    settings.API_TOKEN_TTL_DAYS = 7
    before = timezone.now()

    expires_at = parse_datetime(obtain()["expires_at"])

    assert timedelta(days=7) <= expires_at - before < timedelta(days=7, minutes=1)


def test_an_expired_token_is_refused_and_purged(advisor, clock):
    key = obtain()["token"]

    clock.advance(days=29, hours=23)
    assert status_with(key) == 200
    clock.advance(hours=1, seconds=1)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    refused = client.get("/api/v1/young-people/")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == "Token"
    assert not ApiToken.objects.filter(user=advisor).exists()
    # Using the token does not extend it: knox's auto-refresh is off.
    assert client.delete(TOKEN_URL).status_code == 401


def test_using_a_token_does_not_extend_it_and_notes_the_last_use(advisor, clock):
    key = obtain()["token"]
    expiry = ApiToken.objects.get().expiry

    clock.advance(days=10)
    assert status_with(key) == 200

    token = ApiToken.objects.get()
    assert token.expiry == expiry
    assert token.last_used_at == pytest.approx(timezone.now(), abs=timedelta(seconds=5))


def test_the_idempotency_key_never_replays_a_token(advisor):
    first = obtain(HTTP_IDEMPOTENCY_KEY="same-key")
    second = obtain(HTTP_IDEMPOTENCY_KEY="same-key")

    assert first["token"] != second["token"]
    assert "Idempotent-Replayed" not in APIClient().post(TOKEN_URL, {}, format="json")


# --- each POST is a new token, up to a limit --------------------------------------------------


def test_past_the_limit_a_clear_409_and_no_token(advisor, settings, clock):
    settings.API_TOKEN_LIMIT_PER_USER = 3
    keys = [obtain()["token"] for _ in range(3)]

    refused = APIClient().post(
        TOKEN_URL, {"username": "sacha.m", "password": DEFAULT_PASSWORD}, format="json"
    )

    assert refused.status_code == 409
    assert refused.json()["code"] == "token_limit_reached"
    assert "3" in refused.json()["detail"]
    assert ApiToken.objects.count() == 3
    # Revoking one makes room.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {keys[0]}")
    assert client.delete(TOKEN_URL).status_code == 204
    obtain()
    # Expired tokens do not count (and are purged when a new one is made).
    clock.advance(days=31)
    obtain()
    assert ApiToken.objects.count() == 1


# --- malformed or forged keys: 401, never a 500 ------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Token",
        "Token a b",
        "Token é",
        "Token relais_\x00abc",
        "Token " + "a" * 5000,
        "Token relais_' OR 1=1 --",
        "token relais_0123456789abcdef",
    ],
)
def test_a_malformed_key_is_401(advisor, header):
    obtain()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_the_prefix_of_a_real_key_is_not_enough(advisor):
    key = obtain()["token"]
    forged = key[:15] + "0" * (len(key) - 15)

    assert forged != key
    assert status_with(forged) == 401
    assert status_with(key[:15]) == 401


def test_the_digest_itself_is_not_a_key(advisor):
    obtain()
    assert status_with(ApiToken.objects.get().digest) == 401


# --- revoked when the password changes, on every path -------------------------------------


def _web_form(user: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302


def _reset_link(user: User) -> None:
    from django.test import Client

    client = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={"uidb64": uid, "token": default_token_generator.make_token(user)},
    )
    form = client.get(link)
    assert form.status_code == 302  # to the same page without the token in the URL
    response = client.post(
        form["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302


def _admin_page(user: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(User.objects.create_superuser("platform", "platform@example.org", "x"))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302, response.context["form"].errors


def _admin_disables_password(user: User) -> None:
    from django.test import Client

    client = Client()
    client.force_login(User.objects.create_superuser("platform", "platform@example.org", "x"))
    response = client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302, response.context["form"].errors
    user.refresh_from_db()
    assert not user.has_usable_password()


def _command(user: User, monkeypatch) -> None:
    from django.contrib.auth.management.commands import changepassword

    monkeypatch.setattr(changepassword.Command, "_get_pass", lambda self, prompt="": NEW_PASSWORD)
    call_command("changepassword", user.username, stdout=None)


def _shell(user: User) -> None:
    user = User.objects.get(pk=user.pk)
    user.set_password(NEW_PASSWORD)
    user.save()


@pytest.mark.parametrize(
    "change",
    ["web_form", "reset_link", "admin_page", "admin_disables_password", "command", "shell"],
)
def test_a_password_change_revokes_every_token(advisor, change, monkeypatch):
    keys = [obtain()["token"], obtain()["token"]]

    if change == "command":
        _command(advisor, monkeypatch)
    else:
        globals()[f"_{change}"](advisor)

    assert [status_with(key) for key in keys] == [401, 401]
    assert not ApiToken.objects.filter(user=advisor).exists()
    event = SecurityEvent.objects.get(subject=advisor, kind=K.TOKENS_REVOKED_PASSWORD)
    assert len(event.detail["tokens"]) == 2
    assert all(t["token"].startswith("relais_") for t in event.detail["tokens"])
    # The new password gives a new token.
    if change != "admin_disables_password":
        assert status_with(obtain(password=NEW_PASSWORD)["token"]) == 200


def test_other_users_keep_their_tokens(advisor, org):
    colleague = member(org, Role.ADVISOR)
    kept = api_token(colleague)
    obtain()

    _shell(advisor)

    assert status_with(kept) == 200


def test_a_hash_upgrade_at_sign_in_is_not_a_password_change(advisor, settings):
    key = obtain()["token"]
    # A stronger hasher becomes the default: the next sign-in rewrites the stored hash.
    settings.PASSWORD_HASHERS = [
        "tests.factories.UpgradedTestHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    old_hash = User.objects.get(pk=advisor.pk).password

    assert authenticate(request=signin_request(), username="sacha.m", password=DEFAULT_PASSWORD)

    assert User.objects.get(pk=advisor.pk).password != old_hash
    assert status_with(key) == 200
    assert K.TOKENS_REVOKED_PASSWORD not in kinds(advisor)


def test_saving_other_fields_revokes_nothing(advisor):
    key = obtain()["token"]
    advisor = User.objects.get(pk=advisor.pk)
    advisor.first_name = "Sacha"
    advisor.save()

    assert status_with(key) == 200


# --- revoked when the account is deactivated ----------------------------------------------


def test_deactivating_the_account_revokes_every_token(advisor):
    key = obtain()["token"]

    advisor.is_active = False
    advisor.save(update_fields=["is_active"])

    assert status_with(key) == 401
    assert not ApiToken.objects.exists()
    assert kinds(advisor)[-1] == K.TOKENS_REVOKED_DEACTIVATED
    # Reactivated: the old key stays dead.
    advisor.is_active = True
    advisor.save(update_fields=["is_active"])
    assert status_with(key) == 401


def test_deactivating_the_account_in_the_django_admin_revokes_every_token(advisor, org, platform):
    key = obtain()["token"]
    membership = advisor.memberships.get()
    joined = timezone.localtime(advisor.date_joined)

    response = platform.post(
        reverse("admin:accounts_user_change", args=[advisor.pk]),
        {
            "username": advisor.username,
            "first_name": advisor.first_name,
            "last_name": advisor.last_name,
            "email": advisor.email,
            # is_active left out: unticked
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": membership.pk,
            "memberships-0-user": advisor.pk,
            "memberships-0-organization": org.pk,
            "memberships-0-role": Role.ADVISOR,
            "memberships-0-is_active": "on",
        },
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert status_with(key) == 401
    assert K.TOKENS_REVOKED_DEACTIVATED in kinds(advisor)


def test_an_inactive_account_is_refused_even_with_a_token_left_behind(advisor):
    key = obtain()["token"]
    # A bulk update skips save(): the authentication refuses inactive accounts anyway.
    User.objects.filter(pk=advisor.pk).update(is_active=False)

    assert status_with(key) == 401


# --- revoked when the last membership ends ------------------------------------------------


def test_the_last_membership_deactivated_revokes_every_token(advisor, org_admin):
    key = obtain()["token"]

    services.member_set_active(
        actor=org_admin, membership=advisor.memberships.get(), is_active=False
    )

    assert status_with(key) == 401
    event = SecurityEvent.objects.get(kind=K.TOKENS_REVOKED_NO_MEMBERSHIP)
    assert (event.subject, event.actor) == (advisor, org_admin)
    # Reactivated: the old key stays dead, a new one is needed.
    services.member_set_active(
        actor=org_admin, membership=advisor.memberships.get(), is_active=True
    )
    assert status_with(key) == 401


def test_a_membership_ending_while_another_stays_keeps_the_tokens(advisor, org_admin):
    elsewhere = OrganizationFactory(emmaus=True)
    services.membership_grant(user=advisor, organization=elsewhere, role=Role.ADVISOR)
    key = obtain()["token"]

    services.member_set_active(
        actor=org_admin,
        membership=advisor.memberships.get(organization__name__contains="Roubaix"),
        is_active=False,
    )

    assert status_with(key) == 200
    assert K.TOKENS_REVOKED_NO_MEMBERSHIP not in kinds(advisor)


def test_the_last_membership_deactivated_in_the_django_admin(advisor, org, platform):
    key = obtain()["token"]
    membership = advisor.memberships.get()

    response = platform.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"user": advisor.pk, "organization": org.pk, "role": Role.ADVISOR},
    )

    assert response.status_code == 302
    assert status_with(key) == 401
    assert K.TOKENS_REVOKED_NO_MEMBERSHIP in kinds(advisor)


def test_the_last_membership_deleted_in_the_django_admin(advisor, platform):
    key = obtain()["token"]
    membership = advisor.memberships.get()

    response = platform.post(
        reverse("admin:accounts_membership_delete", args=[membership.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(user=advisor).exists()
    assert status_with(key) == 401
    assert K.TOKENS_REVOKED_NO_MEMBERSHIP in kinds(advisor)


# --- creation and revocation are logged -----------------------------------------------------


def test_creation_and_revocation_by_the_owner_are_logged(advisor):
    key = obtain()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.delete(TOKEN_URL)

    created, revoked = SecurityEvent.objects.filter(subject=advisor).order_by("pk")
    assert (created.kind, created.actor, created.detail["via"]) == (K.TOKEN_CREATED, advisor, "api")
    assert created.detail["token"] == key[:15]
    assert (revoked.kind, revoked.actor, revoked.detail["via"]) == (K.TOKEN_REVOKED, advisor, "api")
    # The log never holds the key.
    assert key not in str(created.detail) + str(revoked.detail)


def test_a_user_without_tokens_logs_no_revocation(org):
    user = UserFactory()
    user.set_password(NEW_PASSWORD)
    user.save()
    user.is_active = False
    user.save()

    assert not SecurityEvent.objects.filter(subject=user).exists()
