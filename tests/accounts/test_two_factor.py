"""Two-factor authentication (TOTP with django-otp, single-use recovery codes): required
for supervisors, organisation admins and superusers before any page but enrolment,
available to everyone else. The bypass attempts are tried here: every URL with the
password alone, a promotion, a replayed code, a used recovery code, a forged `next`."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.enums import Role, SecurityEventKind
from accounts.models import SecurityEvent, User
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member
from tests.test_permission_matrix import (
    MATRIX,
    world,  # noqa: F401  (the matrix's fixture)
)
from tests.two_factor import authenticator, current_code, fresh_code, password_only_login

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
OVERVIEW = reverse("accounts:two_factor")
CASELOAD = reverse("cases:caseload")
OPEN_WITHOUT_SECOND_FACTOR = {
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor_setup",
    "accounts:two_factor_verify",
    # Anonymous pages: they answer the same whoever asks.
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    # The public guides (/infos/): public content, readable whoever asks.
    "guides:index",
    "guides:topic",
    "guides:detail",
}


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def supervisor(org):
    return member(org, Role.SUPERVISOR, username="sam.sup")


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="alex.adv")


def sign_in(client: Client, username: str, **extra):
    return client.post(LOGIN, {"username": username, "password": DEFAULT_PASSWORD}, **extra)


def enrol(client: Client, user: User) -> list[str]:
    """Set up an authenticator through the pages; returns the recovery codes shown."""
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(SETUP, {"code": current_code(device)})
    assert response.status_code == 302
    page = client.get(response["Location"])
    return [code.split("</code>")[0] for code in page.content.decode().split("<code>")[1:]]


def assert_sent_to(response, target: str) -> None:
    assert response.status_code == 302, response.status_code
    assert response["Location"].startswith(target), response["Location"]


# --- the password alone opens nothing -----------------------------------------------------


@pytest.mark.parametrize("holder", ["supervisor", "org_admin"])
@pytest.mark.parametrize("with_device", [False, True], ids=["not-enrolled", "enrolled"])
@pytest.mark.parametrize("name", sorted(set(MATRIX) - OPEN_WITHOUT_SECOND_FACTOR))
def test_every_url_with_the_password_alone_is_refused(client, name, holder, with_device, request):
    matrix = request.getfixturevalue("world")
    user = matrix.users[holder]
    if with_device:
        authenticator(user)
    password_only_login(client, user)
    row = MATRIX[name]
    url = reverse(name, kwargs=row.kwargs(matrix))
    response = getattr(client, row.method)(url)
    if response.streaming:
        response.close()
    if url.startswith("/api/"):
        assert response.status_code in {401, 403}, (name, response.status_code)
        if response.status_code == 403:
            assert response.json()["code"] == "two_factor_required"
        return
    assert_sent_to(response, VERIFY if with_device else SETUP)


def test_the_password_alone_does_not_open_the_admin():
    User.objects.create_superuser("platform", "platform@example.org", DEFAULT_PASSWORD)
    client = Client()
    response = client.post(
        reverse("admin:login"), {"username": "platform", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    for url in [reverse("admin:index"), reverse("admin:accounts_user_changelist")]:
        assert_sent_to(client.get(url), SETUP)


def test_every_supervision_page_with_the_real_login_form_asks_for_the_code(client, supervisor, org):
    authenticator(supervisor)
    response = sign_in(client, "sam.sup")
    assert response.status_code == 302
    for name in ["supervision:home", "supervision:dashboard", "supervision:young_people"]:
        kwargs = {} if name == "supervision:home" else {"org_pk": org.pk}
        assert_sent_to(client.get(reverse(name, kwargs=kwargs)), VERIFY)


def test_an_api_call_with_an_unverified_session_gets_a_clear_403(client, supervisor):
    authenticator(supervisor)
    sign_in(client, "sam.sup")
    response = client.get(reverse("api:young-person-list"))
    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"


# --- signing in with the code ---------------------------------------------------------------


def test_sign_in_with_password_then_code_goes_to_next(client, supervisor, org):
    device = authenticator(supervisor)
    target = reverse("supervision:dashboard", kwargs={"org_pk": org.pk})
    response = client.post(
        f"{LOGIN}?next={target}",
        {"username": "sam.sup", "password": DEFAULT_PASSWORD, "next": target},
    )
    assert response["Location"] == target
    asked = client.get(target)
    assert_sent_to(asked, VERIFY)
    session_before = client.session.session_key

    done = client.post(asked["Location"], {"code": current_code(device), "next": target})

    assert done["Location"] == target
    assert client.get(target).status_code == 200
    # A session id seen before the second factor is worth nothing after it.
    assert client.session.session_key != session_before


def test_a_wrong_code_is_refused_and_counted(client, supervisor):
    device = authenticator(supervisor)
    sign_in(client, "sam.sup")
    response = client.post(VERIFY, {"code": "000000" if current_code(device) != "000000" else "1"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    assert_sent_to(client.get(CASELOAD), VERIFY)


def test_repeated_wrong_codes_slow_down_even_the_right_one(client, supervisor):
    device = authenticator(supervisor)
    sign_in(client, "sam.sup")
    for _ in range(3):
        client.post(VERIFY, {"code": "abcdefgh"})  # not digits: no TOTP attempt spent
        client.post(VERIFY, {"code": "999999" if current_code(device) != "999999" else "1"})
    response = client.post(VERIFY, {"code": current_code(device)})
    assert response.status_code == 200, "throttled: the right code waits too"
    assert_sent_to(client.get(CASELOAD), VERIFY)


def test_a_code_works_once(supervisor):
    device = authenticator(supervisor)
    code = current_code(device)
    first, second = Client(), Client()
    sign_in(first, "sam.sup")
    sign_in(second, "sam.sup")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    replay = second.post(VERIFY, {"code": code})
    assert replay.status_code == 200
    assert "code" in replay.context["form"].errors


@pytest.mark.parametrize("forged", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_next_cannot_leave_relais(client, supervisor, forged):
    device = authenticator(supervisor)
    sign_in(client, "sam.sup")
    response = client.post(VERIFY, {"code": current_code(device), "next": forged})
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("code", ["", " ", "x" * 33, "12345\x00", "١٢٣٤٥٦", "' OR 1=1 --"])
def test_odd_codes_get_a_message_not_a_500(client, supervisor, code):
    authenticator(supervisor)
    sign_in(client, "sam.sup")
    response = client.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors


# --- enrolment -------------------------------------------------------------------------------


def test_a_supervisor_without_2fa_enrols_before_anything_else(client, supervisor):
    sign_in(client, "sam.sup")
    assert_sent_to(client.get(CASELOAD), SETUP)
    page = client.get(SETUP)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert page.context["secret"] in page.content.decode().replace(" ", "")
    assert page.content.decode().count("data:image/svg+xml;base64,") == 1

    wrong = client.post(SETUP, {"code": "12"})
    assert wrong.status_code == 200 and wrong.context["form"].errors
    # django-otp makes the next attempt wait a second after a wrong code: time moves on.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_timestamp=None)
    codes = enrol(client, supervisor)

    assert len(codes) == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(CASELOAD).status_code == 200
    assert SecurityEvent.objects.filter(
        subject=supervisor, kind=SecurityEventKind.TWO_FACTOR_ENABLED
    ).exists()
    # Shown once: the page does not show them again.
    assert_sent_to(client.get(reverse("accounts:two_factor_recovery_codes_new")), OVERVIEW)
    # The secret is not shown again either.
    assert page.context["secret"] not in client.get(OVERVIEW).content.decode()


def test_reloading_the_setup_page_keeps_the_secret_being_scanned(client, advisor):
    client.force_login(advisor)
    first = client.get(SETUP).context["secret"]
    assert client.get(SETUP).context["secret"] == first


def test_an_account_promoted_to_supervisor_enrols_at_its_next_request(client, org, advisor):
    admin = member(org, Role.ORG_ADMIN)
    client.force_login(advisor)
    assert client.get(CASELOAD).status_code == 200

    services.member_change_role(
        actor=admin, membership=advisor.memberships.get(), role=Role.SUPERVISOR
    )

    assert_sent_to(client.get(CASELOAD), SETUP)


def test_an_advisor_may_turn_it_on_and_then_signs_in_with_the_code(advisor):
    client = Client()
    client.force_login(advisor)
    enrol(client, advisor)
    client.post(reverse("accounts:logout"))

    sign_in(client, "alex.adv")
    assert_sent_to(client.get(CASELOAD), VERIFY)
    client.post(VERIFY, {"code": fresh_code(advisor)})
    assert client.get(CASELOAD).status_code == 200


def test_an_advisor_may_turn_it_off_but_a_supervisor_may_not(client, advisor, supervisor):
    client.force_login(advisor)
    enrol(client, advisor)
    assert_sent_to(client.post(reverse("accounts:two_factor_disable")), OVERVIEW)
    assert not TOTPDevice.objects.filter(user=advisor).exists()
    assert SecurityEvent.objects.filter(
        subject=advisor, kind=SecurityEventKind.TWO_FACTOR_DISABLED
    ).exists()

    other = Client()
    other.force_login(supervisor)
    other.post(reverse("accounts:two_factor_disable"))
    assert TOTPDevice.objects.filter(user=supervisor, confirmed=True).exists()


def test_changing_2fa_settings_needs_a_verified_session(client, advisor):
    """2FA turned on from another session: this one, still unverified, cannot remove it
    nor read new recovery codes."""
    client.force_login(advisor)
    authenticator(advisor)
    assert_sent_to(client.post(reverse("accounts:two_factor_disable")), VERIFY)
    assert_sent_to(client.post(reverse("accounts:two_factor_recovery_codes")), VERIFY)
    assert_sent_to(client.get(SETUP), VERIFY)
    assert TOTPDevice.objects.filter(user=advisor, confirmed=True).count() == 1


# --- recovery codes -------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(supervisor):
    setup_client = Client()
    password_only_login(setup_client, supervisor)
    codes = enrol(setup_client, supervisor)

    first = Client()
    sign_in(first, "sam.sup")
    assert_sent_to(first.post(VERIFY, {"code": codes[0].upper()}), reverse("home"))
    assert first.get(CASELOAD).status_code == 200
    assert SecurityEvent.objects.filter(
        subject=supervisor, kind=SecurityEventKind.RECOVERY_CODE_USED
    ).exists()

    again = Client()
    sign_in(again, "sam.sup")
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert StaticToken.objects.filter(device__user=supervisor).count() == 9


def test_new_recovery_codes_replace_the_old_ones(client, supervisor):
    password_only_login(client, supervisor)
    old = enrol(client, supervisor)
    response = client.post(reverse("accounts:two_factor_recovery_codes"))
    new = [
        code.split("</code>")[0]
        for code in client.get(response["Location"]).content.decode().split("<code>")[1:]
    ]
    assert len(new) == 10 and not set(new) & set(old)
    assert set(
        StaticToken.objects.filter(device__user=supervisor).values_list("token", flat=True)
    ) == set(new)


# --- lost phone: an organisation admin resets -----------------------------------------------


def test_an_org_admin_resets_a_members_second_factor(client, org, supervisor):
    admin = member(org, Role.ORG_ADMIN)
    victim_session = Client()
    victim_session.force_login(supervisor)
    assert victim_session.get(CASELOAD).status_code == 200
    membership = supervisor.memberships.get()
    client.force_login(admin)

    edit = client.get(reverse("accounts:member_edit", args=[org.pk, membership.pk]))
    assert edit.context["two_factor_enabled"] is True
    client.post(reverse("accounts:member_reset_two_factor", args=[org.pk, membership.pk]))

    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    event = SecurityEvent.objects.get(kind=SecurityEventKind.TWO_FACTOR_RESET)
    assert (event.actor, event.subject, event.organization) == (admin, supervisor, org)
    # The sessions verified with the removed device are no longer verified.
    assert_sent_to(victim_session.get(CASELOAD), SETUP)


def test_an_admin_of_another_organisation_cannot_reset(client, supervisor):
    other_admin = member(OrganizationFactory(), Role.ORG_ADMIN)
    authenticator(supervisor)
    membership = supervisor.memberships.get()
    client.force_login(other_admin)
    response = client.post(
        reverse(
            "accounts:member_reset_two_factor", args=[membership.organization_id, membership.pk]
        )
    )
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=supervisor).exists()


def test_the_admin_never_shows_a_secret(supervisor):
    device = authenticator(supervisor)
    platform = User.objects.create_superuser("platform", "p@example.org", DEFAULT_PASSWORD)
    client = Client()
    client.force_login(platform)
    assert client.session[DEVICE_ID_SESSION_KEY]
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert device.key not in html
    from accounts.two_factor import base32_secret

    assert base32_secret(device) not in html


def test_a_reset_during_the_sign_in_does_not_trap_an_advisor(client, advisor):
    authenticator(advisor)
    sign_in(client, "alex.adv")
    assert_sent_to(client.get(CASELOAD), VERIFY)
    TOTPDevice.objects.filter(user=advisor).delete()  # reset by an administrator
    assert_sent_to(client.get(VERIFY), reverse("home"))
    assert client.get(CASELOAD).status_code == 200
