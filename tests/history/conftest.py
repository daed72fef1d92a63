import pytest

from accounts.enums import Role
from tests.factories import OrganizationFactory, YoungPersonFactory, member


@pytest.fixture
def org(db):
    return OrganizationFactory(name="Mission Locale de Douai")


@pytest.fixture
def advisor(org):
    return member(org, Role.ADVISOR, username="camille", first_name="Camille", last_name="Roux")


@pytest.fixture
def supervisor(org):
    return member(org, Role.SUPERVISOR, username="sam", first_name="Sam", last_name="Petit")


@pytest.fixture
def yp(org, advisor):
    return YoungPersonFactory(
        organization=org, referent=advisor, first_name="Lina", last_name="Bernard", city="Lille"
    )
