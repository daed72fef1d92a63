from django.core.management.base import BaseCommand

from history.context import recording
from history.enums import Channel


class RecordedCommand(BaseCommand):
    """A management command: the changes it makes are recorded as coming through the
    command channel (no actor: a scheduler or an operator ran it). Every Relais command
    derives from it (tests/history/test_channels.py checks)."""

    def execute(self, *args, **options):
        with recording(channel=Channel.COMMAND):
            return super().execute(*args, **options)
