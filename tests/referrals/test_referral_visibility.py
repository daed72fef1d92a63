"""Who sees what around a referral, at every status and for every role (DESIGN.md, "Who sees
what"): the referral record is visible to both sides at every status; the shared file only
while accepted and only to grant holders; the destination never gets the full file."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services as account_services
from accounts.enums import Role
from cases import services as case_services
from cases.enums import AccessAction
from cases.models import AccessLog
from referrals import services
from referrals.enums import OutcomeCode, ReferralStatus
from tests.factories import FollowUpFactory, UserFactory
from tests.referrals.referral_helpers import (
    DESTINATION_SIDE,
    GRANT_HOLDERS,
    PHONE,
    ROLES,
    SENDER_SIDE,
    bring_to,
    grant_user_ids,
    make_scene,
    send_referral,
)

pytestmark = pytest.mark.django_db

S = ReferralStatus
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NOTES = "Travaille son CV avec la conseillère, motivé."


def _get(client, scene, role: str, url: str):
    client.logout()
    if role != "anonymous":
        client.force_login(scene.users[role])
    response = client.get(url)
    if response.streaming:
        # Reading a FileResponse to the end closes it the way the test client expects.
        # (Calling close() a second time would fire request_finished and close the
        # database connection: invisible on in-memory SQLite, fatal on PostgreSQL.)
        b"".join(response.streaming_content)
    return response


def _status(response) -> int | str:
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("accounts:login"))
        return "login"
    return response.status_code


@pytest.mark.parametrize("status", S.values)
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_what_at_every_status(client, status, role):
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene), status)

    record = _status(_get(client, scene, role, reverse("referrals:detail", args=[referral.pk])))
    sheet = _status(_get(client, scene, role, reverse("referrals:sheet", args=[referral.pk])))
    shared = _status(
        _get(client, scene, role, reverse("referrals:shared_file", args=[referral.pk]))
    )
    full_file = _get(client, scene, role, reverse("cases:detail", args=[scene.young_person.pk]))

    if role == "anonymous":
        assert (record, sheet, shared, _status(full_file)) == ("login",) * 4
        return
    # The referral record: both sides, whatever the status; nobody else.
    expected_record = 200 if role in SENDER_SIDE | DESTINATION_SIDE else 404
    assert record == expected_record, (role, status)
    assert sheet == expected_record, (role, status)
    # The shared file: only while accepted, only for grant holders.
    expected_shared = 200 if status == S.ACCEPTED and role in GRANT_HOLDERS else 404
    assert shared == expected_shared, (role, status)
    # The young person's full file never crosses to the destination.
    if role in DESTINATION_SIDE or role == "outsider":
        assert full_file.status_code == 404, (role, status)
    elif role == "colleague":
        assert full_file.status_code == 200
        assert "cases/directory_card.html" in [t.name for t in full_file.templates]
    else:
        assert full_file.status_code == 200
        assert "cases/young_person_detail.html" in [t.name for t in full_file.templates]


@pytest.mark.parametrize("closing", [S.COMPLETED, S.CANCELLED])
def test_shared_file_access_ends_at_once_when_the_referral_closes(client, closing):
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene), S.ACCEPTED)
    url = reverse("referrals:shared_file", args=[referral.pk])
    assert _get(client, scene, "handler", url).status_code == 200
    assert _get(client, scene, "dest_supervisor", url).status_code == 200
    assert grant_user_ids(referral) == {scene.handler.pk, scene.dest_supervisor.pk}

    if closing == S.COMPLETED:
        services.referral_complete(
            actor=scene.fresh("handler"), referral=referral, outcome_code=OutcomeCode.OTHER
        )
    else:
        services.referral_cancel(actor=scene.fresh("referent"), referral=referral)

    assert grant_user_ids(referral) == set()
    assert _get(client, scene, "handler", url).status_code == 404
    assert _get(client, scene, "dest_supervisor", url).status_code == 404
    # The record itself stays visible to both sides.
    detail = reverse("referrals:detail", args=[referral.pk])
    assert _get(client, scene, "handler", detail).status_code == 200
    assert _get(client, scene, "referent", detail).status_code == 200


def test_destination_member_who_leaves_loses_the_shared_file(client):
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene), S.ACCEPTED)
    url = reverse("referrals:shared_file", args=[referral.pk])
    assert _get(client, scene, "handler", url).status_code == 200
    scene.handler.memberships.update(is_active=False)
    assert _get(client, scene, "handler", url).status_code == 404
    assert (
        _get(client, scene, "handler", reverse("referrals:detail", args=[referral.pk])).status_code
        == 404
    )


def test_a_supervisor_who_joins_after_acceptance_gets_the_grant(client):
    """Grants follow roles (issue 9): a supervisor appointed while the referral is accepted
    is given the grant in the same transaction (tests/referrals/
    test_referral_grants_follow_roles.py has the other ways in and out)."""
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene), S.ACCEPTED)
    newcomer = UserFactory()
    account_services.membership_grant(
        user=newcomer, organization=scene.dest_org, role=Role.SUPERVISOR
    )
    client.force_login(newcomer)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert client.get(reverse("referrals:shared_file", args=[referral.pk])).status_code == 200


def test_unknown_or_malformed_referral_is_404(client):
    scene = make_scene()
    client.force_login(scene.users["referent"])
    assert client.get("/referrals/999999/").status_code == 404
    assert client.get("/referrals/999999/file/").status_code == 404


# --- what the shared file shows --------------------------------------------------------


def _shared_page(client, sections: list[str]):
    scene = make_scene()
    FollowUpFactory(young_person=scene.young_person, notes=NOTES)
    referral = bring_to(scene, send_referral(scene, shared_sections=sections), S.ACCEPTED)
    client.force_login(scene.users["handler"])
    response = client.get(reverse("referrals:shared_file", args=[referral.pk]))
    assert response.status_code == 200
    return scene, referral, response.content.decode()


def test_shared_file_with_identity_only(client):
    scene, _referral, html = _shared_page(client, ["identity"])
    assert scene.young_person.email in html
    assert PHONE in html
    assert "Martin".upper() in html
    assert NOTES not in html
    # Viewing the shared sections is written to the young person's access log.
    assert AccessLog.objects.filter(
        young_person=scene.young_person, user=scene.handler, action=AccessAction.VIEW_SHARED
    ).exists()


def test_shared_file_with_follow_ups_only(client):
    scene, _referral, html = _shared_page(client, ["follow_ups"])
    assert NOTES in html
    assert PHONE not in html
    assert scene.young_person.email not in html


# --- shared documents ---------------------------------------------------------------------


def _with_document(scene):
    return case_services.document_upload(
        actor=scene.users["referent"],
        young_person=scene.young_person,
        kind="cv",
        title="CV de Yanis",
        upload=SimpleUploadedFile("cv.pdf", PDF_BYTES, content_type="application/pdf"),
    )


def test_shared_document_download_when_documents_are_shared(client):
    scene = make_scene()
    document = _with_document(scene)
    referral = bring_to(
        scene, send_referral(scene, shared_sections=["identity", "documents"]), S.ACCEPTED
    )
    url = reverse("referrals:shared_document", args=[referral.pk, document.pk])
    client.force_login(scene.users["handler"])
    page = client.get(reverse("referrals:shared_file", args=[referral.pk]))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Cache-Control"] == "private, no-store"
    assert AccessLog.objects.filter(
        user=scene.handler, action=AccessAction.DOWNLOAD_DOCUMENT
    ).exists()
    # Not for destination members without the grant, nor for the sender through this URL.
    for role in ("dest_advisor", "dest_partner", "referent", "outsider"):
        assert _get(client, scene, role, url).status_code == 404, role


def test_shared_document_is_404_when_documents_are_not_shared(client):
    scene = make_scene()
    document = _with_document(scene)
    referral = bring_to(scene, send_referral(scene, shared_sections=["identity"]), S.ACCEPTED)
    client.force_login(scene.users["handler"])
    page = client.get(reverse("referrals:shared_file", args=[referral.pk]))
    assert "CV de Yanis" not in page.content.decode()
    url = reverse("referrals:shared_document", args=[referral.pk, document.pk])
    response = client.get(url)
    assert response.status_code == 404


def test_shared_document_of_another_young_person_is_404(client):
    scene = make_scene()
    other = make_scene()
    foreign_document = _with_document(other)
    referral = bring_to(scene, send_referral(scene, shared_sections=["documents"]), S.ACCEPTED)
    client.force_login(scene.users["handler"])
    response = client.get(
        reverse("referrals:shared_document", args=[referral.pk, foreign_document.pk])
    )
    assert response.status_code == 404


def test_shared_document_is_404_once_completed(client):
    scene = make_scene()
    document = _with_document(scene)
    referral = bring_to(scene, send_referral(scene, shared_sections=["documents"]), S.COMPLETED)
    url = reverse("referrals:shared_document", args=[referral.pk, document.pk])
    assert _get(client, scene, "handler", url).status_code == 404
