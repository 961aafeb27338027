"""The SQL tracker store saves exactly the new events, without a COUNT query for trackers it loaded itself."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from sqlalchemy import event

import channels  # noqa: F401  (installs the patches, as Rasa does when it loads credentials.yml)
from server.sql_tracker_store import STORED

@pytest.fixture
def store(rasa_domain: Domain, tmp_path: Path) -> Any:
    store = SQLTrackerStore(rasa_domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    store.counts = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(" in statement.lower():
            store.counts.append(statement)

    return store


def turn(text: str) -> List[Any]:
    return [UserUttered(text, {"name": "what_is_mfr", "confidence": 0.9}), SlotSet("symptoms", ["stiffness"]),
            ActionExecuted("action_answer_question"), BotUttered("an answer"), ActionExecuted("action_listen")]


def new_session(text: str) -> List[Any]:
    return [ActionExecuted("action_session_start"), SessionStarted(), *turn(text)]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def stored(store: Any, sender: str) -> List[dict]:
    tracker = run(store.retrieve_full_tracker(sender))
    return [e.as_dict() for e in tracker.events] if tracker else []


def add_and_save(store: Any, tracker: Any, events: List[Any]) -> Any:
    """Appends the events to the tracker and saves it, as Rasa does at the end of a message."""
    for e in events:
        tracker.update(e)
    run(store.save(tracker))
    return tracker


def test_a_conversation_is_stored_event_for_event(store: Any) -> None:
    tracker = add_and_save(store, run(store.get_or_create_tracker("a")), new_session("what is it?"))
    tracker = add_and_save(store, run(store.retrieve("a")), turn("and at home?"))
    run(store.save(tracker))  # nothing new: nothing written twice
    everything = stored(store, "a")
    # The loaded tracker starts at the session start; before it: the new tracker's listen and the start action.
    assert [e["event"] for e in everything[:2]] == ["action", "action"]
    assert everything[2:] == [e.as_dict() for e in tracker.events]


def test_a_loaded_tracker_is_saved_without_counting(store: Any) -> None:
    add_and_save(store, run(store.get_or_create_tracker("b")), turn("first"))
    store.counts.clear()
    tracker = add_and_save(store, run(store.retrieve("b")), turn("second"))
    assert store.counts == []
    assert len(stored(store, "b")) == len(tracker.events)


def test_a_new_session_keeps_both_sessions_whole(store: Any) -> None:
    add_and_save(store, run(store.get_or_create_tracker("c")), new_session("old session"))
    add_and_save(store, run(store.retrieve("c")), new_session("new session"))
    everything = stored(store, "c")
    assert [e["event"] for e in everything].count("session_started") == 2
    assert sum(e.get("text") == "old session" for e in everything) == 1
    assert sum(e.get("text") == "new session" for e in everything) == 1
    latest = run(store.retrieve("c"))
    assert sum(getattr(e, "text", None) == "old session" for e in latest.events) == 0


def test_a_tracker_from_elsewhere_falls_back_to_counting(store: Any) -> None:
    add_and_save(store, run(store.get_or_create_tracker("d")), turn("first"))
    foreign = copy.deepcopy(run(store.retrieve("d")))
    foreign.__dict__.pop(STORED, None)
    store.counts.clear()
    add_and_save(store, foreign, turn("second"))
    assert len(store.counts) == 1
    assert stored(store, "d") == [e.as_dict() for e in foreign.events]
