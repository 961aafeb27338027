"""How a call ends: the conversation summary, call-back requests and the text after a call."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.call_end import ActionRequestCallback, ActionTextSummary
from actions.contact import ActionHumanHandoff
from mfr.call_summary import CallSummary, join_names, summarise
from mfr.callback_store import CallbackRequest, as_row, callable_number, list_callbacks, save_callback
from privacy import retention


def user(text: str, intent: str) -> Dict[str, Any]:
    return {"event": "user", "text": text, "input_channel": "twilio_voice",
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}}


def topic(name: str) -> Dict[str, Any]:
    return {"event": "slot", "name": "last_topic", "value": name}


def bot(response: str, text: str = "...") -> Dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"utter_action": response}}


def action(name: str) -> Dict[str, Any]:
    return {"event": "action", "name": name}


SESSION = [action("action_session_start"), {"event": "session_started"}, action("action_listen")]


# ---------------------------------------------------------------- the summary


def test_summary_lists_topics_once_in_the_order_first_asked() -> None:
    events = [*SESSION, user("risks?", "risks"), topic("risks"), bot("utter_answer"),
              user("evidence?", "evidence"), topic("evidence"), user("risks again", "risks"), topic("risks")]
    summary = summarise(events, ["knots"], ["oil_allergy"])
    assert summary == CallSummary(topics=["risks", "evidence"], symptoms=["knots"], risk_factors=["oil_allergy"])
    assert not summary.empty


def test_summary_covers_only_the_current_session() -> None:
    earlier = [*SESSION, user("risks?", "risks"), topic("risks"), bot("utter_emergency")]
    summary = summarise([*earlier, *SESSION, user("what is it", "what_is_mfr"), topic("what_is_mfr")])
    assert summary.topics == ["what_is_mfr"] and not summary.red_flag


def test_summary_notes_an_emergency_reply_and_the_triage_outcome() -> None:
    emergency = summarise([*SESSION, user("crushing chest pain", "emergency"), bot("utter_emergency")])
    assert emergency.red_flag and emergency.disposition is None
    triaged = summarise([*SESSION, user("it's me", "inform"), action("action_triage_disposition"),
                         bot("utter_answer"), bot("utter_triage_summary")])
    assert triaged.disposition == "see_clinician" and not triaged.red_flag
    urgent = summarise([*SESSION, user("yes", "affirm"), action("action_triage_disposition"), bot("utter_emergency")])
    assert urgent.disposition == "emergency" and urgent.red_flag


def test_an_empty_conversation_has_an_empty_summary() -> None:
    assert summarise(SESSION).empty and summarise([]).empty


def test_summary_payload_round_trip_keeps_only_ids() -> None:
    summary = CallSummary(topics=["risks"], symptoms=["knots"], risk_factors=[], disposition="see_clinician",
                          red_flag=True)
    assert CallSummary.from_payload(summary.as_payload()) == summary
    hostile = {"topics": ["risks", "<script>alert(1)</script>", 7, "my neck hurts"], "symptoms": "knots",
               "disposition": "call 999 now", "red_flag": "yes"}
    parsed = CallSummary.from_payload(hostile)
    assert parsed == CallSummary(topics=["risks"]), "free text, wrong types and unknown outcomes are dropped"
    assert CallSummary.from_payload(None) is None and CallSummary.from_payload(["risks"]) is None


def test_join_names() -> None:
    names = {"a": "Alpha", "b": "Beta", "c": "Gamma"}
    assert join_names(["a", "b", "c"], names, ", ", " and ") == "Alpha, Beta and Gamma"
    assert join_names(["b", "zzz"], names, ", ", " and ") == "Beta"
    assert join_names([], names, ", ", " and ") == ""


# ---------------------------------------------------------------- the call-back store


@pytest.mark.parametrize("sender, number", [("+15551234567", "+15551234567"), ("447700900123", "447700900123"),
                                             ("call-CA123", None), ("anonymous", None), ("web-3f2a", None),
                                             ("+1 555 123", None), ("", None), (None, None)])
def test_only_a_phone_number_can_be_called_back(sender: Optional[str], number: Optional[str]) -> None:
    assert callable_number(sender) == number


def test_callbacks_are_stored_listed_and_covered_by_retention_and_forget(tmp_path: Path) -> None:
    db = tmp_path / "tracker.db"
    old = CallbackRequest("+15550001", "twilio_voice", "+15550001", CallSummary(topics=["risks"]),
                          created_at=time.time() - 40 * 86400)
    new = CallbackRequest("+15550002", "twilio_voice", "+15550002",
                          CallSummary(topics=["evidence"], symptoms=["knots"], red_flag=True))
    save_callback(old, db)
    save_callback(new, db)
    listed = list(list_callbacks(db))
    assert [c.phone for c in listed] == ["+15550001", "+15550002"]
    assert listed[1].summary == new.summary
    row = as_row(listed[1])
    assert row["topics"] == "evidence" and row["symptoms"] == "knots" and row["red_flag"] is True
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT, data TEXT)")

    purged = retention.purge(db, days=30)
    assert purged.rows["callback_requests"] == 1
    assert [c.phone for c in list_callbacks(db)] == ["+15550002"]
    forgotten = retention.forget(db, sender_id="+15550002")
    assert forgotten.rows["callback_requests"] == 1
    assert list(list_callbacks(db)) == []


def test_no_database_lists_nothing(tmp_path: Path) -> None:
    assert list(list_callbacks(tmp_path / "none.db")) == []
    assert not (tmp_path / "none.db").exists()


# ---------------------------------------------------------------- the actions


def tracker(sender: str, events: List[Dict[str, Any]], slots: Optional[Dict[str, Any]] = None) -> Tracker:
    latest = next(e["parse_data"] for e in reversed(events) if e["event"] == "user")
    return Tracker(sender, dict(slots or {}), latest, events, False, None, {}, "action_listen")


async def run(act: Any, t: Tracker) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await act.run(dispatcher, t, {})
    return dispatcher.messages


CALL = [*SESSION, user("what are the risks", "risks"), topic("risks"), bot("utter_answer"),
        user("crushing chest pain", "emergency"), bot("utter_emergency"), user("/request_callback", "request_callback")]


@pytest.mark.asyncio
async def test_a_callback_request_is_stored_with_the_summary_and_ends_the_call(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DB", str(tmp_path / "t.db"))
    messages = await run(ActionRequestCallback(), tracker("+15550123", CALL, {"symptoms": ["knots"]}))
    assert [m.get("response") for m in messages] == ["utter_callback_requested", None]
    assert messages[1]["custom"] == {"end_call": True}
    assert messages[0]["clinic_hours"], "the clinic's details fill the reply"
    [stored] = list_callbacks(tmp_path / "t.db")
    assert stored.phone == "+15550123" and stored.channel == "twilio_voice"
    assert stored.summary == CallSummary(topics=["risks"], symptoms=["knots"], red_flag=True)


@pytest.mark.asyncio
async def test_no_callback_without_a_number(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIAGE_DB", str(tmp_path / "t.db"))
    messages = await run(ActionRequestCallback(), tracker("call-CA0001", CALL))
    assert [m.get("response") for m in messages] == ["utter_callback_no_number"]
    assert list(list_callbacks(tmp_path / "t.db")) == []


@pytest.mark.asyncio
async def test_the_text_after_a_call_lists_topics_and_puts_the_emergency_first() -> None:
    messages = await run(ActionTextSummary(), tracker("+15550123", CALL))
    assert [m.get("response") for m in messages] == ["utter_sms_summary_emergency", "utter_text_summary_sent", None]
    assert messages[0]["topic_lines"] == "- Risks and safety"
    calm = [e for e in CALL if e.get("event") != "bot" and "emergency" not in str(e.get("parse_data"))]
    calm += [user("evidence?", "evidence"), topic("evidence"), user("/text_summary", "text_summary")]
    messages = await run(ActionTextSummary(), tracker("+15550123", calm))
    assert messages[0]["response"] == "utter_sms_summary"
    assert messages[0]["topic_lines"] == "- Risks and safety\n- What the evidence says"


@pytest.mark.asyncio
async def test_the_handoff_payload_carries_the_summary() -> None:
    messages = await run(ActionHumanHandoff(), tracker("+15550123", [*CALL[:-1], user("a person", "human_handoff")],
                                                       {"risk_factors": ["fracture_risk"]}))
    handoff = messages[0]["custom"]["handoff"]
    assert handoff["phone"]
    assert handoff["summary"] == {"topics": ["risks"], "symptoms": [], "risk_factors": ["fracture_risk"],
                                  "disposition": None, "red_flag": True}


def test_the_sms_and_callback_wording_is_in_the_domain(domain_dict: Dict[str, Any]) -> None:
    responses = domain_dict["responses"]
    emergency = responses["utter_sms_summary_emergency"][0]["text"]
    assert emergency.index("{emergency_number}") < emergency.index("{topic_lines}"), "the emergency number first"
    names = ("utter_sms_summary", "utter_callback_requested", "utter_callback_no_number", "utter_text_summary_sent")
    for name in names:
        assert responses[name], name


# ---------------------------------------------------------------- a call's start


def test_a_new_call_hears_the_disclaimer_once() -> None:
    from actions.session import restarts_a_fresh_session

    started = [action("action_session_start"), bot("utter_disclaimer"), {"event": "session_started"},
               action("action_listen")]
    # A new caller: Rasa started the session itself, then the line's /session_start arrives.
    assert restarts_a_fresh_session([*started, user("/session_start", "session_start")])
    # The same number calls again within the hour: the session has the last call's turns.
    again = [*started, user("what are the risks", "risks"), bot("utter_answer"), action("action_listen"),
             user("/session_start", "session_start")]
    assert not restarts_a_fresh_session(again)
    assert not restarts_a_fresh_session([user("/session_start", "session_start")])
    assert not restarts_a_fresh_session([*started, user("hello", "greet")])


@pytest.mark.asyncio
async def test_the_session_start_says_nothing_twice() -> None:
    from actions.session import ActionSessionStart

    fresh = [action("action_session_start"), bot("utter_disclaimer"), {"event": "session_started"},
             user("/session_start", "session_start")]
    assert await run(ActionSessionStart(), tracker("+15550123", fresh)) == [], "the session restarts silently"
    first = await run(ActionSessionStart(), tracker("+15550123", [user("hi", "greet")]))
    assert [m.get("response") for m in first] == ["utter_disclaimer"]
