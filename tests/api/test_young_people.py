"""/api/v1/young-people/: scoped lists with filters, sorting and pages; errors that help
(400 per field, 404 out of reach); optimistic locking (ETag/If-Match, version);
duplicates."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services
from cases.enums import StepStatus
from cases.models import YoungPerson
from tests.factories import (
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    api_token,
    birth_date_for_age,
    member,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/young-people/"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def org():
    return OrganizationFactory(name="Mission Locale de Douai")


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="camille")


@pytest.fixture
def file(org, advisor):
    return YoungPersonFactory(
        organization=org,
        referent=advisor,
        first_name="Lina",
        last_name="Bernard",
        birth_date=date(2006, 3, 14),
        email="lina@example.org",
    )


# --- lists: scope, filters, sorting, pages -------------------------------------------------


def test_the_list_holds_the_callers_files_only(org, advisor, file):
    colleague = member(org, Role.ADVISOR)
    colleagues_file = YoungPersonFactory(organization=org, referent=colleague)
    other_file = YoungPersonFactory()
    supervisor = member(org, Role.SUPERVISOR)

    assert ids(api(advisor).get(URL)) == [file.pk]
    assert set(ids(api(supervisor).get(URL))) == {file.pk, colleagues_file.pk}
    assert other_file.pk not in ids(api(supervisor).get(URL))
    row = api(advisor).get(URL).json()["results"][0]
    assert row["referent"]["username"] == "camille"
    assert row["organization"] == org.pk
    assert row["version"] == 1
    assert row["overdue_steps"] == 0


def test_filter_by_status_and_referent(org, advisor, file):
    paused = YoungPersonFactory(organization=org, referent=advisor, last_name="Zola")
    services.young_person_update(actor=advisor, young_person=paused, version=1, status="paused")
    colleague = member(org, Role.ADVISOR)
    colleagues_file = YoungPersonFactory(organization=org, referent=colleague)
    supervisor = member(org, Role.SUPERVISOR)

    assert ids(api(advisor).get(URL, {"status": "paused"})) == [paused.pk]
    assert ids(api(advisor).get(URL, {"status": "active"})) == [file.pk]
    assert ids(api(supervisor).get(URL, {"referent": colleague.pk})) == [colleagues_file.pk]
    assert set(ids(api(supervisor).get(URL, {"referent": advisor.pk}))) == {file.pk, paused.pk}


def test_filter_by_step_status_and_overdue_steps(org, advisor, file):
    with_done_step = YoungPersonFactory(organization=org, referent=advisor, last_name="Durand")
    StepFactory(young_person=with_done_step, done=True)
    StepFactory(young_person=file, overdue=True)

    assert ids(api(advisor).get(URL, {"step_status": "done"})) == [with_done_step.pk]
    assert ids(api(advisor).get(URL, {"step_status": "todo"})) == [file.pk]
    assert ids(api(advisor).get(URL, {"overdue": "true"})) == [file.pk]
    assert len(ids(api(advisor).get(URL, {"overdue": "false"}))) == 2
    row = api(advisor).get(URL, {"overdue": "true"}).json()["results"][0]
    assert row["overdue_steps"] == 1


def test_filter_by_days_without_a_follow_up(org, advisor, file):
    followed = YoungPersonFactory(organization=org, referent=advisor, last_name="Petit")
    FollowUpFactory(young_person=followed, occurred_at=timezone.now() - timedelta(days=2))
    FollowUpFactory(young_person=file, occurred_at=timezone.now() - timedelta(days=45))

    assert ids(api(advisor).get(URL, {"no_follow_up_days": 30})) == [file.pk]
    assert ids(api(advisor).get(URL, {"no_follow_up_days": 1})) == [file.pk, followed.pk]


def test_search_by_name(org, advisor, file):
    YoungPersonFactory(organization=org, referent=advisor, first_name="Tom", last_name="Roux")

    assert ids(api(advisor).get(URL, {"q": "lina"})) == [file.pk]
    assert ids(api(advisor).get(URL, {"q": "bern li"})) == [file.pk]
    assert ids(api(advisor).get(URL, {"q": "nobody"})) == []


def test_updated_since_gives_what_changed(org, advisor, file):
    old = YoungPersonFactory(organization=org, referent=advisor, last_name="Ancien")
    YoungPerson.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=10))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    assert ids(api(advisor).get(URL, {"updated_since": since})) == [file.pk]

    # A change anywhere in the file (here a follow-up) brings it back.
    services.follow_up_create(
        actor=advisor,
        young_person=old,
        occurred_at=timezone.now(),
        channel="phone",
        duration_minutes=5,
    )
    assert set(ids(api(advisor).get(URL, {"updated_since": since}))) == {file.pk, old.pk}


def test_ordering(org, advisor):
    young = YoungPersonFactory(
        organization=org, referent=advisor, last_name="Aubert", birth_date=birth_date_for_age(17)
    )
    older = YoungPersonFactory(
        organization=org, referent=advisor, last_name="Zidane", birth_date=birth_date_for_age(24)
    )
    StepFactory(young_person=older, overdue=True)

    assert ids(api(advisor).get(URL)) == [young.pk, older.pk]  # by name by default
    assert ids(api(advisor).get(URL, {"ordering": "-last_name"})) == [older.pk, young.pk]
    assert ids(api(advisor).get(URL, {"ordering": "birth_date"})) == [older.pk, young.pk]
    assert ids(api(advisor).get(URL, {"ordering": "-overdue_steps"})) == [older.pk, young.pk]


def test_pages_of_fifty_with_a_count_and_links(org, advisor):
    YoungPersonFactory.create_batch(52, organization=org, referent=advisor)

    first = api(advisor).get(URL).json()
    assert first["count"] == 52
    assert len(first["results"]) == 50
    assert first["previous"] is None
    assert first["next"].endswith("/api/v1/young-people/?page=2")
    second = api(advisor).get(first["next"]).json()
    assert len(second["results"]) == 2
    assert second["next"] is None
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}

    past_the_end = api(advisor).get(URL, {"page": 9})
    assert past_the_end.status_code == 404
    assert past_the_end["Content-Type"] == "application/json"
    assert "detail" in past_the_end.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "sleeping"}, "status"),
        ({"step_status": "maybe"}, "step_status"),
        ({"referent": "camille"}, "referent"),
        # Bigger than any id a database stores: a 400, not an overflow.
        ({"referent": str(10**30)}, "referent"),
        ({"no_follow_up_days": 0}, "no_follow_up_days"),
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"ordering": "password"}, "ordering"),
    ],
)
def test_an_invalid_filter_is_a_400_naming_it(advisor, params, field):
    response = api(advisor).get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


# --- reading one file: 404 out of reach ---------------------------------------------------


def test_a_file_answers_with_an_etag(advisor, file):
    response = api(advisor).get(f"{URL}{file.pk}/")

    assert response.status_code == 200
    assert response["ETag"] == '"v1"'
    assert response.json()["email"] == "lina@example.org"


def test_another_organisations_file_is_404(advisor):
    elsewhere = YoungPersonFactory()

    assert api(advisor).get(f"{URL}{elsewhere.pk}/").status_code == 404
    assert api(advisor).patch(f"{URL}{elsewhere.pk}/", {"city": "Lens"}).status_code == 404


def test_a_colleagues_file_seen_only_as_a_directory_card_is_404(org, file):
    colleague = member(org, Role.ADVISOR)

    assert api(colleague).get(f"{URL}{file.pk}/").status_code == 404
    assert file.pk not in ids(api(colleague).get(URL))
    assert api(colleague).patch(f"{URL}{file.pk}/", {"city": "Lens"}).status_code == 404


@pytest.mark.parametrize("pk", ["1.5", "abc", "-3", "99999999999999999999999"])
def test_a_malformed_id_is_a_json_404(advisor, pk):
    response = api(advisor).get(f"{URL}{pk}/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# --- creating: 400 per field, duplicates -------------------------------------------------


def _new(**fields) -> dict:
    return {"first_name": "Noé", "last_name": "Carpentier", "birth_date": "2007-05-02", **fields}


def test_create_a_file(org, advisor):
    response = api(advisor).post(URL, _new(email="", situation="job_seeking"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["referent"]["id"] == advisor.pk
    assert body["organization"] == org.pk
    assert body["status"] == "active"
    assert body["situation"] == "job_seeking"
    assert YoungPerson.objects.get(pk=body["id"]).created_by == advisor


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"birth_date": None}, "birth_date"),
        ({"birth_date": "2007-13-45"}, "birth_date"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"email": "not an address"}, "email"),
        ({"situation": "astronaut"}, "situation"),
    ],
)
def test_a_refused_field_has_its_own_message(advisor, fields, field):
    body = {k: v for k, v in _new(**fields).items() if v is not None}

    response = api(advisor).post(URL, body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert isinstance(errors[field], list)
    assert errors[field][0]


def test_every_missing_field_is_named(advisor):
    response = api(advisor).post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"first_name", "last_name", "birth_date"}


def test_a_suspected_duplicate_is_a_409_until_confirmed(org, advisor, file):
    same = {"first_name": "LINA", "last_name": "bernard", "birth_date": "2006-03-14"}

    response = api(advisor).post(URL, same, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_suspected"
    assert body["detail"]
    assert body["matches"] == [{"id": file.pk, "referent": advisor.display_name}]
    assert YoungPerson.objects.filter(organization=org).count() == 1

    confirmed = api(advisor).post(URL, {**same, "confirm_duplicate": True}, format="json")
    assert confirmed.status_code == 201
    assert YoungPerson.objects.filter(organization=org).count() == 2


def test_a_partner_cannot_create_files(advisor):
    partner = member(OrganizationFactory(partner=True), Role.PARTNER)

    assert api(partner).post(URL, _new(), format="json").status_code == 404


# --- updating: optimistic locking ---------------------------------------------------------


def test_if_match_with_the_current_etag_updates_and_gives_the_new_etag(advisor, file):
    client = api(advisor)

    response = client.patch(f"{URL}{file.pk}/", {"city": "Arras"}, HTTP_IF_MATCH='"v1"')

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"v2"'
    assert response.json()["city"] == "Arras"
    assert response.json()["version"] == 2
    assert client.get(f"{URL}{file.pk}/")["ETag"] == '"v2"'


def test_if_match_with_a_stale_etag_is_412(advisor, file):
    services.young_person_update(actor=advisor, young_person=file, version=1, city="Lens")

    response = api(advisor).patch(f"{URL}{file.pk}/", {"city": "Arras"}, HTTP_IF_MATCH='"v1"')

    assert response.status_code == 412
    assert '"v2"' in response.json()["detail"]
    file.refresh_from_db()
    assert file.city == "Lens"


def test_a_stale_version_in_the_body_is_409(advisor, file):
    services.young_person_update(actor=advisor, young_person=file, version=1, city="Lens")

    stale = api(advisor).patch(f"{URL}{file.pk}/", {"city": "Arras", "version": 1})

    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_modification"
    assert stale.json()["detail"]
    file.refresh_from_db()
    assert file.city == "Lens"

    current = api(advisor).patch(f"{URL}{file.pk}/", {"city": "Arras", "version": 2})
    assert current.status_code == 200
    assert current.json()["version"] == 3


def test_an_update_refuses_a_bad_field_by_name(advisor, file):
    response = api(advisor).patch(f"{URL}{file.pk}/", {"status": "deleted", "birth_date": "x"})

    assert response.status_code == 400
    assert set(response.json()) == {"status", "birth_date"}


def test_put_is_not_offered(advisor, file):
    assert api(advisor).put(f"{URL}{file.pk}/", _new()).status_code == 405


def test_a_step_can_be_done_through_the_api(advisor, file):
    step = StepFactory(young_person=file)

    response = api(advisor).patch(f"/api/v1/steps/{step.pk}/", {"status": StepStatus.DONE})

    assert response.status_code == 200
    assert response.json()["completed_by"]["id"] == advisor.pk
    listed = api(advisor).get("/api/v1/steps/", {"young_person": file.pk}).json()["results"]
    assert listed[0]["completed_at"] is not None
    reopened = api(advisor).patch(f"/api/v1/steps/{step.pk}/", {"status": StepStatus.TODO})
    # Not done: nobody completed it (null, as the schema says).
    assert reopened.json()["completed_by"] is None
