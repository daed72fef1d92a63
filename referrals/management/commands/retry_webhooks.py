from django.utils.translation import gettext as _

from history.commands import RecordedCommand
from referrals.webhooks import retry_due


class Command(RecordedCommand):
    help = _("Retry the webhook deliveries whose next attempt is due (run from a scheduler).")

    def handle(self, *args, **options):
        self.stdout.write(_("%(count)d delivery attempt(s).") % {"count": retry_due()})
