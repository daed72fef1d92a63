"""The records of a file through the API (diagnostics, steps, follow-ups, applications),
including what fuzzing the schema turned up: odd ids, far-away dates, optional fields."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services
from cases.models import FollowUp, Step, StepType
from tests.factories import (
    ALL_NO,
    ALL_YES,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    api_token,
    member,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


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


@pytest.fixture
def file(org, advisor):
    return YoungPersonFactory(organization=org, referent=advisor)


# --- follow-ups -----------------------------------------------------------------------------


def _follow_up(file, **fields) -> dict:
    return {"young_person": file.pk, "channel": "phone", "duration_minutes": 20, **fields}


def test_log_a_follow_up(advisor, file):
    occurred_at = (timezone.now() - timedelta(hours=2)).isoformat()

    response = api(advisor).post(
        "/api/v1/follow-ups/",
        _follow_up(file, occurred_at=occurred_at, notes="CV relu.", next_action="Postuler"),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author"]["id"] == advisor.pk
    assert body["notes"] == "CV relu."
    assert body["next_appointment"] is None


def test_the_date_of_a_follow_up_defaults_to_now(advisor, file):
    before = timezone.now()

    response = api(advisor).post("/api/v1/follow-ups/", _follow_up(file), format="json")

    assert response.status_code == 201, response.content
    follow_up = FollowUp.objects.get(pk=response.json()["id"])
    assert before <= follow_up.occurred_at <= timezone.now()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 601}, "duration_minutes"),
        ({"channel": "pigeon"}, "channel"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        # A year like 0143 is a typo; before 1911 Paris time even has a seconds offset
        # (+00:09:21) that the answer could not express in ISO 8601.
        ({"occurred_at": "0143-10-29T05:16:47.683-12:55"}, "occurred_at"),
        ({"next_appointment": "1899-01-01T10:00:00Z"}, "next_appointment"),
        ({"next_appointment": "9999-12-31T23:59:59-14:00"}, "next_appointment"),
    ],
)
def test_a_refused_follow_up_field_has_its_message(advisor, file, fields, field):
    response = api(advisor).post("/api/v1/follow-ups/", _follow_up(file, **fields), format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not FollowUp.objects.exists()


def test_a_follow_up_cannot_be_in_the_future(advisor, file):
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()

    response = api(advisor).post(
        "/api/v1/follow-ups/", _follow_up(file, occurred_at=tomorrow), format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["occurred_at"]


def test_records_of_a_file_out_of_reach_cannot_be_written(org, advisor):
    colleagues_file = YoungPersonFactory(organization=org)

    response = api(advisor).post("/api/v1/follow-ups/", _follow_up(colleagues_file), format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["young_person"]


# --- diagnostics ----------------------------------------------------------------------------


def test_record_a_diagnostic(advisor, file):
    response = api(advisor).post(
        "/api/v1/diagnostics/", {"young_person": file.pk, **ALL_YES}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["autonomy_level"] == 4
    assert response.json()["performed_by"]["id"] == advisor.pk


def test_a_diagnostic_needs_every_answer(advisor, file):
    answers = dict(ALL_NO)
    del answers["has_email"], answers["can_scan_upload"]

    response = api(advisor).post(
        "/api/v1/diagnostics/", {"young_person": file.pk, **answers}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"has_email", "can_scan_upload"}


# --- steps ----------------------------------------------------------------------------------


def test_add_a_step_from_the_catalogue(advisor, file):
    response = api(advisor).post(
        "/api/v1/steps/",
        {"young_person": file.pk, "step_type": "write_cv", "status": "in_progress"},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["step_type"] == "write_cv"
    assert response.json()["status"] == "in_progress"
    assert response.json()["completed_by"] is None


def test_a_step_outside_the_catalogue_or_twice_is_refused(org, advisor, file):
    elsewhere = StepType.objects.create(organization=OrganizationFactory(), code="x", label="X")
    client = api(advisor)

    foreign = client.post(
        "/api/v1/steps/", {"young_person": file.pk, "step_type": elsewhere.code}, format="json"
    )
    StepFactory(young_person=file)  # create_email
    twice = client.post(
        "/api/v1/steps/", {"young_person": file.pk, "step_type": "create_email"}, format="json"
    )

    assert foreign.status_code == twice.status_code == 400
    assert list(foreign.json()) == list(twice.json()) == ["step_type"]


def test_a_step_code_is_looked_up_in_the_young_persons_catalogue(org, advisor, file):
    # Codes are unique per catalogue only: another organisation may use the same one.
    own = StepType.objects.create(organization=org, code="atelier-cv", label="Atelier CV")
    StepType.objects.create(organization=OrganizationFactory(), code="atelier-cv", label="CV")

    response = api(advisor).post(
        "/api/v1/steps/", {"young_person": file.pk, "step_type": "atelier-cv"}, format="json"
    )

    assert response.status_code == 201, response.content
    assert Step.objects.get(pk=response.json()["id"]).step_type == own


def test_steps_list_by_status_with_null_completers(advisor, file):
    todo = StepFactory(young_person=file)
    StepFactory(young_person=file, step_type=StepType.objects.get(code="write_cv"), done=True)

    response = api(advisor).get("/api/v1/steps/", {"status": "todo"})

    assert [s["id"] for s in response.json()["results"]] == [todo.pk]
    assert response.json()["results"][0]["completed_by"] is None


# --- applications ---------------------------------------------------------------------------


def test_applications_with_the_cv_sent(advisor, file):
    client = api(advisor)
    cv = services.document_upload(
        actor=advisor,
        young_person=file,
        kind="cv",
        title="CV",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    created = client.post(
        "/api/v1/applications/",
        {
            "young_person": file.pk,
            "employer": "Boulangerie Paul",
            "position": "Vendeur",
            "source": "job_board",
            "status": "sent",
            "cv": cv.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["cv"] == cv.pk
    assert body["applied_on"] == timezone.localdate().isoformat()

    unchanged = client.patch(f"/api/v1/applications/{body['id']}/", {}, format="json")
    assert unchanged.status_code == 200
    hired = client.patch(f"/api/v1/applications/{body['id']}/", {"status": "hired"}, format="json")
    assert hired.json()["status"] == "hired"


def test_a_cv_from_another_file_is_refused(org, advisor, file):
    other = YoungPersonFactory(organization=org, referent=advisor)
    foreign_cv = services.document_upload(
        actor=advisor,
        young_person=other,
        kind="cv",
        title="CV",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    application = services.application_save(
        actor=advisor, young_person=file, employer="A", position="B", source="network"
    )

    response = api(advisor).patch(
        f"/api/v1/applications/{application.pk}/", {"cv": foreign_cv.pk}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()) == ["cv"]


# --- ids that are not ids ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/steps/1.5/",
        "/api/v1/documents/-1.5e-115/",
        "/api/v1/documents/0.5/download/",
        "/api/v1/referrals/0.5/events/",
        "/api/v1/organizations/2.5e-185/",
        "/api/v1/referrals/1/shared-file/documents/1.5/",
    ],
)
def test_a_malformed_id_anywhere_is_a_json_404(advisor, path):
    response = api(advisor).get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/steps/",
        "/api/v1/follow-ups/",
        "/api/v1/diagnostics/",
        "/api/v1/applications/",
        "/api/v1/documents/",
    ],
)
@pytest.mark.parametrize("value", [str(10**30), "-1", "0.5", "abc"])
def test_an_id_filter_out_of_range_is_a_400(advisor, path, value):
    response = api(advisor).get(path, {"young_person": value})

    assert response.status_code == 400
    assert list(response.json()) == ["young_person"]
