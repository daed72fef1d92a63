"""Member management by an organisation's administrators."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts import services
from accounts.enums import Role
from accounts.models import Membership, User
from cases import selectors
from core.exceptions import NotAllowed
from tests.factories import OrganizationFactory, YoungPersonFactory, member, signin_request

pytestmark = pytest.mark.django_db

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
def admin(org):
    return member(org, Role.ORG_ADMIN, first_name="Alice", last_name="Admin")


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, first_name="Nadia", last_name="Conseillère")


def members_url(org) -> str:
    return reverse("accounts:members", args=[org.pk])


def membership_of(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def new_member_data(**overrides):
    data = {
        "username": "samir.b",
        "first_name": "Samir",
        "last_name": "Benali",
        "email": "samir@example.org",
        "role": Role.ADVISOR,
    }
    data.update(overrides)
    return data


# --- list ------------------------------------------------------------------------------------


def test_admin_lists_the_members(client, org, admin, advisor):
    other_org_member = member(OrganizationFactory(), first_name="Zoé", last_name="Ailleurs")
    client.force_login(admin)
    response = client.get(members_url(org))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nadia Conseillère" in html
    assert advisor.username in html
    assert "Advisor" in html
    assert "Alice Admin" in html
    assert "Zoé Ailleurs" not in html
    assert other_org_member.username not in html
    assert {m.user for m in response.context["members"]} == {admin, advisor}


def test_admin_sees_the_members_link_in_the_menu(client, org, admin):
    client.force_login(admin)
    html = client.get(members_url(org)).content.decode()
    assert f'href="{members_url(org)}" aria-current="page"' in html


# --- add -------------------------------------------------------------------------------------


def test_admin_adds_a_member(client, org, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(members_url(org), new_member_data(role=Role.SUPERVISOR))
    assert response.status_code == 302
    assert response.url == members_url(org)
    user = User.objects.get(username="samir.b")
    assert (user.first_name, user.last_name, user.email) == ("Samir", "Benali", "samir@example.org")
    assert not user.has_usable_password()
    assert user.is_active
    membership = membership_of(user, org)
    assert membership.role == Role.SUPERVISOR
    assert membership.is_active
    assert "Member added" in client.get(members_url(org)).content.decode()


def test_a_new_member_receives_a_welcome_email_to_set_a_password(
    client, org, admin, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(members_url(org), new_member_data())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["samir@example.org"]
    assert "samir.b" in message.body
    match = RESET_LINK.search(message.body)
    assert match, message.body

    client.logout()
    set_password_url = client.get(match.group(1)).url
    client.post(
        set_password_url,
        {"new_password1": "un-mot-de-passe-solide", "new_password2": "un-mot-de-passe-solide"},
    )
    assert client.login(
        request=signin_request(), username="samir.b", password="un-mot-de-passe-solide"
    )


def test_member_add_sends_nothing_before_commit(org, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.member_add(
            actor=admin,
            organization=org,
            username="x",
            first_name="X",
            last_name="Y",
            email="x@example.org",
            role=Role.ADVISOR,
        )
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_duplicate_username_is_refused(client, org, admin, advisor):
    client.force_login(admin)
    response = client.post(members_url(org), new_member_data(username=advisor.username.upper()))
    assert response.status_code == 200
    assert "This username is already taken." in response.content.decode()
    assert User.objects.filter(username__iexact=advisor.username).count() == 1
    assert Membership.objects.filter(organization=org).count() == 2


def test_add_member_requires_a_valid_email_and_role(client, org, admin):
    client.force_login(admin)
    response = client.post(members_url(org), new_member_data(email="nope", role="superuser"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"email", "role"}
    assert not User.objects.filter(username="samir.b").exists()


def test_member_add_service_refuses_a_non_admin(org, advisor):
    with pytest.raises(NotAllowed):
        services.member_add(
            actor=advisor,
            organization=org,
            username="x",
            first_name="X",
            last_name="Y",
            email="x@example.org",
            role=Role.ADVISOR,
        )
    assert not User.objects.filter(username="x").exists()


# --- change role -----------------------------------------------------------------------------


def test_admin_changes_a_role(client, org, admin, advisor):
    young_person = YoungPersonFactory(organization=org, referent=member(org))
    assert not selectors.young_people_full_access(advisor).filter(pk=young_person.pk).exists()

    url = reverse("accounts:member_edit", args=[org.pk, membership_of(advisor, org).pk])
    client.force_login(admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"role": Role.SUPERVISOR})
    assert response.status_code == 302
    assert membership_of(advisor, org).role == Role.SUPERVISOR
    # The new role takes effect at once: a supervisor sees every file of the organisation.
    fresh = User.objects.get(pk=advisor.pk)
    assert selectors.young_people_full_access(fresh).filter(pk=young_person.pk).exists()


def test_admin_cannot_drop_their_own_admin_role(client, org, admin):
    url = reverse("accounts:member_edit", args=[org.pk, membership_of(admin, org).pk])
    client.force_login(admin)
    response = client.post(url, {"role": Role.ADVISOR})
    assert response.status_code == 200
    assert "You cannot remove your own administrator role." in response.content.decode()
    assert membership_of(admin, org).role == Role.ORG_ADMIN


def test_change_role_refuses_an_unknown_role(client, org, admin, advisor):
    url = reverse("accounts:member_edit", args=[org.pk, membership_of(advisor, org).pk])
    client.force_login(admin)
    response = client.post(url, {"role": "superuser"})
    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert membership_of(advisor, org).role == Role.ADVISOR


# --- deactivate ------------------------------------------------------------------------------


def test_deactivated_member_loses_access_at_once(client, org, admin, advisor):
    young_person = YoungPersonFactory(organization=org, referent=advisor)
    advisor_client = type(client)()
    advisor_client.force_login(advisor)
    detail = reverse("cases:detail", args=[young_person.pk])
    assert advisor_client.get(detail).status_code == 200

    toggle = reverse("accounts:member_toggle_active", args=[org.pk, membership_of(advisor, org).pk])
    client.force_login(admin)
    assert client.get(toggle).status_code == 405
    response = client.post(toggle)
    assert response.status_code == 302
    assert response.url == members_url(org)
    assert not membership_of(advisor, org).is_active
    assert "their access ended at once" in client.get(members_url(org)).content.decode()

    # Same session, next request: nothing left.
    assert advisor_client.get(detail).status_code == 404
    assert advisor_client.get(reverse("cases:caseload")).status_code == 404
    assert (
        advisor_client.get(reverse("cases:document_upload", args=[young_person.pk])).status_code
        == 404
    )
    fresh = User.objects.get(pk=advisor.pk)
    assert not selectors.caseload(fresh).exists()
    assert not selectors.young_people_reachable(fresh).exists()

    # Reactivation gives the access back.
    client.post(toggle)
    assert membership_of(advisor, org).is_active
    assert advisor_client.get(detail).status_code == 200


def test_admin_cannot_deactivate_themselves(client, org, admin):
    toggle = reverse("accounts:member_toggle_active", args=[org.pk, membership_of(admin, org).pk])
    client.force_login(admin)
    response = client.post(toggle, follow=True)
    assert response.status_code == 200
    assert "You cannot deactivate yourself." in response.content.decode()
    assert membership_of(admin, org).is_active
    assert client.get(members_url(org)).status_code == 200


# --- who may manage members -------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.PARTNER])
def test_non_admins_get_404_on_member_pages(client, org, advisor, role):
    user = member(org, role)
    target = membership_of(advisor, org)
    client.force_login(user)
    assert client.get(members_url(org)).status_code == 404
    assert client.post(members_url(org), new_member_data()).status_code == 404
    edit = reverse("accounts:member_edit", args=[org.pk, target.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, {"role": Role.ORG_ADMIN}).status_code == 404
    toggle = reverse("accounts:member_toggle_active", args=[org.pk, target.pk])
    assert client.post(toggle).status_code == 404
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.ADVISOR, True)
    assert not User.objects.filter(username="samir.b").exists()


def test_deactivated_admin_gets_404(client, org, admin):
    second_admin = member(org, Role.ORG_ADMIN)
    services.member_set_active(
        actor=second_admin, membership=membership_of(admin, org), is_active=False
    )
    client.force_login(admin)
    assert client.get(members_url(org)).status_code == 404


def test_admin_of_another_organisation_gets_404(client, org, admin, advisor):
    other_org = OrganizationFactory()
    other_admin = member(other_org, Role.ORG_ADMIN)
    target = membership_of(advisor, org)
    client.force_login(other_admin)
    assert client.get(members_url(org)).status_code == 404
    assert client.post(members_url(org), new_member_data()).status_code == 404
    assert client.get(reverse("accounts:member_edit", args=[org.pk, target.pk])).status_code == 404
    # Nor through their own organisation's URLs.
    assert (
        client.get(reverse("accounts:member_edit", args=[other_org.pk, target.pk])).status_code
        == 404
    )
    assert (
        client.post(
            reverse("accounts:member_toggle_active", args=[other_org.pk, target.pk])
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("accounts:member_edit", args=[other_org.pk, target.pk]),
            {"role": Role.ORG_ADMIN},
        ).status_code
        == 404
    )
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.ADVISOR, True)
    assert not User.objects.filter(username="samir.b").exists()


def test_member_services_refuse_an_admin_of_another_organisation(org, advisor):
    other_admin = member(OrganizationFactory(), Role.ORG_ADMIN)
    target = membership_of(advisor, org)
    with pytest.raises(NotAllowed):
        services.member_change_role(actor=other_admin, membership=target, role=Role.ORG_ADMIN)
    with pytest.raises(NotAllowed):
        services.member_set_active(actor=other_admin, membership=target, is_active=False)
    target.refresh_from_db()
    assert (target.role, target.is_active) == (Role.ADVISOR, True)
