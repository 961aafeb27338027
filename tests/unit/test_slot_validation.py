"""server/slot_validation.py: `action_validate_slot_mappings` is called only when it can change a slot."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import ActionExtractSlots, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import channels  # noqa: F401  (installs the patches, as Rasa does when it loads credentials.yml)
from actions.slot_mappings import ActionValidateSlotMappings
from mfr.profile import RISK_FACTOR_IDS, SYMPTOM_IDS
from server.slot_validation import can_change_profile

@pytest.fixture(scope="module")
def domain(rasa_domain: Domain) -> Domain:
    return rasa_domain


other_entities = st.lists(st.fixed_dictionaries({
    "entity": st.sampled_from(["body_part", "duration", "person", "symptomatic", "risk"]),
    "value": st.text(max_size=10), "role": st.sampled_from([None, "negated", "effect_of_treatment"])}), max_size=3)


@settings(max_examples=200, deadline=None)
@given(symptoms=st.lists(st.sampled_from(SYMPTOM_IDS), unique=True),
       risks=st.lists(st.sampled_from(RISK_FACTOR_IDS), unique=True),
       entities=other_entities, intent=st.sampled_from(["what_is_mfr", "greet", "emergency", "inform", "affirm"]))
def test_without_profile_entities_the_action_changes_no_slot(domain_dict: Dict[str, Any], symptoms: List[str],
                                                              risks: List[str], entities: List[Dict[str, Any]],
                                                              intent: str) -> None:
    """Why skipping the call is safe: the action server would answer with no change at all."""
    tracker = Tracker(sender_id="t", slots={"symptoms": symptoms, "risk_factors": risks},
                      latest_message={"text": "…", "intent": {"name": intent}, "entities": entities}, events=[],
                      paused=False, followup_action=None, active_loop={}, latest_action_name="action_listen")
    events = asyncio.run(ActionValidateSlotMappings().run(CollectingDispatcher(), tracker, domain_dict))
    changed = [e for e in events if e.get("event") == "slot" and e["value"] != tracker.get_slot(e["name"])]
    assert changed == []


def rasa_tracker(domain: Domain, entities: List[Dict[str, Any]]) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("t", [
        ActionExecuted("action_listen"),
        UserUttered("…", {"name": "inform", "confidence": 0.9}, entities),
    ], slots=domain.slots)


@pytest.fixture
def remote_calls(monkeypatch: pytest.MonkeyPatch) -> List[str]:
    calls: List[str] = []

    async def run(self: RemoteAction, *args: Any) -> List[Any]:
        calls.append(self.name())
        return [SlotSet("symptoms", ["stiffness"])]

    monkeypatch.setattr(RemoteAction, "run", run)
    return calls


def extract(domain: Domain, tracker: DialogueStateTracker) -> List[Any]:
    action = ActionExtractSlots(EndpointConfig("http://127.0.0.1:9/webhook"))
    return asyncio.run(action.run(CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(domain.responses),
                                  tracker, domain))


def test_a_question_without_profile_entities_makes_no_call(domain: Domain, remote_calls: List[str]) -> None:
    tracker = rasa_tracker(domain, [{"entity": "body_part", "value": "back", "start": 0, "end": 4}])
    assert not can_change_profile(tracker)
    assert extract(domain, tracker) == []
    assert remote_calls == []


@pytest.mark.parametrize("role", [None, "negated"])
def test_a_symptom_or_its_denial_is_validated_by_the_action_server(domain: Domain, remote_calls: List[str],
                                                                   role: Any) -> None:
    entity = {"entity": "symptom", "value": "stiffness", "start": 0, "end": 5, **({"role": role} if role else {})}
    tracker = rasa_tracker(domain, [entity])
    assert can_change_profile(tracker)
    assert extract(domain, tracker) == [SlotSet("symptoms", ["stiffness"])]
    assert remote_calls == ["action_validate_slot_mappings"]
