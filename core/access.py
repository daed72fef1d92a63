"""What every app's `access` module shares: one not-found error for a malformed id, a
missing object and a forbidden one alike (Zulip's `access_stream_by_id`)."""

from typing import Any

from core.exceptions import NotFound

# The largest primary key the databases store (a signed 64-bit integer): a bigger one in a
# query would make SQLite overflow and PostgreSQL fail, a 500 instead of a 404.
MAX_ID = 2**63 - 1


def as_pk(value: Any) -> int:
    """A primary key from a URL or a form, or NotFound."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 1 <= pk <= MAX_ID:
        raise NotFound
    return pk
