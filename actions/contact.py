"""Actions that hand over or ask again: the clinic's contact details, unreadable input."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from mfr.call_summary import summarise
from mfr.profile import RISK_FACTOR_SLOT, SYMPTOM_SLOT
from mfr.settings import clinic_settings


def conversation_summary(tracker: Tracker) -> Dict[str, Any]:
    """What the conversation was about, as ids (the phone line's whisper reads it to staff)."""
    return summarise(
        tracker.events, tracker.get_slot(SYMPTOM_SLOT) or [], tracker.get_slot(RISK_FACTOR_SLOT) or []
    ).as_payload()


class ActionHumanHandoff(Action):
    """Gives the clinic's contact details to a user who wants a person."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Sends the contact details; channels that can transfer use the custom payload.

        The payload carries the conversation's summary (ids only, no free
        text) so that the phone line can tell the receptionist why the
        caller is calling before putting the call through.
        """
        settings = clinic_settings()
        dispatcher.utter_message(
            response="utter_human_handoff",
            json_message={"handoff": {"phone": settings.clinic_phone, "summary": conversation_summary(tracker)}},
            **settings.as_slots(),
        )
        return []


INPUT_ISSUE_RESPONSES = {
    "empty": "utter_input_empty",
    "too_long": "utter_input_too_long",
}


class ActionHandleUnclearInput(Action):
    """Asks for a readable question after empty, symbol-only or over-long input."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_handle_unclear_input"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Picks the reply for the kind of problem the input guard found."""
        issue = tracker.latest_message.get("input_issue")
        dispatcher.utter_message(response=INPUT_ISSUE_RESPONSES.get(issue, "utter_unclear_input"))
        return []
