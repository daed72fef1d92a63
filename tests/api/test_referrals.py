"""/api/v1/referrals/: sending, the transitions as POST actions, and clear refusals
(409 invalid_transition, 403 for the wrong side, 404 out of reach, 400 per field)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases import services as case_services
from referrals.models import Referral
from tests.factories import ALL_YES, api_token
from tests.referrals.referral_helpers import bring_to, make_scene, send_referral

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


@pytest.fixture
def scene():
    return make_scene()


@pytest.fixture
def referral(scene):
    return send_referral(scene)


def action(scene, role: str, referral, name: str, body: dict | None = None):
    return api(scene.fresh(role)).post(f"{URL}{referral.pk}/{name}/", body or {}, format="json")


def test_send_a_referral(scene):
    response = api(scene.fresh("referent")).post(
        URL,
        {
            "young_person": scene.young_person.pk,
            "to_organization": scene.dest_org.pk,
            "reason": "connectivity",
            "message": "Forfait épuisé.",
            "shared_sections": ["diagnostic", "identity"],
            "consent_method": "written",
            "consent_given": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "sent"
    assert body["from_organization"]["id"] == scene.sender_org.pk
    assert body["to_organization"]["id"] == scene.dest_org.pk
    assert body["shared_sections"] == ["identity", "diagnostic"]
    assert body["young_person_id"] == scene.young_person.pk  # the sender holds the file
    assert body["sent_by"]["id"] == scene.referent.pk


def test_sending_refuses_bad_fields_by_name(scene):
    response = api(scene.fresh("referent")).post(
        URL,
        {
            "young_person": scene.young_person.pk,
            "to_organization": 0,
            "reason": "because",
            "shared_sections": ["everything"],
            "consent_method": "oral",
            "consent_given": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"to_organization", "reason", "shared_sections"}


def test_a_colleague_cannot_refer_a_file_they_do_not_hold(scene):
    response = api(scene.fresh("colleague")).post(
        URL,
        {
            "young_person": scene.young_person.pk,
            "to_organization": scene.dest_org.pk,
            "reason": "equipment",
            "shared_sections": [],
            "consent_method": "oral",
            "consent_given": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["young_person"]
    assert not Referral.objects.exists()


def test_no_referral_without_consent(scene):
    response = api(scene.fresh("referent")).post(
        URL,
        {
            "young_person": scene.young_person.pk,
            "to_organization": scene.dest_org.pk,
            "reason": "equipment",
            "shared_sections": ["identity"],
            "consent_method": "oral",
            "consent_given": False,
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert response.json()["detail"]
    assert not Referral.objects.exists()


def test_lists_by_direction(scene, referral):
    received = api(scene.fresh("handler")).get(URL, {"direction": "received"}).json()
    sent = api(scene.fresh("referent")).get(URL, {"direction": "sent"}).json()

    assert [r["id"] for r in received["results"]] == [referral.pk]
    assert [r["id"] for r in sent["results"]] == [referral.pk]
    # The destination sees the card, not the sender's file id.
    assert received["results"][0]["young_person_id"] is None
    assert received["results"][0]["young_person"]["last_name"] == "Martin"
    assert sent["results"][0]["young_person_id"] == scene.young_person.pk
    assert api(scene.fresh("handler")).get(URL, {"direction": "sent"}).json()["count"] == 0
    assert api(scene.fresh("outsider")).get(URL).json()["count"] == 0


def test_filter_by_status(scene, referral):
    client = api(scene.fresh("handler"))

    assert client.get(URL, {"status": "sent"}).json()["count"] == 1
    assert client.get(URL, {"status": "accepted"}).json()["count"] == 0
    assert list(client.get(URL, {"status": "lost"}).json()) == ["status"]


def test_accept_decline_complete_cancel(scene):
    first = send_referral(scene)
    accepted = action(scene, "handler", first, "accept", {"note": "Rendez-vous jeudi."})
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "accepted"
    assert accepted.json()["handler"]["id"] == scene.handler.pk

    completed = action(scene, "handler", first, "complete", {"outcome_code": "equipment_provided"})
    assert completed.status_code == 200
    assert completed.json()["status"] == "completed"
    assert completed.json()["outcome_code"] == "equipment_provided"

    second = send_referral(scene)
    declined = action(scene, "dest_supervisor", second, "decline", {"reason": "no_capacity"})
    assert declined.status_code == 200
    assert declined.json()["decline_reason"] == "no_capacity"

    third = send_referral(scene)
    cancelled = action(scene, "referent", third, "cancel", {"note": "A trouvé un emploi."})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"

    events = api(scene.fresh("referent")).get(f"{URL}{first.pk}/events/").json()
    assert [(e["from_status"], e["to_status"]) for e in events] == [
        ("", "sent"),
        ("sent", "accepted"),
        ("accepted", "completed"),
    ]
    assert events[1]["note"] == "Rendez-vous jeudi."


def test_accept_with_another_handler_of_the_destination(scene, referral):
    response = action(scene, "dest_supervisor", referral, "accept", {"handler": scene.handler.pk})

    assert response.status_code == 200
    assert response.json()["handler"]["id"] == scene.handler.pk


def test_a_handler_outside_the_destination_is_refused(scene, referral):
    response = action(scene, "handler", referral, "accept", {"handler": scene.outsider.pk})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.parametrize(
    ("status", "role", "name", "body"),
    [
        ("accepted", "handler", "accept", {}),
        ("sent", "handler", "complete", {"outcome_code": "other"}),
        ("declined", "handler", "accept", {}),
        ("completed", "referent", "cancel", {}),
        ("expired", "handler", "decline", {"reason": "other"}),
        ("cancelled", "handler", "accept", {}),
    ],
)
def test_an_invalid_transition_is_409(scene, referral, status, role, name, body):
    bring_to(scene, referral, status)

    response = action(scene, role, referral, name, body)

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == status


@pytest.mark.parametrize(
    ("role", "name", "body"),
    [
        ("referent", "accept", {}),
        ("sender_supervisor", "decline", {"reason": "other"}),
        ("handler", "cancel", {}),
        ("dest_partner", "cancel", {}),
    ],
)
def test_the_wrong_side_is_403_with_a_message(scene, referral, role, name, body):
    response = action(scene, role, referral, name, body)

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    assert response.json()["detail"]
    referral.refresh_from_db()
    assert referral.status == "sent"


@pytest.mark.parametrize("role", ["outsider", "colleague"])
def test_a_referral_out_of_reach_is_404(scene, referral, role):
    client = api(scene.fresh(role))

    assert client.get(f"{URL}{referral.pk}/").status_code == 404
    assert client.get(f"{URL}{referral.pk}/events/").status_code == 404
    assert client.get(f"{URL}{referral.pk}/messages/").status_code == 404
    assert client.post(f"{URL}{referral.pk}/accept/", {}).status_code == 404
    assert client.post(f"{URL}{referral.pk}/cancel/", {}).status_code == 404
    assert client.get(f"{URL}{referral.pk}/shared-file/").status_code == 404


@pytest.mark.parametrize(("name", "field"), [("decline", "reason"), ("complete", "outcome_code")])
def test_a_missing_reason_or_outcome_is_named(scene, referral, name, field):
    if name == "complete":
        bring_to(scene, referral, "accepted")

    response = action(scene, "handler", referral, name, {})

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_messages_between_both_sides(scene, referral):
    posted = api(scene.fresh("handler")).post(
        f"{URL}{referral.pk}/messages/", {"body": "Pouvez-vous confirmer ?"}, format="json"
    )
    assert posted.status_code == 201
    assert posted.json()["author"]["id"] == scene.handler.pk

    listed = api(scene.fresh("referent")).get(f"{URL}{referral.pk}/messages/")
    assert listed.status_code == 200
    # One referral's messages: a plain list, not a page.
    assert [m["body"] for m in listed.json()] == ["Pouvez-vous confirmer ?"]

    empty = api(scene.fresh("referent")).post(
        f"{URL}{referral.pk}/messages/", {"body": ""}, format="json"
    )
    assert empty.status_code == 400
    assert list(empty.json()) == ["body"]


def test_the_shared_file_is_for_the_grant_holders_while_accepted(scene):
    case_services.diagnostic_record(
        actor=scene.fresh("referent"),
        young_person=scene.young_person,
        answers=ALL_YES,
    )
    document = case_services.document_upload(
        actor=scene.fresh("referent"),
        young_person=scene.young_person,
        kind="cv",
        title="CV",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    referral = send_referral(scene, shared_sections=["identity", "documents"])
    url = f"{URL}{referral.pk}/shared-file/"
    document_url = f"{url}documents/{document.pk}/"

    assert api(scene.fresh("handler")).get(url).status_code == 404  # not accepted yet
    bring_to(scene, referral, "accepted")

    shared = api(scene.fresh("handler")).get(url)
    assert shared.status_code == 200
    body = shared.json()
    assert body["sections"] == ["documents", "identity"]
    assert body["identity"]["email"] == "yanis.martin@example.org"
    assert body["diagnostic"] is None  # not shared, although the file has one
    assert [d["id"] for d in body["documents"]] == [document.pk]
    download = api(scene.fresh("handler")).get(document_url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF

    # Members of the destination without the grant, and the sender: no shared file.
    for role in ("dest_advisor", "dest_partner", "referent", "outsider"):
        assert api(scene.fresh(role)).get(url).status_code == 404, role
        assert api(scene.fresh(role)).get(document_url).status_code == 404, role
    assert api(scene.fresh("handler")).get(f"{url}documents/0/").status_code == 404
    assert api(scene.fresh("handler")).get(f"{url}documents/x1/").status_code == 404

    bring_to(scene, referral, "cancelled")
    assert api(scene.fresh("handler")).get(url).status_code == 404
    assert api(scene.fresh("handler")).get(document_url).status_code == 404
