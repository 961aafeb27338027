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

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture
def store(domain: Domain, tmp_path: Path) -> Any:
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    store.counts = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "count(" in statement.lower():
            store.counts.append(statement)

    return store


def turn(text: str) -> List[Any]:
    return [UserUttered(text, {"name": "what_is_mfr", "confidence": 0.9}), SlotSet("symptoms", ["stiffness"]),
            ActionExecuted("action_answer_question"), BotUttered("an answer"), ActionExecuted("action_listen")]


def stored(store: Any, sender: str) -> List[dict]:
    tracker = asyncio.run(store.retrieve_full_tracker(sender))
    return [e.as_dict() for e in tracker.events] if tracker else []


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_a_conversation_is_stored_event_for_event(store: Any) -> None:
    tracker = run(store.get_or_create_tracker("a"))
    for e in [ActionExecuted("action_session_start"), SessionStarted(), *turn("what is it?")]:
        tracker.update(e)
    run(store.save(tracker))
    tracker = run(store.retrieve("a"))
    for e in turn("and at home?"):
        tracker.update(e)
    run(store.save(tracker))
    run(store.save(tracker))  # nothing new: nothing written twice
    everything = stored(store, "a")
    # The loaded tracker starts at the session start; before it: the new tracker's listen and the start action.
    assert [e["event"] for e in everything[:2]] == ["action", "action"]
    assert everything[2:] == [e.as_dict() for e in tracker.events]


def test_a_loaded_tracker_is_saved_without_counting(store: Any) -> None:
    tracker = run(store.get_or_create_tracker("b"))
    for e in turn("first"):
        tracker.update(e)
    run(store.save(tracker))
    store.counts.clear()
    tracker = run(store.retrieve("b"))
    for e in turn("second"):
        tracker.update(e)
    run(store.save(tracker))
    assert store.counts == []
    assert len(stored(store, "b")) == len(tracker.events)


def test_a_new_session_keeps_both_sessions_whole(store: Any) -> None:
    tracker = run(store.get_or_create_tracker("c"))
    for e in [ActionExecuted("action_session_start"), SessionStarted(), *turn("old session")]:
        tracker.update(e)
    run(store.save(tracker))
    tracker = run(store.retrieve("c"))
    for e in [ActionExecuted("action_session_start"), SessionStarted(), *turn("new session")]:
        tracker.update(e)
    run(store.save(tracker))
    everything = stored(store, "c")
    assert [e["event"] for e in everything].count("session_started") == 2
    assert sum(e.get("text") == "old session" for e in everything) == 1
    assert sum(e.get("text") == "new session" for e in everything) == 1
    latest = run(store.retrieve("c"))
    assert sum(getattr(e, "text", None) == "old session" for e in latest.events) == 0


def test_a_tracker_from_elsewhere_falls_back_to_counting(store: Any) -> None:
    tracker = run(store.get_or_create_tracker("d"))
    for e in turn("first"):
        tracker.update(e)
    run(store.save(tracker))
    foreign = copy.deepcopy(run(store.retrieve("d")))
    foreign.__dict__.pop("_mfr_events_in_store", None)
    for e in turn("second"):
        foreign.update(e)
    store.counts.clear()
    run(store.save(foreign))
    assert len(store.counts) == 1
    assert stored(store, "d") == [e.as_dict() for e in foreign.events]
