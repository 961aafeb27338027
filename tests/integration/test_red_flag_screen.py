"""The red-flag screen, the safety net and the emergency reply over REST, against live servers."""

from __future__ import annotations

import uuid
from typing import Any, Dict, List

import pytest

from harness.client import Client, grey_message
from evaluation.conversations import last_turn

pytestmark = pytest.mark.integration


def new_sender() -> str:
    return f"screen-{uuid.uuid4().hex[:12]}"


def texts(replies: List[Dict[str, Any]]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def responses(client: Client, sender: str) -> List[str]:
    return last_turn(client.tracker(sender))["responses"]


def test_a_grey_message_gets_the_screen_and_yes_gives_the_emergency_reply(client: Client) -> None:
    sender = new_sender()
    replies = client.send(sender, grey_message(client))
    screen = replies[-1]
    assert "Before I answer" in screen["text"]
    assert [b["payload"] for b in screen["buttons"]] == ["/affirm", "/deny"]
    assert responses(client, sender)[-1] == "utter_red_flag_screen"

    emergency = client.send(sender, "yes")
    assert "999" in texts(emergency) and "emergency department" in texts(emergency)
    assert {"kind": "emergency"} in [r.get("custom") for r in emergency], "the widget's alert marker"
    assert responses(client, sender) == ["utter_emergency"]


def test_the_yes_button_works_like_typing_yes(client: Client) -> None:
    sender = new_sender()
    client.send(sender, grey_message(client))
    assert "999" in texts(client.send(sender, "/affirm"))


def test_no_answers_the_held_back_question_then_the_safety_net_once(client: Client) -> None:
    sender = new_sender()
    text = grey_message(client)
    held_back = client.parse(text)["screened_intent"]["name"]
    client.send(sender, text)
    answer = client.send(sender, "no")
    said = responses(client, sender)
    assert [r for r in said if r != "utter_ask_helpful"][-1] == "utter_safety_net", said
    net = [m["text"] for m in answer if "If it suddenly gets worse" in (m.get("text") or "")]
    assert net and "999" in net[0]
    if held_back not in ("greet", "inform", "nlu_fallback"):
        assert last_turn(client.tracker(sender))["intent"] == "deny"
        assert client.tracker(sender)["slots"]["last_topic"] in (held_back, None)
    assert client.tracker(sender)["slots"]["safety_net_given"] is True

    # The next answer about a current symptom does not repeat it.
    client.send(sender, "my shoulders ache, would MFR help?")
    assert "utter_safety_net" not in responses(client, sender)


def test_an_ordinary_question_about_a_mild_symptom_is_answered_with_the_safety_net(client: Client) -> None:
    sender = new_sender()
    text = "my shoulders ache, would MFR help?"
    assert client.parse(text)["intent"]["name"] == "who_benefits", "ordinary questions are not screened"
    client.send(sender, text)
    assert responses(client, sender)[-3:] == ["utter_answer", "utter_safety_net", "utter_ask_helpful"]
    client.send(sender, "what is myofascial release?")
    assert "utter_safety_net" not in responses(client, sender), "at most once, and only after a symptom"


def test_the_emergency_reply_says_what_was_recognised(client: Client) -> None:
    sender = new_sender()
    reply = texts(client.send(sender, "my dad is clutching his chest and sweating, it's spreading to his jaw"))
    assert "chest pain or pressure that could be a heart attack" in reply
    assert "999" in reply
    detection = client.tracker(sender)["latest_message"]["emergency_detection"]
    assert detection["decision"] == "emergency" and "rules" in detection["fired"]
    assert detection["kind"] == "chest_pain"


def test_thoughts_of_suicide_get_the_crisis_line_first(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "hello")  # the disclaimer first, so that only the reply is read below
    reply = texts(client.send(sender, "honestly I don't want to be alive anymore"))
    assert reply.index("988") < reply.index("999"), reply
    assert "emergency department" not in reply


def test_a_later_emergency_is_not_worded_as_an_earlier_one(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "hello")
    client.send(sender, "i want to kill myself")
    reply = texts(client.send(sender, "my son is choking on a grape and can't breathe"))
    assert "choking" in reply and "988" not in reply
