from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from referrals.webhooks import retry_due


class Command(BaseCommand):
    help = _("Retry the webhook deliveries whose next attempt is due (run from a scheduler).")

    def handle(self, *args, **options):
        self.stdout.write(_("%(count)d delivery attempt(s).") % {"count": retry_due()})
