"""`action_session_start`: the disclaimer and the clinic's details at the start of each session."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from mfr.settings import clinic_settings


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
        dispatcher.utter_message(response="utter_disclaimer", **settings)
        events: List[EventType] = [SessionStarted()]
        events += [SlotSet(name, value) for name, value in settings.items()]
        events.append(ActionExecuted("action_listen"))
        return events
