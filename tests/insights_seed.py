"""Seeded conversations for the insights tests: every kind of unanswered message, feedback, safety turns.

Written with Rasa's own SQL tracker store, so the tests read the real schema.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

NOW = time.time()
DAY = 86400.0
TOPICS = ("what_is_mfr", "risks", "evidence", "at_home", "not_covered")


def user(text: str, intent: str, confidence: float = 0.9, channel: str = "rest", at: float = NOW,
         ranking: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": channel, "timestamp": at}


def bot(response: str, at: float = NOW) -> Dict[str, Any]:
    return {"event": "bot", "text": response, "metadata": {"utter_action": response}, "timestamp": at}


def topic(name: str, at: float = NOW) -> Dict[str, Any]:
    return {"event": "slot", "name": "last_topic", "value": name, "timestamp": at}


def action(name: str, at: float = NOW) -> Dict[str, Any]:
    return {"event": "action", "name": name, "timestamp": at}


def answered(text: str, name: str, channel: str = "rest", at: float = NOW) -> List[Dict[str, Any]]:
    return [user(text, name, channel=channel, at=at), action("action_answer_question", at), bot("utter_answer", at),
            topic(name, at), action("action_listen", at)]


def unsure(text: str, channel: str = "rest", at: float = NOW, guess: str = "risks") -> List[Dict[str, Any]]:
    return [user(text, "nlu_fallback", 0.3, channel, at, [{"name": guess, "confidence": 0.3}]),
            action("action_did_you_mean", at), bot("utter_did_you_mean", at), action("action_listen", at)]


MIGRAINE = ["does it help with migraines", "can myofascial release fix my migraine headaches",
            "will it cure migraines?", "migraines every week, would this help"]
INSURANCE = ["is it covered by my insurance", "does insurance pay for it", "can my insurance cover this"]
COST = ["how much does a session cost", "how much do you charge per session"]

CONVERSATIONS: Dict[str, List[Dict[str, Any]]] = {
    # Thumbs down on an answer, then what they were looking for.
    "web-1": [*answered("what are the risks", "risks"), user("/feedback_unhelpful", "feedback_unhelpful"),
              bot("utter_feedback_unhelpful"), action("action_listen"),
              user("whether it is safe while pregnant, call me on 07700 900123", "risks")],
    "web-2": [*answered("is there evidence", "evidence"), user("/feedback_helpful", "feedback_helpful"),
              bot("utter_feedback_thanks")],
    # "Did you mean" -> "None of these".
    "tg-1": [*unsure(MIGRAINE[0], "telegram"), user("/none_of_these", "none_of_these", channel="telegram"),
             bot("utter_rephrase")],
    # "Did you mean" and a pick: answered, not unanswered.
    "tg-2": [*unsure("what about the knots thing", "telegram"), *answered("/risks", "risks", "telegram")],
    # Fallbacks left without a pick.
    **{f"web-m{i}": unsure(q, at=NOW - i * DAY) for i, q in enumerate(MIGRAINE[1:], 1)},
    **{f"phone-i{i}": [user(q, "not_covered", 0.8, "twilio_voice"), bot("utter_answer"), topic("not_covered")]
       for i, q in enumerate(INSURANCE)},
    # Off-topic but close (a topic has some confidence) and off-topic, full stop.
    **{f"web-c{i}": [user(q, "out_of_scope", 0.7, ranking=[{"name": "out_of_scope", "confidence": 0.7},
                                                          {"name": "at_home", "confidence": 0.2}]),
                     bot("utter_out_of_scope")] for i, q in enumerate(COST)},
    "web-weather": [user("what's the weather tomorrow", "out_of_scope", 0.99,
                         ranking=[{"name": "out_of_scope", "confidence": 0.99}]), bot("utter_out_of_scope")],
    # Safety: an emergency reply and a completed triage.
    "web-e": [user("crushing chest pain", "emergency", 1.0), bot("utter_emergency")],
    "web-t": [user("it's me", "inform"), action("action_triage_disposition"), bot("utter_answer"),
              bot("utter_triage_summary")],
    # Outside the period.
    "web-old": unsure("a question from long ago about migraines", at=NOW - 90 * DAY),
}


def seed(db: Path, domain: Domain, conversations: Dict[str, List[Dict[str, Any]]]) -> None:
    """Writes the conversations with Rasa's own SQL tracker store (the real schema)."""
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    for sender, events in conversations.items():
        tracker = asyncio.run(store.get_or_create_tracker(sender, append_action_listen=False))
        for event in events:
            tracker.update(Event.from_parameters(event))
        asyncio.run(store.save(tracker))
    store.engine.dispose()
