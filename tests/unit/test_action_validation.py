"""The prepared validators for action server replies accept and refuse exactly what Rasa's own check does."""

from __future__ import annotations

from typing import Any, Dict

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction

import channels  # noqa: F401  (installs the patches, as Rasa does when it loads credentials.yml)
from server.action_validation import _event_is_valid, event_validator, shape_validator, validate_action_result

GOOD: Dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "last_topic", "value": "what_is_mfr"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
    ],
    "responses": [{"response": "utter_answer", "answer": "text", "buttons": []}],
}
BAD = [
    "not an object",
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"events": [{"event": "slot", "name": "a", "value": 1}, {"event": "no_such_event"}]},  # the second one is bad
    {"events": [42]},
    {"responses": "not a list"},
    {"responses": [42]},
]
ACTION = RemoteAction("action_answer_question", None)


def rasa_accepts(result: Any) -> bool:
    """Rasa 3.6's own check, as `RemoteAction._validate_action_result` did it."""
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


def ours_accepts(result: Any) -> bool:
    try:
        return validate_action_result(ACTION, result)
    except jsonschema.ValidationError as e:
        assert "Failed to validate Action server response" in e.message
        return False


def test_rasa_uses_the_prepared_validators_once_installed() -> None:
    import server

    server.install_all()
    assert RemoteAction._validate_action_result is validate_action_result


def test_a_good_reply_passes_as_with_rasa() -> None:
    assert rasa_accepts(GOOD)
    assert ours_accepts(GOOD)


@pytest.mark.parametrize("reply", BAD)
def test_a_bad_reply_is_refused_as_with_rasa(reply: Any) -> None:
    assert not rasa_accepts(reply)
    assert not ours_accepts(reply)


def test_a_repeated_event_is_checked_once() -> None:
    ours_accepts(GOOD)
    hits = _event_is_valid.cache_info().hits
    ours_accepts(GOOD)
    assert _event_is_valid.cache_info().hits == hits + len(GOOD["events"])


def test_the_schema_is_prepared_once() -> None:
    assert shape_validator() is shape_validator() and event_validator() is event_validator()
    spec = RemoteAction.action_response_format_spec()
    assert event_validator().schema == spec["properties"]["events"]["items"]
    assert shape_validator().schema["properties"]["responses"] == spec["properties"]["responses"]


EVENT_TYPES = ["slot", "action", "user", "bot", "session_started", "restart", "followup", "reminder",
               "active_loop", "form", "rewind", "pause", "resume", "reset_slots", "no_such_event"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
events = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENT_TYPES)},
    optional={"name": json_values, "value": json_values, "text": json_values, "timestamp": json_values,
              "policy": json_values, "confidence": json_values, "intent": json_values},
)
replies = st.fixed_dictionaries(
    {}, optional={"events": st.lists(events, max_size=4) | json_values, "responses": st.lists(json_values, max_size=2)}
) | json_values


@settings(max_examples=200, deadline=None)
@given(replies)
def test_same_verdict_as_rasa_on_generated_replies(reply: Any) -> None:
    assert ours_accepts(reply) == rasa_accepts(reply)
