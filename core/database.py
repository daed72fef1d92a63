"""Database errors that mean "somebody else was writing": a clear conflict (409) that the
person or program can retry, never a 500."""

from django.db import OperationalError

# PostgreSQL: serialization failure, deadlock detected, lock not available.
_BUSY_SQLSTATES = frozenset({"40001", "40P01", "55P03"})


def is_database_busy(error: BaseException) -> bool:
    """SQLite's "database is locked" (another writer held the lock past the busy timeout)
    or PostgreSQL's lock and serialization failures. Any other database error is a bug,
    and stays a 500."""
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.__cause__, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    message = str(error).lower()
    return message.startswith("database") and "is locked" in message
