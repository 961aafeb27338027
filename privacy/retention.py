"""Deleting stored conversations: by age (`purge`) or by sender (`forget`).

Works on the SQLite tracker store that `make run` uses (Rasa's SQL tracker
store, table ``events``: id, sender_id, type_name, timestamp (unix seconds),
intent_name, action_name, data) and on the optional ``triage_records`` and
``callback_requests`` tables (``sender_id``, ``created_at`` in unix seconds); a
table that is not there is skipped. ``purge_events_sql`` and
``forget_events_sql`` do the same for the ``events`` table of a database
server (PostgreSQL in the scale-out set-up, where the triage and call-back
tables stay in their SQLite file).

Each command deletes in one transaction with ``secure_delete`` on (freed pages
are overwritten), then runs ``VACUUM`` so the file keeps no copy of what was
deleted. The database is never created: a missing file is an error.

Purging goes by event time: a conversation with old and recent events keeps
its recent ones. Rasa loads a conversation from its stored events on every
message, so a running server needs no restart.

Settings are read when a command runs, never at import: the default database
is ``var/tracker.db`` under the repository root; the default age is
``RETENTION_DAYS`` from the environment, else ``retention_days`` in the clinic
file (``CLINIC_CONFIG``, default ``config/clinic.yml``: the figure the
assistant tells users), else 30 days.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple
from mfr.settings import CLINIC_CONFIG_ENV, DEFAULT_DATABASE, PATHS

DEFAULT_DB_PATH = DEFAULT_DATABASE
DEFAULT_RETENTION_DAYS = 30
RETENTION_DAYS_ENV = "RETENTION_DAYS"
SECONDS_PER_DAY = 86400

EVENTS_TABLE = "events"
# Table -> (sender column, time column).
TABLES: Dict[str, Tuple[str, str]] = {
    "events": ("sender_id", "timestamp"),
    "triage_records": ("sender_id", "created_at"),
    "callback_requests": ("sender_id", "created_at"),
}


class RetentionError(Exception):
    """A command cannot run (missing database, bad setting, unexpected schema)."""


@dataclass
class Deleted:
    """What one command deleted: rows per table, and the tables that were not there."""

    rows: Dict[str, int] = field(default_factory=dict)
    absent: Tuple[str, ...] = ()
    vacuumed: bool = False
    vacuum_error: Optional[str] = None

    @property
    def events(self) -> int:
        """Deleted tracker events."""
        return self.rows.get("events", 0)

    @property
    def triage_records(self) -> int:
        """Deleted triage records."""
        return self.rows.get("triage_records", 0)


def retention_days(environ: Optional[Mapping[str, str]] = None) -> int:
    """Days to keep conversations: ``RETENTION_DAYS``, else the clinic file's ``retention_days``, else 30."""
    env = os.environ if environ is None else environ
    raw, source = (env.get(RETENTION_DAYS_ENV) or "").strip(), RETENTION_DAYS_ENV
    if not raw:
        clinic_file = Path(env.get(CLINIC_CONFIG_ENV) or PATHS.clinic_config)
        raw, source = _clinic_retention_days(clinic_file), f"retention_days in {clinic_file}"
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw)
    except ValueError:
        raise RetentionError(f"{source} must be a whole number of days, not {raw!r}") from None
    return int(check_days(days))


def _clinic_retention_days(path: Path) -> str:
    """``retention_days`` from the clinic file, or "" when the file or the key is missing."""
    import yaml  # only when a command runs

    try:
        with open(path, encoding="utf-8") as f:
            values = yaml.safe_load(f) or {}
    except FileNotFoundError:
        return ""
    except (OSError, yaml.YAMLError) as error:
        raise RetentionError(f"cannot read {path}: {error}") from error
    value = values.get("retention_days") if isinstance(values, dict) else None
    return "" if value is None else str(value).strip()


def check_days(days: float) -> float:
    """The number of days, refused when it is not positive."""
    if days <= 0:
        raise RetentionError(f"the retention period must be more than 0 days, not {days}")
    return days


def _connect(db_path: Path) -> sqlite3.Connection:
    """An existing database (never created), with explicit transactions."""
    path = Path(db_path)
    if not path.is_file():
        raise RetentionError(f"no database at {path}")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30, isolation_level=None)
    connection.execute("PRAGMA secure_delete = ON")
    return connection


