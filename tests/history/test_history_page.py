"""The file's "Historique des modifications" page: same access as the file's content,
readable French (field names, choices by their label, people by their name), paginated."""

import html
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from cases import services
from cases.enums import AccessAction
from cases.models import AccessLog, Document
from history.context import recording
from history.enums import Channel
from tests.factories import ALL_NO, OrganizationFactory, member

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page_of(client, yp, query: str = "") -> str:
    response = client.get(reverse("cases:history", args=[yp.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_file_links_to_its_history(client, advisor, yp):
    client.force_login(advisor)
    detail = client.get(reverse("cases:detail", args=[yp.pk])).content.decode()
    assert f'href="{reverse("cases:history", args=[yp.pk])}"' in detail
    assert "Historique des modifications" in detail


def test_changes_read_in_french_with_names_and_labels(client, org, advisor, supervisor, yp):
    colleague = member(org, Role.ADVISOR, first_name="Noé", last_name="Blanc")
    with recording(channel=Channel.WEB, actor=advisor):
        services.young_person_update(
            actor=advisor, young_person=yp, version=yp.version, city="Douai", status="paused"
        )
        services.diagnostic_record(actor=advisor, young_person=yp, answers=ALL_NO)
    with recording(channel=Channel.API, actor=supervisor):
        services.young_people_reassign(
            actor=supervisor,
            young_people=[type(yp).objects.select_related("referent").get(pk=yp.pk)],
            new_referent=colleague,
        )
    client.force_login(supervisor)
    shown = text(page_of(client, yp))
    assert "Historique des modifications du dossier de Lina Bernard" in shown
    # Field names and choices in French, values before and after.
    assert "Commune Lille Douai" in shown
    assert "Statut Actif En pause" in shown
    # People by their name, never by an id.
    assert "Conseiller référent Camille Roux Noé Blanc" in shown
    assert f"Conseiller référent {yp.referent_id}" not in shown
    assert "Par Sam Petit, canal : API" in shown
    assert "Par Camille Roux, canal : Web" in shown
    assert "Aucun utilisateur, canal : Système" in shown  # the file, made by a factory
    # A creation lists its values; booleans read yes or no.
    assert "Création — Diagnostic numérique" in shown
    assert "A une adresse e-mail Non" in shown
    assert "Modification — Jeune : Lina Bernard" in shown


def test_a_deleted_document_shows_its_metadata_and_who_deleted_it(client, advisor, supervisor, yp):
    with recording(channel=Channel.WEB, actor=advisor):
        document = services.document_upload(
            actor=advisor,
            young_person=yp,
            kind="cv",
            title="CV de Lina",
            upload=SimpleUploadedFile("cv-lina.pdf", PDF, content_type="application/pdf"),
        )
    with recording(channel=Channel.WEB, actor=supervisor):
        services.document_delete(actor=supervisor, document=document)
    assert not Document.objects.exists()
    client.force_login(advisor)
    shown = text(page_of(client, yp))
    deletion = shown[shown.index("Suppression — Document : CV de Lina") :]
    assert deletion.startswith("Suppression — Document : CV de Lina Par Sam Petit")
    assert "Valeur à la suppression" in deletion
    assert "Titre CV de Lina" in deletion
    assert "Nom du fichier d'origine cv-lina.pdf" in deletion
    assert "Type CV" in deletion
    assert "octets" in deletion  # the size, readable


def test_viewing_the_history_is_in_the_access_log(client, advisor, yp):
    client.force_login(advisor)
    page_of(client, yp)
    entry = AccessLog.objects.filter(young_person=yp).latest("pk")
    assert (entry.user, entry.action) == (advisor, AccessAction.VIEW_FILE)
    assert entry.detail == "Historique des modifications"


def test_history_is_paginated_newest_first(client, advisor, yp):
    with recording(channel=Channel.WEB, actor=advisor):
        for i in range(30):
            services.follow_up_create(
                actor=advisor,
                young_person=yp,
                occurred_at=timezone.now() - timedelta(days=i),
                channel="phone",
                duration_minutes=i + 1,
                notes=f"Note {i}",
            )
    client.force_login(advisor)
    first = page_of(client, yp)
    assert first.count('class="when"') == 25
    assert ">Note 29<" in first and ">Note 5<" in first and ">Note 4<" not in first
    assert "Page 1 sur 2" in text(first)
    second = page_of(client, yp, "?page=2")
    assert second.count('class="when"') == 6  # 5 follow-ups and the file's creation
    assert "Création — Jeune : Lina Bernard" in text(second)
    assert page_of(client, yp, "?page=abc").count('class="when"') == 25


def test_out_of_reach_is_404(client, org, yp):
    colleague = member(org, Role.ADVISOR)
    other_supervisor = member(OrganizationFactory(), Role.SUPERVISOR)
    for user in (colleague, other_supervisor):
        client.force_login(user)
        assert client.get(reverse("cases:history", args=[yp.pk])).status_code == 404
    assert not AccessLog.objects.filter(young_person=yp, user=other_supervisor).exists()
