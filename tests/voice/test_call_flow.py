"""The phone line's own steps, against a scripted assistant: keypad, repeat, keypad offer, transfer, texts.

No model and no server: the channel's `respond` is called with the form
fields Twilio sends, and a scripted assistant answers in place of Rasa
(tests/voice/test_voice_live.py runs the same paths against the real one).
"""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from typing import Any, Dict, Iterator, List, Optional

import pytest
from rasa.core.channels.channel import UserMessage

from channels.twilio_voice.keypad import keypad_offer, menu_choices, yes_or_no
from channels.twilio_voice.plan import Plan
from channels.twilio_voice.sms import SmsSender, SmsSettings
from channels.twilio_voice.webhook import TwilioVoiceChannel
from channels.twilio_voice.whisper import whisper_text
from channels.twilio_voice.wording import wording
from mfr.call_summary import CallSummary
from mfr.knowledge import load_knowledge
from tests.voice.fake_messages_api import FakeMessagesAPI
from tests.voice.helpers import twilio_form

CALLER = "+15550142"
ENV = ("TWILIO_AUTH_TOKEN", "TWILIO_PUBLIC_URL", "CLINIC_PHONE_NUMBER", "TWILIO_ACCOUNT_SID", "TWILIO_SMS_FROM",
       "TWILIO_API_URL")

# What the scripted assistant answers to each text: (text, response name, buttons, custom payload).
Reply = Dict[str, Any]
SCRIPT: Dict[str, List[Reply]] = {
    "/session_start": [{"text": "Hello, this is the assistant.", "utter_action": "utter_disclaimer"}],
    "hello": [{"text": "What would you like to know?", "utter_action": "utter_greet"}],
    "what are the risks": [{"text": "Bruising is rare.", "utter_action": "utter_answer",
                            "buttons": [{"title": "Evidence", "payload": "/evidence"},
                                        {"title": "Who benefits", "payload": "/who_benefits"}]}],
    "/evidence": [{"text": "The evidence is limited.", "utter_action": "utter_answer"}],
    "/what_is_mfr": [{"text": "It is a kind of physical therapy.", "utter_action": "utter_answer"}],
    "mumble": [{"text": "Sorry, could you say it another way?", "utter_action": "utter_rephrase"}],
    "crushing chest pain": [{"text": "Call 911 now.", "utter_action": "utter_emergency"}],
    "/human_handoff": [{"text": "I'll put you through.", "utter_action": "utter_human_handoff"},
                       {"custom": {"handoff": {"phone": "+1 555 0100", "summary": {
                           "topics": ["risks"], "symptoms": ["knots"], "risk_factors": [], "disposition": None,
                           "red_flag": False}}}, "utter_action": "utter_human_handoff"}],
    "goodbye": [{"text": "Goodbye, and take care.", "utter_action": "utter_goodbye"}],
    "/goodbye": [{"text": "Goodbye, and take care.", "utter_action": "utter_goodbye"}],
    "/text_summary": [{"text": "Your call: risks.\nIn an emergency, call 911.", "utter_action": "utter_sms_summary"},
                      {"text": "I've texted you.", "utter_action": "utter_text_summary_sent"},
                      {"custom": {"end_call": True}}],
    "/feedback_helpful": [{"text": "Thank you for letting us know.", "utter_action": "utter_feedback_thanks"}],
    "/feedback_unhelpful": [{"text": "Thank you, I've passed that on.", "utter_action": "utter_feedback_unhelpful"}],
    "/request_callback": [{"text": "The clinic will call you back.", "utter_action": "utter_callback_requested"},
                          {"custom": {"end_call": True}}],
}


class ScriptedAssistant:
    """Answers each text from SCRIPT and records what it was sent."""

    def __init__(self) -> None:
        self.heard: List[str] = []

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message.text or "")
        for reply in SCRIPT.get(message.text or "", [{"text": "I see.", "utter_action": "utter_answer"}]):
            await message.output_channel.send_response(message.sender_id, dict(reply))


