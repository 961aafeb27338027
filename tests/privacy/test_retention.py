"""Retention commands on a tracker store written by Rasa's own SQLTrackerStore."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from privacy import retention

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "retention.py"
DAY = 86400
SENDERS = ["old", "mixed", "recent", "forget-me", "bystander"]


def run_cli(*args: str, cwd: Path = ROOT, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in (retention.RETENTION_DAYS_ENV, "CLINIC_CONFIG")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=60
    )


def turn(sender: str, n: int) -> List:
    return [
        UserUttered(f"{sender} message {n} marker-{sender}-{n}", intent={"name": "greet", "confidence": 1.0}),
        ActionExecuted("utter_greet"),
        BotUttered(f"reply {n}"),
        ActionExecuted("action_listen"),
    ]


def session() -> List:
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def counts(db: Path, table: str = "events") -> Dict[str, int]:
    with sqlite3.connect(db) as c:
        return dict(c.execute(f"SELECT sender_id, COUNT(*) FROM {table} GROUP BY sender_id").fetchall())


@pytest.fixture()
def store_db(tmp_path: Path) -> Path:
    """A tracker store with five conversations; 'old' and the first session of 'mixed' are 40 days old."""
    db = tmp_path / "tracker.db"
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(db))
    import asyncio

    async def fill() -> None:
        for sender in SENDERS:
            await store.save(DialogueStateTracker.from_events(sender, session() + turn(sender, 1)))
        # 'mixed' comes back later: a second session (saved as additional events).
        mixed = await store.retrieve("mixed")
        assert mixed is not None
        for event in session() + turn("mixed", 2):
            mixed.update(event)
        await store.save(mixed)

    asyncio.run(fill())
    store.engine.dispose()
    now = time.time()
    with sqlite3.connect(db) as c:
        # Backdate: all of 'old', and the first session of 'mixed' (its first 7 events).
        c.execute("UPDATE events SET timestamp = ? WHERE sender_id = 'old'", (now - 40 * DAY,))
        ids = c.execute("SELECT id FROM events WHERE sender_id = 'mixed' ORDER BY id LIMIT 7")
        first_of_mixed = [r[0] for r in ids]
        c.executemany("UPDATE events SET timestamp = ? WHERE id = ?", [(now - 40 * DAY, i) for i in first_of_mixed])
        c.execute("CREATE TABLE triage_records (id INTEGER PRIMARY KEY, sender_id TEXT, created_at REAL, summary TEXT)")
        c.executemany(
            "INSERT INTO triage_records (sender_id, created_at, summary) VALUES (?, ?, ?)",
            [
                ("old", now - 40 * DAY, "triage-old"),
                ("mixed", now - 35 * DAY, "triage-mixed-old"),
                ("mixed", now - DAY, "triage-mixed-new"),
                ("recent", now - 29 * DAY, "triage-recent"),
                ("forget-me", now, "triage-forget-me"),
            ],
        )
    return db


def test_default_settings(tmp_path: Path) -> None:
    assert retention.DEFAULT_DB_PATH == ROOT / "var" / "tracker.db"
    nowhere = {"CLINIC_CONFIG": str(tmp_path / "missing.yml")}
    assert retention.retention_days(nowhere) == 30
    assert retention.retention_days({**nowhere, "RETENTION_DAYS": "7"}) == 7
    for bad in ("abc", "0", "-3"):
        with pytest.raises(retention.RetentionError):
            retention.retention_days({"RETENTION_DAYS": bad})
    # Without RETENTION_DAYS, the clinic file's figure (the one the assistant tells users).
    clinic = tmp_path / "clinic.yml"
    clinic.write_text('clinic_name: "x"\nretention_days: "45"\n')
    assert retention.retention_days({"CLINIC_CONFIG": str(clinic)}) == 45
    assert retention.retention_days({"CLINIC_CONFIG": str(clinic), "RETENTION_DAYS": "7"}) == 7
    clinic.write_text('clinic_name: "x"\n')
    assert retention.retention_days({"CLINIC_CONFIG": str(clinic)}) == 30


def test_purge_deletes_old_events_and_triage_records(store_db: Path) -> None:
    before = counts(store_db)
    assert before["old"] == 7 and before["mixed"] == 14  # a session start and one turn: 7 events
    result = run_cli("purge", "--days", "30", "--db", str(store_db))
    assert result.returncode == 0, result.stderr
    assert "deleted: 14 events, 2 triage records" in result.stdout
    assert "vacuumed" in result.stdout

    after = counts(store_db)
    assert "old" not in after
    assert after["mixed"] == before["mixed"] - 7
    for sender in ("recent", "forget-me", "bystander"):
        assert after[sender] == before[sender]
    with sqlite3.connect(store_db) as c:
        cutoff = (time.time() - 30 * DAY,)
        assert c.execute("SELECT COUNT(*) FROM events WHERE timestamp < ?", cutoff).fetchone() == (0,)
        summaries = {r[0] for r in c.execute("SELECT summary FROM triage_records")}
    assert summaries == {"triage-mixed-new", "triage-recent", "triage-forget-me"}

    data = store_db.read_bytes()
    for marker in (b"marker-old-1", b"marker-mixed-1", b"triage-old", b"triage-mixed-old"):
        assert marker not in data, "deleted data must not linger in the file"
    assert b"marker-mixed-2" in data and b"marker-recent-1" in data


def test_rasa_still_reads_the_remaining_conversations(store_db: Path) -> None:
    import asyncio

    assert run_cli("purge", "--days", "30", "--db", str(store_db)).returncode == 0
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(store_db))

    async def read() -> None:
        assert set(await store.keys()) == set(SENDERS) - {"old"}
        mixed = await store.retrieve_full_tracker("mixed")
        texts = [e.text for e in mixed.events if isinstance(e, UserUttered)]
        assert texts == ["mixed message 2 marker-mixed-2"]
        recent = await store.retrieve("recent")
        assert [e.text for e in recent.events if isinstance(e, UserUttered)] == ["recent message 1 marker-recent-1"]
        old = await store.retrieve("old")
        assert old is None or not old.events

    asyncio.run(read())
    store.engine.dispose()


def test_retention_days_from_the_environment(store_db: Path) -> None:
    # Nothing is 50 days old; with 36 days only 'old' (40 days) and its triage record go.
    assert "deleted: 0 events, 0 triage records" in run_cli("purge", "--db", str(store_db), RETENTION_DAYS="50").stdout
    result = run_cli("purge", "--db", str(store_db), RETENTION_DAYS="36")
    assert "deleted: 14 events, 1 triage records" in result.stdout, result.stdout + result.stderr
    assert "triage-mixed-old" in {r for (r,) in sqlite3.connect(store_db).execute("SELECT summary FROM triage_records")}
    assert run_cli("purge", "--db", str(store_db), RETENTION_DAYS="soon").returncode == 2


def test_retention_days_from_the_clinic_file(store_db: Path, tmp_path: Path) -> None:
    clinic = tmp_path / "clinic.yml"
    clinic.write_text('retention_days: "36"\n')
    result = run_cli("purge", "--db", str(store_db), CLINIC_CONFIG=str(clinic))
    assert "older than 36 days" in result.stdout
    assert "deleted: 14 events, 1 triage records" in result.stdout, result.stdout + result.stderr


def test_dry_run_deletes_nothing(store_db: Path) -> None:
    before = counts(store_db), store_db.read_bytes()
    result = run_cli("purge", "--days", "30", "--db", str(store_db), "--dry-run")
    assert result.returncode == 0
    assert "would delete: 14 events, 2 triage records" in result.stdout
    assert (counts(store_db), store_db.read_bytes()) == before


def test_forget_removes_exactly_one_sender(store_db: Path) -> None:
    before_events, before_triage = counts(store_db), counts(store_db, "triage_records")
    result = run_cli("forget", "--sender", "forget-me", "--db", str(store_db))
    assert result.returncode == 0, result.stderr
    assert f"deleted: {before_events['forget-me']} events, 1 triage records" in result.stdout

    after_events, after_triage = counts(store_db), counts(store_db, "triage_records")
    assert "forget-me" not in after_events and "forget-me" not in after_triage
    assert after_events == {k: v for k, v in before_events.items() if k != "forget-me"}
    assert after_triage == {k: v for k, v in before_triage.items() if k != "forget-me"}
    data = store_db.read_bytes()
    assert b"marker-forget-me-1" not in data and b"triage-forget-me" not in data
    assert b"marker-bystander-1" in data


def test_forget_an_unknown_sender_changes_nothing(store_db: Path) -> None:
    before = counts(store_db)
    result = run_cli("forget", "--sender", "nobody", "--db", str(store_db))
    assert result.returncode == 0
    assert "deleted: 0 events, 0 triage records" in result.stdout
    assert counts(store_db) == before


def test_missing_triage_table_is_skipped(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT, data TEXT)")
        c.execute("INSERT INTO events (sender_id, timestamp) VALUES ('a', 1), ('b', ?)", (time.time(),))
    result = run_cli("purge", "--days", "1", "--db", str(db))
    assert result.returncode == 0
    assert "deleted: 1 events, no triage_records table" in result.stdout
    assert counts(db) == {"b": 1}


def test_missing_database_is_an_error_and_is_not_created(tmp_path: Path) -> None:
    db = tmp_path / "nothing.db"
    result = run_cli("forget", "--sender", "a", "--db", str(db))
    assert result.returncode == 2 and "no database" in result.stderr
    assert not db.exists()


def test_default_database_is_resolved_from_the_repository_not_the_cwd(tmp_path: Path) -> None:
    # --dry-run: never deletes from a real var/tracker.db that may exist.
    result = run_cli("purge", "--dry-run", cwd=tmp_path)
    assert str(ROOT / "var" / "tracker.db") in result.stdout + result.stderr
    assert not (tmp_path / "var").exists()


def test_unexpected_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, who TEXT, timestamp FLOAT)")
        c.execute("INSERT INTO events (who, timestamp) VALUES ('a', 1)")
    result = run_cli("purge", "--days", "1", "--db", str(db))
    assert result.returncode == 2 and "sender_id" in result.stderr
    assert counts_rows(db) == 1


def counts_rows(db: Path) -> int:
    with sqlite3.connect(db) as c:
        return int(c.execute("SELECT COUNT(*) FROM events").fetchone()[0])


def test_days_must_be_positive(store_db: Path) -> None:
    result = run_cli("purge", "--days", "0", "--db", str(store_db))
    assert result.returncode == 2


def test_a_separate_triage_database_works_too(tmp_path: Path) -> None:
    # mfr/triage_store.py may keep triage records elsewhere (TRIAGE_DB): the commands work on it alone.
    db = tmp_path / "triage.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE triage_records (id INTEGER PRIMARY KEY, created_at REAL NOT NULL, sender_id TEXT)")
        c.execute("INSERT INTO triage_records (created_at, sender_id) VALUES (1, 'a'), (?, 'b'), (?, 'c')",
                  (time.time(), time.time()))
    assert "deleted: 1 triage records, no events table" in run_cli("purge", "--db", str(db)).stdout
    assert "deleted: 1 triage records, no events table" in run_cli("forget", "--sender", "b", "--db", str(db)).stdout
    assert counts(db, "triage_records") == {"c": 1}


def test_a_database_without_either_table_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE things (x)")
    result = run_cli("purge", "--db", str(db))
    assert result.returncode == 2 and "neither" in result.stderr


def test_a_database_servers_events_are_purged_and_forgotten_through_sqlalchemy(tmp_path: Path) -> None:
    """The scale-out store's path (PostgreSQL there), exercised here on SQLite through the same SQL."""
    import sqlalchemy as sa

    db = tmp_path / "server.db"
    now = time.time()
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT, data TEXT)")
        c.executemany("INSERT INTO events (sender_id, timestamp) VALUES (?, ?)",
                      [("old", now - 40 * 86400), ("old", now - 35 * 86400), ("new", now), ("gone", now)])
    url = sa.engine.URL.create("sqlite", database=str(db))
    assert retention.purge_events_sql(url, days=30, now=now, dry_run=True).rows == {"events": 2}
    assert counts(db) == {"old": 2, "new": 1, "gone": 1}, "a dry run deletes nothing"
    assert retention.purge_events_sql(url, days=30, now=now).rows == {"events": 2}
    assert retention.forget_events_sql(url, "gone").rows == {"events": 1}
    assert counts(db) == {"new": 1}
    with pytest.raises(retention.RetentionError):
        retention.forget_events_sql(url, "")
    with pytest.raises(retention.RetentionError):
        retention.purge_events_sql(sa.engine.URL.create("sqlite", database=str(tmp_path / "empty.db")), days=1)
