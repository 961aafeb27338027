"""From a conversation's events to what the clinic needs: turns, feedback, unanswered questions.

Pure: works on event dicts as Rasa stores them (``{"event": "user", "text":
..., "parse_data": {...}, "input_channel": ...}``, ``{"event": "bot",
"metadata": {"utter_action": ...}}``, ``{"event": "slot", ...}``). Every text
kept here is redacted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from mfr import events as stored
from privacy.redaction import redact

FEEDBACK_HELPFUL = "feedback_helpful"
FEEDBACK_UNHELPFUL = "feedback_unhelpful"
NONE_OF_THESE = "none_of_these"
NLU_FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
NOT_COVERED = "not_covered"
DID_YOU_MEAN = "utter_did_you_mean"
EMERGENCY_RESPONSE = "utter_emergency"
ASK_COMMENT_RESPONSE = "utter_feedback_unhelpful"
TRIAGE_ACTION = "action_triage_disposition"
LAST_TOPIC_SLOT = "last_topic"
# An out-of-scope message counts as "close to the assistant's topics" when the
# model gave one of the article's topics at least this much confidence.
NEAR_TOPIC_CONFIDENCE = 0.10
MAX_TEXT = 300

# Why a message counts as unanswered.
KIND_NONE_OF_THESE = "none of these"
KIND_FALLBACK = "fallback"
KIND_NOT_COVERED = "not covered"
KIND_OUT_OF_SCOPE = "off-topic but close"
KIND_THUMBS_DOWN = "thumbs down"
KIND_COMMENT = "what they were looking for"


@dataclass(frozen=True)
class Turn:
    """One user message and what it led to."""

    sender_id: str
    timestamp: float
    channel: str
    intent: str
    confidence: float
    responses: List[str] = field(default_factory=list)
    topic: Optional[str] = None  # the article topic answered, if any
    triage: Optional[str] = None  # the disposition, when this message completed a triage


@dataclass(frozen=True)
class Feedback:
    """A thumbs-up or thumbs-down on an answer."""

    sender_id: str
    timestamp: float
    channel: str
    helpful: bool
    topic: Optional[str]  # the topic of the answer rated
    question: Optional[str]  # the question that answer was for (redacted)


@dataclass(frozen=True)
class Unanswered:
    """A message the assistant could not answer, as the clinic sees it."""

    sender_id: str
    timestamp: float
    channel: str
    kind: str
    text: str  # redacted
    intent: str  # what the model guessed
    confidence: float
    topic: Optional[str] = None


@dataclass
class Conversation:
    """Everything extracted from one conversation."""

    sender_id: str
    turns: List[Turn] = field(default_factory=list)
    feedback: List[Feedback] = field(default_factory=list)
    unanswered: List[Unanswered] = field(default_factory=list)


def clean(text: Optional[str]) -> str:
    """One line, redacted, clipped: how a patient's words are shown to staff."""
    line = " ".join((text or "").split())
    line = redact(line)
    return line if len(line) <= MAX_TEXT else line[: MAX_TEXT - 1] + "…"


def _near_topic(event: Mapping[str, Any], topics: Iterable[str]) -> bool:
    topic_set = set(topics)
    return any(r.get("name") in topic_set and float(r.get("confidence") or 0) >= NEAR_TOPIC_CONFIDENCE
               for r in stored.intent_ranking(event))


def _is_payload(text: Optional[str]) -> bool:
    return (text or "").startswith("/")


def extract(sender_id: str, events: Sequence[Mapping[str, Any]], topics: Iterable[str]) -> Conversation:
    """The turns, feedback and unanswered questions of one conversation, from its events in order."""
    topics = tuple(topics)
    conversation = Conversation(sender_id)
    # Each user event with the events that follow it up to the next user event.
    blocks: List[tuple] = []
    for event in events:
        if event.get("event") == "user":
            blocks.append((event, []))
        elif blocks:
            blocks[-1][1].append(event)
    last_answer: Optional[tuple] = None  # (topic, question text) of the latest grounded answer
    for i, (user, after) in enumerate(blocks):
        intent, confidence = stored.intent(user)
        channel = str(user.get("input_channel") or "unknown")
        timestamp = float(user.get("timestamp") or 0.0)
        responses = stored.responses(after)
        topic = next((e.get("value") for e in after
                      if e.get("event") == "slot" and e.get("name") == LAST_TOPIC_SLOT and e.get("value")), None)
        triage = None
        if any(e.get("event") == "action" and e.get("name") == TRIAGE_ACTION for e in after):
            triage = "emergency" if EMERGENCY_RESPONSE in responses else "see a clinician"
        conversation.turns.append(Turn(sender_id, timestamp, channel, intent, confidence, responses, topic, triage))
        text = str(user.get("text") or "")

        def unanswered(kind: str, words: str = text, guess: str = intent, score: float = confidence,
                       about: Optional[str] = None, when: float = timestamp, via: str = channel) -> None:
            conversation.unanswered.append(Unanswered(sender_id, when, via, kind, clean(words), guess, score, about))

        if intent in (FEEDBACK_HELPFUL, FEEDBACK_UNHELPFUL):
            rated_topic, question = last_answer or (None, None)
            helpful = intent == FEEDBACK_HELPFUL
            conversation.feedback.append(Feedback(sender_id, timestamp, channel, helpful, rated_topic,
                                                  clean(question) if question else None))
            if not helpful and question:
                unanswered(KIND_THUMBS_DOWN, question, rated_topic or "", 0.0, rated_topic)
            continue
        previous = blocks[i - 1] if i else None
        if previous is not None and ASK_COMMENT_RESPONSE in stored.responses(previous[1]):
            if not _is_payload(text) and text.strip():
                unanswered(KIND_COMMENT)
        if intent == NONE_OF_THESE and previous is not None:
            asked, _ = previous
            guess, score = stored.intent(asked)
            if not _is_payload(asked.get("text")):
                unanswered(KIND_NONE_OF_THESE, str(asked.get("text") or ""), guess, score)
        elif intent == NLU_FALLBACK or DID_YOU_MEAN in responses:
            following = blocks[i + 1][0] if i + 1 < len(blocks) else None
            picked = following is not None and _is_payload(following.get("text"))
            if not picked and not _is_payload(text):
                ranking = stored.intent_ranking(user)
                guess = str(ranking[0].get("name")) if ranking else intent
                unanswered(KIND_FALLBACK, guess=guess)
        elif intent == NOT_COVERED or topic == NOT_COVERED:
            unanswered(KIND_NOT_COVERED)
        elif intent == OUT_OF_SCOPE and _near_topic(user, topics):
            unanswered(KIND_OUT_OF_SCOPE)
        if topic and topic != NOT_COVERED:
            last_answer = (topic, text if not _is_payload(text) else topic)
    return conversation


def red_flag_replies(turns: Iterable[Turn]) -> List[Turn]:
    """The turns answered with the emergency reply."""
    return [t for t in turns if EMERGENCY_RESPONSE in t.responses]


def as_dicts(items: Iterable[Any]) -> List[Dict[str, Any]]:
    """Dataclasses as plain dicts (for JSON and tables)."""
    return [dict(item.__dict__) for item in items]
