"""Endpoint tests for the young people's pages: what each user gets, and what a POST does."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.enums import Role
from accounts.models import User
from cases import selectors, services
from cases.enums import (
    AccessAction,
    ApplicationSource,
    ApplicationStatus,
    DocumentKind,
    FollowUpChannel,
    StepStatus,
    YoungPersonStatus,
)
from cases.models import (
    AccessLog,
    Application,
    Document,
    FollowUp,
    StepType,
    YoungPerson,
    YoungPersonUserObjectPermission,
)
from tests.factories import (
    ALL_NO,
    FollowUpFactory,
    OrganizationFactory,
    StepFactory,
    YoungPersonFactory,
    birth_date_for_age,
    default_step_type,
    member,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def english(settings):
    # Pages render in the default language; English keeps these assertions independent of
    # the French catalogue.
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, first_name="Nadia", last_name="Referente")


@pytest.fixture
def colleague(org):
    return member(org, Role.ADVISOR, first_name="Karim", last_name="Collègue")


@pytest.fixture
def supervisor(org):
    return member(org, Role.SUPERVISOR)


@pytest.fixture
def outsider():
    return member(OrganizationFactory())


@pytest.fixture
def yp(org, advisor):
    return YoungPersonFactory(
        organization=org,
        referent=advisor,
        first_name="Léa",
        last_name="Martin",
        email="lea.martin@example.org",
        phone="0611223344",
        birth_date=birth_date_for_age(19),
    )


def login(client, user):
    client.force_login(user)
    return client


def pks(response) -> list[int]:
    return [row.pk for row in response.context["page"].object_list]


def template_names(response) -> list[str]:
    return [t.name for t in response.templates]


def pdf(name="cv.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def detail_url(young_person) -> str:
    return reverse("cases:detail", args=[young_person.pk])


def streamed(response) -> bytes:
    # Exhausting the stream makes the test client close the response (and the file). A
    # second close() would fire request_finished again, which closes the database
    # connection: harmless on in-memory SQLite, fatal inside a PostgreSQL test.
    return b"".join(response.streaming_content)


# --- caseload -------------------------------------------------------------------------------


CASELOAD = reverse("cases:caseload")


def test_advisor_caseload_lists_only_their_own_files(client, org, advisor, colleague, yp):
    colleagues_yp = YoungPersonFactory(organization=org, referent=colleague)
    foreign = YoungPersonFactory(organization=OrganizationFactory())
    response = login(client, advisor).get(CASELOAD)
    assert response.status_code == 200
    assert pks(response) == [yp.pk]
    html = response.content.decode()
    assert "MARTIN" in html
    assert colleagues_yp.last_name.upper() not in html
    assert foreign.last_name.upper() not in html


def test_advisor_cannot_widen_the_caseload_to_the_organisation(client, org, advisor, colleague, yp):
    YoungPersonFactory(organization=org, referent=colleague)
    response = login(client, advisor).get(CASELOAD, {"scope": "organization"})
    assert response.status_code == 200
    assert response.context["scope"] == "mine"
    assert pks(response) == [yp.pk]


def test_supervisor_sees_the_whole_organisation_on_request(client, org, supervisor, colleague, yp):
    own = YoungPersonFactory(organization=org, referent=supervisor)
    colleagues_yp = YoungPersonFactory(organization=org, referent=colleague)
    YoungPersonFactory(organization=OrganizationFactory())
    login(client, supervisor)

    response = client.get(CASELOAD)
    assert pks(response) == [own.pk]

    response = client.get(CASELOAD, {"scope": "organization"})
    assert response.status_code == 200
    assert set(pks(response)) == {own.pk, colleagues_yp.pk, yp.pk}
    # The organisation view names each file's referent.
    assert "Nadia Referente" in response.content.decode()


def test_caseload_is_404_for_a_user_without_casework(client, org):
    login(client, member(org, Role.ORG_ADMIN))
    assert client.get(CASELOAD).status_code == 404


def test_caseload_search_by_name(client, org, advisor, yp):
    other = YoungPersonFactory(
        organization=org, referent=advisor, first_name="Yanis", last_name="Diallo"
    )
    login(client, advisor)
    assert pks(client.get(CASELOAD, {"q": "mart"})) == [yp.pk]
    assert pks(client.get(CASELOAD, {"q": "YANIS"})) == [other.pk]
    assert pks(client.get(CASELOAD, {"q": "léa martin"})) == [yp.pk]
    assert pks(client.get(CASELOAD, {"q": "léa diallo"})) == []


def test_caseload_filter_by_status(client, org, advisor, yp):
    closed = YoungPersonFactory(organization=org, referent=advisor, status=YoungPersonStatus.CLOSED)
    login(client, advisor)
    assert pks(client.get(CASELOAD, {"status": "closed"})) == [closed.pk]
    assert pks(client.get(CASELOAD, {"status": "active"})) == [yp.pk]


def test_caseload_filter_by_step_status(client, org, advisor, yp):
    other = YoungPersonFactory(organization=org, referent=advisor)
    StepFactory(young_person=yp, done=True)
    StepFactory(young_person=other, status=StepStatus.IN_PROGRESS)
    login(client, advisor)
    assert pks(client.get(CASELOAD, {"step_status": "done"})) == [yp.pk]
    assert pks(client.get(CASELOAD, {"step_status": "in_progress"})) == [other.pk]
    assert pks(client.get(CASELOAD, {"step_status": "not_applicable"})) == []


def test_caseload_filter_overdue(client, org, advisor, yp):
    on_time = YoungPersonFactory(organization=org, referent=advisor)
    StepFactory(young_person=yp, overdue=True)
    StepFactory(young_person=on_time, due_date=timezone.localdate() + timedelta(days=3))
    # A done step past its due date is not overdue.
    StepFactory(
        young_person=on_time,
        step_type=default_step_type("write_cv"),
        done=True,
        due_date=timezone.localdate() - timedelta(days=3),
    )
    login(client, advisor)
    response = client.get(CASELOAD, {"overdue": "true"})
    assert pks(response) == [yp.pk]
    assert response.context["page"].object_list[0].overdue_steps == 1
    assert set(pks(client.get(CASELOAD, {"overdue": "false"}))) == {yp.pk, on_time.pk}


def test_caseload_filter_no_follow_up_for_days(client, org, advisor, yp):
    recent = YoungPersonFactory(organization=org, referent=advisor)
    stale = YoungPersonFactory(organization=org, referent=advisor)
    FollowUpFactory(young_person=recent, occurred_at=timezone.now() - timedelta(days=2))
    FollowUpFactory(young_person=stale, occurred_at=timezone.now() - timedelta(days=45))
    login(client, advisor)
    # yp has never been followed up: it is stale too.
    assert set(pks(client.get(CASELOAD, {"no_follow_up_days": "30"}))) == {yp.pk, stale.pk}
    assert set(pks(client.get(CASELOAD, {"no_follow_up_days": "60"}))) == {yp.pk}


def test_caseload_ordering(client, org, advisor):
    older = YoungPersonFactory(
        organization=org, referent=advisor, last_name="Zidane", birth_date=birth_date_for_age(24)
    )
    younger = YoungPersonFactory(
        organization=org, referent=advisor, last_name="Abadie", birth_date=birth_date_for_age(17)
    )
    login(client, advisor)
    assert pks(client.get(CASELOAD)) == [younger.pk, older.pk]
    assert pks(client.get(CASELOAD, {"ordering": "-last_name"})) == [older.pk, younger.pk]
    assert pks(client.get(CASELOAD, {"ordering": "birth_date"})) == [older.pk, younger.pk]
    assert pks(client.get(CASELOAD, {"ordering": "-birth_date"})) == [younger.pk, older.pk]


def test_caseload_pagination(client, org, advisor, settings):
    settings.CASELOAD_PAGE_SIZE = 3
    people = [
        YoungPersonFactory(organization=org, referent=advisor, last_name=f"Nom{i}")
        for i in range(5)
    ]
    login(client, advisor)
    first = client.get(CASELOAD)
    assert pks(first) == [p.pk for p in people[:3]]
    assert first.context["page"].paginator.count == 5
    assert "page=2" in first.content.decode()
    second = client.get(CASELOAD, {"page": "2"})
    assert pks(second) == [p.pk for p in people[3:]]


def test_caseload_pagination_keeps_the_filters(client, org, advisor, settings):
    settings.CASELOAD_PAGE_SIZE = 1
    for _ in range(2):
        YoungPersonFactory(organization=org, referent=advisor, status=YoungPersonStatus.PAUSED)
    login(client, advisor)
    html = client.get(CASELOAD, {"status": "paused"}).content.decode()
    assert "?status=paused&amp;page=2" in html


@pytest.mark.parametrize(
    "params",
    [
        {"no_follow_up_days": "abc"},
        {"no_follow_up_days": "-5"},
        {"ordering": "hack"},
        {"ordering": "referent__password"},
        {"status": "deleted"},
        {"step_status": "<b>"},
        {"overdue": "maybe"},
        {"page": "999"},
        {"page": "abc"},
        {"page": "-1"},
        {"q": "x" * 500},
        {"scope": "everything"},
    ],
)
def test_caseload_invalid_parameters_are_not_errors(client, advisor, yp, params):
    response = login(client, advisor).get(CASELOAD, params)
    assert response.status_code == 200
    assert len(pks(response)) <= 1


def test_caseload_page_out_of_range_shows_the_last_page(client, advisor, yp):
    response = login(client, advisor).get(CASELOAD, {"page": "999"})
    assert pks(response) == [yp.pk]


def test_caseload_escapes_names(client, org, advisor):
    YoungPersonFactory(organization=org, referent=advisor, first_name=XSS, last_name=XSS)
    html = login(client, advisor).get(CASELOAD).content.decode()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# --- directory --------------------------------------------------------------------------------


def test_directory_finds_a_colleagues_file_without_contact_details(client, colleague, yp):
    response = login(client, colleague).get(reverse("cases:directory"), {"q": "martin"})
    assert response.status_code == 200
    assert pks(response) == [yp.pk]
    html = response.content.decode()
    assert "Nadia Referente" in html
    assert str(yp.birth_date.year) in html
    assert yp.email not in html
    assert yp.phone not in html


def test_directory_does_not_search_other_organisations(client, outsider, yp):
    response = login(client, outsider).get(reverse("cases:directory"), {"q": "martin"})
    assert response.status_code == 200
    assert pks(response) == []


# --- create ----------------------------------------------------------------------------------


CREATE = reverse("cases:create")


def create_data(**overrides):
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "birth_date": birth_date_for_age(19).isoformat(),
        "email": "",
        "phone": "",
        "city": "Lille",
        "situation": "neet",
    }
    data.update(overrides)
    return data


def test_create_form_renders(client, advisor):
    response = login(client, advisor).get(CREATE)
    assert response.status_code == 200
    assert 'name="confirm_duplicate"' in response.content.decode()


def test_create_valid_creates_and_redirects(client, org, advisor):
    response = login(client, advisor).post(
        CREATE, create_data(first_name="Yanis", last_name="Diallo", city="Roubaix")
    )
    created = YoungPerson.objects.get(last_name="Diallo")
    assert response.status_code == 302
    assert response.url == detail_url(created)
    assert created.referent == advisor
    assert created.organization == org
    assert created.email == ""


def test_create_duplicate_warns_and_creates_nothing(client, advisor, colleague, yp):
    response = login(client, colleague).post(
        CREATE,
        create_data(first_name=" léa ", last_name="MARTIN", birth_date=yp.birth_date.isoformat()),
    )
    assert response.status_code == 200
    assert YoungPerson.objects.count() == 1
    html = response.content.decode()
    assert "already exists" in html
    assert "Possible duplicate" in html
    assert detail_url(yp) in html
    assert "Nadia Referente" in html
    assert list(response.context["duplicates"]) == [yp]


def test_create_duplicate_with_confirmation_creates(client, colleague, yp):
    response = login(client, colleague).post(
        CREATE,
        create_data(
            first_name="Léa",
            last_name="Martin",
            birth_date=yp.birth_date.isoformat(),
            confirm_duplicate="on",
        ),
    )
    assert response.status_code == 302
    assert YoungPerson.objects.filter(last_name="Martin").count() == 2
    assert YoungPerson.objects.exclude(pk=yp.pk).get().referent == colleague


def test_create_refuses_a_birth_date_in_the_future(client, advisor):
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = login(client, advisor).post(CREATE, create_data(birth_date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert "The birth date cannot be in the future." in response.content.decode()
    assert not YoungPerson.objects.exists()


def test_create_refuses_an_invalid_email(client, advisor):
    response = login(client, advisor).post(CREATE, create_data(email="pas-un-email"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not YoungPerson.objects.exists()


def test_create_is_404_for_a_partner(client, org):
    login(client, member(org, Role.PARTNER))
    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, create_data()).status_code == 404
    assert not YoungPerson.objects.exists()


# --- edit ------------------------------------------------------------------------------------


def edit_data(young_person, **overrides):
    data = {
        "first_name": young_person.first_name,
        "last_name": young_person.last_name,
        "birth_date": young_person.birth_date.isoformat(),
        "email": young_person.email,
        "phone": young_person.phone,
        "city": young_person.city,
        "situation": young_person.situation,
        "status": young_person.status,
        "version": young_person.version,
    }
    data.update(overrides)
    return data


def test_edit_saves_and_bumps_the_version(client, advisor, yp):
    url = reverse("cases:update", args=[yp.pk])
    login(client, advisor)
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'name="version" value="1"' in form_page.content.decode()
    response = client.post(url, edit_data(yp, city="Tourcoing", status="paused"))
    assert response.status_code == 302
    yp.refresh_from_db()
    assert (yp.city, yp.status, yp.version) == ("Tourcoing", "paused", 2)


def test_edit_with_a_stale_version_shows_the_conflict_and_keeps_the_other_change(
    client, advisor, supervisor, yp
):
    stale = edit_data(yp, city="Tourcoing")
    # Meanwhile, the supervisor saves the file.
    services.young_person_update(
        actor=supervisor,
        young_person=YoungPerson.objects.get(pk=yp.pk),
        version=1,
        city="Roubaix",
    )
    response = login(client, advisor).post(reverse("cases:update", args=[yp.pk]), stale)
    assert response.status_code == 200
    assert "changed by someone else" in response.content.decode()
    yp.refresh_from_db()
    assert (yp.city, yp.version) == ("Roubaix", 2)


def test_edit_is_404_for_a_colleague_and_another_organisation(client, colleague, outsider, yp):
    url = reverse("cases:update", args=[yp.pk])
    for user in (colleague, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, edit_data(yp, city="Ailleurs")).status_code == 404
    yp.refresh_from_db()
    assert yp.city == "Lille"


# --- detail ----------------------------------------------------------------------------------


def test_detail_of_own_file_shows_the_whole_file(client, advisor, yp):
    overdue = StepFactory(young_person=yp, overdue=True)
    StepFactory(
        young_person=yp,
        step_type=default_step_type("write_cv"),
        done=True,
        evidence="CV relu ensemble",
    )
    next_appointment = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    FollowUpFactory(
        young_person=yp,
        occurred_at=timezone.now() - timedelta(days=1),
        notes="A ouvert un compte France Travail",
        next_action="Préparer le CV",
        next_appointment=next_appointment,
    )
    services.diagnostic_record(actor=advisor, young_person=yp, answers=ALL_NO)
    services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV juin", upload=pdf()
    )

    response = login(client, advisor).get(detail_url(yp))
    assert response.status_code == 200
    assert "cases/young_person_detail.html" in template_names(response)
    html = response.content.decode()
    assert "Léa" in html
    assert "MARTIN" in html
    assert "lea.martin@example.org" in html
    assert "0611223344" in html
    # Steps, with the overdue one flagged.
    assert overdue.step_type.label.replace("'", "&#x27;") in html
    assert "(overdue)" in html
    assert [s.pk for s in response.context["file"].overdue_steps] == [overdue.pk]
    # Timeline.
    assert "A ouvert un compte France Travail" in html
    assert "Préparer le CV" in html
    assert "Step done" in html
    assert "CV relu ensemble" in html
    assert "Document added" in html
    assert "CV juin" in html
    assert "1 - Needs everything" in html
    kinds = [entry.kind for entry in response.context["file"].timeline]
    assert sorted(kinds) == ["diagnostic", "document", "follow_up", "step_done"]
    # Next appointment.
    assert response.context["file"].next_appointment == next_appointment
    assert formats.date_format(timezone.localtime(next_appointment), "DATETIME_FORMAT") in html


def test_detail_shows_steps_suggested_by_the_diagnostic(client, advisor, yp):
    services.diagnostic_record(
        actor=advisor,
        young_person=yp,
        answers={**ALL_NO, "has_smartphone": True, "has_mobile_data": True},
    )
    StepFactory(young_person=yp, step_type=default_step_type("create_email"))
    response = login(client, advisor).get(detail_url(yp))
    suggested = [st.code for st in response.context["file"].suggested_step_types]
    assert suggested == ["send_attachment", "upload_cv", "register_france_travail"]
    assert "Steps suggested by the latest diagnostic" in response.content.decode()


def test_detail_logs_the_view(client, advisor, yp):
    login(client, advisor).get(detail_url(yp))
    entry = AccessLog.objects.get(young_person=yp)
    assert (entry.user, entry.action) == (advisor, AccessAction.VIEW_FILE)


def test_colleague_sees_the_directory_card_only(client, colleague, yp):
    FollowUpFactory(young_person=yp, notes="Notes confidentielles sur la famille")
    response = login(client, colleague).get(detail_url(yp))
    assert response.status_code == 200
    assert "cases/directory_card.html" in template_names(response)
    assert "cases/young_person_detail.html" not in template_names(response)
    html = response.content.decode()
    assert "MARTIN" in html
    assert str(yp.birth_date.year) in html
    assert "Nadia Referente" in html
    assert "lea.martin@example.org" not in html
    assert "0611223344" not in html
    assert "Notes confidentielles" not in html
    assert yp.birth_date.isoformat() not in html
    entry = AccessLog.objects.get(young_person=yp)
    assert (entry.user, entry.action) == (colleague, AccessAction.VIEW_CARD)


def test_supervisor_sees_the_full_file(client, supervisor, yp):
    response = login(client, supervisor).get(detail_url(yp))
    assert "cases/young_person_detail.html" in template_names(response)
    assert "lea.martin@example.org" in response.content.decode()


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.PARTNER, Role.ORG_ADMIN])
def test_detail_of_another_organisation_is_404(client, yp, role):
    login(client, member(OrganizationFactory(), role))
    assert client.get(detail_url(yp)).status_code == 404
    assert not AccessLog.objects.exists()


def test_detail_of_an_unknown_young_person_is_404(client, advisor):
    assert login(client, advisor).get("/young-people/999999/").status_code == 404


def test_detail_escapes_user_content(client, org, advisor):
    young_person = YoungPersonFactory(
        organization=org, referent=advisor, first_name=XSS, last_name=XSS, city=XSS
    )
    FollowUpFactory(young_person=young_person, notes=XSS, next_action=XSS)
    html = login(client, advisor).get(detail_url(young_person)).content.decode()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_directory_card_escapes_names(client, org, colleague, advisor):
    young_person = YoungPersonFactory(organization=org, referent=advisor, first_name=XSS)
    html = login(client, colleague).get(detail_url(young_person)).content.decode()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html


# --- steps -----------------------------------------------------------------------------------


def test_steps_add_from_the_catalogue(client, advisor, yp):
    due = timezone.localdate() + timedelta(days=10)
    response = login(client, advisor).post(
        reverse("cases:steps_add", args=[yp.pk]),
        {
            "step_types": [default_step_type("create_email").pk, default_step_type("write_cv").pk],
            "due_date": due.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response.url == detail_url(yp) + "#steps"
    assert {(s.step_type.code, s.due_date) for s in yp.steps.all()} == {
        ("create_email", due),
        ("write_cv", due),
    }


def test_steps_add_refuses_a_foreign_step_type(client, advisor, yp):
    foreign = StepType.objects.create(organization=OrganizationFactory(), code="x", label="X")
    response = login(client, advisor).post(
        reverse("cases:steps_add", args=[yp.pk]), {"step_types": [foreign.pk]}
    )
    assert response.status_code == 302
    assert not yp.steps.exists()


def test_steps_add_is_post_only(client, advisor, yp):
    assert login(client, advisor).get(reverse("cases:steps_add", args=[yp.pk])).status_code == 405


def test_step_update_marks_done(client, advisor, yp):
    step = StepFactory(young_person=yp)
    url = reverse("cases:step_update", args=[yp.pk, step.pk])
    login(client, advisor)
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "done", "due_date": "", "evidence": "Adresse créée"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.DONE
    assert step.completed_by == advisor
    assert step.completed_at is not None
    assert step.evidence == "Adresse créée"


def test_step_update_of_a_step_of_another_file_is_404(client, org, advisor, yp):
    other_step = StepFactory(young_person=YoungPersonFactory(organization=org, referent=advisor))
    url = reverse("cases:step_update", args=[yp.pk, other_step.pk])
    assert login(client, advisor).post(url, {"status": "done"}).status_code == 404
    other_step.refresh_from_db()
    assert other_step.status == StepStatus.TODO


def test_step_update_is_404_for_a_colleague(client, colleague, yp):
    step = StepFactory(young_person=yp)
    url = reverse("cases:step_update", args=[yp.pk, step.pk])
    assert login(client, colleague).post(url, {"status": "done"}).status_code == 404
    step.refresh_from_db()
    assert step.status == StepStatus.TODO


# --- diagnostics ----------------------------------------------------------------------------


def test_diagnostic_create(client, advisor, yp):
    url = reverse("cases:diagnostic_create", args=[yp.pk])
    login(client, advisor)
    assert client.get(url).status_code == 200
    data = {
        "has_smartphone": "on",
        "has_mobile_data": "on",
        "has_email": "on",
        "notes": "Téléphone prêté",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    diagnostic = yp.diagnostics.get()
    assert diagnostic.autonomy_level == 2
    assert diagnostic.has_smartphone
    assert not diagnostic.has_computer
    assert diagnostic.notes == "Téléphone prêté"


# --- follow-ups -----------------------------------------------------------------------------


def follow_up_data(**overrides):
    data = {
        "occurred_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "channel": FollowUpChannel.PHONE,
        "duration_minutes": "25",
        "notes": "Point téléphonique",
        "next_action": "",
        "next_appointment": "",
    }
    data.update(overrides)
    return data


def test_follow_up_create(client, advisor, yp):
    url = reverse("cases:follow_up_create", args=[yp.pk])
    login(client, advisor)
    assert client.get(url).status_code == 200
    next_appointment = timezone.localtime() + timedelta(days=7)
    response = client.post(
        url, follow_up_data(next_appointment=next_appointment.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 302
    follow_up = FollowUp.objects.get()
    assert (follow_up.young_person, follow_up.author) == (yp, advisor)
    assert follow_up.duration_minutes == 25
    assert follow_up.next_appointment.date() == next_appointment.date()


def test_follow_up_in_the_future_is_refused(client, advisor, yp):
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(client, advisor).post(
        reverse("cases:follow_up_create", args=[yp.pk]), follow_up_data(occurred_at=later)
    )
    assert response.status_code == 200
    assert "A follow-up cannot be logged in the future." in response.content.decode()
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("minutes", ["0", "601"])
def test_follow_up_duration_out_of_range_is_refused(client, advisor, yp, minutes):
    response = login(client, advisor).post(
        reverse("cases:follow_up_create", args=[yp.pk]),
        follow_up_data(duration_minutes=minutes),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["duration_minutes"]
    assert not FollowUp.objects.exists()


def test_follow_up_duration_zero_gives_the_clear_message(client, advisor, yp):
    response = login(client, advisor).post(
        reverse("cases:follow_up_create", args=[yp.pk]), follow_up_data(duration_minutes="0")
    )
    assert "Enter a duration between 1 and 600 minutes." in response.content.decode()


# --- applications ---------------------------------------------------------------------------


def application_data(**overrides):
    data = {
        "employer": "Boulangerie Martin",
        "position": "Apprentie boulangère",
        "source": ApplicationSource.FRANCE_TRAVAIL,
        "status": ApplicationStatus.DRAFT,
        "applied_on": "",
        "response_on": "",
        "cv": "",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_application_create_and_edit(client, advisor, yp):
    cv = services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=pdf()
    )
    login(client, advisor)
    create_url = reverse("cases:application_create", args=[yp.pk])
    assert client.get(create_url).status_code == 200
    response = client.post(create_url, application_data(cv=cv.pk))
    assert response.status_code == 302
    application = Application.objects.get()
    assert (application.young_person, application.cv, application.created_by) == (yp, cv, advisor)
    assert application.status == ApplicationStatus.DRAFT

    edit_url = reverse("cases:application_update", args=[yp.pk, application.pk])
    assert client.get(edit_url).status_code == 200
    sent_on = timezone.localdate() - timedelta(days=2)
    response = client.post(
        edit_url,
        application_data(cv=cv.pk, status=ApplicationStatus.SENT, applied_on=sent_on.isoformat()),
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SENT
    assert application.applied_on == sent_on
    assert Application.objects.count() == 1


def test_application_sent_without_a_date_is_dated_today(client, advisor, yp):
    response = login(client, advisor).post(
        reverse("cases:application_create", args=[yp.pk]),
        application_data(status=ApplicationStatus.SENT),
    )
    assert "application_applied_on_when_sent" not in response.content.decode()
    assert response.status_code == 302
    assert Application.objects.get().applied_on == timezone.localdate()


def test_application_form_does_not_offer_another_young_persons_cv(client, org, advisor, yp):
    other = YoungPersonFactory(organization=org, referent=advisor)
    foreign_cv = services.document_upload(
        actor=advisor, young_person=other, kind=DocumentKind.CV, title="CV", upload=pdf()
    )
    response = login(client, advisor).post(
        reverse("cases:application_create", args=[yp.pk]), application_data(cv=foreign_cv.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["cv"]
    assert not Application.objects.exists()


def test_application_of_another_file_is_404(client, org, advisor, yp):
    other = YoungPersonFactory(organization=org, referent=advisor)
    application = services.application_save(
        actor=advisor,
        young_person=other,
        employer="A",
        position="B",
        source=ApplicationSource.OTHER,
    )
    url = reverse("cases:application_update", args=[yp.pk, application.pk])
    assert login(client, advisor).get(url).status_code == 404


# --- documents ------------------------------------------------------------------------------


def test_document_upload_and_download(client, advisor, yp):
    login(client, advisor)
    upload_url = reverse("cases:document_upload", args=[yp.pk])
    page = client.get(upload_url)
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.content.decode()

    response = client.post(
        upload_url, {"kind": DocumentKind.CV, "title": "Mon CV", "file": pdf("CV Léa.pdf")}
    )
    assert response.status_code == 302
    document = Document.objects.get()
    assert (document.young_person, document.title, document.uploaded_by) == (yp, "Mon CV", advisor)

    download = client.get(reverse("cases:document_download", args=[yp.pk, document.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment")
    assert "CV" in download["Content-Disposition"]
    assert "private" in download["Cache-Control"]
    assert "no-store" in download["Cache-Control"]
    assert streamed(download) == PDF_BYTES
    logged = AccessLog.objects.filter(action=AccessAction.DOWNLOAD_DOCUMENT).get()
    assert (logged.user, logged.detail) == (advisor, "Mon CV")


def test_document_upload_refuses_a_bad_file_with_a_message(client, advisor, yp, private_media_root):
    response = login(client, advisor).post(
        reverse("cases:document_upload", args=[yp.pk]),
        {"kind": DocumentKind.CV, "title": "", "file": SimpleUploadedFile("virus.exe", b"MZ..")},
    )
    assert response.status_code == 200
    assert "This type of file is not accepted" in response.content.decode()
    assert not Document.objects.exists()
    assert not [p for p in private_media_root.rglob("*") if p.is_file()]


def test_document_upload_without_a_file_is_a_form_error(client, advisor, yp):
    response = login(client, advisor).post(
        reverse("cases:document_upload", args=[yp.pk]), {"kind": DocumentKind.CV}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


@pytest.fixture
def document(advisor, yp):
    return services.document_upload(
        actor=advisor, young_person=yp, kind=DocumentKind.CV, title="CV", upload=pdf()
    )


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_document_download_is_404_without_full_access(client, request, yp, document, who):
    login(client, request.getfixturevalue(who))
    response = client.get(reverse("cases:document_download", args=[yp.pk, document.pk]))
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.DOWNLOAD_DOCUMENT).exists()


def test_document_download_through_another_file_is_404(client, org, advisor, document):
    other = YoungPersonFactory(organization=org, referent=advisor)
    response = login(client, advisor).get(
        reverse("cases:document_download", args=[other.pk, document.pk])
    )
    assert response.status_code == 404


def test_document_delete(
    client, advisor, yp, document, private_media_root, django_capture_on_commit_callbacks
):
    url = reverse("cases:document_delete", args=[yp.pk, document.pk])
    login(client, advisor)
    assert client.get(url).status_code == 405
    assert Document.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response.url == detail_url(yp) + "#documents"
    assert not Document.objects.exists()
    assert not [p for p in private_media_root.rglob("*") if p.is_file()]


def test_document_delete_is_404_for_a_colleague(client, colleague, yp, document):
    url = reverse("cases:document_delete", args=[yp.pk, document.pk])
    assert login(client, colleague).post(url).status_code == 404
    assert Document.objects.filter(pk=document.pk).exists()


# --- delegations ----------------------------------------------------------------------------


def test_delegation_grant_and_revoke_through_the_pages(client, advisor, colleague, yp):
    url = reverse("cases:delegations", args=[yp.pk])
    colleague_client = type(client)()
    colleague_client.force_login(colleague)
    assert "cases/directory_card.html" in template_names(colleague_client.get(detail_url(yp)))

    login(client, advisor)
    page = client.get(url)
    assert page.status_code == 200
    assert "Karim Collègue" in page.content.decode()
    ends_on = timezone.localdate() + timedelta(days=14)
    response = client.post(url, {"grantee": colleague.pk, "ends_on": ends_on.isoformat()})
    assert response.status_code == 302
    assert response.url == url

    full = colleague_client.get(detail_url(yp))
    assert full.status_code == 200
    assert "cases/young_person_detail.html" in template_names(full)
    assert "lea.martin@example.org" in full.content.decode()
    # The delegate may work on the file but not pass it on.
    assert colleague_client.get(url).status_code == 404
    assert "Karim Collègue" in client.get(detail_url(yp)).content.decode()

    response = client.post(reverse("cases:delegation_revoke", args=[yp.pk, colleague.pk]))
    assert response.status_code == 302
    assert not YoungPersonUserObjectPermission.objects.exists()
    after = colleague_client.get(detail_url(yp))
    assert "cases/directory_card.html" in template_names(after)
    assert "lea.martin@example.org" not in after.content.decode()


def test_delegation_with_an_end_date_in_the_past_is_refused(client, advisor, colleague, yp):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = login(client, advisor).post(
        reverse("cases:delegations", args=[yp.pk]),
        {"grantee": colleague.pk, "ends_on": yesterday.isoformat()},
    )
    assert response.status_code == 200
    assert "The end date must be in the future." in response.content.decode()
    assert not YoungPersonUserObjectPermission.objects.exists()


def test_delegation_to_an_outsider_is_not_offered(client, advisor, outsider, yp):
    response = login(client, advisor).post(
        reverse("cases:delegations", args=[yp.pk]),
        {"grantee": outsider.pk, "ends_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["grantee"]
    assert not YoungPersonUserObjectPermission.objects.exists()


def test_supervisor_manages_delegations(client, supervisor, colleague, yp):
    url = reverse("cases:delegations", args=[yp.pk])
    login(client, supervisor)
    assert client.get(url).status_code == 200
    ends_on = timezone.localdate() + timedelta(days=3)
    assert (
        client.post(url, {"grantee": colleague.pk, "ends_on": ends_on.isoformat()}).status_code
        == 302
    )
    assert (
        selectors.young_people_full_access(User.objects.get(pk=colleague.pk))
        .filter(pk=yp.pk)
        .exists()
    )


def test_non_referent_advisor_gets_404_on_the_delegations_page(client, colleague, outsider, yp):
    url = reverse("cases:delegations", args=[yp.pk])
    for user in (colleague, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert (
            client.post(
                url,
                {
                    "grantee": user.pk,
                    "ends_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
                },
            ).status_code
            == 404
        )
    assert not YoungPersonUserObjectPermission.objects.exists()


def test_revoke_is_post_only_and_404_for_others(client, advisor, colleague, supervisor, yp):
    services.delegation_grant(
        actor=advisor,
        young_person=yp,
        grantee=colleague,
        ends_on=timezone.localdate() + timedelta(days=3),
    )
    url = reverse("cases:delegation_revoke", args=[yp.pk, colleague.pk])
    assert login(client, advisor).get(url).status_code == 405
    # The delegate cannot revoke (or see) the delegation page.
    client.force_login(colleague)
    assert client.post(url).status_code == 404
    assert YoungPersonUserObjectPermission.objects.exists()
    # Revoking someone who has no delegation is a 404.
    client.force_login(advisor)
    assert (
        client.post(reverse("cases:delegation_revoke", args=[yp.pk, supervisor.pk])).status_code
        == 404
    )


# --- access log -----------------------------------------------------------------------------


def test_access_log_lists_who_looked(client, advisor, colleague, yp):
    colleague_client = type(client)()
    colleague_client.force_login(colleague)
    colleague_client.get(detail_url(yp))
    login(client, advisor).get(detail_url(yp))

    response = client.get(reverse("cases:access_log", args=[yp.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Viewed the file" in html
    assert "Viewed the directory card" in html
    assert "Nadia Referente" in html
    assert "Karim Collègue" in html
    entries = list(response.context["page"].object_list)
    assert [(e.user, e.action) for e in entries] == [
        (advisor, AccessAction.VIEW_FILE),
        (colleague, AccessAction.VIEW_CARD),
    ]


def test_access_log_is_404_for_a_colleague(client, colleague, yp):
    assert (
        login(client, colleague).get(reverse("cases:access_log", args=[yp.pk])).status_code == 404
    )


# --- step catalogue -------------------------------------------------------------------------


CATALOGUE = reverse("cases:catalogue")


def test_org_admin_adds_and_toggles_a_step_type(client, org):
    admin = member(org, Role.ORG_ADMIN)
    login(client, admin)
    page = client.get(CATALOGUE)
    assert page.status_code == 200
    assert "Créer une adresse e-mail" in page.content.decode()

    response = client.post(
        CATALOGUE,
        {
            "label": "Atelier CV collectif",
            "code": "atelier-cv",
            "category": "job_search",
            "order": "35",
        },
    )
    assert response.status_code == 302
    step_type = StepType.objects.get(organization=org, code="atelier-cv")
    assert step_type in selectors.step_types_for(org.pk)
    assert step_type not in selectors.step_types_for(OrganizationFactory().pk)
    assert "Atelier CV collectif" in client.get(CATALOGUE).content.decode()

    assert client.post(reverse("cases:catalogue_toggle", args=[step_type.pk])).status_code == 302
    step_type.refresh_from_db()
    assert not step_type.is_active
    assert step_type not in selectors.step_types_for(org.pk)

    client.post(reverse("cases:catalogue_toggle", args=[step_type.pk]))
    step_type.refresh_from_db()
    assert step_type.is_active


def test_catalogue_refuses_a_default_code(client, org):
    login(client, member(org, Role.ORG_ADMIN))
    response = client.post(
        CATALOGUE, {"label": "Doublon", "code": "create_email", "category": "digital", "order": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not StepType.objects.filter(organization=org).exists()


def test_catalogue_refuses_a_code_already_used_by_the_organisation(client, org):
    StepType.objects.create(organization=org, code="atelier-cv", label="Atelier CV")
    login(client, member(org, Role.ORG_ADMIN))
    response = client.post(
        CATALOGUE,
        {"label": "Autre atelier", "code": "atelier-cv", "category": "other", "order": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert StepType.objects.filter(organization=org).count() == 1


def test_catalogue_is_404_for_an_advisor(client, org, advisor):
    own = StepType.objects.create(organization=org, code="atelier", label="Atelier")
    login(client, advisor)
    assert client.get(CATALOGUE).status_code == 404
    assert (
        client.post(
            CATALOGUE, {"label": "X", "code": "x", "category": "other", "order": "1"}
        ).status_code
        == 404
    )
    assert client.post(reverse("cases:catalogue_toggle", args=[own.pk])).status_code == 404
    own.refresh_from_db()
    assert own.is_active


def test_catalogue_toggle_of_another_organisation_is_404(client, org):
    foreign = StepType.objects.create(organization=OrganizationFactory(), code="a", label="A")
    default = default_step_type("create_email")
    login(client, member(org, Role.ORG_ADMIN))
    assert client.post(reverse("cases:catalogue_toggle", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("cases:catalogue_toggle", args=[default.pk])).status_code == 404
    foreign.refresh_from_db()
    default.refresh_from_db()
    assert foreign.is_active and default.is_active