@pytest.fixture(autouse=True)
def no_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def line() -> TwilioVoiceChannel:
    return TwilioVoiceChannel.from_credentials({"assistant_voice": "woman"})  # type: ignore[return-value]


class Call:
    """One call from CALLER through the channel's `respond`."""

    def __init__(self, channel: Optional[TwilioVoiceChannel] = None, caller: str = CALLER) -> None:
        self.channel = channel or line()
        self.assistant = ScriptedAssistant()
        self.caller = caller
        self.sid = "CA" + "7" * 32

    def post(self, **fields: Any) -> Plan:
        form = twilio_form(self.caller, self.sid, status=fields.pop("status", "in-progress"),
                           speech=fields.pop("speech", None), digits=fields.pop("digits", None))
        form.update(fields)
        sender = self.caller if self.caller.startswith("+") else f"call-{self.sid}"
        return asyncio.run(self.channel.respond(self.assistant, sender, form))

    def ring(self) -> Plan:
        return self.post(status="ringing")

    def say(self, speech: str) -> Plan:
        return self.post(speech=speech)

    def press(self, key: str) -> Plan:
        return self.post(digits=key)


def spoken(plan: Plan) -> str:
    return " ".join([*(s for group in plan.lead for s in group), *plan.prompt])


# ---------------------------------------------------------------- keys


def test_one_and_two_pick_choices_like_the_spoken_numbers() -> None:
    call = Call()
    call.ring()
    asked = call.say("what are the risks")
    assert asked.choices == [("Evidence", "/evidence"), ("Who benefits", "/who_benefits")]
    assert "Say or press one for Evidence, two for Who benefits." in asked.prompt
    call.press("1")
    assert call.assistant.heard[-1] == "/evidence"
    call.say("what are the risks")
    call.say("two")
    assert call.assistant.heard[-1] == "/who_benefits", "a key and the spoken number send the same payload"


def test_zero_asks_for_a_person_at_any_prompt() -> None:
    call = Call()
    call.ring()
    plan = call.press("0")
    assert call.assistant.heard[-1] == "/human_handoff"
    assert plan.dial == "+15550100" and plan.summary == CallSummary(topics=["risks"], symptoms=["knots"])


def test_nine_repeats_everything_the_last_turn_said_with_its_choices() -> None:
    call = Call()
    call.ring()
    asked = call.say("what are the risks")
    again = call.press("9")
    assert spoken(again) == spoken(asked) and again.choices == asked.choices
    assert call.assistant.heard[-1] == "what are the risks", "nothing was sent to the assistant"
    call.press("2")
    assert call.assistant.heard[-1] == "/who_benefits", "the choices still work after a repeat"


def test_a_key_that_does_nothing_here_says_so_and_asks_again() -> None:
    call = Call()
    call.ring()
    asked = call.say("what are the risks")
    plan = call.press("7")
    assert plan.prompt[0] == wording().keypad.unknown_key and plan.prompt[1:] == asked.prompt
    assert plan.choices == asked.choices


def test_the_emergency_reply_is_offered_again_on_nine() -> None:
    call = Call()
    call.ring()
    plan = call.say("crushing chest pain")
    assert plan.prompt == ["Call 911 now.", wording().keypad.repeat_offer]
    again = call.press("9")
    assert again.prompt[0] == "Call 911 now."


def test_the_keypad_is_offered_after_speech_fails_twice() -> None:
    call = Call()
    call.ring()
    first = call.say("mumble")
    assert not any("keypad" in p for p in first.prompt)
    second = call.post(speech="")
    offer = second.prompt[-1]
    assert "keypad" in offer and "press 1 for" in offer and "0 for a person" in offer
    assert second.choices == menu_choices(), "with no choice on offer, a topic menu"
    call.press("1")
    assert call.assistant.heard[-1] == "/what_is_mfr"
    after = call.say("mumble")
    assert not any("keypad" in p for p in after.prompt), "the count starts again"


