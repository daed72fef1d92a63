"""Fixtures shared by the whole suite.

Settings are loaded by pytest-django before this file is imported, so the environment
(RELAIS_TESTING=1) is set by whoever starts pytest: `make test`, `make test-postgres`, CI.
"""

from pathlib import Path

import factory.random
import pytest
from django.utils.functional import empty


@pytest.fixture(autouse=True)
def reproducible_factories(request: pytest.FixtureRequest) -> None:
    """Seed factory_boy and Faker from the test's id: a test gets the same fake names on
    every run, whatever the order or the xdist worker, so a failure can be replayed."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path: Path) -> Path:
    """Every test stores documents in its own temporary directory, never in the repo."""
    from cases.models import private_storage

    location = tmp_path / "private_media"
    settings.PRIVATE_MEDIA_ROOT = location
    # Assigning STORAGES makes Django drop its cached storage instances (setting_changed).
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"].get("OPTIONS", {}), "location": location},
        },
        "private": {
            **settings.STORAGES["private"],
            "OPTIONS": {**settings.STORAGES["private"].get("OPTIONS", {}), "location": location},
        },
    }
    # FileFields hold the lazy `private_storage`; forget what it resolved to so that it
    # picks up the storage above, and again afterwards so that no test sees this one.
    private_storage._wrapped = empty
    yield location
    private_storage._wrapped = empty


@pytest.fixture(autouse=True)
def fast_password_hasher(settings) -> None:
    """Real hashers cost ~0.3 s per password; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
