"""The triage form over REST: questions, slots, disposition, stored record."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from mfr.triage_store import list_records
from harness.servers import Servers, VENV_BIN
from harness.client import Client
from evaluation.conversations import last_turn
from mfr.settings import ROOT

pytestmark = pytest.mark.integration


def say(client: Client, sender: str, text: str) -> str:
    return " ".join(r.get("text") or "" for r in client.send(sender, text))


def test_a_complete_triage_gives_a_grounded_disposition_and_is_stored(client: Client, servers: Servers) -> None:
    sender = f"triage-{uuid.uuid4().hex[:8]}"
    assert "main problem" in say(client, sender, "can you check if this could help me?")
    assert "How long" in say(client, sender, "a knotted, aching pain in my right shoulder")
    assert "Do any of these apply" in say(client, sender, "about three weeks")
    assert "frail or elderly" in say(client, sender, "yes, knots and I can't turn my head fully, but I sleep fine")
    assert "Right now, is there any chest pain" in say(client, sender, "I have osteoporosis")
    assert "patient" in say(client, sender, "no, none of those")
    final = say(client, sender, "it's me, I'm the patient")
    assert "book an evaluation with a clinician" in final
    assert "alongside a physician-approved regimen" in final
    assert "fractures are among the rare possible adverse effects" in final
    assert "Here is what I noted: a knotted, aching pain in my right shoulder, for about three weeks" in final
    assert "No red flags reported" in final

    slots = client.tracker(sender)["slots"]
    assert set(slots["symptoms"]) >= {"knots", "reduced_range_of_motion"}
    assert "mood_sleep_problems" not in slots["symptoms"]
    assert slots["risk_factors"] == ["fracture_risk"]
    assert slots["triage_complaint"] is None, "answers are cleared for the next triage"

    record = [r for r in list_records(servers.db_path) if r.sender_id == sender][-1]
    assert record.channel == "rest"
    assert record.complaint == "a knotted, aching pain in my right shoulder"
    assert record.red_flag is False
    assert record.for_whom == "self"
    assert set(record.symptoms) >= {"knots", "reduced_range_of_motion"}
    assert record.risk_factors == ["fracture_risk"]

    report = subprocess.run(
        [str(VENV_BIN / "python"), "scripts/triage_report.py", "--db", str(servers.db_path),
         "--csv", str(servers.workdir / "triage.csv"), "--callbacks-csv", str(servers.workdir / "callbacks.csv")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert sender in report.stdout
    assert sender in (servers.workdir / "triage.csv").read_text()


def test_a_red_flag_mid_triage_gets_the_emergency_reply_at_once(client: Client) -> None:
    sender = f"triage-{uuid.uuid4().hex[:8]}"
    say(client, sender, "could you check whether myofascial release would help my dad")
    say(client, sender, "his lower back")
    client.send(sender, "actually he is slurring his words and his face is drooping")
    info = last_turn(client.tracker(sender))
    assert info["intent"] == "emergency"
    assert info["responses"][0] == "utter_emergency"
    assert client.tracker(sender)["active_loop"] in ({}, None) or not client.tracker(sender)["active_loop"].get("name")


def test_yes_to_the_red_flag_screen_gets_the_emergency_reply(client: Client, servers: Servers) -> None:
    sender = f"triage-{uuid.uuid4().hex[:8]}"
    for text in ["can you triage me", "neck pain", "two days", "no", "no"]:
        say(client, sender, text)
    reply = say(client, sender, "yes")
    assert "This could be a medical emergency. Please call 999" in reply, "no particular kind was named"
    record = [r for r in list_records(servers.db_path) if r.sender_id == sender][-1]
    assert record.red_flag is True and record.disposition == "emergency"
