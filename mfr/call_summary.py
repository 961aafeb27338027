"""What staff (and the caller's text message) need to know about one conversation: ids only, no free text.

Built from the conversation's events since the session started: the article
topics answered (in the order first asked), the symptom and risk-factor slots,
the triage's outcome if one was completed, and whether an emergency reply was
given. The phone line turns it into the whisper a receptionist hears before a
transfer and into the text sent after a call; a call-back request stores it.
Everything in it is a canonical id (topic, symptom, risk factor, disposition),
so nothing a caller said word for word leaves the conversation store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from mfr import events as stored

LAST_TOPIC_SLOT = "last_topic"
TRIAGE_ACTION = "action_triage_disposition"
EMERGENCY_RESPONSE = "utter_emergency"
EMERGENCY_INTENT = "emergency"
DISPOSITION_EMERGENCY = "emergency"
DISPOSITION_SEE_CLINICIAN = "see_clinician"
DISPOSITIONS = (DISPOSITION_EMERGENCY, DISPOSITION_SEE_CLINICIAN)
# A summary is read aloud and texted: a handful of topics is plenty.
MAX_TOPICS = 8


@dataclass(frozen=True)
class CallSummary:
    """Canonical ids of what a conversation was about."""

    topics: List[str] = field(default_factory=list)
    symptoms: List[str] = field(default_factory=list)
    risk_factors: List[str] = field(default_factory=list)
    disposition: Optional[str] = None
    red_flag: bool = False

    @property
    def empty(self) -> bool:
        """True when nothing was asked, mentioned or raised."""
        return not (self.topics or self.symptoms or self.risk_factors or self.disposition or self.red_flag)

    def as_payload(self) -> Dict[str, Any]:
        """A JSON-ready dict (the handoff payload's `summary`)."""
        return {
            "topics": list(self.topics),
            "symptoms": list(self.symptoms),
            "risk_factors": list(self.risk_factors),
            "disposition": self.disposition,
            "red_flag": self.red_flag,
        }

    @classmethod
    def from_payload(cls, data: Any) -> Optional["CallSummary"]:
        """The summary in a payload, or None if there is none or it is malformed."""
        if not isinstance(data, Mapping):
            return None

        def ids(key: str) -> List[str]:
            value = data.get(key) or []
            if not isinstance(value, list):
                return []
            return [v for v in value if isinstance(v, str) and v.replace("_", "").isalnum()][:MAX_TOPICS]

        disposition = data.get("disposition")
        return cls(
            topics=ids("topics"),
            symptoms=ids("symptoms"),
            risk_factors=ids("risk_factors"),
            disposition=disposition if disposition in DISPOSITIONS else None,
            red_flag=data.get("red_flag") is True,
        )


def _this_session(events: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    return events[starts[-1] + 1:] if starts else events


def summarise(
    events: Sequence[Mapping[str, Any]],
    symptoms: Optional[Iterable[str]] = None,
    risk_factors: Optional[Iterable[str]] = None,
) -> CallSummary:
    """The summary of the current session from its events and the profile slots."""
    session = _this_session(events)
    topics: List[str] = []
    red_flag = False
    disposition: Optional[str] = None
    triage_ended = False
    for event in session:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == LAST_TOPIC_SLOT:
            topic = event.get("value")
            if isinstance(topic, str) and topic and topic not in topics:
                topics.append(topic)
        elif kind == "user" and stored.intent(event)[0] == EMERGENCY_INTENT:
            red_flag = True
        elif kind == "action" and event.get("name") == TRIAGE_ACTION:
            triage_ended = True
            disposition = DISPOSITION_SEE_CLINICIAN
        elif kind == "bot" and stored.utter_action(event) == EMERGENCY_RESPONSE:
            red_flag = True
            if triage_ended and disposition == DISPOSITION_SEE_CLINICIAN:
                disposition = DISPOSITION_EMERGENCY
        if kind == "user":
            triage_ended = False
    return CallSummary(
        topics=topics[:MAX_TOPICS],
        symptoms=list(symptoms or []),
        risk_factors=list(risk_factors or []),
        disposition=disposition,
        red_flag=red_flag,
    )


def join_names(ids: Iterable[str], names: Mapping[str, str], separator: str, last_separator: str) -> str:
    """Spoken or written list of the ids' names ("A, B and C"); ids without a name are left out."""
    items = [names[i] for i in ids if i in names]
    if len(items) <= 1:
        return "".join(items)
    return separator.join(items[:-1]) + last_separator + items[-1]
