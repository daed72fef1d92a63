"""Domain errors. Each one carries a message fit to show a person, a stable `code` for
programs and the HTTP status the API answers with (Zulip's `JsonableError` is the
model): web views show `message`, the API exception handler turns any of them into
the same error body without knowing the subclasses."""

from typing import Any, ClassVar

from django.http import Http404
from django.utils.translation import gettext as _


class DomainError(Exception):
    code: ClassVar[str] = "invalid"
    http_status: ClassVar[int] = 400
    # The request field the error is about, if any (the API reports it per field). A
    # subclass may fix it; one error may name its own (a rule checked by a service).
    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field

    def extra_data(self) -> dict[str, Any]:
        """What the API adds to `detail` and `code` for this error."""
        return {}


class NotFound(DomainError, Http404):
    """Missing and out of reach alike: never tell who may see what (404, not 403).

    Also an `Http404`, so a web view that lets it through renders the 404 page."""

    code = "not_found"
    http_status = 404

    def __init__(self, message: str = "") -> None:
        super().__init__(message or _("Not found."))


class NotAllowed(DomainError):
    """Authenticated, but this role or side may not do this."""

    code = "not_allowed"
    http_status = 403


class Conflict(DomainError):
    code = "conflict"
    http_status = 409


class DatabaseBusy(Conflict):
    """Another write held the database past the wait (SQLite's "database is locked")."""

    code = "database_busy"

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or _(
                "Another change was being saved at the same moment, so yours was not saved. "
                "Please try again."
            )
        )


class ConcurrentModification(Conflict):
    """Somebody else saved the record after it was loaded."""

    code = "concurrent_modification"


class DuplicateSuspected(Conflict):
    code = "duplicate_suspected"

    def __init__(self, message: str, matches: list) -> None:
        super().__init__(message)
        self.matches = matches

    def extra_data(self) -> dict[str, Any]:
        return {
            "matches": [{"id": m.pk, "referent": m.referent.display_name} for m in self.matches]
        }


class InvalidDocument(DomainError):
    code = "invalid_document"
    field = "file"