def _columns(connection: sqlite3.Connection, table: str) -> Optional[set]:
    """The table's column names, or None when there is no such table."""
    exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
    if not exists:
        return None
    return {row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')}


def _delete(db_path: Path, where_for: Dict[str, Tuple[str, tuple]], dry_run: bool) -> Deleted:
    """Deletes (or counts) the matching rows of each table in one transaction, then vacuums."""
    connection = _connect(db_path)
    result = Deleted()
    absent = []
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for table, (where, params) in where_for.items():
                columns = _columns(connection, table)
                if columns is None:
                    absent.append(table)
                    continue
                missing = set(TABLES[table]) - columns
                if missing:
                    raise RetentionError(f"table {table} lacks the column(s) {', '.join(sorted(missing))}")
                if dry_run:
                    count = connection.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {where}', params).fetchone()[0]
                else:
                    count = connection.execute(f'DELETE FROM "{table}" WHERE {where}', params).rowcount
                result.rows[table] = int(count)
            if len(absent) == len(where_for):
                raise RetentionError(f"neither {' nor '.join(where_for)} is in this database")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("ROLLBACK" if dry_run else "COMMIT")
        result.absent = tuple(absent)
        if not dry_run and any(result.rows.values()):
            # Rebuilds the file without the freed pages; needs a moment without
            # other readers or writers (the busy timeout above waits for them).
            # The deletion is committed either way, and secure_delete has
            # already overwritten the freed pages.
            try:
                connection.execute("VACUUM")
                result.vacuumed = True
            except sqlite3.Error as error:
                result.vacuum_error = str(error)
    except sqlite3.Error as error:
        raise RetentionError(f"{db_path}: {error}") from error
    finally:
        connection.close()
    return result


def purge(
    db_path: Path = DEFAULT_DB_PATH, days: Optional[float] = None, now: Optional[float] = None, dry_run: bool = False
) -> Deleted:
    """Deletes events and triage records older than `days` (default: `retention_days()`)."""
    days = retention_days() if days is None else check_days(days)
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    return _delete(
        db_path,
        {table: (f'"{time_column}" < ?', (cutoff,)) for table, (_, time_column) in TABLES.items()},
        dry_run,
    )


def _delete_events_sql(url: Any, where: str, params: Dict[str, Any], dry_run: bool) -> Deleted:
    """Deletes (or counts) the matching rows of Rasa's `events` table in a server database, in one transaction."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            if not sa.inspect(connection).has_table(EVENTS_TABLE):
                raise RetentionError(f"there is no {EVENTS_TABLE} table in {engine.url.render_as_string()}")
            verb = "SELECT COUNT(*) FROM" if dry_run else "DELETE FROM"
            result = connection.execute(sa.text(f"{verb} {EVENTS_TABLE} WHERE {where}"), params)
            count = int(result.scalar() or 0) if dry_run else int(result.rowcount or 0)
    except sa.exc.SQLAlchemyError as error:
        raise RetentionError(f"{engine.url.render_as_string()}: {type(error).__name__}: {error}") from error
    finally:
        engine.dispose()
    # PostgreSQL's autovacuum reclaims the space; there is no file copy to overwrite.
    return Deleted(rows={EVENTS_TABLE: count})


def purge_events_sql(url: Any, days: Optional[float] = None, now: Optional[float] = None,
                     dry_run: bool = False) -> Deleted:
    """`purge` for a conversation store on a database server (PostgreSQL in the scale-out set-up)."""
    days = retention_days() if days is None else check_days(days)
    cutoff = (time.time() if now is None else now) - days * SECONDS_PER_DAY
    return _delete_events_sql(url, "timestamp < :cutoff", {"cutoff": cutoff}, dry_run)


def forget_events_sql(url: Any, sender_id: str, dry_run: bool = False) -> Deleted:
    """`forget` for a conversation store on a database server."""
    if not sender_id:
        raise RetentionError("a sender id is required")
    return _delete_events_sql(url, "sender_id = :sender", {"sender": sender_id}, dry_run)


def forget(db_path: Path = DEFAULT_DB_PATH, sender_id: str = "", dry_run: bool = False) -> Deleted:
    """Deletes every event and triage record of one sender."""
    if not sender_id:
        raise RetentionError("a sender id is required")
    return _delete(
        db_path,
        {table: (f'"{sender_column}" = ?', (sender_id,)) for table, (sender_column, _) in TABLES.items()},
        dry_run,
    )
