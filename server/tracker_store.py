"""The project's conversation store: Rasa's SQL tracker store that never silently forgets.

Rasa 3.6 with an SQLite file whose folder is missing (a fresh clone started
with the stock `rasa run`, before `make run` made var/) logs one error per
request and hands each request a fresh, empty tracker from memory: the slot a
user set one message ago is gone, and a kill -9 loses everything. This store

- creates the SQLite file's folder, and refuses to start (with a message that
  says what to fix) when the database cannot be created or written;
- is named in endpoints.yml (and deploy/endpoints.production.yml for
  PostgreSQL), so every way of starting the server builds it, and building it
  installs the project's server extensions (`server.install_all`).

A store that fails while the server runs raises `server.store_failures.ConversationStoreError`
instead of falling back to memory (see that module).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

import server

logger = logging.getLogger(__name__)


class ConversationStoreUnusable(RuntimeError):
    """The configured conversation store cannot be used: the server must not start."""


def sqlite_path(dialect: str, db: str) -> Optional[Path]:
    """The SQLite file's path (relative to the working directory, as Rasa opens it), or None."""
    if dialect != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return None
    return Path(db)


def prepare_sqlite_folder(path: Path) -> None:
    """Creates the folder of an SQLite file, or says why it cannot."""
    try:
        path.expanduser().parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConversationStoreUnusable(
            f"Cannot create the folder of the conversation store {path} ({error}). Create it and make it "
            "writable, or point tracker_store.db in endpoints.yml somewhere writable."
        ) from error


def check_writable(engine: Any, where: str) -> None:
    """Creates and drops a table, so that a read-only store is refused at start-up, not at the first message."""
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE IF NOT EXISTS mfr_store_check (id INTEGER)")
            connection.exec_driver_sql("DROP TABLE mfr_store_check")
        if not sa.inspect(engine).has_table("events"):
            raise ConversationStoreUnusable(f"The conversation store {where} has no events table.")
    except sa.exc.SQLAlchemyError as error:
        raise ConversationStoreUnusable(
            f"The conversation store {where} cannot be written ({type(error).__name__}: {error}). "
            "Check that the file and its folder are writable (or the database user may create tables), "
            "or point tracker_store in endpoints.yml somewhere writable."
        ) from error


class ProjectSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store with its folder created and its writability checked at start-up."""

    def __init__(self, domain: Any = None, dialect: str = "sqlite", host: Optional[str] = None,
                 port: Optional[int] = None, db: str = "rasa.db", **kwargs: Any) -> None:
        server.install_all()
        path = sqlite_path(dialect, db)
        if path is not None:
            prepare_sqlite_folder(path)
        super().__init__(domain, dialect, host, port, db, **kwargs)
        where = str(path) if path is not None else f"{dialect} database {db!r} on {host or 'localhost'}"
        check_writable(self.engine, where)
        logger.info("Conversations are stored in %s", where)
