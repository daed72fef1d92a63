"""The referral sheet PDF, read back with pypdf: what it says, its metadata, the shared
sections only for the handler of an accepted referral, and escaping of user strings."""

from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from cases.enums import AccessAction
from cases.models import AccessLog
from referrals.enums import OutcomeCode, ReferralReason, ReferralStatus
from tests.referrals.referral_helpers import PHONE, bring_to, make_scene, send_referral

pytestmark = pytest.mark.django_db

S = ReferralStatus


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def _sheet(client, scene, role: str, referral) -> tuple[str, PdfReader]:
    client.force_login(scene.users[role])
    response = client.get(reverse("referrals:sheet", args=[referral.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert f"orientation-{referral.pk}.pdf" in response["Content-Disposition"]
    reader = PdfReader(BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return text, reader


def test_sheet_content_and_metadata(client):
    scene = make_scene()
    referral = send_referral(scene, shared_sections=["identity"])
    text, reader = _sheet(client, scene, "referent", referral)

    assert "Yanis Martin" in text
    assert scene.dest_org.name in text
    assert scene.sender_org.name in text
    label = str(ReferralReason.EQUIPMENT.label)
    assert label == "Équipement (téléphone, ordinateur)"  # the French catalogue is used
    assert label in text
    assert str(S.SENT.label) in text
    reference = f"R-{referral.pk:06d}"
    assert reference in reader.metadata.title
    assert reader.metadata.author == scene.sender_org.name
    # Identity is shared, but not before acceptance.
    assert PHONE not in text
    assert scene.young_person.email not in text


def test_sheet_before_acceptance_has_no_shared_section_even_for_the_destination(client):
    scene = make_scene()
    referral = send_referral(scene, shared_sections=["identity"])
    for role in ("handler", "dest_supervisor"):
        text, _ = _sheet(client, scene, role, referral)
        assert "Yanis Martin" in text
        assert PHONE not in text, role
    assert not AccessLog.objects.filter(action=AccessAction.VIEW_SHARED).exists()


def test_sheet_after_acceptance_shows_shared_sections_to_the_handler(client):
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene, shared_sections=["identity"]), S.ACCEPTED)

    text, _ = _sheet(client, scene, "handler", referral)
    assert PHONE in text
    assert scene.young_person.email in text
    assert scene.handler.display_name in text
    assert AccessLog.objects.filter(
        user=scene.handler,
        young_person=scene.young_person,
        action=AccessAction.VIEW_SHARED,
    ).exists()

    # A destination advisor without the grant, and the sender, get the sheet without them.
    for role in ("dest_advisor", "referent"):
        text, _ = _sheet(client, scene, role, referral)
        assert PHONE not in text, role


def test_sheet_after_acceptance_without_identity_shared_has_no_phone(client):
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene, shared_sections=["diagnostic"]), S.ACCEPTED)
    text, _ = _sheet(client, scene, "handler", referral)
    assert PHONE not in text


def test_sheet_after_completion_shows_the_outcome_and_no_shared_section(client):
    scene = make_scene()
    referral = bring_to(scene, send_referral(scene, shared_sections=["identity"]), S.COMPLETED)
    text, _ = _sheet(client, scene, "handler", referral)
    assert str(OutcomeCode.EQUIPMENT_PROVIDED.label) in text
    assert "Smartphone reconditionné remis." in text
    assert PHONE not in text


def test_sheet_escapes_markup_in_user_strings(client):
    scene = make_scene(young_person_fields={"first_name": '<b>&"', "last_name": "O'Neil</para>"})
    referral = bring_to(
        scene,
        send_referral(scene, shared_sections=["identity"], message="<font size=40>&amp; <br/>"),
        S.ACCEPTED,
    )
    text, _ = _sheet(client, scene, "handler", referral)
    assert '<b>&"' in text
    assert "O'Neil</para>" in text
    assert "<font size=40>&amp; <br/>" in text
    assert PHONE in text
