"""The history of changes: django-auditlog's log entry (settings.AUDITLOG_LOGENTRY_MODEL),
with the young person each entry belongs to and the channel it came through."""

from typing import Any

from auditlog.cid import get_cid
from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from history import context, registry
from history.enums import Action, Channel

ACTIONS = {
    AbstractLogEntry.Action.CREATE: Action.CREATE,
    AbstractLogEntry.Action.UPDATE: Action.UPDATE,
    AbstractLogEntry.Action.DELETE: Action.DELETE,
}


def name_of(obj: Model | None) -> str | None:
    """A related object as the history shows it: a person by their name, else str()."""
    if obj is None:
        return None
    return getattr(obj, "display_name", None) or str(obj)


def _related_name(field: models.ForeignKey, instance: Model, pk: Any) -> str | None:
    if pk is None:
        return None
    if field.is_cached(instance):
        cached = field.get_cached_value(instance)
        if cached is not None and cached.pk == pk:
            return name_of(cached)
    return name_of(field.related_model._base_manager.filter(pk=pk).first())


def related_names(instance: Model, changes: dict[str, list]) -> dict[str, list]:
    """The names of the related objects in `changes` ({field: [before, after]}), as they
    are now: the history keeps who the referent was even after that account is gone, and
    a deleted CV keeps its title in the applications that sent it."""
    names = {}
    for name, values in changes.items():
        field = instance._meta.get_field(name)
        if field.many_to_one:
            names[name] = [_related_name(field, instance, value) for value in values]
    return names


class HistoryEntryManager(LogEntryManager):
    def _complete(self, instance: Model, kwargs: dict[str, Any]) -> None:
        """What django-auditlog does not know: the young person, the channel, the actor
        (read now, see history.context), the object's name and the related objects' names."""
        tracked = registry.tracked(type(instance))
        recording = context.current()
        kwargs.setdefault("channel", recording.channel)
        kwargs.setdefault("actor", recording.resolve_actor())
        if tracked is not None:
            kwargs.setdefault("young_person_id", tracked.young_person_of(instance))
            kwargs.setdefault("object_repr", tracked.label(instance))
        if kwargs.get("changes") and "additional_data" not in kwargs:
            kwargs["additional_data"] = {"names": related_names(instance, kwargs["changes"])}

    def log_create(self, instance, force_log: bool = False, **kwargs):
        if kwargs.get("changes") is not None or force_log:
            self._complete(instance, kwargs)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_many(self, rows: list[tuple[Model, int, dict, dict | None]]) -> list["HistoryEntry"]:
        """One INSERT for changes the ORM made in bulk (bulk_create, a queryset update):
        rows of (instance, auditlog action, changes, names of related objects or None)."""
        entries = []
        for instance, action, changes, names in rows:
            kwargs: dict[str, Any] = {"action": action, "changes": changes}
            if names is not None:
                kwargs["additional_data"] = {"names": names}
            self._complete(instance, kwargs)
            entries.append(
                self.model(
                    content_type=ContentType.objects.get_for_model(instance),
                    object_pk=str(instance.pk),
                    object_id=instance.pk,
                    cid=get_cid(),
                    **kwargs,
                )
            )
        return self.bulk_create(entries)


class HistoryEntry(AbstractLogEntry):
    # The library indexes several columns one by one; at national scale every index is paid
    # on every write. Kept: the young person's history (below), one object's history
    # (content type + id), the actor's changes (the foreign key's index) and the timestamp.
    content_type = models.ForeignKey(
        to="contenttypes.ContentType",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("content type"),
        db_index=False,
    )
    object_pk = models.CharField(max_length=255, verbose_name=_("object pk"))
    object_id = models.BigIntegerField(blank=True, null=True, verbose_name=_("object id"))
    action = models.PositiveSmallIntegerField(
        choices=AbstractLogEntry.Action.choices, verbose_name=_("action")
    )
    # The library writes None when a request carries no correlation id.
    cid = models.CharField(  # noqa: DJ001
        max_length=255, blank=True, null=True, verbose_name=_("Correlation ID")
    )
    # A plain column, not a foreign key: the history outlives the file it tells about.
    young_person_id = models.PositiveBigIntegerField(_("young person"), null=True, blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=Channel.choices, default=Channel.SYSTEM
    )

    objects = HistoryEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = _("history entry")
        verbose_name_plural = _("history of changes")
        ordering = ["-timestamp", "-pk"]
        indexes = [
            models.Index(
                fields=["young_person_id", "-timestamp", "-id"], name="history_young_person"
            ),
            models.Index(fields=["content_type", "object_id"], name="history_object"),
        ]

    @property
    def action_name(self) -> str:
        return ACTIONS[self.action]
