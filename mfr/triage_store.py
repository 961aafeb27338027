"""Completed triages, stored as structured records in the SQLite database.

One row per completed triage: when, over which channel, the caller's answers
as staff need them (main complaint and duration, clipped and with contact
details redacted), the canonical symptom and risk-factor ids, whether a red
flag was reported, who the patient is, and the disposition given. The table
lives beside Rasa's tracker tables so retention and "forget me" cover both.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator, List, Optional

from mfr.settings import DEFAULT_DATABASE, database_path
from privacy.redaction import redact

DEFAULT_DB = DEFAULT_DATABASE
TABLE = "triage_records"
MAX_FREE_TEXT = 200

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    sender_id TEXT NOT NULL,
    channel TEXT,
    complaint TEXT,
    duration TEXT,
    symptoms TEXT NOT NULL,
    risk_factors TEXT NOT NULL,
    red_flag INTEGER NOT NULL,
    for_whom TEXT,
    disposition TEXT NOT NULL
)
"""


def triage_db_path() -> Path:
    """`TRIAGE_DB` from the environment, else the tracker database under var/."""
    return database_path()


@dataclass
class TriageRecord:
    """One completed triage."""

    sender_id: str
    channel: Optional[str]
    complaint: Optional[str]
    duration: Optional[str]
    symptoms: List[str]
    risk_factors: List[str]
    red_flag: bool
    for_whom: Optional[str]
    disposition: str
    created_at: float = field(default_factory=time.time)


def clip(text: Optional[str], limit: int = MAX_FREE_TEXT) -> Optional[str]:
    """Free text as staff need it: one line, contact details redacted, at most ``limit`` characters."""
    if text is None:
        return None
    text = redact(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def connect(db: Path, schema: str = _SCHEMA) -> sqlite3.Connection:
    """A connection to the clinic's SQLite file, with ``schema``'s table created if missing.

    The call-back requests (mfr/callback_store.py) live in the same file.
    """
    db.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(db), timeout=10)
    connection.execute(schema)
    return connection


def save_record(record: TriageRecord, db: Optional[Path] = None) -> int:
    """Stores one record and returns its id."""
    with connect(db or triage_db_path()) as connection:
        cursor = connection.execute(
            f"INSERT INTO {TABLE} (created_at, sender_id, channel, complaint, duration, symptoms,"
            " risk_factors, red_flag, for_whom, disposition) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.created_at,
                record.sender_id,
                record.channel,
                clip(record.complaint),
                clip(record.duration),
                json.dumps(record.symptoms),
                json.dumps(record.risk_factors),
                int(record.red_flag),
                record.for_whom,
                record.disposition,
            ),
        )
        return int(cursor.lastrowid or 0)


def list_records(db: Optional[Path] = None) -> Iterator[TriageRecord]:
    """Every stored record, oldest first."""
    path = db or triage_db_path()
    if not path.exists():
        return iter(())
    with connect(path) as connection:
        rows = connection.execute(
            f"SELECT created_at, sender_id, channel, complaint, duration, symptoms, risk_factors,"
            f" red_flag, for_whom, disposition FROM {TABLE} ORDER BY created_at, id"
        ).fetchall()
    return iter(
        [
            TriageRecord(
                sender_id=r[1], channel=r[2], complaint=r[3], duration=r[4], symptoms=json.loads(r[5]),
                risk_factors=json.loads(r[6]), red_flag=bool(r[7]), for_whom=r[8], disposition=r[9],
                created_at=r[0],
            )
            for r in rows
        ]
    )


def as_row(record: TriageRecord) -> dict:
    """A flat dict for tables and CSV."""
    row = asdict(record)
    row["created_at"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(record.created_at))
    row["symptoms"] = ";".join(record.symptoms)
    row["risk_factors"] = ";".join(record.risk_factors)
    return row
