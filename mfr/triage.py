"""Pure helpers for the triage form (actions/actions.py wraps them)."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

SELF = "self"
SOMEONE_ELSE = "someone else"

_OTHER = re.compile(
    r"\b(someone else|somebody else|for (my|a|her|his|our) \w+|my (mum|mom|mother|dad|father|wife|husband|partner|son|"
    r"daughter|child|kid|grandmother|grandma|grandfather|grandad|granddad|friend|sister|brother|aunt|uncle|patient|"
    r"client|neighbou?r)|(she|he|they) (is|are|has|have)|not me|not for me|on behalf)\b",
    re.IGNORECASE,
)
_SELF = re.compile(
    r"\b(me|myself|i am|i'm|im|mine|for me|the patient is me|i'?m the patient|it'?s me|it is me|me personally)\b",
    re.IGNORECASE,
)


def classify_for_whom(text: Optional[str]) -> Optional[str]:
    """Whether the caller is the patient ("self") or calls for someone else."""
    if not text:
        return None
    if _OTHER.search(text):
        return SOMEONE_ELSE
    if _SELF.search(text):
        return SELF
    return None


def reports_red_flag(latest_message: Dict[str, Any]) -> bool:
    """A "yes" to the red-flag screen, or a red flag named in the answer."""
    intent = (latest_message.get("intent") or {}).get("name")
    return intent in ("affirm", "emergency") or bool(latest_message.get("red_flags"))


def labels(ids: List[str], names: Dict[str, str], none: str, separator: str, last: str) -> str:
    """Human-readable list of canonical ids (for the read-back)."""
    items = [names.get(i, i) for i in ids]
    if not items:
        return none
    if len(items) == 1:
        return items[0]
    return separator.join(items[:-1]) + last + items[-1]
