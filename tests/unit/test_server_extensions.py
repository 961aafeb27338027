"""server/: the extensions are installed by one idempotent call; the start-up freeze; the store's checks."""

from __future__ import annotations

import gc
import sqlite3
from pathlib import Path

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.tracker_store import FailSafeTrackerStore, SQLTrackerStore

import server
from server import startup
from server.tracker_store import ConversationStoreUnusable, ProjectSQLTrackerStore


def test_install_all_is_idempotent_and_installs_every_extension() -> None:
    first = server.install_all()
    assert first == server.install_all() == server.installed()
    assert set(first) == {"action_fallback", "action_validation", "slot_validation", "sql_tracker_store",
                          "store_failures", "startup"}
    assert getattr(RemoteAction.run, "_mfr_fallback", False)
    assert getattr(FailSafeTrackerStore.retrieve, "_mfr_loud", False)
    assert getattr(SQLTrackerStore.save, "_mfr_counted", False)
    assert getattr(Agent.load_model, "_mfr_freeze", False)


def test_importing_the_channels_installs_nothing() -> None:
    import subprocess
    import sys

    code = ("import channels.rest, channels.socketio, channels.telegram, channels.twilio_voice, server; "
            "print(server.installed())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]", "no module-level side effects"


def test_the_freeze_moves_live_objects_out_of_the_collectors_sight() -> None:
    keep = [object() for _ in range(1000)]
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        startup.freeze_heap()
        assert gc.get_freeze_count() >= len(keep)
    finally:
        gc.unfreeze()


def test_the_store_creates_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "not" / "yet" / "tracker.db"
    store = ProjectSQLTrackerStore(db=str(db))
    assert db.exists()
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT name FROM sqlite_master WHERE name='events'").fetchone()
    store.engine.dispose()


def test_a_store_that_cannot_be_written_stops_the_start_with_what_to_fix(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file-not-a-folder"
    blocked.write_text("x")
    with pytest.raises(ConversationStoreUnusable, match="Create it and make it writable"):
        ProjectSQLTrackerStore(db=str(blocked / "tracker.db"))
    # A database path that is a folder cannot be opened, by root either.
    folder = tmp_path / "tracker.db"
    folder.mkdir()
    with pytest.raises(ConversationStoreUnusable, match="cannot be written"):
        ProjectSQLTrackerStore(db=str(folder))
