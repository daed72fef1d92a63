"""A partner system's whole job, through nothing but HTTP and a token.

The organisations, accounts, young person and referral are set up with the ORM and the
services; from then on the test is a client of a real server (`live_server`) speaking
plain HTTP with urllib, exactly as a partner's system would: no test client, no ORM."""

import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.enums import Role
from cases import services as case_services
from referrals import services as referral_services
from tests.factories import (
    ALL_NO,
    DEFAULT_PASSWORD,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    ensure_default_catalogue,
    member,
)


class Http:
    """A tiny JSON client over urllib; answers are (status, headers, parsed body)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token: str | None = None

    def __call__(self, method: str, path: str, body: dict | None = None):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        request = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.headers, _json(answer.read())
        except urllib.error.HTTPError as error:
            with error:
                return error.code, error.headers, _json(error.read())


def _json(raw: bytes):
    return json.loads(raw) if raw else None


@pytest.fixture
def referral_to_partner(transactional_db):
    """A mission locale refers a young person to a partner agency, sharing the identity
    and the digital diagnostic only (not the steps, follow-ups, applications, documents)."""
    ensure_default_catalogue()  # an earlier transactional test may have flushed it
    mission_locale = OrganizationFactory(name="Mission Locale de Lens")
    partner_org = OrganizationFactory(partner=True, name="Formations du Bassin Minier")
    referent = member(mission_locale, Role.ADVISOR)
    partner = member(partner_org, Role.PARTNER, username="partner.api")
    young_person = YoungPersonFactory(
        organization=mission_locale,
        referent=referent,
        first_name="Inès",
        last_name="Belkacem",
        email="ines.belkacem@example.org",
        phone="06 11 22 33 44",
    )
    case_services.diagnostic_record(actor=referent, young_person=young_person, answers=ALL_NO)
    StepFactory(young_person=young_person, due_date=timezone.localdate() + timedelta(days=7))
    case_services.follow_up_create(
        actor=referent,
        young_person=young_person,
        occurred_at=timezone.now(),
        channel="phone",
        duration_minutes=20,
        notes="Confidential: family situation.",
    )
    referral = referral_services.referral_send(
        actor=referent,
        young_person=young_person,
        to_organization=partner_org,
        reason="training",
        message="Cherche une formation logistique.",
        shared_sections=["identity", "diagnostic"],
        consent_method="oral",
        consent_given=True,
    )
    return {"referral_id": referral.pk, "partner": partner, "young_person": young_person}


# The database first: a live server started before the test database exists would open
# its own SQLite connections instead of sharing the in-memory one.
def test_partner_system_handles_a_referral_with_only_the_api(
    transactional_db, referral_to_partner, live_server
):
    http = Http(live_server.url)

    # Log in: username and password for a token.
    code, _headers, body = http(
        "POST",
        "/api/v1/auth/token/",
        {"username": "partner.api", "password": DEFAULT_PASSWORD},
    )
    assert code == 200, body
    http.token = body["token"]

    code, _headers, me = http("GET", "/api/v1/me/")
    assert code == 200
    assert me["username"] == "partner.api"
    assert [m["role"] for m in me["memberships"]] == ["partner"]

    # The referrals waiting for an answer.
    code, _headers, page = http("GET", "/api/v1/referrals/?direction=received&status=sent")
    assert code == 200
    assert page["count"] == 1
    (received,) = page["results"]
    referral_id = received["id"]
    assert referral_id == referral_to_partner["referral_id"]
    assert received["status"] == "sent"
    assert received["young_person"] == {
        "first_name": "Inès",
        "last_name": "Belkacem",
        "birth_year": referral_to_partner["young_person"].birth_date.year,
    }
    # The partner does not hold the sender's file: no id to reach it by.
    assert received["young_person_id"] is None
    assert received["shared_sections"] == ["identity", "diagnostic"]

    # Before accepting, the shared sections are out of reach.
    code, _headers, _body = http("GET", f"/api/v1/referrals/{referral_id}/shared-file/")
    assert code == 404

    # Accept.
    code, _headers, accepted = http(
        "POST", f"/api/v1/referrals/{referral_id}/accept/", {"note": "Entretien lundi."}
    )
    assert code == 200, accepted
    assert accepted["status"] == "accepted"
    assert accepted["handler"]["username"] == "partner.api"

    # Read what the consent shares, and nothing else.
    code, _headers, shared = http("GET", f"/api/v1/referrals/{referral_id}/shared-file/")
    assert code == 200, shared
    assert shared["referral"] == referral_id
    assert shared["sections"] == ["diagnostic", "identity"]
    assert shared["identity"]["first_name"] == "Inès"
    assert shared["identity"]["email"] == "ines.belkacem@example.org"
    assert shared["identity"]["phone"] == "06 11 22 33 44"
    assert shared["diagnostic"]["autonomy_level"] == 1
    assert shared["diagnostic"]["has_smartphone"] is False
    for section in ("steps", "follow_ups", "applications", "documents"):
        assert shared[section] is None, section
    assert "Confidential" not in json.dumps(shared)

    # The young person's file itself stays out of reach.
    young_person_id = referral_to_partner["young_person"].pk
    code, _headers, _body = http("GET", f"/api/v1/young-people/{young_person_id}/")
    assert code == 404

    # Complete with an outcome.
    code, _headers, completed = http(
        "POST",
        f"/api/v1/referrals/{referral_id}/complete/",
        {"outcome_code": "training_completed", "outcome_note": "Formation suivie."},
    )
    assert code == 200, completed
    assert completed["status"] == "completed"
    assert completed["outcome_code"] == "training_completed"
    assert completed["closed_at"] is not None

    # Access to the shared sections ended with the referral; its record stays visible.
    code, _headers, _body = http("GET", f"/api/v1/referrals/{referral_id}/shared-file/")
    assert code == 404
    code, _headers, record = http("GET", f"/api/v1/referrals/{referral_id}/")
    assert code == 200
    assert record["status"] == "completed"
    code, _headers, events = http("GET", f"/api/v1/referrals/{referral_id}/events/")
    assert code == 200
    assert [e["to_status"] for e in events] == ["sent", "accepted", "completed"]

    # Revoke the token: it stops working at once.
    code, _headers, _body = http("DELETE", "/api/v1/auth/token/")
    assert code == 204
    code, headers, body = http("GET", "/api/v1/referrals/")
    assert code == 401
    assert headers["WWW-Authenticate"] == "Token"
