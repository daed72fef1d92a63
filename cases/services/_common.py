"""What every write about a file shares: the actor check, the access log, the touch."""

import logging

from django.utils import timezone

from accounts.models import User
from cases.models import (
    AccessLog,
    CaseRecord,
    YoungPerson,
)
from core.exceptions import (
    NotFound,
)

audit = logging.getLogger("relais.audit")


def touch(young_person_id: int) -> None:
    """Mark the file as changed (for 'updated since' reads) without a lost update."""
    YoungPerson.objects.filter(pk=young_person_id).update(updated_at=timezone.now())


def require_full_access(actor: User, young_person: YoungPerson) -> None:
    """`actor` may write this file (one `exists()` query), else it does not exist."""
    if not YoungPerson.objects.full_access(actor).filter(pk=young_person.pk).exists():
        raise NotFound()


def require_record(actor: User, model: type[CaseRecord], record, **belongs_to) -> None:
    """The child record (step, document, application) is in the database, belongs to a
    file `actor` may write (and to `belongs_to`'s young person when given), else NotFound.
    Checked against the stored row, not the attributes of the object passed in."""
    if record.pk is None:
        raise NotFound()
    rows = model.objects.for_user(actor).filter(pk=record.pk)
    if not rows.filter(**belongs_to).exists():
        raise NotFound()


def access_log_record(
    *, user: User, young_person: YoungPerson, action: str, detail: str = ""
) -> AccessLog:
    entry = AccessLog(young_person=young_person, user=user, action=action, detail=detail[:300])
    entry.save()
    audit.info("user=%s young_person=%s action=%s", user.pk, young_person.pk, action)
    return entry
