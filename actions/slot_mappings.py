"""`action_validate_slot_mappings`: the profile slots follow what the user says."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

from mfr.profile import RISK_FACTOR_SLOT, SYMPTOM_SLOT, ProfileUpdate, merge_profile


def _profile_update(tracker: Tracker) -> ProfileUpdate:
    return merge_profile(
        tracker.get_slot(SYMPTOM_SLOT),
        tracker.get_slot(RISK_FACTOR_SLOT),
        tracker.latest_message.get("entities", []),
    )


class ActionValidateSlotMappings(ValidationAction):
    """Keeps the symptom and risk-factor slots in step with what the user says.

    Rasa runs it after every user message, before the next action is chosen,
    whatever that action is (an answer, "did you mean", the emergency reply).
    """

    async def extract_symptoms(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        """Adds affirmed symptoms, removes negated ones."""
        update = _profile_update(tracker)
        if list(update.symptoms) == list(tracker.get_slot(SYMPTOM_SLOT) or []):
            return {}
        return {SYMPTOM_SLOT: list(update.symptoms)}

    async def extract_risk_factors(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> Dict[Text, Any]:
        """Adds affirmed risk factors, removes negated ones."""
        update = _profile_update(tracker)
        if list(update.risk_factors) == list(tracker.get_slot(RISK_FACTOR_SLOT) or []):
            return {}
        return {RISK_FACTOR_SLOT: list(update.risk_factors)}
