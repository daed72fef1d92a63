"""The read log around referrals (README, "Read log"): the referral record (reason,
message, notes, outcome) and the shared sections are reads of the file the referral was
made from, on the web, in the sheet PDF, in the API and in the exports; the inboxes (names
and statuses) are not logged."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services as case_services
from cases.enums import AccessAction, AccessChannel
from cases.models import AccessLog
from referrals.enums import ReferralStatus
from tests.factories import ALL_NO, YoungPersonFactory, api_token
from tests.referrals.referral_helpers import bring_to, make_scene, send_referral

pytestmark = pytest.mark.django_db

A, W, E = AccessChannel.API, AccessChannel.WEB, AccessChannel.EXPORT
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def entries() -> list[tuple[int, int, str, str]]:
    return [
        (e.young_person_id, e.user_id, e.action, e.channel)
        for e in AccessLog.objects.order_by("pk")
    ]


def _read(response) -> None:
    assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


@pytest.fixture
def scene():
    return make_scene()


@pytest.fixture
def accepted(scene):
    referral = bring_to(
        scene, send_referral(scene, shared_sections=["identity", "documents"]), "accepted"
    )
    AccessLog.objects.all().delete()
    return referral


@pytest.mark.parametrize("role", ["referent", "handler", "dest_partner"])
def test_the_referral_page_is_a_read_of_the_file_for_either_side(client, scene, accepted, role):
    client.force_login(scene.users[role])
    _read(client.get(reverse("referrals:detail", args=[accepted.pk])))
    user = scene.users[role]
    assert entries() == [(scene.young_person.pk, user.pk, AccessAction.VIEW_REFERRAL, W)]
    assert AccessLog.objects.get().detail == accepted.reference


def test_a_refused_action_shows_the_page_again_and_logs_it(client, scene):
    referral = send_referral(scene)
    AccessLog.objects.all().delete()
    client.force_login(scene.users["handler"])
    response = client.post(reverse("referrals:decline", args=[referral.pk]), {})
    assert response.status_code == 400
    assert entries() == [(scene.young_person.pk, scene.handler.pk, AccessAction.VIEW_REFERRAL, W)]


def test_the_sheet_logs_the_record_or_the_shared_sections_once(client, scene, accepted):
    client.force_login(scene.users["dest_partner"])  # no grant: the record only
    _read(client.get(reverse("referrals:sheet", args=[accepted.pk])))
    client.force_login(scene.users["handler"])  # the grant: the shared sections too
    _read(client.get(reverse("referrals:sheet", args=[accepted.pk])))
    assert entries() == [
        (scene.young_person.pk, scene.dest_partner.pk, AccessAction.VIEW_REFERRAL, E),
        (scene.young_person.pk, scene.handler.pk, AccessAction.VIEW_SHARED, E),
    ]


def test_the_shared_file_and_its_documents_web_and_api(client, scene, accepted):
    document = case_services.document_upload(
        actor=scene.fresh("referent"),
        young_person=scene.young_person,
        kind="cv",
        title="CV",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    AccessLog.objects.all().delete()
    handler = scene.fresh("handler")
    client.force_login(handler)
    _read(client.get(reverse("referrals:shared_file", args=[accepted.pk])))
    _read(client.get(reverse("referrals:shared_document", args=[accepted.pk, document.pk])))
    _read(api(handler).get(reverse("api:referral-shared-file", args=[accepted.pk])))
    _read(
        api(handler).get(reverse("api:referral-shared-document", args=[accepted.pk, document.pk]))
    )
    yp = scene.young_person.pk
    assert entries() == [
        (yp, handler.pk, AccessAction.VIEW_SHARED, W),
        (yp, handler.pk, AccessAction.DOWNLOAD_DOCUMENT, W),
        (yp, handler.pk, AccessAction.VIEW_SHARED, A),
        (yp, handler.pk, AccessAction.DOWNLOAD_DOCUMENT, A),
    ]


@pytest.mark.parametrize("endpoint", ["detail", "events", "messages"])
def test_each_api_read_of_a_referral_logs_its_file(scene, accepted, endpoint):
    _read(api(scene.fresh("handler")).get(reverse(f"api:referral-{endpoint}", args=[accepted.pk])))
    assert entries() == [(scene.young_person.pk, scene.handler.pk, AccessAction.VIEW_REFERRAL, A)]


def test_the_api_list_of_referrals_logs_the_file_of_each_referral_once(scene, accepted):
    second_file = YoungPersonFactory(organization=scene.sender_org, referent=scene.referent)
    send_referral(scene, young_person=second_file)
    send_referral(scene, young_person=second_file, to_organization=scene.other_org)
    unrelated = make_scene()
    send_referral(unrelated)
    AccessLog.objects.all().delete()
    response = api(scene.fresh("referent")).get(reverse("api:referral-list"))
    assert response.json()["count"] == 3
    assert sorted(entries()) == sorted(
        (yp.pk, scene.referent.pk, AccessAction.VIEW_REFERRAL, A)
        for yp in (scene.young_person, second_file)
    )


def test_an_api_transition_answers_the_referral_and_logs_it(scene):
    referral = send_referral(scene)
    AccessLog.objects.all().delete()
    response = api(scene.fresh("handler")).post(
        reverse("api:referral-accept", args=[referral.pk]), {}, format="json"
    )
    assert response.status_code == 200
    assert entries() == [(scene.young_person.pk, scene.handler.pk, AccessAction.VIEW_REFERRAL, A)]


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("reports:export_referrals_sent", "referent"),
        ("reports:export_referrals_received", "handler"),
    ],
)
def test_referral_exports_log_the_files_of_their_rows(client, scene, accepted, url_name, role):
    unrelated = make_scene()
    send_referral(unrelated)
    AccessLog.objects.all().delete()
    client.force_login(scene.users[role])
    _read(client.get(reverse(url_name)))
    assert entries() == [(scene.young_person.pk, scene.users[role].pk, AccessAction.EXPORTED, E)]


@pytest.mark.parametrize("url_name", ["referrals:sent", "referrals:received"])
def test_the_inboxes_are_not_logged(client, scene, accepted, url_name):
    role = "referent" if url_name == "referrals:sent" else "handler"
    client.force_login(scene.users[role])
    _read(client.get(reverse(url_name)))
    assert entries() == []


def test_the_referral_form_logs_only_when_it_repeats_the_diagnostic(client, scene):
    case_services.diagnostic_record(
        actor=scene.fresh("referent"), young_person=scene.young_person, answers=ALL_NO
    )
    AccessLog.objects.all().delete()
    client.force_login(scene.users["referent"])
    url = reverse("referrals:create", args=[scene.young_person.pk])
    _read(client.get(url))
    assert entries() == []  # an empty form: the name only
    _read(client.get(url + "?from=diagnostic"))
    assert entries() == [(scene.young_person.pk, scene.referent.pk, AccessAction.VIEW_RECORDS, W)]


def test_a_referral_out_of_reach_logs_nothing(client, scene, accepted):
    client.force_login(scene.users["outsider"])
    assert client.get(reverse("referrals:detail", args=[accepted.pk])).status_code == 404
    response = api(scene.fresh("outsider")).get(reverse("api:referral-detail", args=[accepted.pk]))
    assert response.status_code == 404
    assert entries() == []
    assert accepted.status == ReferralStatus.ACCEPTED
