"""`manage.py seed_demo`: a deterministic demo data set for trying Relais out.

The command only checks that it may run, calls `demo.seeders.seed_demo` (which writes
everything through the services, in one transaction) and prints what was created.
"""

import time

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from demo.data import ACCOUNTS, DEFAULT_DEMO_PASSWORD, DEMO_TOTP_SECRET, SUPERUSER
from demo.seeders import seed_demo
from demo.seeders.accounts import existing_demo_organization_names, taken_demo_usernames
from demo.summary import demo_counts
from history.commands import RecordedCommand


class Command(RecordedCommand):
    requires_migrations_checks = True

    @property
    def help(self) -> str:
        # A property so that the text is translated when it is shown (argparse needs a str).
        return _(
            "Create demo organisations, accounts and about 140 young people's files with "
            "diagnostics, steps, follow-ups, applications and PDF CVs. The data are the same "
            "on every run. If the demo organisations already exist, nothing is changed and "
            "nothing is duplicated: to start again, use an empty database (for example after "
            "'manage.py flush'). Refuses to run when DEBUG is off unless --force is given."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_DEMO_PASSWORD,
            help=_("Password of every demo account (default: %(default)s)."),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("Run even when DEBUG is off (never on a production database)."),
        )

    def handle(self, *args, password: str, force: bool, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                _(
                    "Refusing to create demo data while DEBUG is off: this looks like a "
                    "production setting. Use --force if you really mean it."
                )
            )
        if not password:
            raise CommandError(_("The password cannot be empty."))
        existing = existing_demo_organization_names()
        if existing:
            self.stdout.write(
                _("Demo data already present (%(names)s): nothing was changed.")
                % {"names": ", ".join(existing)}
            )
            return
        taken = taken_demo_usernames()
        if taken:
            raise CommandError(
                _("These accounts already exist, so the demo cannot be created: %(names)s.")
                % {"names": ", ".join(taken)}
            )

        started = time.monotonic()
        staff = seed_demo(password=password)
        if staff.superuser_existed:
            self.stdout.write(
                _("The account %(username)s already exists: left unchanged.")
                % {"username": SUPERUSER[0]}
            )
        self.summary(password, time.monotonic() - started)

    def summary(self, password: str, seconds: float) -> None:
        counts = demo_counts()
        self.stdout.write(
            self.style.SUCCESS(_("Demo data created in %(seconds).1f s.") % {"seconds": seconds})
        )
        self.stdout.write(
            _(
                "%(organizations)d organisations, %(accounts)d accounts, %(young_people)d "
                "young people (%(without_email)d without an e-mail address, %(paused)d "
                "paused, %(closed)d closed)."
            )
            % counts
        )
        self.stdout.write(
            _(
                "%(diagnostics)d diagnostics, %(steps)d steps (%(overdue)d overdue), "
                "%(follow_ups)d follow-ups (%(upcoming)d files with an upcoming appointment, "
                "%(stale)d without a follow-up for 60 days), %(applications)d applications, "
                "%(documents)d documents."
            )
            % counts
        )
        self.stdout.write(
            _("Log in as %(usernames)s or %(superuser)s with the password “%(password)s”.")
            % {
                "usernames": ", ".join(row[0] for row in ACCOUNTS),
                "superuser": SUPERUSER[0],
                "password": password,
            }
        )
        self.stdout.write(
            _(
                "Supervisors, organisation admins and %(superuser)s also type a sign-in code: "
                "add the secret %(secret)s to an authenticator app, or run "
                "`oathtool --totp -b %(secret)s`."
            )
            % {"superuser": SUPERUSER[0], "secret": DEMO_TOTP_SECRET}
        )
