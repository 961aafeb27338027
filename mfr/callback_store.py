"""Call-back requests from the phone line, stored for staff beside the triage records.

A caller whose transfer was not answered can ask to be called back. Staff see
the number to call, when, and what the call was about (canonical ids only:
topics, symptoms, risk factors, triage outcome, whether an emergency reply was
given) with `make triage-report`. The table lives in the same database as the
conversations, so retention (`make purge`) and "forget me" (`make forget`)
cover it too (privacy/retention.py lists it).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from mfr.call_summary import CallSummary
from mfr.settings import database_path
from mfr.triage_store import connect

TABLE = "callback_requests"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at REAL NOT NULL,
    sender_id TEXT NOT NULL,
    channel TEXT,
    phone TEXT NOT NULL,
    summary TEXT NOT NULL
)
"""
# E.164 as Twilio gives a caller's number ("+15551234567"); anything else
# (a withheld number, a web chat's id) cannot be called back.
_PHONE = re.compile(r"^\+?[0-9]{6,15}$")


def callable_number(sender_id: Optional[str]) -> Optional[str]:
    """The number to call back, if the conversation's id is a caller's phone number."""
    value = (sender_id or "").strip()
    return value if _PHONE.match(value) else None


@dataclass
class CallbackRequest:
    """One request to be called back."""

    sender_id: str
    channel: Optional[str]
    phone: str
    summary: CallSummary
    created_at: float = field(default_factory=time.time)


def save_callback(request: CallbackRequest, db: Optional[Path] = None) -> int:
    """Stores one request and returns its id."""
    with connect(db or database_path(), _SCHEMA) as connection:
        cursor = connection.execute(
            f"INSERT INTO {TABLE} (created_at, sender_id, channel, phone, summary) VALUES (?, ?, ?, ?, ?)",
            (request.created_at, request.sender_id, request.channel, request.phone,
             json.dumps(request.summary.as_payload())),
        )
        return int(cursor.lastrowid or 0)


def list_callbacks(db: Optional[Path] = None) -> Iterator[CallbackRequest]:
    """Every stored request, oldest first."""
    path = db or database_path()
    if not path.exists():
        return iter(())
    with connect(path, _SCHEMA) as connection:
        rows = connection.execute(
            f"SELECT created_at, sender_id, channel, phone, summary FROM {TABLE} ORDER BY created_at, id"
        ).fetchall()
    return iter(
        [
            CallbackRequest(sender_id=r[1], channel=r[2], phone=r[3],
                            summary=CallSummary.from_payload(json.loads(r[4])) or CallSummary(), created_at=r[0])
            for r in rows
        ]
    )


def as_row(request: CallbackRequest) -> dict:
    """A flat dict for tables and CSV."""
    summary = request.summary
    return {
        "created_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(request.created_at)),
        "channel": request.channel,
        "phone": request.phone,
        "topics": ";".join(summary.topics),
        "symptoms": ";".join(summary.symptoms),
        "risk_factors": ";".join(summary.risk_factors),
        "disposition": summary.disposition or "",
        "red_flag": summary.red_flag,
    }
