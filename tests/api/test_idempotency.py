"""Idempotency-Key on POST: a retried request (same key, same body) creates one record and
gets the first answer again; the key belongs to its user."""

import pytest
from rest_framework.test import APIClient

from accounts.enums import Role
from cases.models import FollowUp, YoungPerson
from core.models import IdempotencyRecord
from referrals.models import ReferralEvent
from tests.factories import OrganizationFactory, YoungPersonFactory, api_token, member
from tests.referrals.referral_helpers import make_scene, send_referral

pytestmark = pytest.mark.django_db

URL = "/api/v1/young-people/"
BODY = {"first_name": "Sami", "last_name": "Haddad", "birth_date": "2005-09-30"}


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR)


def test_the_same_key_and_body_twice_create_one_record(advisor):
    client = api(advisor)

    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-c3")
    retry = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="a1b2-c3")

    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert YoungPerson.objects.filter(last_name="Haddad").count() == 1


def test_the_same_key_with_another_body_is_422(advisor):
    client = api(advisor)
    client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    response = client.post(
        URL, {**BODY, "first_name": "Samia"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["detail"]
    assert YoungPerson.objects.filter(last_name="Haddad").count() == 1


def test_without_a_key_each_post_creates_a_record(advisor):
    client = api(advisor)
    body = {**BODY, "confirm_duplicate": True}

    assert client.post(URL, body, format="json").status_code == 201
    assert client.post(URL, body, format="json").status_code == 201

    assert YoungPerson.objects.filter(last_name="Haddad").count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_a_key_belongs_to_its_user(org, advisor):
    colleague = member(org, Role.ADVISOR)
    body = {**BODY, "confirm_duplicate": True}

    mine = api(advisor).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")
    theirs = api(colleague).post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="shared-key")

    assert mine.status_code == theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert theirs.json()["id"] != mine.json()["id"]
    assert theirs.json()["referent"]["id"] == colleague.pk
    assert IdempotencyRecord.objects.filter(key="shared-key").count() == 2


def test_a_refused_request_does_not_use_up_its_key(advisor):
    client = api(advisor)

    refused = client.post(URL, {"first_name": "Sami"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert refused.status_code == 400

    accepted = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert accepted.status_code == 201
    assert "Idempotent-Replayed" not in accepted


def test_a_domain_refusal_does_not_use_up_its_key_either(advisor):
    YoungPersonFactory(
        organization=advisor.memberships.get().organization,
        referent=advisor,
        first_name="Sami",
        last_name="Haddad",
        birth_date="2005-09-30",
    )
    client = api(advisor)

    first = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="dup")
    retry = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="dup")
    confirmed = client.post(
        URL, {**BODY, "confirm_duplicate": True}, format="json", HTTP_IDEMPOTENCY_KEY="dup"
    )

    assert first.status_code == retry.status_code == 409
    assert "Idempotent-Replayed" not in retry  # decided again, not replayed
    assert confirmed.status_code == 201
    assert YoungPerson.objects.filter(last_name="Haddad").count() == 2


def test_a_request_still_in_progress_is_409(advisor):
    client = api(advisor)
    client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="slow")
    # As if the first request were still running when the retry arrives.
    IdempotencyRecord.objects.filter(key="slow").update(status_code=None, response_body=None)

    response = client.post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY="slow")

    assert response.status_code == 409
    assert response.json()["detail"]


@pytest.mark.parametrize("key", ["x" * 201, "tab\there"])
def test_an_unusable_key_is_a_400(advisor, key):
    response = api(advisor).post(URL, BODY, format="json", HTTP_IDEMPOTENCY_KEY=key)

    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not YoungPerson.objects.filter(last_name="Haddad").exists()


def test_a_retried_follow_up_is_logged_once(advisor):
    young_person = YoungPersonFactory(
        organization=advisor.memberships.get().organization, referent=advisor
    )
    body = {"young_person": young_person.pk, "channel": "phone", "duration_minutes": 15}
    client = api(advisor)

    for _attempt in range(3):
        response = client.post(
            "/api/v1/follow-ups/", body, format="json", HTTP_IDEMPOTENCY_KEY="fu-1"
        )
        assert response.status_code == 201

    assert FollowUp.objects.filter(young_person=young_person).count() == 1


def test_a_retried_accept_gets_the_first_answer_not_a_conflict():
    scene = make_scene()
    referral = send_referral(scene)
    client = api(scene.fresh("handler"))
    url = f"/api/v1/referrals/{referral.pk}/accept/"

    first = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="accept-1")
    retry = client.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="accept-1")
    without_key = client.post(url, {}, format="json")

    assert first.status_code == retry.status_code == 200
    assert retry.json()["status"] == "accepted"
    assert retry["Idempotent-Replayed"] == "true"
    assert without_key.status_code == 409  # a new request: accepted already
    assert ReferralEvent.objects.filter(referral=referral, to_status="accepted").count() == 1


def test_reading_messages_with_a_key_records_nothing():
    scene = make_scene()
    referral = send_referral(scene)
    client = api(scene.fresh("referent"))
    url = f"/api/v1/referrals/{referral.pk}/messages/"

    assert client.get(url, HTTP_IDEMPOTENCY_KEY="m-1").status_code == 200
    assert not IdempotencyRecord.objects.exists()

    posted = client.post(url, {"body": "Bonjour"}, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    again = client.post(url, {"body": "Bonjour"}, format="json", HTTP_IDEMPOTENCY_KEY="m-1")
    assert posted.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert len(client.get(url).json()) == 1
