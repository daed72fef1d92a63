"""The security log: sign-ins (success and failure, on every door), lockouts, wrong
second-factor codes, exports of several files; an organisation admin sees their
organisation's events only, filters them and exports them; platform staff export from the
admin."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import security_log
from accounts.enums import Role, SecurityEventKind
from accounts.models import SecurityEvent, User
from core.testing import assert_same_num_queries, capture_queries
from tests.factories import DEFAULT_PASSWORD, OrganizationFactory, member
from tests.two_factor import authenticator, password_only_login

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
K = SecurityEventKind


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="alex.adv")


@pytest.fixture
def admin(org):
    return member(org, Role.ORG_ADMIN, username="ada.admin")


def events(kind: str) -> list[SecurityEvent]:
    return list(SecurityEvent.objects.filter(kind=kind).order_by("pk"))


def sign_in(client: Client, username: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def export_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


# --- what is logged -----------------------------------------------------------------------


def test_a_sign_in_is_logged_with_the_address_and_channel(advisor):
    sign_in(Client(REMOTE_ADDR="203.0.113.5"), "alex.adv")
    [event] = events(K.LOGIN_SUCCEEDED)
    assert (event.subject, event.ip_address, event.detail["channel"]) == (
        advisor,
        "203.0.113.5",
        "web",
    )


def test_a_forged_forwarded_for_is_not_the_logged_address(advisor):
    sign_in(Client(REMOTE_ADDR="203.0.113.5"), "alex.adv", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert events(K.LOGIN_SUCCEEDED)[0].ip_address == "203.0.113.5"


def test_failures_are_logged_on_every_door(advisor):
    sign_in(Client(), "alex.adv", "wrong-1")
    Client().post(reverse("admin:login"), {"username": "alex.adv", "password": "wrong-2"})
    APIClient().post(
        reverse("api:auth-token"), {"username": "alex.adv", "password": "wrong-3"}, format="json"
    )
    failures = events(K.LOGIN_FAILED)
    assert [e.subject for e in failures] == [advisor] * 3
    assert [e.detail["channel"] for e in failures] == ["web", "admin", "api"]
    assert not any("wrong" in str(e.detail) for e in failures), "never a password"


def test_an_unknown_username_is_not_stored(advisor):
    # People type their password in the username box by mistake.
    sign_in(Client(), "MySecretPassw0rd!", "whatever")
    [event] = events(K.LOGIN_FAILED)
    assert event.subject is None
    assert "MySecretPassw0rd" not in str(event.detail)
    assert event.detail[security_log.UNKNOWN_ACCOUNT] is True


def test_a_lockout_is_logged_once_per_lock(advisor, settings):
    client = Client(REMOTE_ADDR="198.51.100.66")
    for number in range(settings.AXES_FAILURE_LIMIT + 5):
        sign_in(client, "alex.adv", f"guess-{number}")
    [event] = events(K.LOCKED_OUT)
    assert (event.subject, event.ip_address) == (advisor, "198.51.100.66")


def test_a_wrong_second_factor_code_is_logged(client):
    supervisor = member(OrganizationFactory(), Role.SUPERVISOR)
    authenticator(supervisor)
    password_only_login(client, supervisor)
    client.post(reverse("accounts:two_factor_verify"), {"code": "abcdefgh"})
    [event] = events(K.TWO_FACTOR_FAILED)
    assert event.subject == supervisor


def test_a_list_export_is_a_security_event(advisor, org):
    security_log.export_recorded(actor=advisor, organization_id=org.pk, files=0, what="csv")
    assert not events(K.EXPORT), "an empty export read nothing"
    security_log.export_recorded(actor=advisor, organization_id=org.pk, files=70, what="csv")
    [event] = events(K.EXPORT)
    assert event.detail["files"] == 70 and event.organization == org


def test_a_caseload_export_writes_one_export_event(client, org):
    from tests.factories import YoungPersonFactory

    supervisor = member(org, Role.SUPERVISOR)
    for _ in range(3):
        YoungPersonFactory(organization=org, referent=member(org, Role.ADVISOR))
    client.force_login(supervisor)
    response = client.get(reverse("reports:export_caseload"), {"scope": "organization"})
    b"".join(response.streaming_content)
    [event] = events(K.EXPORT)
    assert (event.subject, event.detail["files"]) == (supervisor, 3)


# --- who sees it --------------------------------------------------------------------------


def test_an_org_admin_sees_their_members_events_and_not_others(client, org, advisor, admin):
    outsider = member(OrganizationFactory(), Role.ADVISOR, username="out.sider")
    sign_in(Client(), "alex.adv")
    sign_in(Client(), "out.sider")
    security_log.export_recorded(actor=outsider, organization_id=None, files=3, what="csv")
    client.force_login(admin)

    page = client.get(reverse("accounts:security_log", args=[org.pk]))

    assert page.status_code == 200
    shown = [event for event, _detail in page.context["rows"]]
    assert advisor in [e.subject for e in shown]
    assert outsider not in [e.subject for e in shown]
    assert "out.sider" not in page.content.decode()


def test_another_organisations_admin_gets_404(client, org):
    other_admin = member(OrganizationFactory(), Role.ORG_ADMIN)
    client.force_login(other_admin)
    assert client.get(reverse("accounts:security_log", args=[org.pk])).status_code == 404
    assert client.get(reverse("accounts:security_log_export", args=[org.pk])).status_code == 404


def test_filters_and_export(client, org, advisor, admin):
    sign_in(Client(), "alex.adv")
    sign_in(Client(), "alex.adv", "wrong")
    old = security_log.record(K.LOGIN_SUCCEEDED, subject=advisor)
    SecurityEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    client.force_login(admin)
    url = reverse("accounts:security_log", args=[org.pk])
    start = (timezone.localdate() - timedelta(days=7)).isoformat()

    page = client.get(url, {"kind": K.LOGIN_SUCCEEDED, "start": start})
    kinds = {(e.kind, e.subject_id) for e, _ in page.context["rows"]}
    assert kinds == {(K.LOGIN_SUCCEEDED, advisor.pk), (K.LOGIN_SUCCEEDED, admin.pk)}
    assert old.pk not in [e.pk for e, _ in page.context["rows"]]

    export = client.get(
        reverse("accounts:security_log_export", args=[org.pk]), {"kind": K.LOGIN_FAILED}
    )
    assert export.status_code == 200
    assert export["Cache-Control"].startswith("private")
    rows = export_rows(export)
    assert rows[0][:2] == ["Quand", "Événement"]
    assert [row[1] for row in rows[1:]] == ["Échec de connexion"]
    assert rows[1][2] == advisor.display_name


@pytest.mark.parametrize(
    "params",
    [
        {"start": "0001-01-01"},
        {"start": "2026-13-45"},
        {"end": "9999-12-31"},
        {"kind": "nope"},
        {"start": "2026-05-01", "end": "2026-01-01"},
        {"page": "99999999999999999999"},
        {"page": "-1"},
    ],
)
def test_odd_filters_get_a_message_not_a_500(client, org, admin, params):
    client.force_login(admin)
    page = client.get(reverse("accounts:security_log", args=[org.pk]), params)
    assert page.status_code == 200
    export = client.get(reverse("accounts:security_log_export", args=[org.pk]), params)
    assert export.status_code in {200, 302}


def test_a_cell_that_looks_like_a_formula_is_neutralised(client, org, admin):
    evil = member(org, Role.ADVISOR, username="evil", first_name="=HYPERLINK(1)", last_name="x")
    security_log.record(K.LOGIN_SUCCEEDED, subject=evil)
    client.force_login(admin)
    rows = export_rows(client.get(reverse("accounts:security_log_export", args=[org.pk])))
    assert any(row[2].startswith("'=HYPERLINK") for row in rows[1:])


def test_the_page_has_the_same_query_count_at_1_and_100_events(client, org, admin):
    client.force_login(admin)
    url = reverse("accounts:security_log", args=[org.pk])
    advisors = [member(org, Role.ADVISOR)]
    security_log.record(K.LOGIN_SUCCEEDED, subject=advisors[0])
    with capture_queries() as one:
        assert client.get(url).status_code == 200
    for _ in range(60):
        person = member(org, Role.ADVISOR)
        security_log.record(K.LOGIN_SUCCEEDED, subject=person)
        security_log.record(K.LOGIN_FAILED, subject=person)
    with capture_queries() as many:
        assert client.get(url).status_code == 200
    assert_same_num_queries(one, many)


def test_platform_staff_export_from_the_admin(org, advisor):
    sign_in(Client(), "alex.adv")
    platform = User.objects.create_superuser("platform", "p@example.org", DEFAULT_PASSWORD)
    client = Client()
    client.force_login(platform)
    response = client.post(
        reverse("admin:accounts_securityevent_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(SecurityEvent.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    rows = export_rows(response)
    assert advisor.display_name in [row[2] for row in rows[1:]]
