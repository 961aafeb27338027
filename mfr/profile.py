"""The user's symptoms and risk factors, kept in list slots across turns.

A message adds what it affirms and removes what it negates ("actually I sleep
fine" after "I can't sleep"), so the slots follow what the user said last.
Entities with the `hypothetical` role ("can it cause fractures?") change
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

SYMPTOM_SLOT = "symptoms"
RISK_FACTOR_SLOT = "risk_factors"
SLOT_OF_ENTITY = {"symptom": SYMPTOM_SLOT, "risk_factor": RISK_FACTOR_SLOT}
NEGATED_ROLE = "negated"

SYMPTOM_IDS = (
    "dull_ache",
    "pain_with_movement",
    "knots",
    "reduced_range_of_motion",
    "mood_sleep_problems",
)
RISK_FACTOR_IDS = (
    "frail_older_adult",
    "injury_prone",
    "oil_allergy",
    "fracture_risk",
    "nerve_problem",
)
_VALID = {SYMPTOM_SLOT: set(SYMPTOM_IDS), RISK_FACTOR_SLOT: set(RISK_FACTOR_IDS)}


@dataclass(frozen=True)
class ProfileUpdate:
    """The new slot values and what changed."""

    symptoms: Tuple[str, ...]
    risk_factors: Tuple[str, ...]
    added: Tuple[str, ...]
    removed: Tuple[str, ...]

    @property
    def changed(self) -> bool:
        """Whether the message changed either slot."""
        return bool(self.added or self.removed)


def merge_profile(
    symptoms: Optional[Sequence[str]],
    risk_factors: Optional[Sequence[str]],
    entities: Iterable[Dict[str, Any]],
) -> ProfileUpdate:
    """Applies one message's entities to the current slot values."""
    current: Dict[str, List[str]] = {
        SYMPTOM_SLOT: [s for s in symptoms or [] if s in _VALID[SYMPTOM_SLOT]],
        RISK_FACTOR_SLOT: [r for r in risk_factors or [] if r in _VALID[RISK_FACTOR_SLOT]],
    }
    added: List[str] = []
    removed: List[str] = []
    for entity in entities:
        slot = SLOT_OF_ENTITY.get(entity.get("entity", ""))
        value = entity.get("value")
        if slot is None or value not in _VALID[slot]:
            continue
        role = entity.get("role")
        if role is None and value not in current[slot]:
            current[slot].append(value)
            added.append(value)
        elif role == NEGATED_ROLE and value in current[slot]:
            current[slot].remove(value)
            removed.append(value)
    return ProfileUpdate(
        tuple(current[SYMPTOM_SLOT]), tuple(current[RISK_FACTOR_SLOT]), tuple(added), tuple(removed)
    )


def affirmed_in(entities: Iterable[Dict[str, Any]], slot: str) -> List[str]:
    """The valid ids one message affirms for ``slot``, in order, without repeats."""
    out: List[str] = []
    for entity in entities:
        if SLOT_OF_ENTITY.get(entity.get("entity", "")) != slot or entity.get("role") is not None:
            continue
        value = entity.get("value")
        if value in _VALID[slot] and value not in out:
            out.append(value)
    return out
