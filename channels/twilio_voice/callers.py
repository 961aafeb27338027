"""What the channel remembers between two requests of one call (in this process only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from channels.bounded_map import BoundedMap
from channels.twilio_voice.choices import Choice
from channels.twilio_voice.plan import Pending, Plan

MAX_CALLERS = 1000
CALLER_STATE_TTL_SECONDS = 3600.0


@dataclass
class CallerState:
    """What the channel remembers between two requests of one call."""

    choices: List[Choice] = field(default_factory=list)
    pending: Optional[Pending] = None
    prompt: List[str] = field(default_factory=list)
    replays: int = 0
    # Everything the last turn said, for key 9 ("hear that again").
    lead: List[List[str]] = field(default_factory=list)
    yes_no: bool = False
    safety: bool = False
    # Turns in a row in which the caller was not understood (silence, "Did you mean", ...).
    misheard: int = 0
    # The end of a call: "did I answer your question?" once, then the text offer once.
    ending: bool = False
    answered_offer: bool = False  # this request answered one of the line's yes-or-no offers
    asked: bool = False  # this request went to the assistant
    farewell: List[str] = field(default_factory=list)
    feedback_asked: bool = False
    sms_offered: bool = False

    def remember(self, plan: Plan) -> None:
        """Keeps what the turn offered: its choices, the unread rest, what was said."""
        self.choices = list(plan.choices)
        self.pending = plan.pending
        self.prompt = list(plan.prompt)
        self.lead = [list(group) for group in plan.lead]
        self.yes_no = plan.yes_no
        self.safety = plan.safety


class CallerStates:
    """Each caller's state, bounded and expiring (least recently used go first)."""

    def __init__(self, max_callers: int = MAX_CALLERS, ttl: float = CALLER_STATE_TTL_SECONDS) -> None:
        self._states: BoundedMap[CallerState] = BoundedMap(max_callers, ttl)

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, caller: object) -> bool:
        return caller in self._states

    def get(self, caller: str) -> CallerState:
        """The caller's state (a fresh one if unknown or expired)."""
        state = self._states.get(caller, CallerState)
        assert state is not None
        return state

    def forget(self, caller: str) -> None:
        """Drops the caller's state (call ended)."""
        self._states.pop(caller)
