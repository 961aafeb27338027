"""A conversation store that fails while the server runs: a loud error, never a silent fallback.

Rasa wraps every tracker store in `FailSafeTrackerStore`, which on any error
logs one line and carries on with an empty in-memory tracker: the user gets
answers, but what they said before is forgotten, and what they say now is kept
only until the server stops. Here the error is logged with its cause and
raised as `ConversationStoreError`; the channels answer such a message with a
clear error (the REST channel with HTTP 503) and nothing is stored in memory
by mistake.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from rasa.core.tracker_store import FailSafeTrackerStore

logger = logging.getLogger(__name__)


class ConversationStoreError(RuntimeError):
    """The conversation store failed; the message was not processed."""


def _fail(store: Any, what: str, error: Exception) -> None:
    logger.error("The conversation store (%s) failed while trying to %s: %s: %s. The message is refused; "
                 "nothing is kept in memory instead.", type(store._tracker_store).__name__, what,
                 type(error).__name__, error)
    raise ConversationStoreError(f"conversation store unavailable ({what})") from error


def install() -> None:
    """Makes `FailSafeTrackerStore` raise instead of falling back to memory (once per process)."""
    if getattr(FailSafeTrackerStore.retrieve, "_mfr_loud", False):
        return

    async def retrieve(self: FailSafeTrackerStore, sender_id: str) -> Optional[Any]:
        try:
            return await self._tracker_store.retrieve(sender_id)
        except Exception as error:
            _fail(self, "read a conversation", error)
            return None

    async def retrieve_full_tracker(self: FailSafeTrackerStore, sender_id: str) -> Optional[Any]:
        try:
            return await self._tracker_store.retrieve_full_tracker(sender_id)
        except Exception as error:
            _fail(self, "read a conversation", error)
            return None

    async def save(self: FailSafeTrackerStore, tracker: Any) -> None:
        try:
            await self._tracker_store.save(tracker)
        except Exception as error:
            _fail(self, "save a conversation", error)

    async def keys(self: FailSafeTrackerStore) -> Any:
        try:
            return await self._tracker_store.keys()
        except Exception as error:
            _fail(self, "list conversations", error)
            return []

    retrieve._mfr_loud = True  # type: ignore[attr-defined]
    FailSafeTrackerStore.retrieve = retrieve  # type: ignore[method-assign]
    FailSafeTrackerStore.retrieve_full_tracker = retrieve_full_tracker  # type: ignore[method-assign]
    FailSafeTrackerStore.save = save  # type: ignore[method-assign]
    FailSafeTrackerStore.keys = keys  # type: ignore[method-assign]
