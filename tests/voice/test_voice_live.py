"""The phone line end to end: signed Twilio requests to a running server, TwiML back.

One Rasa server and one action server for the package (tests/voice/conftest.py),
started with a temporary credentials file that names the voice channel (and
the REST one), TWILIO_AUTH_TOKEN=testtoken, CLINIC_PHONE_NUMBER=+15550100 and
texts sent to a local fake of Twilio's Messages API.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

import httpx
import pytest

from channels.twilio_voice.wording import wording
from harness.servers import Servers
from tests.voice.conftest import CLINIC_NUMBER, MAX_WORDS_PER_SAY, TOKEN
from tests.voice.helpers import WEBHOOK, Call, TwiML, sign, twilio_form

pytestmark = pytest.mark.integration

# Questions the model is unsure about (several topics, none confident).
# Models are retrained; the test uses the first that gets "Did you mean".
UNCLEAR_QUESTIONS = [
    "myofascial release or knots",
    "massage pain syndrome",
    "what about massage and knots",
    "massage or pain syndrome",
    "is it for me or pain syndrome",
    "myofascial release or pain syndrome",
    "what about myofascial release and symptoms",
    "session pain syndrome",
    "pain release",
    "stiff muscles therapy",
    "the thing with the muscles",
    "the muscle thing",
    "pain syndrome release",
    "therapy pain",
    "is it for me or the knots",
    "release or symptoms",
    "massage or knots or syndrome",
    "sore muscles therapy",
    "knots or release or symptoms",
    "the pain thing with the fascia or something",
]


def call(servers: Servers) -> Call:
    return Call(servers.url, TOKEN)


def tracker(servers: Servers, sender: str) -> Dict[str, Any]:
    r = httpx.get(f"{servers.url}/conversations/{sender}/tracker", params={"token": servers.token}, timeout=10)
    r.raise_for_status()
    return dict(r.json())


def last_bot_buttons(servers: Servers, sender: str) -> List[Dict[str, str]]:
    bots = [e for e in tracker(servers, sender)["events"] if e.get("event") == "bot"]
    return list(((bots[-1].get("data") or {}).get("buttons")) or []) if bots else []


def last_user(servers: Servers, sender: str) -> Dict[str, Any]:
    users = [e for e in tracker(servers, sender)["events"] if e.get("event") == "user"]
    return users[-1] if users else {}


def more_prompt(servers: Servers) -> str:
    """The phone line's offer to hear more (its own wording, channels/twilio_voice/speech.yml)."""
    return wording().more_prompt


def assert_speakable(twiml: TwiML) -> None:
    assert twiml.says, "something is said"
    for say in twiml.says:
        assert "http" not in say and "www." not in say
        assert "From:" not in say
        assert not re.search(r"[*_#`]", say), say
        assert len(say.split()) <= MAX_WORDS_PER_SAY, say


# ---------------------------------------------------------------- signatures


def test_unsigned_and_forged_requests_get_403_and_reach_nothing(servers: Servers) -> None:
    c = call(servers)
    form = twilio_form(c.caller, c.sid, speech="what are the risks of myofascial release?")
    assert c.post(form, signature=None).status_code == 403
    assert c.post(form, signature="").status_code == 403
    assert c.post(form, signature=sign("not-the-token", c.url, form)).status_code == 403
    other_url = "https://attacker.example" + WEBHOOK
    assert c.post(form, signature=sign(TOKEN, other_url, form)).status_code == 403
    tampered = dict(form, SpeechResult="can I talk to a person")
    headers = {"X-Twilio-Signature": sign(TOKEN, c.url, form)}
    assert c.http.post(c.url, data=tampered, headers=headers).status_code == 403
    # Nothing reached the model: the caller has no conversation.
    assert not [e for e in tracker(servers, c.caller)["events"] if e.get("event") == "user"]


def test_health_route_needs_no_signature(servers: Servers) -> None:
    r = httpx.get(f"{servers.url}/webhooks/twilio_voice/", timeout=10)
    assert r.status_code == 200 and r.json() == {"status": "ok"}


