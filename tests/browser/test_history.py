"""The file's history of changes in a real Chromium: reached from the file, readable, and
accessible (axe-core) on a desktop and on a 360 px phone."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.enums import OrganizationKind, Role
from accounts.models import User
from accounts.services import membership_grant, organization_create
from cases import services
from history.context import recording
from history.enums import Channel
from tests.factories import ALL_NO, ensure_default_catalogue

PASSWORD = "correct-horse-battery"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 360, "height": 740}], indirect=True
)
def test_history_of_a_file(page, live_server, login, assert_accessible, transactional_db):
    ensure_default_catalogue()
    organization = organization_create(
        name="Mission Locale Nord", kind=OrganizationKind.MISSION_LOCALE
    )
    advisor = User.objects.create_user(
        username="camille", password=PASSWORD, first_name="Camille", last_name="Roux"
    )
    membership_grant(user=advisor, organization=organization, role=Role.ADVISOR)
    advisor = User.objects.get(pk=advisor.pk)
    with recording(channel=Channel.WEB, actor=advisor):
        young_person = services.young_person_create(
            actor=advisor,
            organization=organization,
            first_name="Léa",
            last_name="Martin",
            birth_date=timezone.localdate() - timedelta(days=19 * 365),
            city="Lille",
        )
        services.young_person_update(
            actor=advisor, young_person=young_person, version=young_person.version, city="Douai"
        )
        services.diagnostic_record(actor=advisor, young_person=young_person, answers=ALL_NO)
        document = services.document_upload(
            actor=advisor,
            young_person=young_person,
            kind="cv",
            title="CV de Léa",
            upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
        )
        services.document_delete(actor=advisor, document=document)

    login(page, live_server, "camille", PASSWORD)
    response = page.goto(f"{live_server.url}/young-people/{young_person.pk}/")
    assert response is not None and response.status == 200
    with page.expect_navigation():
        page.click(f"a[href='/young-people/{young_person.pk}/history/']")
    assert page.url.endswith(f"/young-people/{young_person.pk}/history/")
    assert_accessible(page)
    main = page.locator("main").inner_text()
    assert "Historique des modifications" in main
    assert "Suppression — Document : CV de Léa" in main
    assert "Lille" in main and "Douai" in main
    assert page.locator("ol.history > li").count() == 5
