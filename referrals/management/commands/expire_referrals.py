from django.utils.translation import gettext as _

from history.commands import RecordedCommand
from referrals.services import referrals_expire_due


class Command(RecordedCommand):
    help = _(
        "Send reminders for unanswered referrals, then expire those past the delay. "
        "Idempotent: run it from a scheduler (e.g. every hour)."
    )

    def handle(self, *args, **options):
        reminded, expired = referrals_expire_due()
        self.stdout.write(
            _("%(reminded)d reminder(s) sent, %(expired)d referral(s) expired.")
            % {"reminded": reminded, "expired": expired}
        )
