"""The triage form: its answers checked one by one, then a grounded disposition and a stored record."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.answers import knowledge_base, utter_answer
from mfr.knowledge import SHORT, compose_answer
from mfr.profile import RISK_FACTOR_SLOT, SYMPTOM_SLOT
from mfr.triage import SELF, classify_for_whom, labels, reports_red_flag
from mfr.triage_store import TriageRecord, save_record

TRIAGE_SLOTS = (
    "triage_complaint",
    "triage_duration",
    "triage_symptoms_answer",
    "triage_risks_answer",
    "triage_red_flags_answer",
    "triage_for_whom",
)
ANSWERED = "answered"


class ValidateTriageForm(FormValidationAction):
    """Checks each triage answer; symptoms and risk factors land in their slots."""

    def name(self) -> Text:
        """Name used in the domain."""
        return "validate_triage_form"

    async def validate_triage_complaint(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Keeps the main complaint as staff need it (one short line)."""
        return {"triage_complaint": value if isinstance(value, str) and value.strip() else None}

    async def validate_triage_duration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """Keeps how long it has been going on."""
        return {"triage_duration": value if isinstance(value, str) and value.strip() else None}

    async def validate_triage_symptoms_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The symptoms themselves are in `symptoms` (action_validate_slot_mappings); no free text kept."""
        return {"triage_symptoms_answer": ANSWERED}

    async def validate_triage_risks_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """The risk factors themselves are in `risk_factors`; no free text kept."""
        return {"triage_risks_answer": ANSWERED}

    async def validate_triage_red_flags_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """A "yes" ends the triage at once; the disposition then gives the emergency reply."""
        if reports_red_flag(tracker.latest_message):
            # The emergency reply that follows names no particular kind.
            return {"triage_red_flags_answer": "yes", "triage_red_flag": True, "requested_slot": None,
                    "emergency_kind": "unknown",
                    "triage_for_whom": tracker.get_slot("triage_for_whom") or "unknown"}
        return {"triage_red_flags_answer": "no", "triage_red_flag": False}

    async def validate_triage_for_whom(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        """"self" or "someone else"; anything else is asked again."""
        return {"triage_for_whom": classify_for_whom(value if isinstance(value, str) else None)}


class ActionTriageDisposition(Action):
    """Ends a triage: what to do next (grounded), the cautions, a read-back; stores the record."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_triage_disposition"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Gives the disposition, saves the record and clears the triage answers."""
        knowledge, article = knowledge_base()
        symptoms = list(tracker.get_slot(SYMPTOM_SLOT) or [])
        risks = list(tracker.get_slot(RISK_FACTOR_SLOT) or [])
        red_flag = bool(tracker.get_slot("triage_red_flag"))
        if red_flag:
            dispatcher.utter_message(response="utter_emergency")
            disposition = "emergency"
        else:
            answer = compose_answer(knowledge, article, "triage_disposition", SHORT, symptoms, risks)
            utter_answer(dispatcher, knowledge, answer.text, answer.sections, [])
            ui = knowledge.interface
            separators = (knowledge.list_separator, knowledge.list_last_separator)
            for_whom = tracker.get_slot("triage_for_whom")
            dispatcher.utter_message(
                response="utter_triage_summary",
                complaint=tracker.get_slot("triage_complaint") or ui["none_mentioned"],
                duration=tracker.get_slot("triage_duration") or ui["none_mentioned"],
                symptom_list=labels(symptoms, knowledge.symptom_labels, ui["none_mentioned"], *separators),
                risk_list=labels(
                    risks, {k: a.label for k, a in knowledge.risk_additions.items()}, ui["none_mentioned"], *separators
                ),
                for_whom=ui["for_self"] if for_whom == SELF else ui["for_someone_else"],
            )
            disposition = "evaluation by a clinician; MFR only as an adjunct to a physician-approved plan"
        save_record(
            TriageRecord(
                sender_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel(),
                complaint=tracker.get_slot("triage_complaint"),
                duration=tracker.get_slot("triage_duration"),
                symptoms=symptoms,
                risk_factors=risks,
                red_flag=red_flag,
                for_whom=tracker.get_slot("triage_for_whom"),
                disposition=disposition,
            )
        )
        return [SlotSet(slot, None) for slot in (*TRIAGE_SLOTS, "triage_red_flag")]
