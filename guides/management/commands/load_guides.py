from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from guides.content import load_default_guides
from history.commands import RecordedCommand


class Command(RecordedCommand):
    help = _(
        "Load the default public guides that are missing (never overwrites a guide that "
        "exists). migrate already loads them; use this after emptying the table."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            created = load_default_guides(apps)
        self.stdout.write(_("%(count)d guide(s) loaded.") % {"count": created})
