"""Live servers started with privacy/logging.yml: what reaches the log, and retention on a running store."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

from harness.servers import Servers
from harness.client import Client

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = ROOT / "scripts" / "retention.py"
DAY = 86400
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# Rasa's console format: "<date> <time> <LEVEL> <logger>  - <message>" (coloredlogs replaces ours on the
# Rasa server); the action server keeps ours, which adds the process id.
LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?P<level>[A-Z]+) +(?P<logger>\S+) .*?- (?P<message>.*)$")

PERSONAL = ["+1 555 0100", "555 0100", "jon.smithers@example.com", "smithers@", "Jonathan", "Smithers", "07700 900123"]
MESSAGES = [
    "you can reach me on +1 555 0100",
    "my email is jon.smithers@example.com, is myofascial release safe?",
    "my name is Jonathan Smithers and my neck is stiff",
    "or call 07700 900123 tomorrow",
]


def log_lines(path: Path) -> List[Tuple[str, str]]:
    """(level, line) for every line; continuation lines (tracebacks, JSON) take the level of the record."""
    level = "OTHER"
    lines = []
    for line in path.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match and match.group("level") in LEVELS:
            level = match.group("level")
        elif not line.startswith((" ", "\t")) and not match:
            level = "OTHER"  # Python warnings and other output that is not a log record
        lines.append((level, line))
    return lines


def test_no_personal_details_or_message_text_reach_the_logs(
    private_servers: Servers, private_client: Client
) -> None:
    sender = f"privacy-{uuid.uuid4().hex[:8]}"
    for message in MESSAGES:
        assert private_client.send(sender, message), "the assistant answers"
    stored = [e.get("text") for e in private_client.tracker(sender)["events"] if e.get("event") == "user"]
    assert stored == MESSAGES, "the messages reached the assistant unredacted (only logs are redacted)"
    time.sleep(0.5)

    rasa_log = private_servers.workdir / "rasa.log"
    actions_log = private_servers.workdir / "actions.log"
    for path in (rasa_log, actions_log):
        text = path.read_text(errors="replace")
        for item in PERSONAL:
            assert item not in text, f"{item!r} in {path.name}"

    lines = log_lines(rasa_log)
    # The filter from privacy/logging.yml is installed in the Rasa server: Rasa logs the user's
    # text at DEBUG, and there it arrives redacted.
    debug = "\n".join(line for level, line in lines if level == "DEBUG")
    assert "you can reach me on [PHONE]" in debug
    assert "my email is [EMAIL]" in debug
    assert "my name is [NAME] and my neck is stiff" in debug

    # At INFO and above no user message text at all, redacted or not.
    loud = [line for level, line in lines if level in LEVELS[1:]]
    assert any("Rasa server is up and running" in line for line in loud)
    fragments = ["you can reach me", "is myofascial release safe", "my neck is stiff", "call [PHONE] tomorrow"]
    for line in loud:
        for fragment in fragments:
            assert fragment not in line, f"user text at INFO or above: {line}"

    # The action server applied privacy/logging.yml (its format, with the process id, is kept there).
    assert re.search(r" INFO +rasa_sdk\.\S+ \[\d+\] - ", actions_log.read_text()), "logging.yml not applied"


# ---------------------------------------------------------------- retention on a live tracker store


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def events_per_sender(db: Path, senders: List[str]) -> Dict[str, int]:
    with sqlite3.connect(db, timeout=30) as c:
        return {s: c.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (s,)).fetchone()[0] for s in senders}


def backdate(db: Path, sender: str, days: float) -> None:
    """Moves a conversation back in time: the timestamp column and the timestamp inside the event JSON."""
    with sqlite3.connect(db, timeout=30) as c:
        c.execute(
            "UPDATE events SET timestamp = timestamp - ?, data = json_set(data, '$.timestamp', "
            "json_extract(data, '$.timestamp') - ?) WHERE sender_id = ?",
            (days * DAY, days * DAY, sender),
        )


def user_texts(client: Client, sender: str) -> List[str]:
    return [e.get("text") for e in client.tracker(sender)["events"] if e.get("event") == "user"]


def test_purge_and_forget_on_the_running_servers_store(private_servers: Servers, private_client: Client) -> None:
    client, db = private_client, private_servers.db_path
    tag = uuid.uuid4().hex[:6]
    old, mixed, keep, forgotten = (f"{name}-{tag}" for name in ("old", "mixed", "keep", "forgotten"))
    senders = [old, mixed, keep, forgotten]

    client.send(old, f"what is myofascial release? zebra-{tag}")
    client.send(mixed, f"what are trigger points? yak-{tag}")
    backdate(db, old, 40)
    backdate(db, mixed, 40)
    # 'mixed' comes back today: Rasa sees 40 days of silence and starts a new session.
    client.send(mixed, "is it safe?")
    client.send(keep, "what is myofascial release?")
    client.send(keep, "does it work?")
    client.send(forgotten, f"my back hurts, okapi-{tag}")
    now = time.time()
    with sqlite3.connect(db, timeout=30) as c:
        c.execute("CREATE TABLE IF NOT EXISTS triage_records (id INTEGER PRIMARY KEY, sender_id TEXT, created_at REAL)")
        c.executemany(
            "INSERT INTO triage_records (sender_id, created_at) VALUES (?, ?)",
            [(old, now - 40 * DAY), (mixed, now - 40 * DAY), (mixed, now), (keep, now), (forgotten, now)],
        )
        cutoff = (now - 30 * DAY,)
        old_events = c.execute("SELECT COUNT(*) FROM events WHERE timestamp < ?", cutoff).fetchone()[0]
        old_triage = c.execute("SELECT COUNT(*) FROM triage_records WHERE created_at < ?", cutoff).fetchone()[0]
    before = events_per_sender(db, senders)
    keep_tracker = client.tracker(keep)["events"]
    assert old_events >= before[old] > 0 and before[mixed] > 0

    # purge: while the server runs
    result = run_cli("purge", "--days", "30", "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"deleted: {old_events} events, {old_triage} triage records" in result.stdout
    assert "vacuumed" in result.stdout
    after = events_per_sender(db, senders)
    assert after[old] == 0
    assert 0 < after[mixed] < before[mixed]
    assert after[keep] == before[keep] and after[forgotten] == before[forgotten]
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM events WHERE timestamp < ?", (now - 30 * DAY,)).fetchone() == (0,)
    data = db.read_bytes()
    assert f"zebra-{tag}".encode() not in data and f"yak-{tag}".encode() not in data

    # The server still serves what remains, and the purged conversations start afresh.
    assert client.tracker(keep)["events"] == keep_tracker
    assert user_texts(client, mixed) == ["is it safe?"]
    assert user_texts(client, old) == []
    assert client.send(keep, "how does a session work?")
    assert user_texts(client, keep)[-1] == "how does a session work?"
    assert client.send(mixed, "thanks")
    assert user_texts(client, mixed) == ["is it safe?", "thanks"]

    # forget: exactly one sender
    before = events_per_sender(db, senders)
    result = run_cli("forget", "--sender", forgotten, "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"deleted: {before[forgotten]} events, 1 triage records" in result.stdout
    after = events_per_sender(db, senders)
    assert after == {**before, forgotten: 0}
    with sqlite3.connect(db) as c:
        assert c.execute("SELECT COUNT(*) FROM triage_records WHERE sender_id = ?", (forgotten,)).fetchone() == (0,)
        remaining = c.execute("SELECT sender_id FROM triage_records ORDER BY sender_id").fetchall()
        assert remaining == sorted([(mixed,), (keep,)])
    assert f"okapi-{tag}".encode() not in db.read_bytes()
    assert user_texts(client, forgotten) == []
    assert client.send(keep, "thank you")
    assert user_texts(client, keep)[-1] == "thank you"
    assert client.send(forgotten, "hello again")
    assert user_texts(client, forgotten) == ["hello again"]
