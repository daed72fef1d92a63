"""Guides for tests, made through the services (as editors make them)."""

import importlib
import itertools
from datetime import date

from django.apps import apps

from accounts.models import Organization, User
from guides import services
from guides.enums import GuideStatus
from guides.models import Guide
from tests.factories import UserFactory

_numbers = itertools.count(1)
BODY = "## Les étapes\n\n1. Ouvrez le site.\n2. Appuyez sur « Créer un compte ».\n"


def platform_editor() -> User:
    return UserFactory(is_superuser=True, is_staff=True)


def make_guide(
    *,
    actor: User | None = None,
    organization: Organization | None = None,
    published: bool = True,
    **fields,
) -> Guide:
    n = next(_numbers)
    actor = actor or platform_editor()
    values = {
        "slug": f"guide-{n}",
        "title": f"Guide numéro {n}",
        "topic": "numerique",
        "summary": "Un résumé court.",
        "body": BODY,
        "reviewed_on": date(2026, 11, 1),
    } | fields
    guide = services.guide_create(actor=actor, organization=organization, **values)
    if published:
        guide = services.guide_set_status(actor=actor, guide=guide, status=GuideStatus.PUBLISHED)
    return guide


def ensure_default_guides() -> None:
    """Reload the default guides (a data migration) after a transactional test flushed the
    database, as tests.factories.ensure_default_catalogue does for the steps."""
    from tests.factories import ensure_default_catalogue

    ensure_default_catalogue()
    importlib.import_module("guides.content").load_default_guides(apps)
