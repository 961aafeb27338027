"""`action_session_start`: the disclaimer and the clinic's details at the start of each session."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from mfr.settings import clinic_settings


SESSION_START_INTENT = "session_start"


def restarts_a_fresh_session(events: List[Dict[str, Any]]) -> bool:
    """True when a `/session_start` message arrives in a session nobody has spoken in yet.

    Rasa starts a session by itself before the first message of a new (or
    expired) conversation; a channel that sends `/session_start` (the phone
    line, on every new call) would then hear the disclaimer twice.
    """
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    if not starts:
        return False
    users = [e for e in events[starts[-1] + 1:] if e.get("event") == "user"]
    if len(users) != 1:
        return False
    intent = ((users[0].get("parse_data") or {}).get("intent") or {}).get("name")
    return intent == SESSION_START_INTENT


class ActionSessionStart(Action):
    """Starts each conversation with the medical disclaimer and the clinic's details."""

    def name(self) -> Text:
        """Replaces Rasa's default session start."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Sends the disclaimer once, then waits for the user."""
        settings = clinic_settings().as_slots()
        if not restarts_a_fresh_session(tracker.events):
            dispatcher.utter_message(response="utter_disclaimer", **settings)
        events: List[EventType] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in settings.items()]
        events.append(ActionExecuted("action_listen"))
        return events
