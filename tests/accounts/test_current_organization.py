"""The current organisation of a person who works in several (accounts/middleware.py).

It is kept in the session, checked against the user's active memberships on every
request, and chooses where new files land and what lists, inboxes, admin pages, reports
and the menu show. It never grants or removes a right: who sees what stays across every
membership (a file of the other organisation still opens)."""

from dataclasses import dataclass
from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants as message_levels
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.enums import Role
from accounts.middleware import SESSION_KEY, CurrentOrganizationMiddleware
from accounts.models import Membership, Organization, User
from cases.models import StepType, YoungPerson
from referrals import services as referral_services
from referrals import webhooks
from referrals.models import WebhookEndpoint
from tests import fake_dns
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    YoungPersonFactory,
    api_token,
    member,
)
from tests.reports.report_helpers import read_csv, read_pdf

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:switch_organization")


@dataclass
class World:
    alpha: Organization  # first by name: the default current organisation
    beta: Organization
    emmaus: Organization  # where nobody below works
    advisor_admin: User  # advisor in Alpha, organisation admin in Beta
    advisor_two: User  # advisor in Alpha and in Beta
    supervisor_two: User  # supervisor of Alpha and of Beta
    admin_two: User  # organisation admin of Alpha and of Beta


def with_membership(user: User, organization: Organization, role: str) -> User:
    MembershipFactory(user=user, organization=organization, role=role)
    return User.objects.get(pk=user.pk)  # a fresh instance: no membership cache


@pytest.fixture
def world() -> World:
    # Created in reverse order: the default must follow the name, not the primary key.
    beta = OrganizationFactory(name="Mission Locale Beta")
    alpha = OrganizationFactory(name="Mission Locale Alpha")
    emmaus = OrganizationFactory(emmaus=True, name="Emmaüs Connect Gamma")
    return World(
        alpha=alpha,
        beta=beta,
        emmaus=emmaus,
        advisor_admin=with_membership(
            member(alpha, Role.ADVISOR, username="nadia"), beta, Role.ORG_ADMIN
        ),
        advisor_two=with_membership(
            member(alpha, Role.ADVISOR, username="hugo"), beta, Role.ADVISOR
        ),
        supervisor_two=with_membership(
            member(alpha, Role.SUPERVISOR, username="sophie"), beta, Role.SUPERVISOR
        ),
        admin_two=with_membership(
            member(alpha, Role.ORG_ADMIN, username="alice"), beta, Role.ORG_ADMIN
        ),
    )


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def switch(client: Client, organization: Organization, next_url: str = "/"):
    return client.post(SWITCH, {"organization": organization.pk, "next": next_url})


def current_id(client: Client):
    return client.session.get(SESSION_KEY)


