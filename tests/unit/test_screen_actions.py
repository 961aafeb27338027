"""After the red-flag screen: a "no" answers the held-back question; the safety net is said once."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import ActionAnswerQuestion, ActionNoteProfile
from actions.screen import ActionAnswerScreenedQuestion


def user_event(text: str, intent: str, **parse: Any) -> Dict[str, Any]:
    return {"event": "user", "text": text,
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": [], **parse}}


def screened(text: str, held_back: str, **parse: Any) -> Dict[str, Any]:
    return user_event(text, "red_flag_screen", screened_intent={"name": held_back, "confidence": 0.9},
                      emergency_detection={"decision": "screen", "reports_symptom": True}, **parse)


def tracker(events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None) -> Tracker:
    latest = next(e["parse_data"] for e in reversed(events) if e["event"] == "user")
    return Tracker("unit-test", dict(slots or {}), latest, events, False, None, {}, "action_listen")


async def run(action, t: Tracker, domain) -> tuple:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, domain)
    return [m.get("response") for m in dispatcher.messages], events


NO = user_event("no", "deny")


@pytest.mark.asyncio
async def test_a_no_answers_the_topic_the_screen_held_back(domain_dict) -> None:
    t = tracker([screened("my chest feels odd, is MFR safe for me?", "risks"), NO])
    responses, events = await run(ActionAnswerScreenedQuestion(), t, domain_dict)
    assert responses == ["utter_answer", "utter_safety_net", "utter_ask_helpful"]
    assert {"event": "slot", "timestamp": None, "name": "last_topic", "value": "risks"} in events
    assert {"event": "slot", "timestamp": None, "name": "safety_net_given", "value": True} in events


@pytest.mark.asyncio
async def test_a_no_after_a_statement_notes_it(domain_dict) -> None:
    held = screened("my neck aches and I feel dizzy", "inform", entities=[{"entity": "symptom", "value": "dull_ache"}])
    responses, _ = await run(ActionAnswerScreenedQuestion(), tracker([held, NO]), domain_dict)
    assert responses == ["utter_answer", "utter_safety_net"]


@pytest.mark.asyncio
async def test_a_no_with_nothing_to_answer_asks_what_they_want_to_know(domain_dict) -> None:
    responses, _ = await run(ActionAnswerScreenedQuestion(), tracker([screened("hello, I feel odd", "greet"), NO]),
                             domain_dict)
    assert responses == ["utter_after_screen", "utter_safety_net"]
    responses, _ = await run(ActionAnswerScreenedQuestion(), tracker([NO]), domain_dict)
    assert responses == ["utter_after_screen"], "no screened message in the conversation"


@pytest.mark.asyncio
async def test_the_safety_net_is_said_once_per_conversation(domain_dict) -> None:
    t = tracker([screened("my chest feels odd, is MFR safe?", "risks"), NO], slots={"safety_net_given": True})
    responses, _ = await run(ActionAnswerScreenedQuestion(), t, domain_dict)
    assert responses == ["utter_answer", "utter_ask_helpful"]


@pytest.mark.asyncio
@pytest.mark.parametrize("reports, expected", [(True, ["utter_answer", "utter_safety_net"]), (False, ["utter_answer"])])
async def test_answers_end_with_the_safety_net_only_for_a_current_symptom(domain_dict, reports, expected) -> None:
    message = user_event("my shoulders ache, would MFR help?", "who_benefits",
                         emergency_detection={"decision": "none", "reports_symptom": reports})
    responses, _ = await run(ActionAnswerQuestion(), tracker([message]), domain_dict)
    assert responses == [*expected, "utter_ask_helpful"], "a topic answer, then 'Was this helpful?'"
    profile = user_event("my shoulders ache", "inform", emergency_detection={"reports_symptom": reports},
                         entities=[{"entity": "symptom", "value": "dull_ache"}])
    responses, _ = await run(ActionNoteProfile(), tracker([profile]), domain_dict)
    assert responses == expected


def test_the_screen_and_the_net_are_reviewed_wording(domain_dict) -> None:
    responses = domain_dict["responses"]
    screen = responses["utter_red_flag_screen"]
    assert all([b["payload"] for b in v["buttons"]] == ["/affirm", "/deny"] for v in screen)
    phone = next(v for v in screen if v.get("channel") == "twilio_voice")
    assert "press 1" in phone["text"] and "yes or no" in phone["text"]
    assert "{emergency_number}" in responses["utter_safety_net"][0]["text"]
    crisis = next(v for v in responses["utter_emergency"] if v.get("condition"))
    assert crisis["condition"] == [{"type": "slot", "name": "emergency_kind", "value": "self_harm"}]
    assert "{crisis_line}" in crisis["text"] and "{emergency_number}" in crisis["text"]
    assert all(v["custom"] == {"kind": "emergency"} for v in responses["utter_emergency"])
    default = next(v for v in responses["utter_emergency"] if not v.get("condition"))
    assert "{emergency_what}" in default["text"] and "emergency department" in default["text"]
    unknown = next(v for v in responses["utter_emergency"] if v.get("condition", [{}])[0].get("value") == "unknown")
    assert "{emergency_what}" not in unknown["text"], "nothing particular to name"
    assert domain_dict["slots"]["emergency_kind"]["initial_value"] == "unknown"
