"""The server extensions are in force with none of the project's channels.

They are installed by the conversation store named in endpoints.yml
(server/tracker_store.py), not by importing `channels/`: a clinic that
replaces credentials.yml with Rasa's stock REST channel keeps them. Shown by
the action-call fallback (an apology instead of silence while the action
server is down), which stock Rasa 3.6 does not have.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from evaluation.conversations import last_turn
from harness.client import Client
from harness.servers import Servers, running

pytestmark = pytest.mark.integration


def test_extensions_work_with_only_the_stock_rest_channel(tmp_path: Path) -> None:
    servers = Servers(workdir=tmp_path, credentials="rest:\n", env={"ACTION_TIMEOUT_SECONDS": "3"})
    with running(servers, actions=False):
        client = Client(servers.url, servers.token)
        sender = f"stock-{uuid.uuid4().hex[:8]}"
        text = " ".join(r.get("text") or "" for r in client.send(sender, "what are the risks of myofascial release?"))
        responses = last_turn(client.tracker(sender))["responses"]
        log = servers.log()
    assert "Server extensions installed: action_fallback, action_validation, slot_validation" in log
    assert "Sorry, I can't look that up right now" in text
    assert responses[-1] == "utter_action_failed"
