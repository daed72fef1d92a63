"""Import of young people from CSV: reading the file (encodings, separators, line
numbers), the column mapping, the preview and its line-numbered errors, the dry run that
writes nothing, the all-or-nothing import and the idempotent re-import."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from cases import validators
from cases.models import YoungPerson
from core.exceptions import DomainError, NotAllowed
from reports import services, spreadsheets
from reports.services import CREATE, SKIP, UPDATE, parse_birth_date, young_people_import
from reports.spreadsheets import ImportFileError, guess_mapping, parse_csv
from reports.views import IMPORT_SESSION_KEY
from tests.factories import OrganizationFactory, YoungPersonFactory, birth_date_for_age, member
from tests.reports.report_helpers import make_org

pytestmark = pytest.mark.django_db

GOOD = (
    "Prénom;Nom;Date de naissance;Courriel;Téléphone;Ville\r\n"
    "Léa;Martin;03/04/2005;lea@example.org;06 01 02 03 04;Lille\r\n"
    "Noé;Dubois;2006-11-30;;;Roubaix\r\n"
    "Éloïse;Œuvray;15/01/2004;;'+33 6 00 00 00 00;Tourcoing\r\n"
)
# Line 3: no first name, bad date; line 5: a date in the wrong shape and a bad email.
BAD = (
    "Prénom;Nom;Date de naissance;Courriel\r\n"
    "Léa;Martin;03/04/2005;lea@example.org\r\n"
    ";Dubois;31/02/2006;\r\n"
    "Sam;Lefèvre;2004-05-06;\r\n"
    "Yanis;Petit;5 mai 2005;pas-un-email\r\n"
)


def _import(world, text: str, *, dry_run: bool = False, actor=None, encoding="utf-8"):
    parsed = parse_csv(text.encode(encoding))
    return young_people_import(
        actor=actor or world.referent,
        organization=world.organization,
        rows=parsed.rows,
        mapping=guess_mapping(parsed.headers),
        dry_run=dry_run,
    )


def _count(world) -> int:
    return YoungPerson.objects.filter(organization=world.organization).count()


# --- reading the file ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [
        ("\ufeffPrénom;Nom\r\nLéa;Martin\r\n".encode(), "utf-8-sig", ";"),
        ("Prénom,Nom\nLéa,Martin\n".encode(), "utf-8", ","),
        ("Prénom;Nom\r\nLéa;Martin\r\n".encode("cp1252"), "cp1252", ";"),
        ("Prénom\tNom\r\nLéa\tMartin\r\n".encode("utf-16"), "utf-16", "\t"),
    ],
)
def test_parse_encodings_and_separators(content, encoding, delimiter):
    parsed = parse_csv(content)
    assert parsed.encoding == encoding
    assert parsed.delimiter == delimiter
    assert parsed.headers == ("Prénom", "Nom")
    assert parsed.rows == ((2, ("Léa", "Martin")),)


def test_line_numbers_count_the_header_as_line_1_and_keep_blank_lines():
    parsed = parse_csv(b'Nom;Notes\r\nA;x\r\n\r\n;;\r\nB;"two\r\nlines"\r\nC;y\r\n')
    assert [line for line, _cells in parsed.rows] == [2, 5, 7]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"Nom;Prenom\r\n", "no row"),
        (b"PK\x03\x04rest-of-a-zip", "Excel"),
        (b"Nom\x00;Prenom\r\nA;B\r\n", "CSV"),
    ],
)
def test_unusable_files_are_refused(content, message):
    with pytest.raises(ImportFileError):
        parse_csv(content)


def test_limits():
    with pytest.raises(ImportFileError):
        parse_csv(b"Nom\r\n" + b"x" * (spreadsheets.IMPORT_MAX_BYTES + 1))
    rows = "".join(f"A{i};B\r\n" for i in range(spreadsheets.IMPORT_MAX_ROWS + 1))
    with pytest.raises(ImportFileError):
        parse_csv(("Nom;Prenom\r\n" + rows).encode())


def test_guess_mapping_french_english_and_our_own_export():
    assert guess_mapping(["Prénom", "NOM", "Date de naissance", "E-mail", "Tél.", "Commune"]) == {
        "first_name": 0,
        "last_name": 1,
        "birth_date": 2,
        "email": 3,
        "phone": 4,
        "city": 5,
        "referent": None,
    }
    assert guess_mapping(["first_name", "Last Name", "DOB", "conseiller"])["referent"] == 3
    ours = [str(_("Last name")), str(_("First name")), str(_("Birth date")), str(_("Referent"))]
    assert guess_mapping(ours) == {
        "first_name": 1,
        "last_name": 0,
        "birth_date": 2,
        "email": None,
        "phone": None,
        "city": None,
        "referent": 3,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2005-04-03", date(2005, 4, 3)),
        ("03/04/2005", date(2005, 4, 3)),
        ("3/4/2005", date(2005, 4, 3)),
        ("03-04-2005", date(2005, 4, 3)),
        ("03.04.2005", date(2005, 4, 3)),
        ("2005-04-03 00:00:00", date(2005, 4, 3)),
    ],
)
def test_birth_dates(text, expected):
    assert parse_birth_date(text) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2006", "03/04/05", "avril 2005", "2999-01-01", "1900-01-01"]
)
def test_bad_birth_dates(text):
    with pytest.raises(ValueError):
        parse_birth_date(text)


# --- the service -----------------------------------------------------------------------


def test_import_creates_files_with_the_importer_as_referent():
    world = make_org()
    before = _count(world)
    report = _import(world, GOOD)
    assert report.ok and report.committed
    assert (report.created, report.updated, report.skipped) == (3, 0, 0)
    assert _count(world) == before + 3
    lea = YoungPerson.objects.get(organization=world.organization, first_name="Léa")
    assert lea.referent == world.referent
    assert lea.created_by == world.referent
    assert lea.birth_date == date(2005, 4, 3)  # DD/MM/YYYY
    assert lea.email == "lea@example.org"
    eloise = YoungPerson.objects.get(organization=world.organization, last_name="Œuvray")
    assert eloise.phone == "+33 6 00 00 00 00"  # our export's apostrophe taken off again


def test_dry_run_writes_nothing_and_says_what_would_happen():
    world = make_org()
    YoungPersonFactory(
        organization=world.organization,
        referent=world.referent,
        first_name="LÉA",
        last_name="martin",
        birth_date=date(2005, 4, 3),
    )
    before = _count(world)
    report = _import(world, GOOD, dry_run=True)
    assert report.ok and not report.committed and report.dry_run
    assert [row.action for row in report.rows] == [UPDATE, CREATE, CREATE]
    assert report.rows[0].changes == ("email", "phone")  # the city was already "Lille"
    assert _count(world) == before


def test_a_bad_file_imports_nothing_and_lists_every_error_by_line():
    world = make_org()
    before = _count(world)
    report = _import(world, BAD)
    assert not report.ok and not report.committed
    assert _count(world) == before
    assert {(e.line, e.field) for e in report.errors} == {
        (3, str(_("First name"))),
        (3, str(_("Birth date"))),
        (5, str(_("Email"))),
        (5, str(_("Birth date"))),
    }
    assert [e.line for e in report.errors] == sorted(e.line for e in report.errors)
    assert any("31/02/2006" in e.message for e in report.errors)


def test_re_import_is_idempotent():
    world = make_org()
    _import(world, GOOD)
    after_first = _count(world)
    report = _import(world, GOOD)
    assert report.ok and report.committed
    assert (report.created, report.updated, report.skipped) == (0, 0, 3)
    assert _count(world) == after_first
    # Same people, other case and new details: files updated, never duplicated.
    changed = GOOD.replace("Léa;Martin", "LÉA;MARTIN").replace("Lille", "Lomme")
    report = _import(world, changed)
    assert (report.created, report.updated, report.skipped) == (0, 1, 2)
    assert _count(world) == after_first
    lea = YoungPerson.objects.get(organization=world.organization, first_name="Léa")
    assert lea.city == "Lomme"
    assert lea.version == 2


def test_empty_cells_never_erase_existing_details():
    world = make_org()
    _import(world, GOOD)
    report = _import(world, GOOD.replace("lea@example.org", "").replace("06 01 02 03 04", ""))
    assert report.skipped == 3
    lea = YoungPerson.objects.get(organization=world.organization, first_name="Léa")
    assert lea.email == "lea@example.org"


def test_same_person_twice_in_the_file_is_an_error():
    world = make_org()
    text = GOOD + "LÉA;martin;2005-04-03;;;\r\n"
    report = _import(world, text)
    assert [(e.line, e.message) for e in report.errors] == [
        (5, _("Same person as on line %(line)d.") % {"line": 2})
    ]


def test_another_organisations_files_are_neither_matched_nor_touched():
    world = make_org()
    twin = YoungPersonFactory(
        organization=world.other,
        referent=world.other_advisor,
        first_name="Léa",
        last_name="Martin",
        birth_date=date(2005, 4, 3),
        city="Ailleurs",
    )
    report = _import(world, GOOD)
    assert report.created == 3
    twin.refresh_from_db()
    assert twin.city == "Ailleurs" and twin.version == 1


def test_a_colleagues_file_is_left_alone_by_an_advisor_but_updated_by_a_supervisor():
    world = make_org()
    file = YoungPersonFactory(
        organization=world.organization,
        referent=world.colleague,
        first_name="Léa",
        last_name="Martin",
        birth_date=date(2005, 4, 3),
    )
    report = _import(world, GOOD, dry_run=True)
    assert report.rows[0].action == SKIP
    assert world.colleague.display_name in report.rows[0].note
    report = _import(world, GOOD, actor=world.supervisor)
    assert report.rows[0].action == UPDATE
    file.refresh_from_db()
    assert file.email == "lea@example.org"
    assert file.referent == world.colleague  # an import never reassigns a file


def test_referent_column_by_username_or_full_name():
    world = make_org()
    text = (
        "Prénom;Nom;Naissance;Référent\r\n"
        f"Léa;Martin;03/04/2005;{world.colleague.username.upper()}\r\n"
        f"Noé;Dubois;2006-11-30;{world.supervisor.get_full_name()}\r\n"
        "Sam;Lefèvre;2004-05-06;\r\n"
    )
    report = _import(world, text)
    assert report.ok
    referents = dict(
        YoungPerson.objects.filter(organization=world.organization).values_list(
            "first_name", "referent"
        )
    )
    assert referents["Léa"] == world.colleague.pk
    assert referents["Noé"] == world.supervisor.pk
    assert referents["Sam"] == world.referent.pk


def test_unknown_referent_or_one_from_another_organisation_is_an_error():
    world = make_org()
    text = (
        "Prénom;Nom;Naissance;Référent\r\n"
        "Léa;Martin;03/04/2005;personne\r\n"
        f"Noé;Dubois;2006-11-30;{world.other_advisor.username}\r\n"
    )
    report = _import(world, text)
    assert [(e.line, e.field) for e in report.errors] == [
        (2, str(_("Referent"))),
        (3, str(_("Referent"))),
    ]


def test_a_failure_while_writing_rolls_everything_back(monkeypatch):
    world = make_org()
    before = _count(world)
    real = services.case_services.young_person_create
    calls = []

    def flaky(**kwargs):
        calls.append(kwargs["first_name"])
        if len(calls) == 3:
            raise NotAllowed("boom")
        return real(**kwargs)

    monkeypatch.setattr(services.case_services, "young_person_create", flaky)
    report = _import(world, GOOD)
    assert not report.committed
    assert [(e.line, e.message) for e in report.errors] == [(4, "boom")]
    assert _count(world) == before


def test_a_rule_the_service_enforces_names_its_column(monkeypatch):
    """Checked again by the service while writing (defence in depth): the row's error
    says which column is wrong, and nothing is written."""
    world = make_org()
    before = _count(world)

    def refuse(**kwargs):
        raise DomainError("Refused by the service.", field="birth_date")

    monkeypatch.setattr(services.case_services, "young_person_create", refuse)
    report = _import(world, GOOD)
    assert not report.committed
    assert [(e.line, e.field, e.message) for e in report.errors] == [
        (2, str(_("Birth date")), "Refused by the service.")
    ]
    assert _count(world) == before


def test_the_import_refuses_an_age_out_of_range_on_its_line():
    world = make_org()
    too_young = birth_date_for_age(10)
    with pytest.raises(ValidationError) as refused:
        validators.validate_birth_date(too_young)
    report = _import(world, GOOD + f"Sam;Lefèvre;{too_young:%d/%m/%Y};;;\r\n")
    assert not report.committed
    assert [(e.line, e.field, e.message) for e in report.errors] == [
        (5, str(_("Birth date")), f"{refused.value.messages[0]} ({too_young:%d/%m/%Y})")
    ]


def test_only_caseworkers_of_the_organisation_import():
    world = make_org()
    parsed = parse_csv(GOOD.encode())
    for actor in (world.other_advisor, member(world.organization, Role.ORG_ADMIN)):
        with pytest.raises(NotAllowed):
            young_people_import(
                actor=actor,
                organization=world.organization,
                rows=parsed.rows,
                mapping=guess_mapping(parsed.headers),
                dry_run=True,
            )


def test_required_columns_must_be_mapped():
    world = make_org()
    parsed = parse_csv(GOOD.encode())
    mapping = guess_mapping(parsed.headers) | {"birth_date": None}
    with pytest.raises(ImportFileError):
        young_people_import(
            actor=world.referent,
            organization=world.organization,
            rows=parsed.rows,
            mapping=mapping,
            dry_run=True,
        )


# --- the pages -----------------------------------------------------------------------------


def _upload(client, text: str, encoding="utf-8", name="jeunes.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")
    return client.post(reverse("reports:import_upload"), {"file": upload})


def test_the_whole_journey(client):
    world = make_org()
    client.force_login(world.referent)
    before = _count(world)

    response = _upload(client, GOOD, encoding="cp1252")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:import_mapping")

    # The mapping form comes pre-filled from the column names.
    response = client.get(reverse("reports:import_mapping"))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["first_name"] == "0" and form.initial["birth_date"] == "2"
    mapping = {"first_name": "0", "last_name": "1", "birth_date": "2", "city": "5"}
    response = client.post(reverse("reports:import_mapping"), mapping)
    assert response.status_code == 302

    response = client.get(reverse("reports:import_preview"))
    assert response.status_code == 200
    assert response.context["report"].ok
    assert "Œuvray" in response.content.decode()  # cp1252 read correctly

    response = client.post(reverse("reports:import_run"), {"action": "dry_run"})
    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert _count(world) == before

    response = client.post(reverse("reports:import_run"), {"action": "import"})
    assert response.status_code == 200
    assert response.context["report"].committed
    assert _count(world) == before + 3
    lea = YoungPerson.objects.get(organization=world.organization, first_name="Léa")
    assert lea.email == ""  # the email column was left out of the mapping
    assert IMPORT_SESSION_KEY not in client.session

    # Nothing pending any more: the next steps send back to the upload.
    response = client.post(reverse("reports:import_run"), {"action": "import"})
    assert response.status_code == 302
    assert _count(world) == before + 3


def test_preview_shows_line_numbered_errors_and_import_refuses(client):
    world = make_org()
    client.force_login(world.referent)
    before = _count(world)
    _upload(client, BAD)
    mapping = {"first_name": "0", "last_name": "1", "birth_date": "2", "email": "3"}
    client.post(reverse("reports:import_mapping"), mapping)

    response = client.get(reverse("reports:import_preview"))
    page = response.content.decode()
    assert response.status_code == 200
    for line in (3, 5):
        assert _("Line %(line)s") % {"line": line} in page or f"Line {line}" in page
    assert "31/02/2006" in page
    assert 'value="import"' not in page  # no import button while a row is wrong

    response = client.post(reverse("reports:import_run"), {"action": "import"})
    assert response.status_code == 400
    assert not response.context["report"].committed
    assert _count(world) == before


def test_mapping_refuses_one_column_for_two_fields(client):
    world = make_org()
    client.force_login(world.referent)
    _upload(client, GOOD)
    response = client.post(
        reverse("reports:import_mapping"),
        {"first_name": "0", "last_name": "0", "birth_date": "2"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["last_name"]


def test_upload_errors_are_shown_on_the_form(client):
    world = make_org()
    client.force_login(world.referent)
    response = _upload(client, "", name="vide.csv")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    response = client.post(reverse("reports:import_upload"), {})
    assert response.context["form"].errors["file"]
    assert IMPORT_SESSION_KEY not in client.session


def test_cancel_forgets_the_upload(client):
    world = make_org()
    client.force_login(world.referent)
    _upload(client, GOOD)
    assert IMPORT_SESSION_KEY in client.session
    response = client.post(reverse("reports:import_cancel"))
    assert response.status_code == 302
    assert IMPORT_SESSION_KEY not in client.session
    assert client.get(reverse("reports:import_preview")).status_code == 302


def test_a_pending_upload_does_not_follow_the_user_to_another_organisation(client):
    world = make_org()
    client.force_login(world.referent)
    _upload(client, GOOD)
    session = client.session
    session[IMPORT_SESSION_KEY]["organization"] = OrganizationFactory().pk
    session.save()
    assert client.get(reverse("reports:import_preview")).status_code == 302
