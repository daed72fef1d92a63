"""One rule, one message, every way in.

The rules on values live in `cases.validators`. For each of them, the same bad input is
refused with the same message by the web form, the API (400 on that field, never a 500),
the CSV import (an error on its line) where the import carries the field, and the service
itself (a DomainError naming the field) — whatever the caller checked before."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.enums import Role
from cases import services, validators
from cases.enums import ApplicationSource, ApplicationStatus, FollowUpChannel
from cases.models import Application, FollowUp, YoungPerson, YoungPersonUserObjectPermission
from core.exceptions import DomainError, NotAllowed
from reports.services import young_people_import
from reports.spreadsheets import guess_mapping, parse_csv
from tests.factories import (
    OrganizationFactory,
    YoungPersonFactory,
    api_token,
    birth_date_for_age,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR)


@pytest.fixture
def yp(org, advisor):
    return YoungPersonFactory(organization=org, referent=advisor)


def message_of(validator, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as error:
        validator(*args, **kwargs)
    return " ".join(error.value.messages)


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def web(client, user):
    client.force_login(user)
    return client


def years_ago(years: int, days: int = 10) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


# --- birth date -----------------------------------------------------------------------------

BAD_BIRTH_DATES = {
    "future": lambda: timezone.localdate() + timedelta(days=1),
    "too_young": lambda: years_ago(validators.MIN_AGE - 1),
    "too_old": lambda: years_ago(validators.MAX_AGE + 1),
    "year_1": lambda: date(1, 1, 1),
}


@pytest.fixture(params=list(BAD_BIRTH_DATES))
def bad_birth_date(request) -> tuple[date, str]:
    born = BAD_BIRTH_DATES[request.param]()
    return born, message_of(validators.validate_birth_date, born)


def test_a_bad_birth_date_in_the_web_form(client, advisor, bad_birth_date):
    born, message = bad_birth_date
    data = {
        "first_name": "Léa",
        "last_name": "Martin",
        "birth_date": born.isoformat(),
        "situation": "neet",
    }
    response = web(client, advisor).post(reverse("cases:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [message]
    assert not YoungPerson.objects.exists()


def test_a_bad_birth_date_in_the_api(advisor, bad_birth_date):
    born, message = bad_birth_date
    body = {"first_name": "Léa", "last_name": "Martin", "birth_date": born.isoformat()}
    response = api(advisor).post("/api/v1/young-people/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"birth_date": [message]}
    assert not YoungPerson.objects.exists()


def test_a_bad_birth_date_in_the_import(org, advisor, bad_birth_date):
    born, message = bad_birth_date
    text = (
        "Prénom;Nom;Date de naissance\r\n"
        "Noé;Dubois;2006-11-30\r\n"
        f"Léa;Martin;{born.isoformat()}\r\n"
    )
    parsed = parse_csv(text.encode())
    report = young_people_import(
        actor=advisor,
        organization=org,
        rows=parsed.rows,
        mapping=guess_mapping(parsed.headers),
        dry_run=False,
    )
    assert not report.committed
    assert [(e.line, e.field) for e in report.errors] == [(3, "Birth date")]
    assert report.errors[0].message.startswith(message)
    assert not YoungPerson.objects.exists()


def test_a_bad_birth_date_in_the_service(org, advisor, bad_birth_date):
    born, message = bad_birth_date
    with pytest.raises(DomainError) as error:
        services.young_person_create(
            actor=advisor, organization=org, first_name="Léa", last_name="Martin", birth_date=born
        )
    assert (error.value.field, error.value.message) == ("birth_date", message)
    assert error.value.http_status == 400
    assert not YoungPerson.objects.exists()


@pytest.mark.parametrize("age", [validators.MIN_AGE, validators.MAX_AGE])
def test_the_age_range_includes_its_bounds(org, advisor, age):
    born = birth_date_for_age(age)
    validators.validate_birth_date(born)
    services.young_person_create(
        actor=advisor, organization=org, first_name="Léa", last_name="Martin", birth_date=born
    )
    assert YoungPerson.objects.get().birth_date == born


@pytest.fixture
def old_file(org, advisor):
    """A file opened five years ago for someone then 28, now 33."""
    created_at = timezone.now() - timedelta(days=5 * 365)
    return YoungPersonFactory(
        organization=org, referent=advisor, birth_date=years_ago(33), created_at=created_at
    )


def test_an_unchanged_birth_date_is_not_judged_again(client, advisor, old_file):
    form = {
        "first_name": old_file.first_name,
        "last_name": old_file.last_name,
        "birth_date": old_file.birth_date.isoformat(),
        "email": "",
        "phone": "",
        "city": "Lomme",
        "situation": old_file.situation,
        "status": old_file.status,
        "version": old_file.version,
    }
    response = web(client, advisor).post(reverse("cases:update", args=[old_file.pk]), form)
    assert response.status_code == 302
    patch = {"birth_date": old_file.birth_date.isoformat(), "city": "Lambersart"}
    response = api(advisor).patch(f"/api/v1/young-people/{old_file.pk}/", patch, format="json")
    assert response.status_code == 200, response.content
    old_file.refresh_from_db()
    services.young_person_update(
        actor=advisor,
        young_person=old_file,
        version=old_file.version,
        birth_date=old_file.birth_date,
        city="Lille",
    )
    old_file.refresh_from_db()
    assert (old_file.city, old_file.version) == ("Lille", 4)


def test_a_changed_birth_date_is_judged_on_the_day_the_file_was_opened(client, advisor, old_file):
    # 31 on the day the file was opened: refused everywhere, with the same message.
    born = old_file.birth_date - timedelta(days=3 * 365)
    message = message_of(
        validators.validate_birth_date, born, on=timezone.localdate(old_file.created_at)
    )
    assert "(this date gives 31)" in message
    form = {
        "first_name": old_file.first_name,
        "last_name": old_file.last_name,
        "birth_date": born.isoformat(),
        "city": "Lomme",
        "situation": old_file.situation,
        "status": old_file.status,
        "version": old_file.version,
    }
    response = web(client, advisor).post(reverse("cases:update", args=[old_file.pk]), form)
    assert response.status_code == 200
    assert response.context["form"].errors["birth_date"] == [message]
    response = api(advisor).patch(
        f"/api/v1/young-people/{old_file.pk}/", {"birth_date": born.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"birth_date": [message]}
    with pytest.raises(DomainError) as error:
        services.young_person_update(
            actor=advisor, young_person=old_file, version=old_file.version, birth_date=born
        )
    assert (error.value.field, error.value.message) == ("birth_date", message)
    old_file.refresh_from_db()
    assert old_file.version == 1


# --- follow-up date and next appointment ---------------------------------------------------


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(second=0, microsecond=0)


BAD_FOLLOW_UP_MOMENTS = {
    "future": lambda: local(timezone.now() + timedelta(days=2)),
    "before_2000": lambda: timezone.make_aware(datetime(1999, 12, 31, 10, 0)),
    "year_1": lambda: timezone.make_aware(datetime(1, 1, 1, 10, 0)),
}
BAD_APPOINTMENTS = {
    "year_1": lambda: timezone.make_aware(datetime(1, 1, 1, 10, 0)),
    "year_2100": lambda: timezone.make_aware(datetime(2100, 1, 1, 10, 0)),
    "year_9999": lambda: timezone.make_aware(datetime(9999, 12, 31, 10, 0)),
}


def _follow_up_form(**overrides) -> dict:
    earlier = local(timezone.now() - timedelta(hours=2))
    return {
        "occurred_at": earlier.strftime("%Y-%m-%dT%H:%M"),
        "channel": FollowUpChannel.PHONE,
        "duration_minutes": "20",
        "notes": "",
        "next_action": "",
        "next_appointment": "",
    } | overrides


def _refused_everywhere(client, advisor, yp, field: str, moment: datetime, message: str):
    # What a datetime-local input sends (strftime would not pad the year 1 to four digits).
    form = _follow_up_form(**{field: moment.isoformat(timespec="minutes")[:16]})
    response = web(client, advisor).post(reverse("cases:follow_up_create", args=[yp.pk]), form)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]

    body = {"young_person": yp.pk, "channel": "phone", "duration_minutes": 20}
    response = api(advisor).post(
        "/api/v1/follow-ups/", body | {field: moment.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {field: [message]}

    values = {"occurred_at": timezone.now() - timedelta(hours=2), field: moment}
    with pytest.raises(DomainError) as error:
        services.follow_up_create(
            actor=advisor,
            young_person=yp,
            channel=FollowUpChannel.PHONE,
            duration_minutes=20,
            **values,
        )
    assert (error.value.field, error.value.message) == (field, message)
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("case", list(BAD_FOLLOW_UP_MOMENTS))
def test_a_bad_follow_up_date_is_refused_everywhere(client, advisor, yp, case):
    moment = BAD_FOLLOW_UP_MOMENTS[case]()
    message = message_of(validators.validate_follow_up_moment, moment)
    _refused_everywhere(client, advisor, yp, "occurred_at", moment, message)


@pytest.mark.parametrize("case", list(BAD_APPOINTMENTS))
def test_a_bad_next_appointment_is_refused_everywhere(client, advisor, yp, case):
    moment = BAD_APPOINTMENTS[case]()
    message = message_of(validators.validate_plausible_moment, moment)
    _refused_everywhere(client, advisor, yp, "next_appointment", moment, message)


def test_a_follow_up_within_the_tolerance_is_accepted(advisor, yp):
    soon = timezone.now() + validators.FOLLOW_UP_FUTURE_TOLERANCE - timedelta(minutes=1)
    services.follow_up_create(
        actor=advisor, young_person=yp, occurred_at=soon, channel="phone", duration_minutes=5
    )
    assert FollowUp.objects.count() == 1


# --- an application sent without a date is dated today, whoever records it -------------------


def test_a_sent_application_without_a_date_is_dated_today_everywhere(client, advisor, yp):
    today = timezone.localdate()
    form = {
        "employer": "Web",
        "position": "Vendeuse",
        "source": ApplicationSource.JOB_BOARD,
        "status": ApplicationStatus.SENT,
        "applied_on": "",
        "response_on": "",
        "cv": "",
        "notes": "",
    }
    response = web(client, advisor).post(reverse("cases:application_create", args=[yp.pk]), form)
    assert response.status_code == 302
    body = {
        "young_person": yp.pk,
        "employer": "API",
        "position": "Vendeuse",
        "source": "job_board",
        "status": "sent",
    }
    assert api(advisor).post("/api/v1/applications/", body, format="json").status_code == 201
    draft = services.application_save(
        actor=advisor, young_person=yp, employer="Service", position="Vendeuse", source="network"
    )
    assert draft.applied_on is None  # a draft is not dated
    services.application_save(
        actor=advisor, young_person=yp, application=draft, status=ApplicationStatus.SENT
    )
    dates = dict(Application.objects.values_list("employer", "applied_on"))
    assert dates == {"Web": today, "API": today, "Service": today}


# --- delegation end date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "ends_on",
    [
        lambda: timezone.localdate(),
        lambda: timezone.localdate() + timedelta(days=validators.DELEGATION_MAX_DAYS + 1),
        lambda: date(9999, 12, 31),
    ],
    ids=["today", "too_long", "year_9999"],
)
def test_a_bad_delegation_end_is_refused_by_the_form_and_the_service(
    client, org, advisor, yp, ends_on
):
    ends_on = ends_on()
    message = message_of(validators.validate_delegation_end, ends_on)
    colleague = member(org, Role.ADVISOR)
    response = web(client, advisor).post(
        reverse("cases:delegations", args=[yp.pk]),
        {"grantee": colleague.pk, "ends_on": ends_on.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"] == [message]
    with pytest.raises(NotAllowed) as error:
        services.delegation_grant(
            actor=advisor, young_person=yp, grantee=colleague, ends_on=ends_on
        )
    assert (error.value.field, error.value.message) == ("ends_on", message)
    assert not YoungPersonUserObjectPermission.objects.exists()


# --- the reassignment maximum ---------------------------------------------------------------


@pytest.fixture
def small_max(monkeypatch):
    monkeypatch.setattr(validators, "REASSIGN_MAX", 2)
    return message_of(validators.validate_reassign_count, 3)


def test_the_reassignment_maximum_holds_in_the_form_the_page_and_the_service(
    client, org, small_max
):
    supervisor = member(org, Role.SUPERVISOR)
    alice, bob = member(org, Role.ADVISOR), member(org, Role.ADVISOR)
    files = [YoungPersonFactory(organization=org, referent=alice) for _ in range(3)]
    url = reverse("supervision:reassign", args=[org.pk])
    web(client, supervisor)

    ticked = {"young_people": [f.pk for f in files], "new_referent": bob.pk}
    response = client.post(url, ticked)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [small_max]

    # Every file of the list: counted by the page, refused by the service.
    every = {"metric": "held", "all_matching": "on", "expected_count": 3, "new_referent": bob.pk}
    response = client.post(url, every)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [small_max]

    with pytest.raises(NotAllowed) as error:
        services.young_people_reassign(actor=supervisor, young_people=files, new_referent=bob)
    assert (error.value.field, error.value.message) == ("young_people", small_max)
    assert set(YoungPerson.objects.values_list("referent", flat=True)) == {alice.pk}

    assert (
        services.young_people_reassign(actor=supervisor, young_people=files[:2], new_referent=bob)
        == 2
    )
