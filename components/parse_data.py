"""What the project's components add to a message's parse data, and the helpers two of them share."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from mfr.red_flags import RedFlagMatch, detect_red_flags

# The input problem InputGuard found (mfr.input_checks), if any.
INPUT_ISSUE = "input_issue"
# The red-flag rules' matches, read in the whole text (before clipping).
RED_FLAGS = "red_flags"
# What the detectors decided and why (mfr.safety.Detection.as_dict).
DETECTION = "emergency_detection"
# The intent a screened message had before the screen took its place.
SCREENED_INTENT = "screened_intent"


def override_intent(message: Message, name: str) -> None:
    """Makes ``name`` the message's intent (confidence 1), first in the ranking."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) if r.get(INTENT_NAME_KEY) != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)


def flags_of(text: Optional[Text]) -> List[Dict[Text, Any]]:
    """The red-flag rules' matches in ``text``, as parse data."""
    return [
        {"flag": m.flag, "description": m.description, "matched": list(m.matched), "name_only": m.name_only}
        for m in detect_red_flags(text or "")
    ]


def matches_of(flags: List[Dict[Text, Any]]) -> List[RedFlagMatch]:
    """Parse-data matches back as `RedFlagMatch` objects."""
    return [RedFlagMatch(f["flag"], f.get("description", ""), tuple(f.get("matched", ())), bool(f.get("name_only")))
            for f in flags]
