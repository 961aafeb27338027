"""The assistant keeps answering while the action server is down, and recovers."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from harness.servers import Servers, running
from harness.client import Client
from evaluation.conversations import last_turn

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def rasa_without_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    servers = Servers(workdir=Path(tmp_path_factory.mktemp("no-actions")), env={"ACTION_TIMEOUT_SECONDS": "3"})
    with running(servers, actions=False) as s:
        yield s


def test_answers_with_an_apology_and_contact_then_recovers(rasa_without_actions: Servers) -> None:
    client = Client(rasa_without_actions.url, rasa_without_actions.token)
    sender = f"down-{uuid.uuid4().hex[:8]}"

    replies = client.send(sender, "what are the risks of myofascial release?")
    text = " ".join(r.get("text") or "" for r in replies)
    assert "can't diagnose" in text, "the disclaimer still opens the conversation"
    assert "Sorry, I can't look that up right now" in text
    assert last_turn(client.tracker(sender))["responses"][-1] == "utter_action_failed"

    # Safety replies need no action server at all.
    client.send(sender, "I have crushing chest pain right now")
    assert last_turn(client.tracker(sender))["responses"] == ["utter_emergency"]

    rasa_without_actions.start_actions()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{rasa_without_actions.actions_port}/health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)
    replies = client.send(sender, "what are the risks of myofascial release?")
    assert "bruising" in " ".join(r.get("text") or "" for r in replies)
    said = last_turn(client.tracker(sender))["responses"]
    assert [r for r in said if r != "utter_ask_helpful"][-1] == "utter_answer"
