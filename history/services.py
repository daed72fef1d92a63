"""Writes to the history that django-auditlog's signals cannot see.

Every `save()` and `delete()` of a tracked model is recorded by the library's signals.
A few services change rows without them, on purpose: a conditional UPDATE (optimistic
locking, referral transitions), `bulk_create`, a bulk reassignment. They call these,
in the same transaction, with the object as it was and as it is.
"""

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from auditlog.diff import model_instance_diff
from django.db.models import Model

from history.models import HistoryEntry

CREATE = HistoryEntry.Action.CREATE
UPDATE = HistoryEntry.Action.UPDATE


def snapshot[M: Model](instance: M) -> M:
    """The object as it is now, to compare with after an update made without save()."""
    return copy.copy(instance)


def _diff(before: Model | None, after: Model, fields: Iterable[str] | None) -> dict | None:
    return model_instance_diff(
        before, after, fields_to_check=list(fields) if fields else None, use_json_for_changes=True
    )


def history_record_update(
    *, before: Model, after: Model, fields: Iterable[str] | None = None
) -> HistoryEntry | None:
    """An update made by a queryset UPDATE: the recorded fields that differ, if any."""
    changes = _diff(before, after, fields)
    if not changes:
        return None
    return HistoryEntry.objects.log_create(after, action=UPDATE, changes=changes)


def history_record_created(instances: Sequence[Model]) -> list[HistoryEntry]:
    """Objects written by bulk_create (their primary keys set): one INSERT."""
    return HistoryEntry.objects.log_many(
        [(instance, CREATE, _diff(None, instance, None), None) for instance in instances]
    )


def history_record_updates(
    rows: Sequence[tuple[Model, dict[str, list[Any]], dict[str, list[Any]] | None]],
) -> list[HistoryEntry]:
    """Updates made in bulk: (object, {field: [before, after]}, names of related objects
    or None to look them up). One INSERT."""
    return HistoryEntry.objects.log_many(
        [(instance, UPDATE, changes, names) for instance, changes, names in rows if changes]
    )


def history_erase_values(*, young_person_id: int, batch_size: int = 500) -> int:
    """Keep what happened (when, who, which object and fields), forget the values: what
    the retention rule asks of an anonymised file's history. Returns the entries changed."""
    entries = HistoryEntry.objects.filter(young_person_id=young_person_id).order_by("pk")
    changed = 0
    batch: list[HistoryEntry] = []
    for entry in entries.only("pk", "changes").iterator(chunk_size=batch_size):
        entry.changes = {name: [None, None] for name in entry.changes or {}}
        entry.object_repr = ""
        entry.additional_data = None
        batch.append(entry)
        if len(batch) == batch_size:
            changed += HistoryEntry.objects.bulk_update(
                batch, ["changes", "object_repr", "additional_data"]
            )
            batch = []
    if batch:
        changed += HistoryEntry.objects.bulk_update(
            batch, ["changes", "object_repr", "additional_data"]
        )
    return changed
