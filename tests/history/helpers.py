"""What the history tests share."""

from django.contrib.contenttypes.models import ContentType

from history.models import HistoryEntry


def entries_of(obj) -> list[HistoryEntry]:
    """The history entries of one object, oldest first."""
    return list(
        HistoryEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
        ).order_by("pk")
    )


def last_entry(obj) -> HistoryEntry:
    found = entries_of(obj)
    assert found, f"no history entry for {obj!r}"
    return found[-1]
