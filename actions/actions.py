"""Custom actions: each translates between Rasa and the pure modules beside it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction, ValidationAction
from rasa_sdk.types import DomainDict

from actions.config import clinic_settings
from actions.knowledge import (
    LONG,
    SHORT,
    Answer,
    Article,
    Knowledge,
    Statement,
    compose_answer,
    load_article,
    load_knowledge,
    personal_statements,
    sections_of,
)
from actions.profile import RISK_FACTOR_SLOT, SYMPTOM_SLOT, ProfileUpdate, affirmed_in, merge_profile
from actions.triage import SELF, classify_for_whom, labels, reports_red_flag
from actions.triage_store import TriageRecord, save_record

LAST_TOPIC_SLOT = "last_topic"
MORE_DETAIL_INTENT = "more_detail"
PROFILE_FOLLOW_UPS = ("risks", "who_benefits", "see_doctor")
# How many "Did you mean" choices, and how unlikely a choice may be.
MAX_CHOICES = 3
MIN_CHOICE_CONFIDENCE = 0.05


@lru_cache(maxsize=1)
def knowledge_base() -> Tuple[Knowledge, Article]:
    """The knowledge file and the article, loaded once per process."""
    knowledge = load_knowledge()
    return knowledge, load_article(knowledge)


def _profile_update(tracker: Tracker) -> ProfileUpdate:
    return merge_profile(
        tracker.get_slot(SYMPTOM_SLOT),
        tracker.get_slot(RISK_FACTOR_SLOT),
        tracker.latest_message.get("entities", []),
    )


def _topic_buttons(knowledge: Knowledge, topics: Tuple[str, ...]) -> List[Dict[str, str]]:
    return [{"title": knowledge.topics[t].title, "payload": f"/{t}"} for t in topics]


def _utter_answer(
    dispatcher: CollectingDispatcher,
    knowledge: Knowledge,
    text: str,
    sections: Tuple[str, ...],
    buttons: List[Dict[str, str]],
) -> None:
    if sections:
        source = knowledge.interface["section_separator"].join(sections)
        dispatcher.utter_message(response="utter_answer", answer=text, source=source, buttons=buttons)
    else:
        dispatcher.utter_message(response="utter_answer_no_source", answer=text, buttons=buttons)


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


class ActionAnswerQuestion(Action):
    """Answers an article topic from the knowledge file, adapted to the user's slots."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Picks the topic (or the last one, for "tell me more") and renders it."""
        knowledge, article = knowledge_base()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        topic: Optional[str]
        if intent == MORE_DETAIL_INTENT:
            topic, detail = tracker.get_slot(LAST_TOPIC_SLOT), LONG
        else:
            topic, detail = intent, SHORT
        if topic not in knowledge.topics:
            dispatcher.utter_message(response="utter_help")
            return []
        answer: Answer = compose_answer(
            knowledge,
            article,
            topic,
            detail,
            tracker.get_slot(SYMPTOM_SLOT) or [],
            tracker.get_slot(RISK_FACTOR_SLOT) or [],
        )
        buttons = _topic_buttons(knowledge, answer.follow_ups)
        if answer.has_more:
            buttons.insert(0, {"title": knowledge.interface["tell_me_more"], "payload": "/more_detail"})
        _utter_answer(dispatcher, knowledge, answer.text, answer.sections, buttons)
        return [SlotSet(LAST_TOPIC_SLOT, topic)]


class ActionNoteProfile(Action):
    """Notes what the user says about their symptoms and risk factors, and what the article says about them."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_note_profile"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Says what the article says about what this message affirmed.

        The slots themselves are already updated by `action_validate_slot_mappings`.
        """
        knowledge, article = knowledge_base()
        entities = tracker.latest_message.get("entities", [])
        statements: List[Statement] = personal_statements(
            knowledge, None, affirmed_in(entities, SYMPTOM_SLOT), affirmed_in(entities, RISK_FACTOR_SLOT)
        )
        if not statements:
            statements = [knowledge.profile_nothing_new]
        _utter_answer(
            dispatcher,
            knowledge,
            " ".join(s.text for s in statements),
            sections_of(article, statements),
            _topic_buttons(knowledge, PROFILE_FOLLOW_UPS),
        )
        return []


class ActionDidYouMean(Action):
    """Offers the most likely topics as buttons when the model is unsure."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Lists up to three topics from the classifier's ranking, and "none of these"."""
        knowledge, _ = knowledge_base()
        ranking = tracker.latest_message.get("intent_ranking") or []
        choices = did_you_mean_choices(ranking, knowledge)
        if not choices:
            dispatcher.utter_message(response="utter_rephrase")
            return []
        buttons = _topic_buttons(knowledge, tuple(choices))
        buttons.append({"title": knowledge.interface["none_of_these"], "payload": "/none_of_these"})
        dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)
        return []


def did_you_mean_choices(ranking: List[Dict[str, Any]], knowledge: Knowledge) -> List[str]:
    """The article topics worth offering, most likely first."""
    choices = []
    for entry in ranking:
        name = entry.get("name")
        if name in knowledge.topics and (entry.get("confidence") or 0) >= MIN_CHOICE_CONFIDENCE:
            choices.append(name)
    return choices[:MAX_CHOICES]


class ActionHumanHandoff(Action):
    """Gives the clinic's contact details to a user who wants a person."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_human_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Sends the contact details; channels that can transfer use the custom payload."""
        settings = clinic_settings()
        dispatcher.utter_message(
            response="utter_human_handoff",
            json_message={"handoff": {"phone": settings.clinic_phone}},
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
            return {"triage_red_flags_answer": "yes", "triage_red_flag": True, "requested_slot": None,
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
            _utter_answer(dispatcher, knowledge, answer.text, answer.sections, [])
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
