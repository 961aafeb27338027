"""Calls `action_validate_slot_mappings` only for messages that can change what it keeps.

Rasa 3.6 calls the action server's `action_validate_slot_mappings` after every
user message, and first rebuilds the whole conversation's tracker from its
events to send it. Ours (`actions.slot_mappings.ActionValidateSlotMappings`) has no
`validate_<slot>` methods and only merges the message's `symptom` and
`risk_factor` entities into the profile slots (`mfr.profile.merge_profile`):
for a message without such entities it returns no events, whatever the slots
hold (tests/unit/test_slot_validation.py checks that on generated slot states).
Skipping the call for those messages, most questions, spares one action-server
round trip and the tracker rebuild per message; the result is the same events.

Installed by `server.install_all()`.
"""

from __future__ import annotations

from typing import Any, List

from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.events import Event, SlotSet

from mfr.profile import SLOT_OF_ENTITY

PROFILE_ENTITIES = frozenset(SLOT_OF_ENTITY)


def can_change_profile(tracker: Any) -> bool:
    """True when the latest user message carries a symptom or risk-factor entity (affirmed or negated)."""
    message = tracker.latest_message
    entities = (message.entities if message is not None else None) or []
    return any(isinstance(e, dict) and e.get("entity") in PROFILE_ENTITIES for e in entities)


def install() -> None:
    """Wraps `ActionExtractSlots._execute_validation_action` once per process."""
    if getattr(ActionExtractSlots._execute_validation_action, "_mfr_skip", False):
        return
    original = ActionExtractSlots._execute_validation_action

    async def _execute_validation_action(self: ActionExtractSlots, extraction_events: List[Event],
                                         output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        if can_change_profile(tracker):
            return await original(self, extraction_events, output_channel, nlg, tracker, domain)
        # What Rasa returns when no validation action runs: the extracted slot events unchanged.
        return [event for event in extraction_events if isinstance(event, SlotSet)]

    _execute_validation_action._mfr_skip = True  # type: ignore[attr-defined]
    ActionExtractSlots._execute_validation_action = _execute_validation_action  # type: ignore[method-assign]
