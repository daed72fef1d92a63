"""Hooks: how a lower app lets a higher one act on its writes without importing it.

Apps import downwards only (`accounts` imports nothing but `core`), yet some writes of a
lower app must be followed, in the same transaction, by a write of a higher one: when a
membership's role changes, `referrals` must recompute who holds the grants on its shared
files. A `Hook` is the one sanctioned way to do that, and it is deliberately narrower than
a Django signal (DESIGN.md: "no signals driving business flow"):

- it is declared next to the service that fires it (`accounts/hooks.py`), so reading that
  service shows that something else happens, and grepping the hook's name shows what;
- only services fire it, explicitly and synchronously, inside their `transaction.atomic`
  block (never `save()` or `post_save`): a listener's writes commit or roll back with the
  service's own, and a listener's exception fails the service (no `send_robust`);
- listeners are registered once, by an app's `AppConfig.ready()`, with keyword arguments
  only; there is no sender filtering, no weak references and no disconnecting.
"""

from collections.abc import Callable
from typing import Any

Listener = Callable[..., None]


class Hook:
    def __init__(self, name: str, *, arguments: tuple[str, ...]) -> None:
        self.name = name
        # The keyword arguments every call passes (documentation, and checked on fire).
        self.arguments = arguments
        self._listeners: list[Listener] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._listeners)} listener(s)>"

    def register(self, listener: Listener) -> Listener:
        """Add `listener` (idempotent: `ready()` may run twice in tests)."""
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    @property
    def listeners(self) -> tuple[Listener, ...]:
        return tuple(self._listeners)

    def fire(self, **kwargs: Any) -> None:
        if set(kwargs) != set(self.arguments):
            raise TypeError(f"{self.name} takes {', '.join(self.arguments)}")
        for listener in self._listeners:
            listener(**kwargs)