def test_one_reads_on_after_hear_more_and_two_moves_on() -> None:
    long = " ".join(f"Sentence {i} is about the fascia and how it can tighten." for i in range(12))
    SCRIPT["tell me everything"] = [{"text": long, "utter_action": "utter_answer"}]
    call = Call()
    call.ring()
    cut = call.say("tell me everything")
    assert cut.prompt[-1] == wording().more_prompt and len(cut.prompt[0]) <= 400
    rest = call.press("1")
    assert rest.prompt[0] not in cut.prompt[0]
    call.say("tell me everything")
    assert call.press("2").prompt == [wording().more_declined]


# ---------------------------------------------------------------- transfer and call-back


def test_an_unanswered_transfer_offers_a_call_back_and_yes_requests_it() -> None:
    call = Call()
    call.ring()
    assert call.press("0").dial
    offer = call.post(DialCallStatus="no-answer", DialCallDuration="0")
    assert offer.prompt == [wording().no_answer_callback_offer] and offer.yes_no
    done = call.say("yes please")
    assert call.assistant.heard[-1] == "/request_callback"
    assert done.hangup and "call you back" in spoken(done)


@pytest.mark.parametrize("answer", ["no thanks", "2"])
def test_no_to_the_call_back_says_goodbye(answer: str) -> None:
    call = Call()
    call.ring()
    call.press("0")
    call.post(DialCallStatus="busy")
    plan = call.press(answer) if answer.isdigit() else call.say(answer)
    assert call.assistant.heard[-1] == "/goodbye"
    assert plan.prompt == [wording().feedback_question], "then the end of the call as after any goodbye"
    assert call.press("1").hangup


def test_an_answered_transfer_ends_the_call_and_a_withheld_number_gets_the_clinics_details() -> None:
    call = Call()
    call.ring()
    call.press("0")
    assert call.post(DialCallStatus="completed").hangup
    anonymous = Call(caller="anonymous")
    anonymous.ring()
    anonymous.press("0")
    plan = anonymous.post(DialCallStatus="no-answer")
    assert not plan.choices and not plan.hangup and "+1 555 0100" in plan.prompt[0]


def test_never_dials_the_emergency_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLINIC_PHONE_NUMBER", "911")
    call = Call()
    call.ring()
    plan = call.press("0")
    assert plan.dial is None and not plan.hangup, "a misconfigured clinic number never transfers to 911"


def test_the_whisper_names_what_was_recognised_and_nothing_else() -> None:
    knowledge = load_knowledge()
    said = " ".join(whisper_text(CallSummary(topics=["risks"], symptoms=["knots"], risk_factors=["fracture_risk"],
                                             disposition="see_clinician", red_flag=True), "112"))
    assert knowledge.topics["risks"].title in said
    assert knowledge.symptom_labels["knots"] in said
    assert knowledge.risk_additions["fracture_risk"].label in said
    assert wording().whisper.dispositions["see_clinician"] in said and "112" in said
    nothing = whisper_text(None, "112")
    assert nothing == [wording().whisper.intro, wording().whisper.nothing, wording().whisper.outro]


# ---------------------------------------------------------------- a text after the call


@pytest.fixture()
def messages_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeMessagesAPI]:
    with FakeMessagesAPI() as api:
        for key, value in api.env().items():
            monkeypatch.setenv(key, value)
        yield api


def test_goodbye_asks_whether_the_call_helped_then_ends_the_call() -> None:
    call = Call()
    call.ring()
    asked = call.say("goodbye")
    assert asked.prompt == [wording().feedback_question] and not asked.hangup
    assert "Goodbye" not in spoken(asked), "the goodbye waits for the answer"
    done = call.say("yes")
    assert call.assistant.heard[-1] == "/feedback_helpful", "the answer is the conversation's feedback"
    assert done.hangup and spoken(done) == "Thank you for letting us know. Goodbye, and take care."


@pytest.mark.parametrize("answer, payload", [("2", "/feedback_unhelpful"), ("no it didn't", "/feedback_unhelpful"),
                                             ("1", "/feedback_helpful")])
def test_the_feedback_question_takes_keys_and_words(answer: str, payload: str) -> None:
    call = Call()
    call.ring()
    call.say("goodbye")
    done = call.press(answer) if answer.isdigit() else call.say(answer)
    assert call.assistant.heard[-1] == payload and done.hangup


