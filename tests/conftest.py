"""Fixtures shared by the whole suite.

pytest-django loads the settings before this file is imported, so RELAIS_TESTING=1 comes
from pyproject.toml (pytest-env's `env`), not from here.
"""

from datetime import timedelta
from pathlib import Path

import factory.random
import pytest
from django.utils.functional import empty

from tests.safety_nets import ordered_slices, strict_template_variables


@pytest.fixture(autouse=True, scope="session")
def unknown_template_variables_fail() -> None:
    """A typo in a project template variable fails the test (see tests/safety_nets.py)."""
    with strict_template_variables():
        yield


@pytest.fixture(autouse=True, scope="session")
def unordered_slices_fail() -> None:
    """A SELECT with LIMIT/OFFSET and no ORDER BY fails the test (see tests/safety_nets.py)."""
    with ordered_slices():
        yield


@pytest.fixture(autouse=True, scope="session")
def force_login_is_verified() -> None:
    """`client.force_login(user)` gives a session that has passed two-factor
    authentication when the account uses it (see tests/two_factor.py)."""
    from django.test import Client

    from tests.two_factor import verified_force_login

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "force_login", verified_force_login)
        yield


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
    """The real hasher spends a good fraction of a second per password on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    """Rate limits (password reset, DRF throttling) count in the cache: every test starts
    from zero, whichever tests ran before it in the same process."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class Clock:
    """Django's clock (`django.utils.timezone.now`), moved forward on demand."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """`clock.advance(days=31)`: every `timezone.now()` after it (auto_now fields, knox's
    expiry check, the services) sees the later time. Time is moved, never slept."""
    from django.utils import timezone

    moved = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + moved.offset)
    return moved
