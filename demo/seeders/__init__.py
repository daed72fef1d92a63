"""Writes the demo data set, app by app, through each app's services.

One entry point, `seed_demo`: one transaction, notifications switched off (demo addresses
are `.invalid`), and the CV files of a failed run deleted (the database rolls back, the
storage does not).
"""

import random

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo.data import SEED
from demo.planner import Planner
from demo.seeders.accounts import Staff, seed_staff
from demo.seeders.cases import StoredFiles, seed_delegations, seed_files
from demo.seeders.referrals import seed_referrals

DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"


def seed_demo(*, password: str) -> Staff:
    stored_files: StoredFiles = []
    try:
        with (
            override_settings(MAILERS={"default": {"BACKEND": DUMMY_MAIL}}),
            transaction.atomic(),
        ):
            return _seed(password=password, stored_files=stored_files)
    except Exception:
        for storage, name in stored_files:
            storage.delete(name)
        raise


def _seed(*, password: str, stored_files: StoredFiles) -> Staff:
    today = timezone.localdate()
    # The planner is the only source of randomness: the same seed gives the same demo.
    planner = Planner(random.Random(SEED), today)  # noqa: S311 - reproducible, not secret
    staff = seed_staff(hashed_password=make_password(password))
    files = seed_files(planner=planner, staff=staff, stored_files=stored_files)
    seed_delegations(staff=staff, files=files, today=today)
    seed_referrals(staff=staff, files=files)
    return staff
