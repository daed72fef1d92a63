"""Shared set-up for the report tests (not a test module: pytest collects test_*.py)."""

import csv
import io
from dataclasses import dataclass
from io import BytesIO

from django.utils import timezone
from pypdf import PdfReader

from accounts.enums import Role
from accounts.models import Organization, User
from cases.models import YoungPerson
from tests.factories import OrganizationFactory, YoungPersonFactory, member

# A name that breaks naive markup and naive encodings alike.
TRICKY_FIRST = "Zoé <b>&\"'"
TRICKY_LAST = "Œllet-Çàéè"


@dataclass
class Org:
    organization: Organization
    other: Organization
    referent: User
    colleague: User
    supervisor: User
    other_advisor: User
    other_supervisor: User
    young_person: YoungPerson


def make_org() -> Org:
    organization = OrganizationFactory(name="Mission Locale de Lille Métropole")
    other = OrganizationFactory(name="Mission Locale Ailleurs")
    referent = member(organization, Role.ADVISOR, first_name="Camille", last_name="Durand")
    young_person = YoungPersonFactory(
        organization=organization,
        referent=referent,
        first_name=TRICKY_FIRST,
        last_name=TRICKY_LAST,
        email="zoe@example.org",
        phone="06 11 22 33 44",
    )
    return Org(
        organization=organization,
        other=other,
        referent=referent,
        colleague=member(organization, Role.ADVISOR, first_name="Léo", last_name="Petit"),
        supervisor=member(organization, Role.SUPERVISOR, first_name="Inès", last_name="Roux"),
        other_advisor=member(other, Role.ADVISOR),
        other_supervisor=member(other, Role.SUPERVISOR),
        young_person=young_person,
    )


def read_pdf(response) -> tuple[str, PdfReader]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    reader = PdfReader(BytesIO(response.content))
    return page_text(reader), reader


def page_text(reader: PdfReader, *pages: int) -> str:
    chosen = [reader.pages[i] for i in pages] if pages else reader.pages
    return " ".join(" ".join(page.extract_text() for page in chosen).split())


def read_csv(response) -> tuple[str, list[list[str]]]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "private, no-store"
    raw = b"".join(response.streaming_content).decode("utf-8")
    return raw, list(csv.reader(io.StringIO(raw.removeprefix("\ufeff")), delimiter=";"))


def now():
    return timezone.now()
