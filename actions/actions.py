"""Custom actions: each translates between Rasa and the pure modules beside it."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction

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
