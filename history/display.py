"""History entries as people read them (the file's "History of changes" page) and as
programs read them (the API): pure functions over entries already loaded with their
actor and content type — no query here.

Values are stored as django-auditlog writes them in JSON mode: strings, numbers,
booleans, null, related objects by id (their names beside, in `additional_data`), dates
as "YYYY-MM-DD" and date-times as naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]".
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from history import registry
from history.enums import Channel
from history.models import HistoryEntry

EMPTY = "—"


@dataclass(frozen=True)
class ChangeLine:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class EntryView:
    at: datetime
    actor: str  # empty: no user (a command, a task)
    channel: str
    action: str
    action_name: str  # create, update, delete
    object_type: str
    object_label: str
    changes: tuple[ChangeLine, ...]


def _model(entry: HistoryEntry) -> type[models.Model] | None:
    return entry.content_type.model_class()


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _moment(value: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return timezone.localtime(moment)


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _shown(
    field: models.Field | None,
    value: Any,
    name: str | None,
    formatter: Any,
) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if formatter is not None:
        return str(formatter(value))
    if field is None:
        return str(value)
    if field.is_relation:
        return name or _("no longer exists")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field.flatchoices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = _moment(value)
        return formats.date_format(moment, "SHORT_DATETIME_FORMAT") if moment else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = _day(value)
        return formats.date_format(day, "SHORT_DATE_FORMAT") if day else value
    return str(value)


def _ordered(entry: HistoryEntry, tracked: registry.Tracked | None) -> list[str]:
    names = list(entry.changes or {})
    if tracked is None:
        return names
    position = {name: i for i, name in enumerate(tracked.fields)}
    return sorted(names, key=lambda name: position.get(name, len(position)))


def entry_view(entry: HistoryEntry) -> EntryView:
    model = _model(entry)
    tracked = registry.tracked(model) if model is not None else None
    names = (entry.additional_data or {}).get("names", {})
    formatters = tracked.formatters if tracked else {}
    lines = []
    for name in _ordered(entry, tracked):
        before, after = entry.changes[name]
        field = _field(model, name)
        before_name, after_name = names.get(name) or (None, None)
        line = ChangeLine(
            field=capfirst(field.verbose_name) if field is not None else name,
            before=_shown(field, before, before_name, formatters.get(name)),
            after=_shown(field, after, after_name, formatters.get(name)),
        )
        # A creation or deletion lists the fields that had a value.
        if line.before != EMPTY or line.after != EMPTY:
            lines.append(line)
    return EntryView(
        at=entry.timestamp,
        actor=entry.actor.display_name if entry.actor else "",
        channel=str(Channel(entry.channel).label) if entry.channel in Channel.values else "",
        action=str(entry.action_name.label),
        action_name=str(entry.action_name.value),
        object_type=capfirst(model._meta.verbose_name) if model else entry.content_type.name,
        object_label=entry.object_repr,
        changes=tuple(lines),
    )


def entry_views(entries: Iterable[HistoryEntry]) -> list[EntryView]:
    return [entry_view(entry) for entry in entries]


def _api_value(field: models.Field | None, value: Any) -> Any:
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = _moment(value)
        return moment.isoformat() if moment else value
    return value


def api_object(entry: HistoryEntry) -> dict[str, Any]:
    model = _model(entry)
    tracked = registry.tracked(model) if model is not None else None
    return {
        "type": tracked.kind if tracked else entry.content_type.model,
        "id": entry.object_id,
        "label": entry.object_repr,
    }


def api_changes(entry: HistoryEntry) -> dict[str, list[Any]]:
    """{field: [before, after]}: related objects by id, choices by code, date-times in
    ISO 8601 with the time zone, as the rest of the API gives them."""
    model = _model(entry)
    return {
        name: [_api_value(_field(model, name), value) for value in values]
        for name, values in (entry.changes or {}).items()
    }
