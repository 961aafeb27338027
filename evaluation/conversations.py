"""Held-out multi-turn conversations against running servers: each turn checked against its expectations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from harness.client import Client


def last_turn(tracker: Dict[str, Any]) -> Dict[str, Any]:
    """Intent and bot responses (with their response names) of the last user turn."""
    events = tracker.get("events", [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is None:
        return {"intent": None, "responses": [], "texts": []}
    bots = [e for e in events[last_user:] if e.get("event") == "bot"]
    return {
        "intent": ((events[last_user].get("parse_data") or {}).get("intent") or {}).get("name"),
        "responses": [(e.get("metadata") or {}).get("utter_action") for e in bots],
        "texts": [e.get("text") or "" for e in bots],
    }


@dataclass
class TurnResult:
    """One checked turn of a held-out conversation."""

    conversation: str
    user: str
    ok: bool
    problems: List[str]


def check_turn(turn: Dict[str, Any], reply_text: str, info: Dict[str, Any], slots: Dict[str, Any]) -> List[str]:
    """Everything about one turn that does not match its expectations."""
    problems = []
    responses = info["responses"]
    expected_intent: Optional[str] = turn.get("intent")
    if expected_intent and info["intent"] != expected_intent and not (
        # A red flag overrides the intent; an expected emergency is checked below.
        turn.get("expect_emergency") and info["intent"] == "emergency"
    ):
        problems.append(f"intent {info['intent']} != {expected_intent}")
    if "expect_emergency" in turn:
        got = "utter_emergency" in responses
        if got != bool(turn["expect_emergency"]):
            problems.append(f"emergency reply {got}, expected {turn['expect_emergency']}")
    if turn.get("expect_handoff") and "utter_human_handoff" not in responses:
        problems.append("no handoff reply")
    if turn.get("expect_out_of_scope") and "utter_out_of_scope" not in responses:
        problems.append("no out-of-scope reply")
    for slot, values in (turn.get("expect_slots") or {}).items():
        missing = set(values) - set(slots.get(slot) or [])
        if missing:
            problems.append(f"slot {slot} lacks {sorted(missing)}")
    for slot, values in (turn.get("expect_slots_absent") or {}).items():
        present = set(values) & set(slots.get(slot) or [])
        if present:
            problems.append(f"slot {slot} wrongly holds {sorted(present)}")
    for word in turn.get("expect_text_contains") or []:
        if word.lower() not in reply_text.lower():
            problems.append(f"reply lacks {word!r}")
    return problems


def run_conversation(client: Client, conversation: Dict[str, Any], sender: str) -> List[TurnResult]:
    """Holds one held-out conversation and checks every turn."""
    results = []
    for turn in conversation["turns"]:
        replies = client.send(sender, turn["user"])
        reply_text = " ".join(r.get("text") or "" for r in replies)
        tracker = client.tracker(sender)
        problems = check_turn(turn, reply_text, last_turn(tracker), tracker.get("slots") or {})
        results.append(TurnResult(conversation["name"], turn["user"], not problems, problems))
    return results
