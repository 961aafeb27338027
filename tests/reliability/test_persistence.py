"""Conversations survive a hard crash (SIGKILL) of the Rasa server.

The SQLite tracker store must hold every finished turn; a new server on the
same database continues the conversation where it stopped, with the slots it
had and without starting a new session (no second disclaimer).
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import httpx
import pytest

from harness.client import Client
from evaluation.conversations import last_turn

from .helpers import DISCLAIMER_MARK, KillableServers, running_servers, texts, turns_without_bot_reply, user_texts

pytestmark = pytest.mark.integration

PROFILE_TURNS = [
    "what is myofascial release?",
    "my mother is 86 and quite frail",
    "I have osteoporosis",
]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KillableServers]:
    with running_servers(Path(tmp_path_factory.mktemp("persistence"))) as s:
        yield s


def new_sender() -> str:
    return f"crash-{uuid.uuid4().hex[:12]}"


def crash_and_restart(servers: KillableServers) -> float:
    """SIGKILLs the Rasa server, checks it is gone, starts a new one on the same database."""
    code = servers.kill_rasa()
    assert code == -signal.SIGKILL
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{servers.url}/status", params={"token": servers.token}, timeout=2)
    servers.start_rasa()
    return servers.wait_until_ready()


def sessions(tracker: Dict[str, Any]) -> int:
    return sum(1 for e in tracker["events"] if e.get("event") == "session_started")


def test_conversation_survives_sigkill_and_continues(servers: KillableServers) -> None:
    sender = new_sender()
    client = Client(servers.url, servers.token)
    first = client.send(sender, PROFILE_TURNS[0])
    assert DISCLAIMER_MARK in texts(first), "the conversation opens with the disclaimer"
    for text in PROFILE_TURNS[1:]:
        assert client.send(sender, text), "every turn gets a reply"
    before = client.tracker(sender)
    assert user_texts(before) == PROFILE_TURNS
    assert set(before["slots"]["risk_factors"]) == {"frail_older_adult", "fracture_risk"}

    restart_s = crash_and_restart(servers)
    print(f"\nRasa server back after SIGKILL in {restart_s:.1f} s")

    client = Client(servers.url, servers.token)
    after = client.tracker(sender)
    assert after["events"] == before["events"], "the restarted server sees exactly the stored conversation"
    assert user_texts(after) == PROFILE_TURNS
    assert set(after["slots"]["risk_factors"]) == {"frail_older_adult", "fracture_risk"}

    reply = texts(client.send(sender, "is it safe for her?"))
    assert "frail older adults" in reply
    assert "fractures" in reply
    assert DISCLAIMER_MARK not in reply, "no new session: the disclaimer is not shown again"
    # The brief's check ("can't diagnose" absent) cannot be used: the profile caveat of
    # every adapted answer says "A healthcare provider should evaluate this; I can't
    # diagnose you." The disclaimer itself and the session events are checked instead.
    final = client.tracker(sender)
    info = last_turn(final)
    assert info["intent"] == "risks"
    assert "utter_disclaimer" not in info["responses"]
    assert sessions(final) == 1, "the crash must not start a new session"
    assert sum(DISCLAIMER_MARK in (e.get("text") or "") for e in final["events"] if e["event"] == "bot") == 1
    assert user_texts(final) == [*PROFILE_TURNS, "is it safe for her?"]
    assert turns_without_bot_reply(final) == []


def test_kill_during_a_request_loses_at_most_that_turn(servers: KillableServers) -> None:
    sender = new_sender()
    client = Client(servers.url, servers.token)
    for text in PROFILE_TURNS:
        client.send(sender, text)
    before = client.tracker(sender)

    in_flight = "what are the risks of myofascial release?"
    outcome: Dict[str, Any] = {}

    def send_in_flight() -> None:
        try:
            outcome["replies"] = Client(servers.url, servers.token, timeout=20).send(sender, in_flight)
        except httpx.HTTPError as error:
            outcome["error"] = type(error).__name__

    worker = threading.Thread(target=send_in_flight, daemon=True)
    worker.start()
    time.sleep(0.05)  # the request is on its way or being processed
    crash_and_restart(servers)
    worker.join(timeout=30)
    assert not worker.is_alive()

    client = Client(servers.url, servers.token)
    after = client.tracker(sender)
    saved = user_texts(after)
    print(f"\nkilled during a request: client saw {outcome}; turn stored: {saved[-1:] == [in_flight]}")
    assert saved in (PROFILE_TURNS, [*PROFILE_TURNS, in_flight]), "earlier turns intact, nothing half-written"
    assert after["events"][: len(before["events"])] == before["events"]
    assert turns_without_bot_reply(after) == [], "a stored turn is stored with its answer"
    if "replies" in outcome:
        assert saved[-1] == in_flight, "a turn the client saw answered must be stored"

    reply = texts(client.send(sender, "is it safe for her?"))
    assert "frail older adults" in reply and "fractures" in reply
    assert DISCLAIMER_MARK not in reply
    assert sessions(client.tracker(sender)) == 1
