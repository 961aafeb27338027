"""What a clinic puts its number on, end to end: greeting and answer length, keypad, warm transfer, texts.

Signed Twilio-shaped requests to the package's server set (tests/voice/conftest.py):
the real model and actions, TWILIO_AUTH_TOKEN set, texts going to a local
fake of Twilio's Messages API.
"""

from __future__ import annotations

import subprocess
import time
import xml.etree.ElementTree as ET
from typing import Any, Dict, List

import httpx
import pytest

from channels.twilio_voice.wording import wording
from harness.servers import VENV_BIN, Servers
from mfr.callback_store import list_callbacks
from mfr.knowledge import load_knowledge
from mfr.settings import ROOT
from tests.voice.conftest import CLINIC_NUMBER, SMS_FROM, TOKEN
from tests.voice.fake_messages_api import FakeMessagesAPI
from tests.voice.helpers import Call, TwiML

pytestmark = pytest.mark.integration

# About 20 seconds of speech (some 20 characters a second).
GREETING_MAX_CHARS = 350
ANSWER_MAX_CHARS = 400


def call(servers: Servers) -> Call:
    return Call(servers.url, TOKEN)


def events(servers: Servers, sender: str, kind: str) -> List[Dict[str, Any]]:
    r = httpx.get(f"{servers.url}/conversations/{sender}/tracker", params={"token": servers.token}, timeout=10)
    r.raise_for_status()
    return [e for e in r.json()["events"] if e.get("event") == kind]


def last_user_text(servers: Servers, sender: str) -> str:
    return str(events(servers, sender, "user")[-1]["text"])


def before_more(twiml: TwiML) -> str:
    """What is said before the offer to hear more (or everything, when nothing is cut)."""
    said = " ".join(twiml.says)
    return said.split(wording().more_prompt)[0].strip()


# ---------------------------------------------------------------- for the ear


def test_the_greeting_is_short_and_speaks_of_a_call(servers: Servers) -> None:
    twiml = call(servers).ring()
    said = " ".join(twiml.says)
    assert len(said) <= GREETING_MAX_CHARS, (len(said), said)
    assert "call" in said.lower() and "chat" not in said.lower()
    assert "can't diagnose" in said and "911" in said and "Press 0" in said


@pytest.mark.parametrize("topic", sorted(load_knowledge().topics))
def test_every_answer_is_cut_at_about_twenty_seconds(servers: Servers, topic: str) -> None:
    c = call(servers)
    c.ring()
    twiml = c.say(f"/{topic}")
    said = twiml.prompt[0] if twiml.prompt else ""
    assert said and len(said) <= ANSWER_MAX_CHARS, (len(said), said)


# ---------------------------------------------------------------- the keypad


def test_zero_transfers_with_a_whisper_of_why_the_caller_calls(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    c.say("what are the risks of myofascial release?")
    c.say("I have osteoporosis")
    twiml = c.press("0")
    assert twiml.dial == CLINIC_NUMBER and twiml.whisper_url
    assert twiml.root.find("Dial").get("action") == "/webhooks/twilio_voice/webhook"  # type: ignore[union-attr]
    assert c.whisper(servers.url, twiml.whisper_url, signature=None).status_code == 403
    r = c.whisper(servers.url, twiml.whisper_url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    whispered = " ".join(TwiML(ET.fromstring(r.text)).says)
    knowledge = load_knowledge()
    assert knowledge.topics["risks"].title in whispered
    assert knowledge.risk_additions["fracture_risk"].label in whispered
    assert "osteoporosis" not in whispered.lower(), "only what was recognised, not the caller's words"


def test_nine_repeats_the_emergency_reply(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    first = c.say("I have crushing chest pain and my left arm is numb")
    assert first.says[0].startswith("This could be a medical emergency"), "the emergency reply comes first"
    assert "hang up and call 911" in first.spoken and "press 9" in first.spoken
    asked = len(events(servers, c.caller, "user"))
    again = c.press("9")
    assert again.spoken == first.spoken
    assert len(events(servers, c.caller, "user")) == asked, "repeated by the line, not asked again"


def test_speech_not_recognised_twice_offers_the_keypad(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    assert "keypad" not in c.silence().spoken
    offer = c.silence()
    assert "keypad" in offer.spoken and "0 for a person" in offer.spoken
    answer = c.press("1")
    first_topic = wording().keypad.menu_topics[0]
    assert events(servers, c.caller, "user")[-1]["text"] == f"/{first_topic}", "key 1 picks the menu's first topic"
    assert answer.prompt and "keypad" not in answer.spoken


# ---------------------------------------------------------------- after the transfer, after the call


def test_an_unanswered_transfer_offers_a_call_back_that_staff_see(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    c.say("what are trigger points")
    assert c.press("0").dial
    offer = c.dial_ended("no-answer")
    assert "call you back" in offer.spoken and offer.gather is not None
    done = c.press("1")
    assert done.root.find("Hangup") is not None and "call you back" in done.spoken
    [request] = [r for r in list_callbacks(servers.db_path) if r.sender_id == c.caller]
    assert request.phone == c.caller and request.channel == "twilio_voice"
    assert request.summary.topics == ["trigger_points"]
    report = subprocess.run(
        [str(VENV_BIN / "python"), "scripts/triage_report.py", "--db", str(servers.db_path),
         "--csv", str(servers.workdir / "triage.csv"), "--callbacks-csv", str(servers.workdir / "callbacks.csv")],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert c.caller in report.stdout, "staff see the request with the triage records"
    assert c.caller in (servers.workdir / "callbacks.csv").read_text()


def test_an_answered_transfer_ends_the_call(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    c.press("0")
    assert c.dial_ended("completed").root.find("Hangup") is not None


def test_a_text_after_the_call_lists_the_topics_with_the_emergency_first(
        servers: Servers, messages_api: FakeMessagesAPI) -> None:
    c = call(servers)
    c.ring()
    c.say("what is myofascial release")
    c.say("I have sudden crushing chest pain")
    asked = c.say("that's all, goodbye")
    assert asked.prompt == [wording().feedback_question] and asked.root.find("Hangup") is None
    offer = c.say("yes it did")
    assert last_user_text(servers, c.caller) == "/feedback_helpful", "the caller's rating is in the conversation"
    assert "text you" in offer.spoken and offer.root.find("Hangup") is None
    done = c.say("yes please")
    assert done.root.find("Hangup") is not None and "texted" in done.spoken
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not [m for m in messages_api.sent if m["To"] == c.caller]:
        time.sleep(0.1)
    [text] = [m for m in messages_api.sent if m["To"] == c.caller]
    assert text["From"] == SMS_FROM
    assert text["Body"].startswith("EMERGENCY") and "911" in text["Body"].splitlines()[0]
    assert f"- {load_knowledge().topics['what_is_mfr'].title}" in text["Body"]
    assert CLINIC_NUMBER in text["Body"], "the clinic's contact"


def test_no_to_the_text_ends_the_call_without_one(servers: Servers, messages_api: FakeMessagesAPI) -> None:
    c = call(servers)
    c.ring()
    c.say("goodbye")
    c.press("2")
    assert last_user_text(servers, c.caller) == "/feedback_unhelpful"
    done = c.press("2")
    assert done.root.find("Hangup") is not None and "Goodbye" in done.spoken
    time.sleep(0.5)
    assert not [m for m in messages_api.sent if m["To"] == c.caller]
