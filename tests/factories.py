"""factory-boy factories. Domain objects are built through their services where the
service holds a rule (autonomy level, completion stamps), so tests see real data."""

from datetime import date, timedelta

import factory
from django.contrib.auth.hashers import MD5PasswordHasher
from django.http import HttpRequest
from django.test import RequestFactory
from django.utils import timezone

from accounts.enums import OrganizationKind, Role
from accounts.models import Membership, Organization, User
from cases.enums import FollowUpChannel, StepStatus
from cases.models import DigitalDiagnostic, FollowUp, Step, StepType, YoungPerson

DEFAULT_PASSWORD = "correct-horse-battery"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Mission Locale {n}")
    kind = OrganizationKind.MISSION_LOCALE
    territory = "Nord"

    class Params:
        emmaus = factory.Trait(
            kind=OrganizationKind.EMMAUS_CONNECT,
            name=factory.Sequence(lambda n: f"Emmaüs Connect {n}"),
        )
        partner = factory.Trait(
            kind=OrganizationKind.PARTNER,
            name=factory.Sequence(lambda n: f"Partenaire {n}"),
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(DEFAULT_PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.ADVISOR


def member(organization: Organization, role: str = Role.ADVISOR, **user_fields) -> User:
    """A user with one active membership; a fresh instance so no membership cache lingers."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return User.objects.get(pk=user.pk)


def signin_request(remote_addr: str = "127.0.0.1") -> HttpRequest:
    """The request to give `authenticate()` or `client.login(request=…)`: django-axes counts
    failed sign-ins per account and client, so it refuses an authentication without one."""
    return RequestFactory().post("/accounts/login/", REMOTE_ADDR=remote_addr)


class YoungPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = YoungPerson

    organization = factory.SubFactory(OrganizationFactory)
    referent = factory.LazyAttribute(lambda o: member(o.organization))
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    birth_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20 * 365))
    email = ""
    city = "Lille"

    class Params:
        with_email = factory.Trait(
            email=factory.LazyAttribute(
                lambda o: f"{o.first_name}.{o.last_name}@example.org".lower()
            )
        )


def default_step_type(code: str) -> StepType:
    return StepType.objects.get(organization__isnull=True, code=code)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    young_person = factory.SubFactory(YoungPersonFactory)
    step_type = factory.LazyFunction(lambda: default_step_type("create_email"))
    status = StepStatus.TODO
    due_date = None

    class Params:
        overdue = factory.Trait(
            due_date=factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=3))
        )
        done = factory.Trait(
            status=StepStatus.DONE, completed_at=factory.LazyFunction(timezone.now)
        )


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    young_person = factory.SubFactory(YoungPersonFactory)
    author = factory.LazyAttribute(lambda o: o.young_person.referent)
    occurred_at = factory.LazyFunction(timezone.now)
    channel = FollowUpChannel.IN_PERSON
    duration_minutes = 30
    notes = "Point d'étape"


ALL_NO = dict.fromkeys(DigitalDiagnostic.QUESTION_FIELDS, False)
ALL_YES = dict.fromkeys(DigitalDiagnostic.QUESTION_FIELDS, True)


def birth_date_for_age(age: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - age) - timedelta(days=10)


def ensure_default_catalogue() -> None:
    """Reload the default step catalogue (a data migration) after a transactional test
    flushed the database: tests that need it call this first."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("cases.migrations.0002_default_step_types")
    migration.load(apps, None)


def api_token(user: User, **fields) -> str:
    """The key of a new live API token of `user`, as a partner system holds it."""
    from accounts.models import ApiToken

    _token, key = ApiToken.objects.create(user=user, expiry=timedelta(days=30), **fields)
    return key


class UpgradedTestHasher(MD5PasswordHasher):
    """A "stronger" hasher for tests of hash upgrades at sign-in (as fast as MD5)."""

    algorithm = "md5_upgraded"
