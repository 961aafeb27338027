"""Reading Rasa's stored events (dicts as the tracker store keeps them): shared by the call summary and the insights.

Pure: no Rasa import. A user event carries ``parse_data`` (intent, ranking),
a bot event the response it came from under ``metadata.utter_action``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple


def utter_action(event: Mapping[str, Any]) -> Optional[str]:
    """The response a bot event was rendered from (``utter_...``), or None."""
    value = (event.get("metadata") or {}).get("utter_action")
    return str(value) if value else None


def responses(events: Sequence[Mapping[str, Any]]) -> List[str]:
    """The responses of the bot events among ``events``, in order."""
    return [name for e in events if e.get("event") == "bot" and (name := utter_action(e))]


def intent(event: Mapping[str, Any]) -> Tuple[str, float]:
    """A user event's intent name ("" if none) and confidence."""
    found = (event.get("parse_data") or {}).get("intent") or {}
    return str(found.get("name") or ""), float(found.get("confidence") or 0.0)


def intent_ranking(event: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """A user event's intent ranking (well-formed entries only)."""
    ranking = (event.get("parse_data") or {}).get("intent_ranking") or []
    return [dict(r) for r in ranking if isinstance(r, Mapping)]
