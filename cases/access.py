"""May this user reach this object? Each function answers with the object or raises
`core.exceptions.NotFound` — for a malformed id, a missing object and a forbidden one
alike, so nobody learns what exists outside their reach (DESIGN.md, "Who sees what").

Views, API views, exports and PDFs get single objects here; lists come from
`cases.selectors`. Both read the rule from `cases.querysets`.
"""

from typing import Any

from accounts.models import Organization, User
from cases.enums import AccessLevel
from cases.models import Application, Document, Step, StepType, YoungPerson
from cases.selectors import can_manage_delegations
from core.access import as_pk
from core.exceptions import NotFound


def access_young_person(
    user: User, pk: Any, *, level: AccessLevel = AccessLevel.FULL
) -> YoungPerson:
    """The young person, annotated with `access` (the user's level on this file).

    `level=AccessLevel.FULL` (the default) requires the whole file;
    `level=AccessLevel.DIRECTORY` also lets in colleagues who only see the directory card.
    """
    if level == AccessLevel.FULL:
        qs = YoungPerson.objects.full_access(user)
    elif level == AccessLevel.DIRECTORY:
        qs = YoungPerson.objects.reachable(user)
    else:
        raise ValueError(f"No access to ask for at level {level!r}")
    young_person = qs.select_related("organization", "referent").filter(pk=as_pk(pk)).first()
    if young_person is None:
        raise NotFound
    if level == AccessLevel.FULL:
        young_person.access = AccessLevel.FULL.value
    return young_person


def access_delegations(user: User, pk: Any) -> YoungPerson:
    """A file whose delegations `user` manages."""
    young_person = access_young_person(user, pk)
    if not can_manage_delegations(user, young_person):
        raise NotFound
    return young_person


def _record[R: Step | Application | Document](
    model: type[R], user: User, pk: Any, young_person_pk: Any, related: tuple[str, ...]
) -> R:
    """A child record of a file, found through its young person (`for_user`)."""
    record = (
        model.objects.for_user(user)
        .select_related(*related)
        .filter(pk=as_pk(pk), young_person_id=as_pk(young_person_pk))
        .first()
    )
    if record is None:
        raise NotFound
    return record


def access_step(user: User, pk: Any, *, young_person_pk: Any) -> Step:
    return _record(
        Step,
        user,
        pk,
        young_person_pk,
        ("step_type", "step_type__guide_link__guide", "young_person"),
    )


def access_application(user: User, pk: Any, *, young_person_pk: Any) -> Application:
    return _record(Application, user, pk, young_person_pk, ("young_person", "cv"))


def access_document(user: User, pk: Any, *, young_person_pk: Any) -> Document:
    return _record(Document, user, pk, young_person_pk, ("young_person",))


def access_own_step_type(organization: Organization, pk: Any) -> StepType:
    """A step type of the organisation's own catalogue (the shared defaults belong to
    nobody). The caller has already checked that the user administers `organization`."""
    step_type = StepType.objects.filter(organization=organization, pk=as_pk(pk)).first()
    if step_type is None:
        raise NotFound
    return step_type