# ---------------------------------------------------------------- a call


def test_call_starts_with_the_disclaimer_and_listens(servers: Servers) -> None:
    c = call(servers)
    twiml = c.ring()
    assert_speakable(twiml)
    assert "can't diagnose" in twiml.spoken
    gather = twiml.gather
    assert gather is not None and gather.get("input") == "dtmf speech" and gather.get("numDigits") == "1"
    assert gather.get("action") == WEBHOOK
    assert gather.get("actionOnEmptyResult") == "true"
    assert all(say.get("voice") == "woman" for say in twiml.root.iter("Say"))
    assert twiml.root[-1].tag == "Gather", "the caller is always given the word at the end"


def test_question_gets_a_spoken_answer_without_url_markup_or_source(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    twiml = c.say("what are the risks of myofascial release?")
    assert_speakable(twiml)
    assert "bruising" in twiml.spoken
    tracked = " ".join(e.get("text") or "" for e in tracker(servers, c.caller)["events"] if e.get("event") == "bot")
    assert "From:" in tracked, "the source line is only dropped from speech, not from the record"
    # The follow-up buttons are read as numbered choices.
    titles = [b["title"] for b in last_bot_buttons(servers, c.caller)]
    assert titles
    assert twiml.prompt[-1].startswith(f"Say or press one for {titles[0]}, two for {titles[1]}")


def test_did_you_mean_choices_are_numbered_and_two_picks_the_second(servers: Servers) -> None:
    for question in UNCLEAR_QUESTIONS:
        c = call(servers)
        c.ring()
        twiml = c.say(question)
        buttons = last_bot_buttons(servers, c.caller)
        if "Did you mean" in twiml.spoken and len(buttons) >= 3:
            break
    else:
        pytest.fail(f"none of {UNCLEAR_QUESTIONS} gets 'Did you mean' buttons from this model")
    assert_speakable(twiml)
    titles = [b["title"] for b in buttons]
    expected = "Say or press " + ", ".join(
        f"{n} for {t.rstrip('?')}" for n, t in zip(["one", "two", "three", "four"], titles[:4], strict=False)
    ) + "."
    assert expected in twiml.prompt, twiml.prompt
    assert "one" in (twiml.gather.get("hints") or "")  # type: ignore[union-attr]

    answer = c.say("Two.")
    second = buttons[1]["payload"]
    user = last_user(servers, c.caller)
    assert user["text"] == second, "the button's payload is sent, not the words"
    assert user["parse_data"]["intent"]["name"] == second.lstrip("/")
    assert "Did you mean" not in answer.spoken
    assert_speakable(answer)


def test_asking_for_a_person_transfers_the_call(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    twiml = c.say("can I talk to a person")
    assert twiml.dial == CLINIC_NUMBER
    assert twiml.gather is None
    assert_speakable(twiml)
    bots = [e for e in tracker(servers, c.caller)["events"] if e.get("event") == "bot"]
    assert (bots[-1].get("metadata") or {}).get("utter_action") == "utter_human_handoff"
    assert " ".join(bots[-1]["text"].split()[:5]) in twiml.spoken, "the handoff reply is said before the transfer"
    assert twiml.root[-1].tag == "Dial"


def test_red_flag_gets_the_whole_emergency_reply(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    twiml = c.say("I have crushing chest pain")
    assert_speakable(twiml)
    assert "emergency" in twiml.spoken
    assert "hear more" not in twiml.spoken, "a safety reply is never cut short"
    bots = [e for e in tracker(servers, c.caller)["events"] if e.get("event") == "bot"]
    assert (bots[-1].get("metadata") or {}).get("utter_action") == "utter_emergency"
    assert bots[-1]["text"].split()[-1] in twiml.spoken, "read to the end"


def test_long_answer_is_cut_and_yes_reads_on(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    c.say("what is myofascial pain syndrome")
    twiml = c.say("tell me more")
    bots = [e for e in tracker(servers, c.caller)["events"] if e.get("event") == "bot"]
    full = bots[-1]["text"]
    assert_speakable(twiml)
    if len(full.split("\n\nFrom:")[0]) <= 400:
        pytest.skip("this model's long answer is short enough to be read in full")
    assert twiml.prompt[-1] == more_prompt(servers)
    first_part = twiml.prompt[0]
    assert len(first_part) <= 400
    rest = c.say("yes please")
    assert_speakable(rest)
    assert rest.prompt[0] not in first_part and rest.prompt[0].split()[-1] in full
    assert len([e for e in tracker(servers, c.caller)["events"] if e.get("event") == "bot"]) == len(bots)


def test_silence_repeats_the_prompt_and_its_choices_then_ends_the_call(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    asked = c.say("what are the risks of myofascial release?")
    again = c.silence()
    assert again.prompt == asked.prompt
    assert again.gather is not None
    # The choices still work after a repeat.
    buttons = last_bot_buttons(servers, c.caller)
    c.say("the first one")
    assert last_user(servers, c.caller)["text"] == buttons[0]["payload"]
    for _ in range(2):
        assert c.silence().gather is not None
    goodbye = c.silence()
    assert goodbye.root.find("Hangup") is not None
    assert goodbye.gather is None
    assert "emergency" in goodbye.spoken


def test_a_new_call_from_the_same_number_starts_a_new_session(servers: Servers) -> None:
    first = call(servers)
    first.ring()
    first.say("I have osteoporosis")
    second = Call(servers.url, TOKEN, caller=first.caller)
    twiml = second.ring()
    assert "can't diagnose" in twiml.spoken
    assert not tracker(servers, first.caller)["slots"].get("risk_factors")


def test_withheld_number_gets_its_own_conversation_per_call(servers: Servers) -> None:
    c = Call(servers.url, TOKEN, caller="anonymous")
    c.ring()
    c.say("what are trigger points")
    assert last_user(servers, f"call-{c.sid}")["text"] == "what are trigger points"
    assert last_user(servers, "anonymous") == {}, "no shared conversation for all withheld numbers"


def test_call_status_callback_gets_an_empty_response(servers: Servers) -> None:
    c = call(servers)
    c.ring()
    twiml = c.turn(twilio_form(c.caller, c.sid, status="completed"))
    assert len(twiml.root) == 0


# ---------------------------------------------------------------- the red-flag screen by phone


def screened_call(servers: Servers) -> tuple:
    from harness.client import Client, grey_message

    c = call(servers)
    c.ring()
    twiml = c.say(grey_message(Client(servers.url, servers.token)))
    return c, twiml


def test_the_screen_is_asked_with_yes_no_and_the_keypad(servers: Servers) -> None:
    _, twiml = screened_call(servers)
    prompt = " ".join(twiml.prompt)
    assert "Before I answer" in prompt and "press 1 for yes or 2 for no" in prompt
    assert "Say or press one for" not in prompt, "the choices are in the wording already"
    assert twiml.gather is not None and twiml.gather.get("input") == "dtmf speech"
    assert twiml.gather.get("numDigits") == "1"


@pytest.mark.parametrize("answer", ["press 1", "say yes"])
def test_yes_to_the_screen_by_voice_or_keypad_gives_the_emergency_reply(servers: Servers, answer: str) -> None:
    c, _ = screened_call(servers)
    twiml = c.press("1") if answer == "press 1" else c.say("yes")
    assert "911" in twiml.spoken and "emergency department" in twiml.spoken
    assert "could be a medical emergency" in twiml.spoken
    assert last_user(servers, c.caller)["parse_data"]["intent"]["name"] == "affirm"


def test_no_to_the_screen_by_keypad_answers_and_says_the_safety_net(servers: Servers) -> None:
    c, _ = screened_call(servers)
    twiml = c.press("2")
    assert "If it suddenly gets worse" in twiml.spoken and "911" in twiml.spoken
    assert "could be a medical emergency" not in twiml.spoken
    assert_speakable(twiml)
