"""Who is changing things, and through which door: set once per request (the middleware),
per import and per command, read when a history entry is written.

django-auditlog's own middleware reads `request.user` when the request comes in, before
Django REST framework has authenticated a token: API writes would have no actor. Here the
actor is read when the entry is written, from the request, where DRF has put the token's
user by then.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from history.enums import Channel

type ActorSource = AbstractBaseUser | Callable[[], AbstractBaseUser | None] | None


@dataclass(frozen=True)
class Recording:
    channel: str
    actor: ActorSource = None

    def resolve_actor(self) -> AbstractBaseUser | None:
        actor = self.actor() if callable(self.actor) else self.actor
        if actor is None or not actor.is_authenticated:
            return None
        return actor


_current: ContextVar[Recording | None] = ContextVar("history_recording", default=None)


@contextmanager
def recording(*, channel: str, actor: ActorSource = None) -> Iterator[Recording]:
    """Changes made inside are recorded as coming from `channel`, made by `actor` (a user,
    or a callable giving one when an entry is written)."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    current = Recording(channel=channel, actor=actor)
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)


def current() -> Recording:
    return _current.get() or Recording(channel=Channel.SYSTEM)
