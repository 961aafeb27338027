"""Answers from the knowledge file: article topics, what the user said about themselves, "Did you mean"."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.safety_net import safety_net
from mfr.knowledge import (
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
from mfr.profile import RISK_FACTOR_SLOT, SYMPTOM_SLOT, affirmed_in

LAST_TOPIC_SLOT = "last_topic"
MORE_DETAIL_INTENT = "more_detail"
# The phone line asks "Did I answer your question?" once at the end of a call instead.
PHONE_CHANNEL = "twilio_voice"
PROFILE_FOLLOW_UPS = ("risks", "who_benefits", "see_doctor")
# How many "Did you mean" choices, and how unlikely a choice may be.
MAX_CHOICES = 3
MIN_CHOICE_CONFIDENCE = 0.05


@lru_cache(maxsize=1)
def knowledge_base() -> Tuple[Knowledge, Article]:
    """The knowledge file and the article, loaded once per process."""
    knowledge = load_knowledge()
    return knowledge, load_article(knowledge)


def topic_buttons(knowledge: Knowledge, topics: Tuple[str, ...]) -> List[Dict[str, str]]:
    """Follow-up buttons for article topics."""
    return [{"title": knowledge.topics[t].title, "payload": f"/{t}"} for t in topics]


def utter_answer(
    dispatcher: CollectingDispatcher,
    knowledge: Knowledge,
    text: str,
    sections: Tuple[str, ...],
    buttons: List[Dict[str, str]],
) -> None:
    """Sends a grounded answer with its source line (when it has sections) and buttons."""
    if sections:
        source = knowledge.interface["section_separator"].join(sections)
        dispatcher.utter_message(response="utter_answer", answer=text, source=source, buttons=buttons)
    else:
        dispatcher.utter_message(response="utter_answer_no_source", answer=text, buttons=buttons)


def answer_topic(
    dispatcher: CollectingDispatcher, tracker: Tracker, topic: Optional[str], detail: str
) -> List[EventType]:
    """Renders ``topic`` adapted to the user's slots, with follow-up buttons."""
    knowledge, article = knowledge_base()
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
    buttons = topic_buttons(knowledge, answer.follow_ups)
    if answer.has_more:
        buttons.insert(0, {"title": knowledge.interface["tell_me_more"], "payload": "/more_detail"})
    utter_answer(dispatcher, knowledge, answer.text, answer.sections, buttons)
    return [SlotSet(LAST_TOPIC_SLOT, topic)]


def ask_helpful(dispatcher: CollectingDispatcher, tracker: Tracker, events: List[EventType]) -> None:
    """Asks "Was this helpful?" (thumbs up and down) after an answer about an article topic."""
    answered = any(e.get("event") == "slot" and e.get("name") == LAST_TOPIC_SLOT for e in events)
    if answered and tracker.get_latest_input_channel() != PHONE_CHANNEL:
        dispatcher.utter_message(response="utter_ask_helpful")


def note_profile(dispatcher: CollectingDispatcher, entities: List[Dict[str, Any]]) -> None:
    """Says what the article says about the symptoms and risk factors ``entities`` affirm."""
    knowledge, article = knowledge_base()
    statements: List[Statement] = personal_statements(
        knowledge, None, affirmed_in(entities, SYMPTOM_SLOT), affirmed_in(entities, RISK_FACTOR_SLOT)
    )
    if not statements:
        statements = [knowledge.profile_nothing_new]
    utter_answer(
        dispatcher,
        knowledge,
        " ".join(s.text for s in statements),
        sections_of(article, statements),
        topic_buttons(knowledge, PROFILE_FOLLOW_UPS),
    )


def did_you_mean(dispatcher: CollectingDispatcher, ranking: List[Dict[str, Any]]) -> None:
    """Offers up to three likely topics and "None of these", or asks for a rephrase."""
    knowledge, _ = knowledge_base()
    choices = did_you_mean_choices(ranking, knowledge)
    if not choices:
        dispatcher.utter_message(response="utter_rephrase")
        return
    buttons = topic_buttons(knowledge, tuple(choices))
    buttons.append({"title": knowledge.interface["none_of_these"], "payload": "/none_of_these"})
    dispatcher.utter_message(response="utter_did_you_mean", buttons=buttons)


def did_you_mean_choices(ranking: List[Dict[str, Any]], knowledge: Knowledge) -> List[str]:
    """The article topics worth offering, most likely first."""
    choices = []
    for entry in ranking:
        name = entry.get("name")
        if name in knowledge.topics and (entry.get("confidence") or 0) >= MIN_CHOICE_CONFIDENCE:
            choices.append(name)
    return choices[:MAX_CHOICES]


class ActionAnswerQuestion(Action):
    """Answers an article topic from the knowledge file, adapted to the user's slots."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Picks the topic (or the last one, for "tell me more") and renders it."""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == MORE_DETAIL_INTENT:
            events = answer_topic(dispatcher, tracker, tracker.get_slot(LAST_TOPIC_SLOT), LONG)
        else:
            events = answer_topic(dispatcher, tracker, intent, SHORT)
        events += safety_net(dispatcher, tracker, tracker.latest_message)
        ask_helpful(dispatcher, tracker, events)
        return events


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
        note_profile(dispatcher, tracker.latest_message.get("entities", []))
        return safety_net(dispatcher, tracker, tracker.latest_message)


class ActionDidYouMean(Action):
    """Offers the most likely topics as buttons when the model is unsure."""

    def name(self) -> Text:
        """Name used in rules and the domain."""
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        """Lists up to three topics from the classifier's ranking, and "none of these"."""
        did_you_mean(dispatcher, tracker.latest_message.get("intent_ranking") or [])
        return []
