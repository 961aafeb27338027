"""`action_answer_screened_question`: after a "no" to the red-flag screen, the question it held back."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answers import SHORT, answer_topic, ask_helpful, did_you_mean, knowledge_base, note_profile
from actions.safety_net import safety_net

SCREEN_INTENT = "red_flag_screen"
# Where SafetyOverride keeps the intent the screen took the place of.
SCREENED_INTENT = "screened_intent"
INFORM = "inform"
FALLBACK = "nlu_fallback"


def screened_message(tracker: Tracker) -> Optional[Mapping[str, Any]]:
    """The parse data of the last message that got the screen question."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        parse = event.get("parse_data") or {}
        if (parse.get("intent") or {}).get("name") == SCREEN_INTENT:
            return parse
    return None


class ActionAnswerScreenedQuestion(Action):
    """Answers the question the red-flag screen held back, once the user says it is not happening now."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_answer_screened_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Answers as the held-back intent would have been answered, then the safety net."""
        message = screened_message(tracker)
        if message is None:
            dispatcher.utter_message(response="utter_after_screen")
            return []
        intent = (message.get(SCREENED_INTENT) or {}).get("name")
        knowledge, _ = knowledge_base()
        events: List[EventType] = []
        if intent in knowledge.topics:
            events += answer_topic(dispatcher, tracker, intent, SHORT)
        elif intent == INFORM:
            note_profile(dispatcher, message.get("entities") or [])
        elif intent == FALLBACK:
            did_you_mean(dispatcher, message.get("intent_ranking") or [])
        else:
            dispatcher.utter_message(response="utter_after_screen")
        events += safety_net(dispatcher, tracker, message)
        ask_helpful(dispatcher, tracker, events)
        return events
