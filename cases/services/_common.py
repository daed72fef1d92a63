"""What every write about a file shares: the actor check and the touch (the access log is
`cases.services.access_log`)."""

import logging

from django.utils import timezone

from accounts.models import User
from cases.models import (
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