def test_a_question_instead_of_an_answer_goes_on_with_the_call() -> None:
    call = Call()
    call.ring()
    call.say("goodbye")
    plan = call.say("what are the risks")
    assert not plan.hangup and "Bruising is rare." in plan.prompt
    again = call.say("goodbye")
    assert again.hangup, "asked once: the next goodbye ends the call"


def offer_text(call: Call) -> Plan:
    call.ring()
    call.say("goodbye")
    return call.press("1")


def test_goodbye_offers_a_text_once_and_yes_sends_it(messages_api: FakeMessagesAPI) -> None:
    call = Call()
    offer = offer_text(call)
    assert offer.prompt == [wording().sms_offer] and not offer.hangup
    assert offer.lead == [["Thank you for letting us know."]]

    async def answer_and_wait() -> Plan:
        plan = await call.channel.respond(call.assistant, CALLER, twilio_form(CALLER, call.sid, digits="1"))
        await asyncio.gather(*call.channel._sending)
        return plan

    done = asyncio.run(answer_and_wait())
    assert done.hangup and "texted" in spoken(done)
    assert "Your call" not in spoken(done), "the text is sent, not spoken"
    assert messages_api.sent == [{"To": CALLER, "From": "+15550188",
                                  "Body": "Your call: risks.\nIn an emergency, call 911."}]


def test_no_to_the_text_says_goodbye_and_sends_nothing(messages_api: FakeMessagesAPI) -> None:
    call = Call()
    offer_text(call)
    plan = call.say("no thank you")
    assert plan.hangup and "Goodbye" in spoken(plan)
    assert messages_api.sent == []


def test_no_text_is_offered_to_a_withheld_number(messages_api: FakeMessagesAPI) -> None:
    call = Call(caller="anonymous")
    call.ring()
    call.say("goodbye")
    assert call.press("1").hangup


def test_texts_are_off_without_credentials_and_a_failing_api_is_logged_not_raised(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    assert SmsSettings.read() is None
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "1" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "t")
    assert SmsSettings.read() is None, "no sender number, no texts"
    with FakeMessagesAPI(fail_with=500) as api:
        sender = SmsSender(SmsSettings(api.account_sid, api.auth_token, "+15550188", api.url))
        assert sender.send_now(CALLER, "hi") is None
        assert "could not be sent" in caplog.text and CALLER not in caplog.text
        wrong = SmsSender(SmsSettings(api.account_sid, "wrong", "+15550188", api.url))
        assert wrong.send_now(CALLER, "hi") is None and api.refused == 1


# ---------------------------------------------------------------- yes or no, the keypad offer


@pytest.mark.parametrize("speech, expected", [("yes", True), ("Yes please.", True), ("sure, go ahead", True),
                                              ("no", False), ("no thanks", False), ("nope", False),
                                              ("not now thank you", False), ("what are the risks", None),
                                              ("yes what are the risks", None), ("", None), ("please", None)])
def test_yes_or_no(speech: str, expected: Optional[bool]) -> None:
    assert yes_or_no(speech) == expected


def test_the_keypad_offer_and_menu_come_from_the_data_files() -> None:
    topics = load_knowledge().topics
    menu = menu_choices()
    assert [p for _, p in menu] == [f"/{t}" for t in wording().keypad.menu_topics]
    assert [t for t, _ in menu] == [topics[t].title for t in wording().keypad.menu_topics]
    offer = keypad_offer([("Risks and safety", "/risks"), ("Is it safe?", "/x")])
    assert offer == ("You can also use your phone's keypad: press 1 for Risks and safety, 2 for Is it safe, "
                     "press 0 for a person, or 9 to hear that again.")


def test_every_gather_hears_keys_and_a_transfer_carries_the_whisper_url() -> None:
    call = Call()
    call.ring()
    plan = call.press("0")
    root = ET.fromstring(str(call.channel._twiml(plan)))
    number = root.find("Dial/Number")
    assert number is not None and number.text == "+15550100"
    token = number.get("url", "").split("t=")[1]
    assert call.channel.whispers.get(token) == plan.summary
