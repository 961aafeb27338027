"""Saves a conversation to the SQL tracker store without first counting what is already stored.

Rasa 3.6's `SQLTrackerStore.save` runs a COUNT over the conversation's
events since its last session start before every insert, to know which of the
tracker's events are new; py-spy put that query at about a third of the save
time. The tracker it saves was loaded by the same store a moment earlier
(under the conversation's lock), so the number is already known: it is the
number of events loaded, and after a save the number of events saved. This
patch remembers that number on the tracker object and falls back to Rasa's
COUNT whenever a tracker did not come from here (a new conversation, a tracker
replaced through the HTTP API, a copy).

Installed by `server.install_all()`;
it applies to SQLite and to PostgreSQL (the scale-out set-up).
"""

from __future__ import annotations

import itertools
from typing import Any, Iterator, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

# Attribute on a tracker: how many of its events (from the start of `tracker.events`) are in the store.
STORED = "_mfr_events_in_store"


def stored_events(tracker: DialogueStateTracker) -> Optional[int]:
    """The remembered number of stored events, if this very tracker object was loaded or saved here."""
    value = tracker.__dict__.get(STORED)
    return value if isinstance(value, int) and 0 <= value <= len(tracker.events) else None


def install() -> None:
    """Wraps `_retrieve`, `_additional_events` and `save` of Rasa's SQL tracker store once per process."""
    if getattr(SQLTrackerStore.save, "_mfr_counted", False):
        return
    original_retrieve = SQLTrackerStore._retrieve
    original_additional = SQLTrackerStore._additional_events
    original_save = SQLTrackerStore.save

    async def _retrieve(self: SQLTrackerStore, sender_id: str,
                        fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        tracker = await original_retrieve(self, sender_id, fetch_events_from_all_sessions)
        # Only the latest session's events are what `_additional_events` would count.
        if tracker is not None and not fetch_events_from_all_sessions:
            tracker.__dict__[STORED] = len(tracker.events)
        return tracker

    def _additional_events(self: SQLTrackerStore, session: Any, tracker: DialogueStateTracker) -> Iterator:
        stored = stored_events(tracker)
        if stored is None:
            return original_additional(self, session, tracker)
        return itertools.islice(tracker.events, stored, len(tracker.events))

    async def save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
        await original_save(self, tracker)
        tracker.__dict__[STORED] = len(tracker.events)

    save._mfr_counted = True  # type: ignore[attr-defined]
    SQLTrackerStore._retrieve = _retrieve  # type: ignore[method-assign]
    SQLTrackerStore._additional_events = _additional_events  # type: ignore[method-assign]
    SQLTrackerStore.save = save  # type: ignore[method-assign]
