"""How a phone call ends: a call-back request after an unanswered transfer, a text with a summary.

Both are offered by the phone line itself (channels/twilio_voice/) and sent
to the assistant as payloads (`/request_callback`, `/text_summary`), so the
conversation record shows them. The replies' wording is in domain.yml; the
topic names come from knowledge/mfr.yml.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import knowledge_base
from mfr.call_summary import CallSummary, summarise
from mfr.callback_store import CallbackRequest, callable_number, save_callback
from mfr.profile import RISK_FACTOR_SLOT, SYMPTOM_SLOT
from mfr.settings import clinic_settings

PHONE_CHANNEL = "twilio_voice"
# Tells the phone line to hang up once the reply is spoken.
END_CALL_PAYLOAD = {"end_call": True}


def tracker_summary(tracker: Tracker) -> CallSummary:
    """The summary of the tracker's current session."""
    return summarise(tracker.events, tracker.get_slot(SYMPTOM_SLOT) or [], tracker.get_slot(RISK_FACTOR_SLOT) or [])


def _end_call_if_phone(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    if tracker.get_latest_input_channel() == PHONE_CHANNEL:
        dispatcher.utter_message(json_message=END_CALL_PAYLOAD)


class ActionRequestCallback(Action):
    """Stores a call-back request for staff (the caller's number and what the call was about)."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_request_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Saves the request if there is a number to call, and says what happens next."""
        settings = clinic_settings().as_slots()
        phone = callable_number(tracker.sender_id)
        if phone is None:
            dispatcher.utter_message(response="utter_callback_no_number", **settings)
            return []
        save_callback(CallbackRequest(sender_id=tracker.sender_id, channel=tracker.get_latest_input_channel(),
                                      phone=phone, summary=tracker_summary(tracker)))
        dispatcher.utter_message(response="utter_callback_requested", **settings)
        _end_call_if_phone(dispatcher, tracker)
        return []


class ActionTextSummary(Action):
    """Writes the text sent after a call: the topics in one line each and the clinic's details.

    The text is a response of its own (`utter_sms_summary`, or
    `utter_sms_summary_emergency` with the emergency number first when an
    emergency reply was given); the phone line sends it by SMS instead of
    speaking it.
    """

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_text_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """The text, then the spoken confirmation, then the end of the call."""
        knowledge, _ = knowledge_base()
        summary = tracker_summary(tracker)
        titles = [knowledge.topics[t].title for t in summary.topics if t in knowledge.topics]
        topic_lines = "\n".join(f"- {title}" for title in titles) or knowledge.interface["none_mentioned"]
        response = "utter_sms_summary_emergency" if summary.red_flag else "utter_sms_summary"
        settings = clinic_settings().as_slots()
        dispatcher.utter_message(response=response, topic_lines=topic_lines, **settings)
        dispatcher.utter_message(response="utter_text_summary_sent", **settings)
        _end_call_if_phone(dispatcher, tracker)
        return []
