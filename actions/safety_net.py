"""The safety-net line: once per conversation, after an answer to someone who reports a symptom now."""

from __future__ import annotations

from typing import Any, List, Mapping

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

SAFETY_NET_SLOT = "safety_net_given"
# Where SafetyOverride records its decision in the parse data.
DETECTION = "emergency_detection"


def reports_symptom(message: Mapping[str, Any]) -> bool:
    """Whether the message reported a symptom the writer or someone with them has now."""
    detection = message.get(DETECTION) or {}
    return bool(detection.get("reports_symptom"))


def safety_net(dispatcher: CollectingDispatcher, tracker: Tracker, message: Mapping[str, Any]) -> List[EventType]:
    """Adds `utter_safety_net` after an answer to ``message`` unless it was said already."""
    if not reports_symptom(message) or tracker.get_slot(SAFETY_NET_SLOT):
        return []
    dispatcher.utter_message(response="utter_safety_net")
    return [SlotSet(SAFETY_NET_SLOT, True)]
