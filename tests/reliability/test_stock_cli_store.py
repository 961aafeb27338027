"""The server started with the stock CLI, as the README allows, in a folder without var/.

Rasa 3.6 alone would log an error and answer every request from a fresh
in-memory tracker; the project's store (server/tracker_store.py, named in
endpoints.yml) creates the folder, keeps the conversation through a kill -9,
and refuses to start, saying what to fix, when it cannot write.
"""

from __future__ import annotations

import signal
import subprocess
import uuid
from pathlib import Path

import pytest

from harness.client import Client
from harness.servers import Servers, running
from mfr.settings import ROOT

from .helpers import user_texts

pytestmark = pytest.mark.integration

# What the stock command reads from its working directory; everything else comes by absolute path.
KEEP_OUT = {"var", "endpoints.yml", "credentials.yml", ".git"}


def checkout_without_var(folder: Path) -> Path:
    """`folder` as a checkout where `make train` ran but `make run` never did: the built files, no var/."""
    folder.mkdir(exist_ok=True)
    for entry in ROOT.iterdir():
        if entry.name not in KEEP_OUT:
            (folder / entry.name).symlink_to(entry)
    return folder


TURNS = ["what is myofascial release?", "I have osteoporosis", "is it safe for me?"]


def test_a_fresh_folder_keeps_the_conversation_through_kill_9(tmp_path: Path) -> None:
    servers = Servers(workdir=checkout_without_var(tmp_path / "clone"), stock=True)
    assert not (servers.workdir / "var").exists()
    with running(servers):
        assert servers.db_path == servers.workdir / "var" / "tracker.db" and servers.db_path.exists()
        sender = f"stock-{uuid.uuid4().hex[:10]}"
        client = Client(servers.url, servers.token)
        client.send(sender, TURNS[0])
        client.send(sender, TURNS[1])
        # One request later the risk factor is still there (Rasa's in-memory fallback forgets it).
        assert "fracture_risk" in client.tracker(sender)["slots"]["risk_factors"]
        reply = " ".join(m.get("text", "") for m in client.send(sender, TURNS[2]))
        assert "fractures" in reply, "the answer adapts to the risk factor given two messages earlier"
        before = client.tracker(sender)

        assert servers.kill_rasa() == -signal.SIGKILL
        servers.start_rasa()
        servers.wait_until_ready()
        after = Client(servers.url, servers.token).tracker(sender)
    assert after["events"] == before["events"]
    assert user_texts(after) == TURNS
    assert "fracture_risk" in after["slots"]["risk_factors"]


@pytest.mark.parametrize("blocker", ["file_where_the_folder_goes", "folder_where_the_database_goes"])
def test_a_store_that_cannot_be_written_stops_the_start(tmp_path: Path, blocker: str) -> None:
    servers = Servers(workdir=checkout_without_var(tmp_path / "clone"), stock=True)
    if blocker == "file_where_the_folder_goes":
        (servers.workdir / "var").write_text("not a folder")
    else:
        servers.db_path.mkdir(parents=True)
    proc = servers.start_rasa()
    try:
        code = proc.wait(timeout=180)
    except subprocess.TimeoutExpired:
        servers.stop()
        pytest.fail("the server started on a store it cannot write")
    log = servers.log()
    assert code != 0
    assert "conversation store" in log and "var/tracker.db" in log
    assert "writable" in log, "the message says what to fix"
