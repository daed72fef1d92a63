"""/api/v1/documents/: multipart upload, byte-exact download, invalid files refused with a
`file` message, and nothing out of reach."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import encode_multipart
from rest_framework.test import APIClient

from accounts.enums import Role
from cases.models import Document
from tests.factories import OrganizationFactory, YoungPersonFactory, api_token, member

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def upload(name: str, content: bytes, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def advisor():
    return member(OrganizationFactory(), Role.ADVISOR)


@pytest.fixture
def file(advisor):
    return YoungPersonFactory(organization=advisor.memberships.get().organization, referent=advisor)


def _post(client, file, name, content, **fields):
    return client.post(
        URL,
        {"young_person": file.pk, "kind": "cv", "file": upload(name, content), **fields},
        format="multipart",
    )


def test_upload_then_download_the_same_bytes(advisor, file):
    client = api(advisor)

    created = _post(client, file, "CV Lina.pdf", PDF, title="CV juin")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "CV juin"
    assert body["original_name"] == "CV Lina.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["uploaded_by"]["id"] == advisor.pk
    assert "file" not in body  # never a storage path or a public URL
    assert body["download_url"] == f"/api/v1/documents/{body['id']}/download/"

    download = client.get(body["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert (
        "CV%20Lina.pdf" in download["Content-Disposition"]
        or "CV Lina.pdf" in (download["Content-Disposition"])
    )
    assert download["Cache-Control"] == "private, no-store"


def test_a_png_keeps_its_type(advisor, file):
    client = api(advisor)
    created = _post(client, file, "scan.png", PNG, kind="id")

    assert created.status_code == 201
    download = client.get(created.json()["download_url"])
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == PNG


def test_the_title_defaults_to_the_file_name(advisor, file):
    created = _post(api(advisor), file, "lettre.pdf", PDF)

    assert created.json()["title"] == "lettre.pdf"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("cv.pdf", b"MZ\x90\x00 this is no PDF"),  # the extension lies
        ("cv.docx", PDF),
        ("empty.pdf", b""),
    ],
)
def test_an_invalid_file_is_a_400_with_a_file_message(advisor, file, name, content):
    response = _post(api(advisor), file, name, content)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["file"]
    assert errors["file"][0]
    assert not Document.objects.exists()


def test_missing_fields_are_named(advisor, file):
    response = api(advisor).post(URL, {"young_person": file.pk}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) == {"kind", "file"}


def test_a_file_out_of_reach_cannot_receive_a_document(advisor):
    elsewhere = YoungPersonFactory()

    response = _post(api(advisor), elsewhere, "cv.pdf", PDF)

    assert response.status_code == 400
    assert list(response.json()) == ["young_person"]
    assert not Document.objects.exists()


def test_documents_out_of_reach_are_404(advisor, file):
    owner_client = api(advisor)
    document_id = _post(owner_client, file, "cv.pdf", PDF).json()["id"]
    same_org_colleague = member(advisor.memberships.get().organization, Role.ADVISOR)
    outsider = member(OrganizationFactory(), Role.SUPERVISOR)

    for user in (same_org_colleague, outsider):
        client = api(user)
        assert client.get(f"{URL}{document_id}/").status_code == 404
        assert client.get(f"{URL}{document_id}/download/").status_code == 404
        assert client.get(URL).json()["count"] == 0


def test_the_list_filters_by_young_person_and_kind(advisor, file):
    client = api(advisor)
    other = YoungPersonFactory(organization=file.organization, referent=advisor)
    cv = _post(client, file, "cv.pdf", PDF).json()["id"]
    letter = _post(client, file, "lettre.pdf", PDF, kind="cover_letter").json()["id"]
    _post(client, other, "cv.pdf", PDF)

    by_person = client.get(URL, {"young_person": file.pk}).json()["results"]
    assert {d["id"] for d in by_person} == {cv, letter}
    by_kind = client.get(URL, {"young_person": file.pk, "kind": "cover_letter"}).json()
    assert [d["id"] for d in by_kind["results"]] == [letter]


def test_an_idempotent_upload_stores_one_document(advisor, file):
    client = api(advisor)
    for _attempt in range(2):
        response = client.post(
            URL,
            {"young_person": file.pk, "kind": "cv", "file": upload("cv.pdf", PDF)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-1",
        )
        assert response.status_code == 201

    assert Document.objects.count() == 1


def _multipart(client, boundary: str, content: bytes, key: str):
    body = encode_multipart(
        boundary, {"young_person": client.file_id, "kind": "cv", "file": upload("cv.pdf", content)}
    )
    return client.post(
        URL,
        body,
        content_type=f"multipart/form-data; boundary={boundary}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_rebuilt_upload_with_a_new_boundary_is_still_the_same_request(advisor, file):
    client = api(advisor)
    client.file_id = file.pk

    first = _multipart(client, "boundary-of-the-first-try", PDF, "upload-2")
    retry = _multipart(client, "another-boundary-on-retry", PDF, "upload-2")
    other_file = _multipart(client, "a-third-boundary", PDF + b"changed", "upload-2")

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert other_file.status_code == 422
    assert Document.objects.count() == 1
