"""Which models have a history, and how each entry is tied to its young person.

The apps that own the models say so in their `AppConfig.ready()` (cases/tracking.py,
referrals/tracking.py), so this app imports none of them. Each tracked model names the
fields recorded (an allow-list: a new field is not copied into the history until someone
decides it should be), the attribute that holds the young person's id (every entry is
stored with it, indexed: one file's history is one query, and erasing the personal values
of one person's history is one filter), and how the object is named in the history.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from auditlog.registry import auditlog
from django.db.models import Model


@dataclass(frozen=True)
class Tracked:
    model: type[Model]
    kind: str  # the object's type in the API ("step", "document"…)
    young_person: str  # attribute holding the young person's id ("young_person_id", "pk"…)
    fields: tuple[str, ...]  # recorded fields, in the order they are shown
    label: Callable[[Any], str]  # the object's name in the history, stored with each entry
    # How to show a value the field alone cannot name (e.g. a JSON list of codes).
    formatters: dict[str, Callable[[Any], str]] = field(default_factory=dict)

    def young_person_of(self, instance: Model) -> int | None:
        return getattr(instance, self.young_person)


_tracked: dict[type[Model], Tracked] = {}


def track(
    model: type[Model],
    *,
    kind: str,
    young_person: str,
    fields: Iterable[str],
    label: Callable[[Any], str],
    formatters: dict[str, Callable[[Any], str]] | None = None,
) -> None:
    fields = tuple(fields)
    for name in fields:
        model._meta.get_field(name)  # a typo fails at start-up, not in production
    _tracked[model] = Tracked(model, kind, young_person, fields, label, formatters or {})
    auditlog.register(model, include_fields=list(fields))


def tracked(model: type[Model]) -> Tracked | None:
    return _tracked.get(model)


def tracked_models() -> list[Tracked]:
    return list(_tracked.values())
