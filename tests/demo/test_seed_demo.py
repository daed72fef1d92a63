"""`manage.py seed_demo`: the demo data set is complete, varied, deterministic and safe."""

import random
from datetime import timedelta
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.functional import empty
from django_otp.plugins.otp_totp.models import TOTPDevice
from pypdf import PdfReader

from accounts import two_factor
from accounts.enums import OrganizationKind, Role
from accounts.models import Membership, Organization, User
from cases.enums import (
    OPEN_STEP_STATUSES,
    ApplicationStatus,
    DocumentKind,
    StepStatus,
    YoungPersonStatus,
)
from cases.models import Application, DigitalDiagnostic, Document, FollowUp, Step, YoungPerson
from demo.data import ACCOUNTS, DEFAULT_DEMO_PASSWORD, DEMO_TOTP_SECRET, ORGANIZATIONS, SEED
from demo.planner import Planner
from tests.factories import signin_request

README = Path(__file__).resolve().parents[2] / "README.md"
ADVISORS = ("conseiller.nord", "conseiller2.nord", "conseiller.sud", "conseiller.emmaus")
EXPECTED_MEMBERSHIPS = {
    "conseiller.nord": ("Mission Locale Demo Nord", Role.ADVISOR),
    "conseiller2.nord": ("Mission Locale Demo Nord", Role.ADVISOR),
    "superviseur.nord": ("Mission Locale Demo Nord", Role.SUPERVISOR),
    "admin.nord": ("Mission Locale Demo Nord", Role.ORG_ADMIN),
    "conseiller.sud": ("Mission Locale Demo Sud", Role.ADVISOR),
    "superviseur.sud": ("Mission Locale Demo Sud", Role.SUPERVISOR),
    "conseiller.emmaus": ("Emmaüs Connect Demo", Role.ADVISOR),
    "superviseur.emmaus": ("Emmaüs Connect Demo", Role.SUPERVISOR),
    "partenaire.formation": ("Partenaire Formation Demo", Role.PARTNER),
}


@pytest.fixture
def demo_media(settings, tmp_path: Path):
    """CV files go to a temporary directory, never into the repository."""
    from cases.models import private_storage

    location = tmp_path / "seed_demo_media"
    storages = {name: dict(config) for name, config in settings.STORAGES.items()}
    for name in ("default", "private"):
        storages[name]["OPTIONS"] = {**storages[name].get("OPTIONS", {}), "location": location}
    settings.STORAGES = storages  # setting_changed drops Django's cached storages
    private_storage._wrapped = empty  # the FileFields' lazy storage resolves again
    yield location
    private_storage._wrapped = empty


def seed(**options) -> str:
    """Run the command in English so that assertions on its messages hold in any locale."""
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Organization,
            User,
            Membership,
            YoungPerson,
            DigitalDiagnostic,
            Step,
            FollowUp,
            Application,
            Document,
        )
    }


