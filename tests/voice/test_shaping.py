"""The voice channel's pure parts: speech shaping, choices, signatures, TwiML (no server)."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any, Dict

import pytest
from rasa.shared.exceptions import InvalidConfigException
from twilio.request_validator import RequestValidator

from channels.bounded_map import BoundedMap
from channels.twilio_voice.callers import CallerStates
from channels.twilio_voice.choices import (
    choice_number,
    choices_sentence,
    match_choice,
    pressed_choice,
    wants_more,
)
from channels.twilio_voice.plan import (
    Pending,
    Plan,
    VoiceMessage,
    dial_number,
    handoff_phone,
    plan_rest,
    plan_turn,
    voice_messages,
)
from channels.twilio_voice.signature import (
    WEBHOOK_PATH as WEBHOOK,
    caller_key,
    form_params,
    public_webhook_url,
    signature_valid,
)
from channels.twilio_voice.speech import shorten, speech_chunks, voice_text, word_count
import channels.twilio_voice.webhook as webhook_module
from channels.twilio_voice.webhook import TwilioVoiceChannel, VoiceOutputChannel
from channels.twilio_voice.wording import wording

MORE_PROMPT = wording().more_prompt

LONG = " ".join(f"Sentence number {i} has exactly seven words." for i in range(1, 13))  # 84 words


def channel() -> TwilioVoiceChannel:
    return TwilioVoiceChannel.from_credentials(  # type: ignore[return-value]
        {"initial_prompt": "hello", "assistant_voice": "woman", "speech_timeout": "5",
         "speech_model": "default", "enhanced": "false"}
    )


@pytest.fixture(autouse=True)
def no_twilio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TWILIO_AUTH_TOKEN", "TWILIO_PUBLIC_URL", "CLINIC_PHONE_NUMBER", "TWILIO_ACCOUNT_SID",
                 "TWILIO_SMS_FROM", "TWILIO_API_URL"):
        monkeypatch.delenv(name, raising=False)


# ---------------------------------------------------------------- voice_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Read https://example.org/a_b#c now.", "Read now."),
        ("See www.example.org.", "See."),
        ("[the article](https://example.org/x) says so", "the article says so"),
        ("**Risks** and _care_ and `code` and # Title", "Risks and care and code and Title"),
        ("It works 👍🏽 ✅ ❤️ well 😀", "It works well"),
        ("The answer.\n\nFrom: the article's risks section", "The answer."),
        ("  *From:* introduction\nText", "Text"),
        ("- bruising\n- soreness\n- nerve injury", "bruising. soreness. nerve injury"),
        ("snake_case_word", "snake case word"),
        ("Call us (https://x.org) today", "Call us today"),
        ("", ""),
        (None, ""),
        ("😀😀", ""),
    ],
)
def test_voice_text_keeps_only_what_can_be_spoken(text: Any, expected: str) -> None:
    assert voice_text(text) == expected


def test_voice_text_keeps_ordinary_punctuation_and_phone_numbers() -> None:
    text = "Call +1 555 0100 (Monday to Friday, 8am to 6pm) or write to frontdesk@example.org – thanks…"
    assert voice_text(text) == text


# ---------------------------------------------------------------- length


def test_short_text_is_not_cut() -> None:
    text = "One sentence. Two sentences."
    assert shorten(text) == (text, "")


def test_long_text_is_cut_at_a_sentence_within_twenty_seconds() -> None:
    head, rest = shorten(LONG)
    assert len(LONG) > 400
    assert len(head) <= 400 and head.endswith("words.")
    next_sentence = rest.split(". ")[0] + "."
    assert len(f"{head} {next_sentence}") > 400, "as many whole sentences as fit"
    assert f"{head} {rest}" == LONG


def test_one_huge_sentence_is_cut_at_clauses_or_words() -> None:
    text = ", ".join(["word"] * 200) + "."
    head, rest = shorten(text)
    assert 0 < len(head) <= 400 and rest
    assert " ".join(f"{head} {rest}".split()) == text
    unbroken = "x" * 30 + " " + "y" * 500
    head, rest = shorten(unbroken)
    assert head == "x" * 30 and rest == "y" * 500, "a word longer than the limit goes to the rest"


def test_speech_chunks_cover_everything_in_small_pieces() -> None:
    chunks = speech_chunks(LONG)
    assert " ".join(chunks) == LONG
    assert all(word_count(c) <= 50 for c in chunks)


# ---------------------------------------------------------------- choices


def test_choices_sentence_numbers_the_titles_in_order() -> None:
    assert (
        choices_sentence(["Risks and safety", "What the evidence says"])
        == "Say or press one for Risks and safety, two for What the evidence says."
    )
    assert choices_sentence(["What is it?", "Is it safe?"]) == "Say or press one for What is it, two for Is it safe."
    assert choices_sentence([]) == ""


@pytest.mark.parametrize(
    "speech, number",
    [
        ("one", 1), ("Two.", 2), ("three", 3), ("first", 1), ("second", 2), ("Third!", 3),
        ("number two", 2), ("option 2", 2), ("2", 2), ("2nd", 2), ("the second one", 2),
        ("Number two, please.", 2), ("um, two", 2), ("I'd like two", 2), ("to", 2), ("the last one", 3),
        ("Option three", 3),
    ],
)
def test_spoken_choice_words_name_a_choice(speech: str, number: int) -> None:
    assert choice_number(speech, 3) == number


@pytest.mark.parametrize(
    "speech",
    ["four", "option 7", "one more question", "two or three", "what are the risks", "yes", "no", "", "zero"],
)
def test_other_replies_name_no_choice(speech: str) -> None:
    assert choice_number(speech, 3) is None


def test_no_choices_means_no_choice() -> None:
    assert choice_number("one", 0) is None


def test_match_choice_by_number_or_title() -> None:
    choices = [("Risks and safety", "/risks"), ("What the evidence says", "/evidence"), ("None of these", "/none")]
    assert match_choice("two", choices) == choices[1]
    assert match_choice("None of these.", choices) == choices[2]
    assert match_choice("the risks and safety", choices) == choices[0]
    assert match_choice("what does the evidence say about risks", choices) is None


@pytest.mark.parametrize("speech", ["yes", "Yes please.", "more", "tell me more", "go on", "OK", "yes, continue"])
def test_wants_more(speech: str) -> None:
    assert wants_more(speech)


@pytest.mark.parametrize("speech", ["no", "no more", "tell me more about the risks", "what is it", "", "one"])
def test_does_not_want_more(speech: str) -> None:
    assert not wants_more(speech)


# ---------------------------------------------------------------- small helpers


@pytest.mark.parametrize(
    "phone, expected",
    [("+1 555 0100", "+15550100"), ("+15550100", "+15550100"), ("(555) 0100", "5550100"),
     ("the clinic's front desk", None), ("", None), (None, None), ("+1", None)],
)
def test_dial_number(phone: Any, expected: Any) -> None:
    assert dial_number(phone) == expected


def test_handoff_phone() -> None:
    assert handoff_phone({"handoff": {"phone": "+1 555 0100"}}) == "+1 555 0100"
    assert handoff_phone({"handoff": {}}) is None
    assert handoff_phone({"other": 1}) is None
    assert handoff_phone(None) is None


@pytest.mark.parametrize(
    "form, key",
    [
        ({"From": "+15550123", "CallSid": "CA1"}, "+15550123"),
        ({"From": "client:alice", "CallSid": "CA1"}, "client:alice"),
        ({"From": "Anonymous", "CallSid": "CA1"}, "call-CA1"),
        ({"From": "+266696687", "CallSid": "CA2"}, "call-CA2"),
        ({"From": "", "CallSid": "CA3"}, "call-CA3"),
        ({"From": "x" * 500, "CallSid": "CA4"}, "call-CA4"),
        ({"From": "anonymous"}, None),
        ({}, None),
    ],
)
def test_caller_key(form: Dict[str, str], key: Any) -> None:
    assert caller_key(form) == key


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "public, path, query, expected",
    [
        ("https://voice.clinic.org", "/webhooks/twilio_voice/webhook", "",
         "https://voice.clinic.org/webhooks/twilio_voice/webhook"),
        ("https://clinic.org/rasa/", "/webhooks/twilio_voice/webhook", "",
         "https://clinic.org/rasa/webhooks/twilio_voice/webhook"),
        ("https://clinic.org/webhooks/twilio_voice/webhook", "/webhooks/twilio_voice/webhook", "",
         "https://clinic.org/webhooks/twilio_voice/webhook"),
        ("https://clinic.org", "/webhooks/twilio_voice/webhook", "a=1",
         "https://clinic.org/webhooks/twilio_voice/webhook?a=1"),
        ("https://clinic.org/webhooks/twilio_voice/webhook?k=v", "/webhooks/twilio_voice/webhook", "a=1",
         "https://clinic.org/webhooks/twilio_voice/webhook?k=v"),
    ],
)
def test_public_webhook_url(public: str, path: str, query: str, expected: str) -> None:
    assert public_webhook_url(public, path, query) == expected


def test_form_params_keep_blank_fields_that_twilio_signs() -> None:
    params = form_params(b"From=%2B15550123&FromCity=&SpeechResult=two")
    assert params.get("FromCity") == ""
    assert params.get("From") == "+15550123"
    assert form_params(b"\xff\xfe") == {}


def test_signature_valid_for_twilio_signature_with_blank_fields_only() -> None:
    url = "https://voice.clinic.org/webhooks/twilio_voice/webhook"
    body = b"CallSid=CA1&From=%2B15550123&FromCity=&SpeechResult=two"
    fields = {"CallSid": "CA1", "From": "+15550123", "FromCity": "", "SpeechResult": "two"}
    signature = RequestValidator("secret").compute_signature(url, fields)
    assert signature_valid("secret", url, form_params(body), signature)
    assert signature_valid("secret", "https://voice.clinic.org:443/webhooks/twilio_voice/webhook",
                           form_params(body), signature)
    assert not signature_valid("other", url, form_params(body), signature)
    assert not signature_valid("secret", url.replace("voice.", "evil."), form_params(body), signature)
    assert not signature_valid("secret", url, form_params(body.replace(b"two", b"one")), signature)
    assert not signature_valid("secret", url, form_params(body), None)
    assert not signature_valid("secret", url, form_params(body), "")


def test_request_url_is_the_public_one_behind_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    request = SimpleNamespace(
        url="http://10.0.0.5:5005/webhooks/twilio_voice/webhook", path="/webhooks/twilio_voice/webhook",
        query_string="",
    )
    assert channel()._request_url(request) == request.url  # type: ignore[arg-type]
    assert channel()._url(WEBHOOK) == "/webhooks/twilio_voice/webhook"
    monkeypatch.setenv("TWILIO_PUBLIC_URL", "https://voice.clinic.org")
    behind_proxy = channel()
    assert behind_proxy._request_url(request) == "https://voice.clinic.org/webhooks/twilio_voice/webhook"  # type: ignore[arg-type]
    assert behind_proxy._url(WEBHOOK) == "https://voice.clinic.org/webhooks/twilio_voice/webhook"
    assert behind_proxy._url("/webhooks/twilio_voice/whisper", "t=abc") == (
        "https://voice.clinic.org/webhooks/twilio_voice/whisper?t=abc")
    monkeypatch.setenv("TWILIO_PUBLIC_URL", "https://clinic.org/rasa/webhooks/twilio_voice/webhook")
    full = channel()
    assert full._url("/webhooks/twilio_voice/whisper") == "https://clinic.org/rasa/webhooks/twilio_voice/whisper"
    assert full._url(WEBHOOK) == "https://clinic.org/rasa/webhooks/twilio_voice/webhook"


def test_local_mode_warns_once(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(webhook_module, "_local_mode_warned", False)
    with caplog.at_level(logging.WARNING, logger="channels.twilio_voice.webhook"):
        assert channel().auth_token == ""
        channel()
    assert sum("TWILIO_AUTH_TOKEN is not set" in r.getMessage() for r in caplog.records) == 1


def test_no_warning_with_a_token(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(webhook_module, "_local_mode_warned", False)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "secret")
    with caplog.at_level(logging.WARNING, logger="channels.twilio_voice.webhook"):
        assert channel().auth_token == "secret"
    assert not caplog.records


# ---------------------------------------------------------------- credentials


def test_unquoted_numbers_and_booleans_are_accepted() -> None:
    credentials = {"assistant_voice": "Polly.Joanna", "speech_timeout": 3, "enhanced": False}
    c = TwilioVoiceChannel.from_credentials(credentials)
    assert c.speech_timeout == "3" and c.enhanced == "false"  # type: ignore[attr-defined]
    assert c.name() == "twilio_voice"


def test_unsupported_voice_is_refused() -> None:
    with pytest.raises(InvalidConfigException):
        TwilioVoiceChannel.from_credentials({"assistant_voice": "robot"})


# ---------------------------------------------------------------- output channel and turn plans


async def test_output_channel_keeps_buttons_payloads_and_response_names() -> None:
    out = VoiceOutputChannel()
    await out.send_response("c", {"text": "Hi\n\nFrom: x", "buttons": [{"title": "A", "payload": "/a"}],
                                  "utter_action": "utter_answer"})
    await out.send_response("c", {"text": "Call us", "custom": {"handoff": {"phone": "+1 555"}},
                                  "utter_action": "utter_human_handoff"})
    await out.send_response("c", {"image": "https://x/y.png"})
    messages = voice_messages(out.messages)
    assert [(m.text, m.choices, m.response, m.phone) for m in messages] == [
        ("Hi", [("A", "/a")], "utter_answer", None),
        ("Call us", [], "utter_human_handoff", None),
        ("", [], "utter_human_handoff", "+1 555"),
    ]
    assert VoiceOutputChannel.name() == "twilio_voice"


def test_plan_reads_buttons_as_numbered_choices() -> None:
    plan = plan_turn(
        [
            VoiceMessage("Disclaimer.", response="utter_disclaimer"),
            VoiceMessage("Did you mean?", [("Risks and safety", "/risks"), ("What the evidence says", "/evidence")]),
        ],
        fallback_prompt="Sorry?",
    )
    assert plan.lead == [["Disclaimer."]]
    assert plan.prompt == ["Did you mean?", "Say or press one for Risks and safety, two for What the evidence says."]
    assert plan.choices == [("Risks and safety", "/risks"), ("What the evidence says", "/evidence")]
    assert plan.pending is None and plan.dial is None


def test_plan_cuts_a_long_last_message_and_keeps_the_rest() -> None:
    plan = plan_turn([VoiceMessage(LONG, [("Tell me more", "/more_detail")])], fallback_prompt="Sorry?")
    assert plan.prompt[-1] == MORE_PROMPT
    assert len(plan.prompt[0]) <= 400
    assert plan.choices == [], "choices are offered once the message has been read"
    assert isinstance(plan.pending, Pending)
    rest = plan_rest(plan.pending)
    assert plan.prompt[0] + " " + rest.prompt[0] == LONG
    assert rest.prompt[-1] == "Say or press one for Tell me more."
    assert rest.choices == [("Tell me more", "/more_detail")] and rest.pending is None


def test_plan_never_cuts_a_safety_reply() -> None:
    plan = plan_turn([VoiceMessage(LONG, response="utter_emergency")], fallback_prompt="Sorry?")
    assert " ".join(plan.prompt[:-1]) == LONG
    assert plan.prompt[-1] == wording().keypad.repeat_offer, "then 9 is offered to hear it again"
    assert MORE_PROMPT not in plan.prompt and plan.pending is None
    assert all(word_count(p) <= 50 for p in plan.prompt)
    assert plan.safety


def test_long_earlier_messages_are_read_in_full() -> None:
    plan = plan_turn([VoiceMessage(LONG), VoiceMessage("Hello!")], fallback_prompt="Sorry?")
    assert " ".join(plan.lead[0]) == LONG and plan.prompt == ["Hello!"]


def test_plan_transfers_on_a_handoff_payload() -> None:
    messages = [VoiceMessage("You can talk to a person."), VoiceMessage(phone="+1 555 0100")]
    plan = plan_turn(messages, fallback_prompt="Sorry?", transfer_announcement="Connecting.")
    assert plan.dial == "+15550100"
    assert plan.lead == [["You can talk to a person."], ["Connecting."]]
    assert plan.prompt == []
    assert plan_turn(messages, "Sorry?", clinic_number="+1 555 0199").dial == "+15550199", "the env number wins"


def test_plan_without_a_dialable_number_keeps_listening() -> None:
    plan = plan_turn([VoiceMessage("Call the front desk."), VoiceMessage(phone="the front desk")], "Sorry?")
    assert plan.dial is None and plan.prompt == ["Call the front desk."]


def test_plan_with_nothing_to_say_asks_again() -> None:
    assert plan_turn([], fallback_prompt="Sorry?").prompt == ["Sorry?"]
    assert plan_turn([VoiceMessage("")], fallback_prompt="Sorry?").prompt == ["Sorry?"]


def _xml(plan: Plan) -> ET.Element:
    return ET.fromstring(str(channel()._twiml(plan)))


def test_twiml_is_valid_and_ends_with_the_gather() -> None:
    root = _xml(Plan(lead=[["A & B <c>"]], prompt=["Question?", "Say one for X."], choices=[("X", "/x")]))
    assert [el.tag for el in root] == ["Say", "Pause", "Gather"]
    assert root[0].text == "A & B <c>"
    gather = root[2]
    # With numbered choices the keypad works too, one digit per choice.
    assert gather.get("input") == "dtmf speech" and gather.get("numDigits") == "1"
    assert gather.get("actionOnEmptyResult") == "true"
    assert gather.get("speechTimeout") == "5" and gather.get("speechModel") == "default"
    assert gather.get("hints") == "one, X"
    assert [s.text for s in gather] == ["Question?", "Say one for X."]


def test_twiml_for_a_transfer_and_a_hangup() -> None:
    dial = _xml(Plan(lead=[["Text."], ["Connecting."]], dial="+15550100"))
    assert [el.tag for el in dial] == ["Say", "Pause", "Say", "Dial"]
    number = dial[-1].find("Number")
    assert number is not None and number.text == "+15550100"
    assert number.get("url", "").startswith("/webhooks/twilio_voice/whisper?t="), "the staff member hears a whisper"
    assert dial[-1].get("action") == WEBHOOK, "an unanswered transfer comes back to the webhook"
    hangup = _xml(Plan(lead=[["Bye."]], hangup=True))
    assert [el.tag for el in hangup] == ["Say", "Hangup"]


def test_the_phone_lines_own_words_are_in_its_data_file() -> None:
    import yaml

    from channels.twilio_voice.wording import SPEECH_FILE

    spec = yaml.safe_load(SPEECH_FILE.read_text(encoding="utf-8"))
    words = wording()
    assert words.more_prompt == spec["more_prompt"] and "hear more" in words.more_prompt
    assert "{emergency_number}" in words.no_speech_goodbye
    assert words.number_words[:2] == ("one", "two")
    assert choices_sentence(["A", "B"]) == f"{spec['choices']['intro']} one for A, two for B."


def test_the_goodbye_after_silence_names_the_clinics_emergency_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from mfr import settings

    monkeypatch.setenv("EMERGENCY_NUMBER", "112")
    settings.clinic_settings.cache_clear()
    try:
        c = channel()
        from channels.twilio_voice.callers import CallerState

        state = CallerState(prompt=["Anything else?"])
        assert c._no_speech(state).prompt == ["Anything else?"]
        c._no_speech(state)
        goodbye = c._no_speech(state)
        assert goodbye.hangup and "112" in goodbye.lead[0][0]
    finally:
        settings.clinic_settings.cache_clear()


# ---------------------------------------------------------------- caller state


def test_caller_states_are_bounded_and_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    states = CallerStates(max_callers=3, ttl=100)
    for caller in ["a", "b", "c", "d"]:
        states.get(caller).choices = [("T", "/t")]
    assert len(states) == 3 and "a" not in states
    states.get("b")  # b is now the most recent; c goes next
    states.get("e")
    assert "c" not in states and "b" in states
    clock = [0.0]
    states._states = BoundedMap(3, ttl=100, clock=lambda: clock[0])
    states.get("b").choices = [("T", "/t")]
    clock[0] = 1000.0
    assert states.get("b").choices == [], "an expired state starts afresh"
    states.forget("b")
    assert "b" not in states


def test_twiml_without_choices_still_hears_the_keypad() -> None:
    gather = _xml(Plan(prompt=["What would you like to know?"]))[0]
    assert gather.get("input") == "dtmf speech" and gather.get("numDigits") == "1", "0 and 9 work everywhere"
    assert gather.get("hints") is None


@pytest.mark.parametrize("digits, expected", [("1", ("Yes", "/affirm")), ("2", ("No", "/deny")), ("3", None),
                                              ("0", None), ("12", None), ("", None), (None, None), ("#", None)])
def test_a_pressed_key_picks_the_numbered_choice(digits, expected) -> None:
    assert pressed_choice(digits, [("Yes", "/affirm"), ("No", "/deny")]) == expected


def test_a_reply_that_says_its_choices_is_not_followed_by_them_again() -> None:
    screen = VoiceMessage("Is any of this happening now? Say yes or no, or press 1 for yes or 2 for no.",
                          [("Yes", "/affirm"), ("No", "/deny")], response="utter_red_flag_screen")
    plan = plan_turn([screen], "Sorry?")
    assert plan.choices == [("Yes", "/affirm"), ("No", "/deny")]
    assert not any(p.startswith("Say one") for p in plan.prompt)
