"""Bulk reassignment: the page and the service. All or nothing, and only within reach."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.enums import Role
from accounts.models import Membership
from cases import services
from cases.enums import AccessAction
from cases.models import AccessLog, YoungPerson
from core.exceptions import NotAllowed
from tests.factories import OrganizationFactory, YoungPersonFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def people(org):
    other = OrganizationFactory()
    users = {
        "alice": member(org, Role.ADVISOR, first_name="Alice", last_name="Martin"),
        "bob": member(org, Role.ADVISOR, first_name="Bob", last_name="Petit"),
        "sam": member(org, Role.SUPERVISOR),
        "other_advisor": member(other, Role.ADVISOR),
        "other_supervisor": member(other, Role.SUPERVISOR),
    }
    files = [YoungPersonFactory(organization=org, referent=users["alice"]) for _ in range(3)]
    outsider = YoungPersonFactory(organization=other, referent=users["other_advisor"])
    return users, files, outsider


def _url(org, name="supervision:reassign"):
    return reverse(name, args=[org.pk])


def _state(*young_people):
    return [
        YoungPerson.objects.values_list("referent_id", "version").get(pk=yp.pk)
        for yp in young_people
    ]


def test_supervisor_reassigns_the_ticked_files(client, org, people):
    users, files, _outsider = people
    before = {yp.pk: (yp.version, yp.updated_at) for yp in files}
    client.force_login(users["sam"])
    response = client.post(
        _url(org),
        {
            "metric": "active",
            "referent": users["alice"].pk,
            "young_people": [files[0].pk, files[1].pk],
            "new_referent": users["bob"].pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("supervision:young_people", args=[org.pk])
        + f"?metric=active&referent={users['alice'].pk}"
    )
    for yp in files[:2]:
        yp.refresh_from_db()
        assert yp.referent_id == users["bob"].pk
        assert yp.version == before[yp.pk][0] + 1
        assert yp.updated_at > before[yp.pk][1]
        log = AccessLog.objects.get(young_person=yp)
        assert log.user_id == users["sam"].pk
        assert log.action == AccessAction.REASSIGNED
        assert log.detail == "Alice Martin → Bob Petit"
    files[2].refresh_from_db()
    assert files[2].referent_id == users["alice"].pk
    assert not AccessLog.objects.filter(young_person=files[2]).exists()
    followed = client.get(response["Location"])
    assert "2 files reassigned to Bob Petit." in followed.content.decode()
    # Bob now holds them: they are in his caseload, not in Alice's.
    assert {yp.pk for yp in YoungPerson.objects.filter(referent=users["bob"])} == {
        files[0].pk,
        files[1].pk,
    }


@pytest.mark.parametrize("actor", ["alice", "other_supervisor", "other_advisor"])
def test_refused_to_anyone_but_the_supervisor(client, org, people, actor):
    users, files, _outsider = people
    client.force_login(users[actor])
    response = client.post(
        _url(org), {"young_people": [files[0].pk], "new_referent": users["bob"].pk}
    )
    assert response.status_code == 404
    assert _state(files[0]) == [(users["alice"].pk, 1)]


def test_refused_for_a_new_referent_of_another_organisation(client, org, people):
    users, files, _outsider = people
    client.force_login(users["sam"])
    response = client.post(
        _url(org), {"young_people": [files[0].pk], "new_referent": users["other_advisor"].pk}
    )
    assert response.status_code == 400
    assert (
        "The new referent must be an active advisor or supervisor of the organisation."
        in response.content.decode()
    )
    assert _state(files[0]) == [(users["alice"].pk, 1)]


@pytest.mark.parametrize("bad", ["outsider", "unknown", "not-a-number"])
def test_out_of_reach_ids_change_nothing(client, org, people, bad):
    users, files, outsider = people
    wrong = {"outsider": outsider.pk, "unknown": 999_999, "not-a-number": "abc"}[bad]
    client.force_login(users["sam"])
    response = client.post(
        _url(org),
        {
            "metric": "active",
            "young_people": [files[0].pk, wrong, files[1].pk],
            "new_referent": users["bob"].pk,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was reassigned." in html
    assert 'role="alert"' in html
    assert _state(files[0], files[1], outsider) == [
        (users["alice"].pk, 1),
        (users["alice"].pk, 1),
        (users["other_advisor"].pk, 1),
    ]
    assert not AccessLog.objects.exists()
    # The list comes back with the valid ticks kept.
    assert f'value="{files[0].pk}" aria-label' in html
    assert html.count(" checked") == 2


def test_nothing_selected(client, org, people):
    users, _files, _outsider = people
    client.force_login(users["sam"])
    response = client.post(_url(org), {"new_referent": users["bob"].pk})
    assert response.status_code == 400
    assert "Select at least one file, or every file of the list." in response.content.decode()


def test_a_former_member_cannot_receive_files(client, org, people):
    users, files, _outsider = people
    Membership.objects.filter(user=users["bob"]).update(is_active=False)
    client.force_login(users["sam"])
    response = client.post(
        _url(org), {"young_people": [files[0].pk], "new_referent": users["bob"].pk}
    )
    assert response.status_code == 400
    assert _state(files[0]) == [(users["alice"].pk, 1)]


def test_every_file_of_the_list_on_every_page(client, org, people):
    users, files, _outsider = people
    Membership.objects.filter(user=users["alice"]).update(is_active=False)
    client.force_login(users["sam"])
    data = {
        "metric": "held",
        "referent": users["alice"].pk,
        "all_matching": "on",
        "expected_count": 3,
        "new_referent": users["bob"].pk,
    }
    # The list grew since it was displayed: refused, nothing moves.
    extra = YoungPersonFactory(organization=org, referent=users["alice"])
    response = client.post(_url(org), data)
    assert response.status_code == 400
    assert "The list changed since it was displayed (3 files, now 4)" in response.content.decode()
    assert {r for r, _v in _state(*files, extra)} == {users["alice"].pk}

    response = client.post(_url(org), data | {"expected_count": 4})
    assert response.status_code == 302
    assert {r for r, _v in _state(*files, extra)} == {users["bob"].pk}


def test_the_list_offers_active_colleagues_only(client, org, people):
    users, _files, _outsider = people
    Membership.objects.filter(user=users["alice"]).update(is_active=False)
    client.force_login(users["sam"])
    response = client.get(reverse("supervision:young_people", args=[org.pk]))
    choices = {c.pk for c in response.context["form"].fields["new_referent"].queryset}
    assert choices == {users["bob"].pk, users["sam"].pk}


# --- the service -----------------------------------------------------------------------


def test_service_requires_a_supervisor_of_the_organisation(org, people):
    users, files, _outsider = people
    for actor in (users["alice"], users["other_supervisor"]):
        with pytest.raises(NotAllowed):
            services.young_people_reassign(
                actor=actor, young_people=files, new_referent=users["bob"]
            )
    assert {r for r, _v in _state(*files)} == {users["alice"].pk}


def test_service_refuses_a_referent_outside_the_organisation(org, people):
    users, files, _outsider = people
    with pytest.raises(NotAllowed):
        services.young_people_reassign(
            actor=users["sam"], young_people=files, new_referent=users["other_advisor"]
        )
    admin = member(org, Role.ORG_ADMIN)
    with pytest.raises(NotAllowed):
        services.young_people_reassign(actor=users["sam"], young_people=files, new_referent=admin)
    assert {r for r, _v in _state(*files)} == {users["alice"].pk}


def test_service_refuses_files_of_two_organisations(org, people):
    users, files, outsider = people
    with pytest.raises(NotAllowed):
        services.young_people_reassign(
            actor=users["sam"], young_people=[files[0], outsider], new_referent=users["bob"]
        )
    with pytest.raises(NotAllowed):
        services.young_people_reassign(
            actor=users["sam"], young_people=[], new_referent=users["bob"]
        )


def test_service_skips_files_already_held(org, people):
    users, files, _outsider = people
    assert (
        services.young_people_reassign(
            actor=users["sam"], young_people=files, new_referent=users["alice"]
        )
        == 0
    )
    assert _state(*files) == [(users["alice"].pk, 1)] * 3
    assert not AccessLog.objects.exists()
