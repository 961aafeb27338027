"""A bounded, expiring map kept in one process's memory (least recently used entries go first).

The phone line keeps each caller's state between Twilio's requests in one,
the Telegram channel the update ids it has already handled in another: both
must not grow without bound when callers or updates never come back.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable, Generic, Iterator, Optional, TypeVar

V = TypeVar("V")


class BoundedMap(Generic[V]):
    """At most ``max_items`` entries, each forgotten ``ttl`` seconds after its last use (None: never)."""

    def __init__(self, max_items: int, ttl: Optional[float] = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_items = max_items
        self.ttl = ttl
        self._clock = clock
        self._items: "OrderedDict[str, tuple[float, V]]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items and not self._expired(self._items[key][0])  # type: ignore[index]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._items))

    def _expired(self, used: float) -> bool:
        return self.ttl is not None and self._clock() - used > self.ttl

    def get(self, key: str, default: Optional[Callable[[], V]] = None) -> Optional[V]:
        """The entry (marked as just used), or a new one from ``default`` (stored), or None."""
        found = self._items.pop(key, None)
        if found is not None and not self._expired(found[0]):
            value = found[1]
        elif default is not None:
            value = default()
        else:
            return None
        self.put(key, value)
        return value

    def put(self, key: str, value: V) -> None:
        """Stores ``value`` as the most recently used entry, dropping the oldest beyond the bound."""
        self._items.pop(key, None)
        self._items[key] = (self._clock(), value)
        while len(self._items) > self.max_items:
            self._items.popitem(last=False)

    def add(self, key: str, value: V) -> bool:
        """Stores ``value`` unless ``key`` is already there; True when it was new."""
        if key in self:
            return False
        self.put(key, value)
        return True

    def pop(self, key: str) -> Optional[V]:
        """Removes and returns the entry, if any."""
        found = self._items.pop(key, None)
        return None if found is None else found[1]