def messages_of(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


def nav_urls(response) -> list[str]:
    return [item["url"] for item in response.context["nav_items"]]


def young_person_create_data(**overrides) -> dict:
    data = {
        "first_name": "Lina",
        "last_name": "Bernard",
        "birth_date": "2006-03-14",
        "email": "",
        "phone": "",
        "city": "Lille",
        "situation": "neet",
    }
    return data | overrides


# --- the switcher ---------------------------------------------------------------------------


def test_the_first_organisation_by_name_is_current_until_the_user_switches(client, world):
    signed_in(client, world.advisor_two)
    page = client.get(reverse("cases:caseload"))
    assert page.context["current_membership"].organization == world.alpha
    assert current_id(client) is None  # the default is not written to the session

    response = switch(client, world.beta, reverse("cases:caseload"))

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:caseload")
    assert current_id(client) == world.beta.pk
    page = client.get(reverse("cases:caseload"))
    assert page.context["current_membership"].organization == world.beta
    assert [level for level, _text in messages_of(page)] == [message_levels.SUCCESS]
    assert "Mission Locale Beta" in messages_of(page)[0][1]


def test_the_header_shows_the_current_organisation_the_role_and_an_accessible_switcher(
    client, world
):
    signed_in(client, world.advisor_admin)
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert '<span class="current-organization">Mission Locale Alpha (' in html
    assert f'action="{SWITCH}"' in html
    assert '<label for="organization-switcher">' in html
    assert '<select id="organization-switcher" name="organization">' in html
    assert f'<option value="{world.alpha.pk}" selected>Mission Locale Alpha (' in html
    assert f'<option value="{world.beta.pk}">Mission Locale Beta (' in html
    assert 'name="csrfmiddlewaretoken"' in html

    switch(client, world.beta)
    page = client.get(reverse("accounts:password_change"))
    html = page.content.decode()
    assert '<span class="current-organization">Mission Locale Beta (' in html
    assert f'<option value="{world.beta.pk}" selected>' in html
    assert page.context["current_membership"].role == Role.ORG_ADMIN


def test_no_switcher_for_a_single_organisation(client, world):
    single = member(world.alpha, Role.ADVISOR)
    html = signed_in(client, single).get(reverse("cases:caseload")).content.decode()
    assert '<span class="current-organization">Mission Locale Alpha (' in html
    assert "organization-switcher" not in html
    assert SWITCH not in html


@pytest.mark.parametrize(
    "value", ["emmaus", "inactive", "not-a-number", "", "99999999999999999999999"]
)
def test_a_forged_switch_is_refused_with_a_message_and_changes_nothing(client, world, value):
    if value == "inactive":
        Membership.objects.create(
            user=world.advisor_two, organization=world.emmaus, role=Role.ADVISOR, is_active=False
        )
    posted = {
        "emmaus": world.emmaus.pk,  # an organisation where the user is not a member...
        "inactive": world.emmaus.pk,  # ...or only through a deactivated membership
        "not-a-number": "beta",
        "": "",
        "99999999999999999999999": "99999999999999999999999",
    }[value]
    signed_in(client, world.advisor_two)
    switch(client, world.beta)

    response = client.post(SWITCH, {"organization": posted, "next": "/young-people/"})

    assert response.status_code == 302
    assert response["Location"] == "/young-people/"
    assert current_id(client) == world.beta.pk
    page = client.get(response["Location"])
    assert page.context["current_membership"].organization == world.beta
    assert [level for level, _text in messages_of(page)] == [
        message_levels.SUCCESS,  # the first, genuine switch
        message_levels.ERROR,
    ]


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_an_unsafe_next_url_goes_home(client, world, next_url):
    signed_in(client, world.advisor_two)
    response = switch(client, world.beta, next_url)
    assert response["Location"] == reverse("home")
    assert current_id(client) == world.beta.pk


def test_the_switch_is_a_csrf_protected_post(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.advisor_two)
    assert client.post(SWITCH, {"organization": world.beta.pk}).status_code == 403
    assert client.get(SWITCH).status_code == 405
    assert current_id(client) is None


def test_anonymous_users_are_sent_to_the_login_page(client, world):
    response = client.post(SWITCH, {"organization": world.beta.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_deactivated_membership_in_the_session_falls_back_to_the_first_active_one(client, world):
    signed_in(client, world.advisor_two)
    switch(client, world.beta)
    Membership.objects.filter(user=world.advisor_two, organization=world.beta).update(
        is_active=False
    )

    page = client.get(reverse("cases:create"))

    assert page.context["current_membership"].organization == world.alpha
    assert page.context["organization"] == world.alpha
    assert "organization-switcher" not in page.content.decode()  # one membership left
    assert current_id(client) is None  # the stale choice is dropped


def test_a_tampered_session_value_falls_back(client, world):
    signed_in(client, world.advisor_two)
    for tampered in (world.emmaus.pk, "abc", None, [1]):
        session = client.session
        session[SESSION_KEY] = tampered
        session.save()
        page = client.get(reverse("cases:caseload"))
        assert page.status_code == 200
        assert page.context["current_membership"].organization == world.alpha


def test_anonymous_and_organisationless_requests_have_no_current_organisation(world):
    factory = RequestFactory()
    staff = User.objects.create_user(username="staff", password="x", is_staff=True)
    for user in (AnonymousUser(), staff):
        request = factory.get("/")
        request.user = user
        request.session = SessionStore()
        CurrentOrganizationMiddleware(lambda r: HttpResponse())(request)
        assert not request.current_organization
        assert not request.current_membership


def test_the_middleware_reads_nothing_until_asked_then_once(world):
    user = User.objects.get(pk=world.advisor_two.pk)
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    request.session[SESSION_KEY] = world.beta.pk

    with CaptureQueriesContext(connection) as untouched:
        CurrentOrganizationMiddleware(lambda r: HttpResponse())(request)
    assert len(untouched) == 0

    with CaptureQueriesContext(connection) as asked:
        assert request.current_organization == world.beta
        assert request.current_membership.role == Role.ADVISOR
        assert request.current_organization.name == "Mission Locale Beta"
    assert len(asked) == 1  # the memberships, cached for the rest of the request


def test_a_normal_page_costs_no_extra_query_for_a_two_organisation_user(client, world):
    """Same figure as tests/test_query_counts.py's caseload snapshot (5)."""
    single = member(world.alpha, Role.ADVISOR)
    counts = []
    for user in (single, world.advisor_two):
        YoungPersonFactory(organization=world.alpha, referent=user)
        signed_in(client, user)
        if user == world.advisor_two:
            switch(client, world.beta)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("cases:caseload")).status_code == 200
        counts.append(len(ctx))
    assert counts == [5, 5]


# --- the menu -------------------------------------------------------------------------------


def test_the_menu_follows_the_role_in_the_current_organisation(client, world):
    signed_in(client, world.advisor_admin)
    members_of_beta = reverse("accounts:members", args=[world.beta.pk])

    urls = nav_urls(client.get(reverse("accounts:password_change")))
    assert reverse("cases:caseload") in urls
    assert reverse("referrals:sent") in urls
    assert members_of_beta not in urls
    assert reverse("cases:catalogue") not in urls
    assert reverse("referrals:webhooks") not in urls

    switch(client, world.beta)
    urls = nav_urls(client.get(reverse("accounts:password_change")))
    assert urls == [
        members_of_beta,
        reverse("cases:catalogue"),
        reverse("referrals:webhooks"),
        reverse("accounts:security_log", args=[world.beta.pk]),
        reverse("guides:manage"),
    ]

    # Home follows the current role too: caseload for casework, the menu for an admin.
    assert client.get(reverse("home")).status_code == 200
    switch(client, world.alpha)
    assert client.get(reverse("home"))["Location"] == reverse("cases:caseload")


def test_the_members_link_points_to_the_current_organisation(client, world):
    signed_in(client, world.admin_two)
    members_of = {
        org: reverse("accounts:members", args=[org.pk]) for org in (world.alpha, world.beta)
    }
    assert members_of[world.alpha] in nav_urls(client.get(reverse("home")))
    switch(client, world.beta)
    urls = nav_urls(client.get(reverse("home")))
    assert members_of[world.beta] in urls
    assert members_of[world.alpha] not in urls
    # The URL names the organisation: both stay open to their administrator.
    for org, url in members_of.items():
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["organization"] == org
    # Not to an advisor of Alpha who administers only Beta.
    signed_in(client, world.advisor_admin)
    assert client.get(members_of[world.alpha]).status_code == 404
    assert client.get(members_of[world.beta]).status_code == 200


# --- where new things land ------------------------------------------------------------------


def test_a_new_file_lands_in_the_current_organisation(client, world):
    signed_in(client, world.advisor_two)
    for organization, name in ((world.alpha, "Alpha"), (world.beta, "Beta")):
        switch(client, organization)
        form = client.get(reverse("cases:create"))
        assert form.context["organization"] == organization
        assert f"Mission Locale {name}" in form.content.decode()

        response = client.post(reverse("cases:create"), young_person_create_data(last_name=name))

        assert response.status_code == 302
        created = YoungPerson.objects.get(last_name=name)
        assert created.organization == organization
        assert created.referent == world.advisor_two


def test_file_creation_falls_back_to_a_casework_organisation(client, world):
    """Current organisation where the user only administers: the form says where."""
    signed_in(client, world.advisor_admin)
    switch(client, world.beta)
    form = client.get(reverse("cases:create"))
    assert form.context["organization"] == world.alpha
    client.post(reverse("cases:create"), young_person_create_data())
    assert YoungPerson.objects.get(last_name="Bernard").organization == world.alpha


def test_the_catalogue_is_the_current_organisations(client, world):
    signed_in(client, world.admin_two)
    url = reverse("cases:catalogue")
    assert client.get(url).context["organization"] == world.alpha

    switch(client, world.beta)
    page = client.get(url)
    assert page.context["organization"] == world.beta
    assert "Mission Locale Beta" in page.content.decode()
    client.post(url, {"label": "Atelier", "code": "atelier", "category": "other", "order": "1"})
    step_type = StepType.objects.get(code="atelier")
    assert step_type.organization == world.beta

    client.post(reverse("cases:catalogue_toggle", args=[step_type.pk]))
    step_type.refresh_from_db()
    assert not step_type.is_active


def test_webhooks_are_the_current_organisations(client, world, settings, monkeypatch):
    settings.WEBHOOK_ALLOW_HTTP = True
    dns = fake_dns.install(monkeypatch)  # webhook hosts are resolved; DNS is outside
    dns.set("alpha.example", fake_dns.PUBLIC)
    dns.set("beta.example", fake_dns.PUBLIC)
    alpha_endpoint = webhooks.endpoint_create(
        actor=world.admin_two, organization=world.alpha, url="https://alpha.example/hooks"
    )
    signed_in(client, world.admin_two)
    url = reverse("referrals:webhooks")
    assert list(client.get(url).context["endpoints"]) == [alpha_endpoint]

    switch(client, world.beta)
    page = client.get(url)
    assert page.context["organization"] == world.beta
    assert list(page.context["endpoints"]) == []
    response = client.post(url, {"url": "https://beta.example/hooks"})
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get(url="https://beta.example/hooks").organization == world.beta


# --- lists ----------------------------------------------------------------------------------


def test_the_caseload_organisation_scope_is_the_current_organisations(client, world):
    in_alpha = YoungPersonFactory(organization=world.alpha, last_name="Alpha")
    in_beta = YoungPersonFactory(organization=world.beta, last_name="Beta")
    signed_in(client, world.supervisor_two)
    url = reverse("cases:caseload") + "?scope=organization"

    page = client.get(url)
    assert [yp.pk for yp in page.context["page"]] == [in_alpha.pk]
    assert page.context["supervised_organization"] == world.alpha

    switch(client, world.beta)
    page = client.get(url)
    assert [yp.pk for yp in page.context["page"]] == [in_beta.pk]
    assert "Mission Locale Beta" in page.content.decode()

    # The CSV export of the page follows it.
    _raw, rows = read_csv(client.get(reverse("reports:export_caseload") + "?scope=organization"))
    assert len(rows) == 2
    assert "Beta" in rows[1]


def test_rights_stay_across_memberships(client, world):
    """The current organisation narrows lists; it does not hide the other one's files."""
    alpha_file = YoungPersonFactory(organization=world.alpha, referent=world.advisor_two)
    signed_in(client, world.advisor_two)
    switch(client, world.beta)
    page = client.get(reverse("cases:detail", args=[alpha_file.pk]))
    assert "cases/young_person_detail.html" in [t.name for t in page.templates]
    assert client.get(reverse("cases:update", args=[alpha_file.pk])).status_code == 200
    # "My caseload" is the user's own, in every organisation.
    assert alpha_file in client.get(reverse("cases:caseload")).context["page"]


def _referral(actor, young_person, to_organization):
    return referral_services.referral_send(
        actor=actor,
        young_person=young_person,
        to_organization=to_organization,
        reason="training",
        message="",
        shared_sections=["identity"],
        consent_method="oral",
        consent_given=True,
    )


def _inbox_ids(client, name: str) -> list[int]:
    page = client.get(reverse(name))
    assert page.status_code == 200
    return [r.pk for r in page.context["page"]]


def test_the_referral_inboxes_are_the_current_organisations(client, world):
    user = world.advisor_two
    sent_from_alpha = _referral(
        user, YoungPersonFactory(organization=world.alpha, referent=user), world.emmaus
    )
    sent_from_beta = _referral(
        user, YoungPersonFactory(organization=world.beta, referent=user), world.emmaus
    )
    sender = member(world.emmaus, Role.ADVISOR)
    to_alpha = _referral(
        sender, YoungPersonFactory(organization=world.emmaus, referent=sender), world.alpha
    )
    to_beta = _referral(
        sender, YoungPersonFactory(organization=world.emmaus, referent=sender), world.beta
    )
    signed_in(client, User.objects.get(pk=user.pk))

    assert _inbox_ids(client, "referrals:sent") == [sent_from_alpha.pk]
    assert _inbox_ids(client, "referrals:received") == [to_alpha.pk]

    switch(client, world.beta)
    assert _inbox_ids(client, "referrals:sent") == [sent_from_beta.pk]
    assert _inbox_ids(client, "referrals:received") == [to_beta.pk]
    assert "Mission Locale Beta" in client.get(reverse("referrals:received")).content.decode()
    # The exports of the inboxes follow them.
    _raw, rows = read_csv(client.get(reverse("reports:export_referrals_received")))
    assert len(rows) == 2
    _raw, rows = read_csv(client.get(reverse("reports:export_referrals_sent")))
    assert len(rows) == 2
    # Both referral records stay open whatever the current organisation.
    for referral in (sent_from_alpha, to_alpha):
        assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200


# --- supervision, reports, import -----------------------------------------------------------


def test_supervision_opens_on_the_current_organisation(client, world):
    signed_in(client, world.supervisor_two)
    home = reverse("supervision:home")
    assert client.get(home)["Location"] == reverse("supervision:dashboard", args=[world.alpha.pk])
    switch(client, world.beta)
    assert client.get(home)["Location"] == reverse("supervision:dashboard", args=[world.beta.pk])
    # Both dashboards stay open by their URL.
    for org in (world.alpha, world.beta):
        assert client.get(reverse("supervision:dashboard", args=[org.pk])).status_code == 200


def test_supervision_falls_back_to_the_first_supervised_organisation(client, world):
    user = with_membership(member(world.beta, Role.SUPERVISOR), world.alpha, Role.ADVISOR)
    signed_in(client, user)
    switch(client, world.alpha)  # an advisor here
    response = client.get(reverse("supervision:home"))
    assert response["Location"] == reverse("supervision:dashboard", args=[world.beta.pk])
    # The menu follows the current role: no supervision entry while Alpha is current.
    assert reverse("supervision:home") not in nav_urls(client.get(reverse("cases:caseload")))


def test_reports_default_to_the_current_organisation(client, world):
    YoungPersonFactory(organization=world.alpha, last_name="Alpha")
    YoungPersonFactory(organization=world.beta, last_name="Beta")
    signed_in(client, world.supervisor_two)
    switch(client, world.beta)

    index = client.get(reverse("reports:index"))
    assert index.context["activity_form"].initial["organization"] == world.beta.pk
    assert index.context["organization_form"].initial["organization"] == world.beta.pk

    text, _reader = read_pdf(client.get(reverse("reports:activity_pdf")))
    assert "Mission Locale Beta" in text
    assert "Mission Locale Alpha" not in text

    text, _reader = read_pdf(client.get(reverse("reports:caseload_pdf") + "?scope=organization"))
    assert "BETA" in text.upper()
    assert "Mission Locale Alpha" not in text
    # An explicit choice still wins.
    url = reverse("reports:activity_pdf") + f"?organization={world.alpha.pk}"
    assert "Mission Locale Alpha" in read_pdf(client.get(url))[0]


def test_an_import_lands_in_the_current_organisation(client, world):
    signed_in(client, world.advisor_two)
    switch(client, world.beta)
    page = client.get(reverse("reports:import_upload"))
    assert page.context["organization"] == world.beta
    assert client.get(reverse("reports:index")).context["import_organization"] == world.beta

    csv = "Prénom;Nom;Date de naissance\r\nLéa;Martin;03/04/2005\r\n".encode()
    upload = SimpleUploadedFile("jeunes.csv", csv, content_type="text/csv")
    client.post(reverse("reports:import_upload"), {"file": upload})
    assert client.session["reports.import"]["organization"] == world.beta.pk
    client.post(reverse("reports:import_run"), {"action": "import"})
    assert YoungPerson.objects.get(last_name="Martin").organization == world.beta

    # Switching mid-way never imports into the other organisation.
    upload = SimpleUploadedFile("jeunes.csv", csv.replace(b"Martin", b"Durand"))
    client.post(reverse("reports:import_upload"), {"file": upload})
    switch(client, world.alpha)
    response = client.post(reverse("reports:import_run"), {"action": "import"})
    assert response["Location"] == reverse("reports:import_upload")
    assert not YoungPerson.objects.filter(last_name="Durand").exists()


# --- API: an explicit choice ----------------------------------------------------------------

API_URL = "/api/v1/young-people/"


def api(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def api_data(**overrides) -> dict:
    return {"first_name": "Lina", "last_name": "Bernard", "birth_date": "2006-03-14"} | overrides


def test_api_create_needs_an_organisation_when_the_caller_works_in_several(world):
    client = api(world.advisor_two)

    response = client.post(API_URL, api_data(), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["organization"]
    assert not YoungPerson.objects.exists()

    response = client.post(API_URL, api_data(organization=world.beta.pk), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["organization"] == world.beta.pk
    assert YoungPerson.objects.get().organization == world.beta


@pytest.mark.parametrize("which", ["emmaus", "administered", "missing"])
def test_api_create_refuses_an_organisation_the_caller_does_not_work_in(world, which):
    organization_id = {
        "emmaus": world.emmaus.pk,
        "administered": world.beta.pk,  # an admin there, no casework
        "missing": 987654,
    }[which]
    response = api(world.advisor_admin).post(
        API_URL, api_data(organization=organization_id), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["organization"]
    assert not YoungPerson.objects.exists()


def test_api_create_defaults_to_the_only_casework_organisation(world):
    # An admin elsewhere still has one casework organisation: no choice to make.
    response = api(world.advisor_admin).post(API_URL, api_data(), format="json")
    assert response.status_code == 201, response.content
    assert YoungPerson.objects.get().organization == world.alpha


def test_api_lists_span_every_organisation_and_filter_on_one(world):
    user = world.advisor_two
    in_alpha = YoungPersonFactory(organization=world.alpha, referent=user)
    in_beta = YoungPersonFactory(organization=world.beta, referent=user)
    client = api(user)
    rows = client.get(API_URL).json()["results"]
    assert {row["id"] for row in rows} == {in_alpha.pk, in_beta.pk}
    rows = client.get(API_URL, {"organization": world.beta.pk}).json()["results"]
    assert [row["id"] for row in rows] == [in_beta.pk]
    assert client.get(API_URL, {"organization": "x"}).status_code == 400


def test_a_birth_date_still_round_trips(world):
    """The organisation field is write-only: the file reads as before."""
    response = api(world.advisor_two).post(
        API_URL, api_data(organization=world.alpha.pk), format="json"
    )
    body = response.json()
    assert body["birth_date"] == date(2006, 3, 14).isoformat()
    assert body["organization"] == world.alpha.pk
