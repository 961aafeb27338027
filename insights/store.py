"""Reads every conversation's events from the conversation store (SQLite or PostgreSQL).

The same database the Rasa server writes (Rasa's SQL tracker store, table
`events`: sender_id, type_name, timestamp, data as JSON). With `DB_HOST` set
(the scale-out set-up's settings, deploy/env.example) it is PostgreSQL,
otherwise the SQLite file (`TRIAGE_DB`, else var/tracker.db). Read only.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import sqlalchemy as sa

from mfr.settings import database_path

EVENTS_TABLE = "events"


def database_url(environ: Optional[Mapping[str, str]] = None) -> sa.engine.URL:
    """PostgreSQL from DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD when DB_HOST is set, else SQLite."""
    env = os.environ if environ is None else environ
    if (env.get("DB_HOST") or "").strip():
        return sa.engine.URL.create(
            "postgresql", username=env.get("DB_USER") or None, password=env.get("DB_PASSWORD") or None,
            host=env["DB_HOST"], port=int(env["DB_PORT"]) if env.get("DB_PORT") else None,
            database=env.get("DB_NAME") or None)
    return sa.engine.URL.create("sqlite", database=str(database_path()))


def read_conversations(url: "sa.engine.URL | str", since: Optional[float] = None) -> Dict[str, List[Dict[str, Any]]]:
    """Each conversation's events in order (only those at or after ``since``, a unix time).

    A SQLite file that does not exist yet (no conversation so far) gives no
    conversations; it is never created here.
    """
    url = sa.engine.make_url(url)
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        return {}
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table(EVENTS_TABLE):
                return {}
            events = sa.table(EVENTS_TABLE, sa.column("id"), sa.column("sender_id"), sa.column("timestamp"),
                              sa.column("data"))
            query = sa.select(events.c.sender_id, events.c.data).order_by(events.c.sender_id, events.c.id)
            if since is not None:
                query = query.where(events.c.timestamp >= since)
            conversations: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
            for sender_id, data in connection.execute(query):
                try:
                    event = json.loads(data)
                except (TypeError, ValueError):
                    continue
                if isinstance(event, dict):
                    conversations[str(sender_id)].append(event)
            return dict(conversations)
    finally:
        engine.dispose()