@pytest.mark.django_db
def test_seed_demo_builds_a_complete_varied_demo(settings, demo_media: Path) -> None:
    settings.DEBUG = True
    output = seed()
    assert "relais-demo-2026" in output

    today, now = timezone.localdate(), timezone.now()

    # Organisations, each with a kind and a territory.
    kinds = dict(Organization.objects.values_list("name", "kind"))
    assert kinds == {
        "Mission Locale Demo Nord": OrganizationKind.MISSION_LOCALE,
        "Mission Locale Demo Sud": OrganizationKind.MISSION_LOCALE,
        "Emmaüs Connect Demo": OrganizationKind.EMMAUS_CONNECT,
        "Partenaire Formation Demo": OrganizationKind.PARTNER,
    }
    assert not Organization.objects.filter(territory="").exists()

    # Accounts, roles, names, e-mails and the password.
    memberships = {
        m.user.username: (m.organization.name, m.role)
        for m in Membership.objects.select_related("user", "organization")
    }
    assert memberships == EXPECTED_MEMBERSHIPS
    for username in EXPECTED_MEMBERSHIPS:
        user = User.objects.get(username=username)
        assert user.first_name and user.last_name
        assert user.email == f"{username}@demo.relais.invalid"
        assert (
            authenticate(signin_request(), username=username, password=DEFAULT_DEMO_PASSWORD)
            == user
        )
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert not admin.memberships.exists()
    assert authenticate(signin_request(), username="admin", password=DEFAULT_DEMO_PASSWORD) == admin
    assert authenticate(signin_request(), username="conseiller.nord", password="wrong") is None

    # Two-factor: the accounts that must use it have the fixed secret printed in the
    # README and by the command (so any authenticator app or oathtool works).
    assert DEMO_TOTP_SECRET in output
    assert f"oathtool --totp -b {DEMO_TOTP_SECRET}" in README.read_text()
    with_2fa = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True)
    )
    assert with_2fa == {
        "superviseur.nord",
        "admin.nord",
        "superviseur.sud",
        "superviseur.emmaus",
        "admin",
    }
    for device in TOTPDevice.objects.all():
        assert two_factor.base32_secret(device) == DEMO_TOTP_SECRET

    # Caseloads: at least 30 files per advisor, a few for supervisors.
    caseloads = dict(YoungPerson.objects.values_list("referent__username").annotate(n=Count("pk")))
    for username in ADVISORS:
        assert caseloads[username] >= 30, username
    for username in ("superviseur.nord", "superviseur.sud", "superviseur.emmaus"):
        assert caseloads[username] >= 2, username
    people = list(YoungPerson.objects.all())
    assert all(16 <= yp.age <= 25 for yp in people)
    assert all(yp.organization.kind != OrganizationKind.PARTNER for yp in people)
    without_email = sum(1 for yp in people if not yp.email)
    assert 0.3 * len(people) <= without_email <= 0.7 * len(people)
    statuses = {yp.status for yp in people}
    assert statuses == set(YoungPersonStatus.values)
    assert len({(yp.first_name, yp.last_name) for yp in people}) == len(people)

    # Diagnostics: some files show progress between an older and a newer one.
    progressed = 0
    for yp in YoungPerson.objects.annotate(n=Count("diagnostics")).filter(n__gte=2):
        newest, *_middle, oldest = yp.diagnostics.all()  # newest first
        if newest.autonomy_level > oldest.autonomy_level:
            progressed += 1
    assert progressed >= 5
    assert len(set(DigitalDiagnostic.objects.values_list("autonomy_level", flat=True))) >= 3

    # Steps in every status, some overdue.
    assert set(Step.objects.values_list("status", flat=True)) == set(StepStatus.values)
    assert Step.objects.filter(status__in=OPEN_STEP_STATUSES, due_date__lt=today).exists()
    assert not Step.objects.filter(status=StepStatus.DONE, completed_at__isnull=True).exists()

    # Follow-ups: upcoming appointments, and files without contact for 60+ days.
    assert FollowUp.objects.filter(next_appointment__gt=now).exists()
    assert not FollowUp.objects.filter(occurred_at__gt=now).exists()
    assert FollowUp.objects.filter(occurred_at__lt=now - timedelta(days=100)).exists()
    stale = (
        YoungPerson.objects.filter(follow_ups__isnull=False)
        .exclude(follow_ups__occurred_at__gte=now - timedelta(days=60))
        .distinct()
    )
    assert stale.count() >= 5

    # Applications in every status, some with the CV attached.
    assert set(Application.objects.values_list("status", flat=True)) == set(
        ApplicationStatus.values
    )
    assert Application.objects.filter(cv__isnull=False).exists()
    assert not Application.objects.exclude(status=ApplicationStatus.DRAFT).filter(
        applied_on__isnull=True
    )

    # CVs: most files have one, a real PDF naming its young person, stored under tmp_path.
    cvs = list(Document.objects.filter(kind=DocumentKind.CV).select_related("young_person"))
    assert len(cvs) > len(people) / 2
    for document in cvs:
        yp = document.young_person
        assert document.content_type == "application/pdf"
        assert document.original_name.startswith("CV-") and document.original_name.endswith(".pdf")
        assert Path(document.file.path).is_relative_to(demo_media)
        with document.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-")
        assert document.size == len(content)
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(content)).pages)
        assert yp.last_name in text
        assert yp.first_name in text

    # A second run says so and duplicates nothing.
    before = snapshot()
    output = seed()
    assert "already present" in output
    assert "Mission Locale Demo Nord" in output
    assert snapshot() == before


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings, demo_media: Path) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    assert not Organization.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_seed_demo_force_and_password_options(settings, demo_media: Path) -> None:
    settings.DEBUG = False
    existing_admin = User.objects.create_superuser("admin", "ops@relais.invalid", "keep-me-123")

    output = seed(force=True, password="un-autre-mot-de-passe")

    assert Organization.objects.count() == len(ORGANIZATIONS)
    assert YoungPerson.objects.count() >= 4 * 30
    assert "un-autre-mot-de-passe" in output
    user = User.objects.get(username="conseiller.sud")
    assert user.check_password("un-autre-mot-de-passe")
    assert not user.check_password(DEFAULT_DEMO_PASSWORD)
    # An existing platform admin is left alone.
    existing_admin.refresh_from_db()
    assert existing_admin.email == "ops@relais.invalid"
    assert existing_admin.check_password("keep-me-123")


@pytest.mark.django_db
def test_seed_demo_refuses_to_take_over_existing_accounts(settings, demo_media: Path) -> None:
    settings.DEBUG = True
    User.objects.create_user("conseiller.nord", password="x-real-person")

    with pytest.raises(CommandError, match=r"conseiller\.nord"):
        seed()

    assert not Organization.objects.exists()
    assert User.objects.count() == 1


def test_the_plan_is_the_same_on_every_run() -> None:
    """No database needed: the same seed and day give the same people and records."""
    today = timezone.localdate()

    def plans() -> list:
        planner = Planner(random.Random(SEED), today)
        kinds = {key: kind for key, _name, kind, _territory in ORGANIZATIONS}
        return [
            planner.young_person(org_key, kinds[org_key])
            for _username, _first, _last, org_key, _role, count in ACCOUNTS
            for _index in range(count)
        ]

    first, second = plans(), plans()
    assert first == second
    assert len(first) >= 4 * 30
