"""The prepared validator for action server replies accepts and refuses exactly what Rasa's own check does."""

from __future__ import annotations

from typing import Any, Dict

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import channels  # noqa: F401  (installs the patches, as Rasa does when it loads credentials.yml)
from channels.action_validation import reply_validator, validate_action_result

GOOD: Dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "last_topic", "value": "what_is_mfr"},
        {"event": "session_started"},
        {"event": "action", "name": "action_listen"},
    ],
    "responses": [{"response": "utter_answer", "answer": "text", "buttons": []}],
}
BAD = [
    {"events": "not a list"},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event without a name
    {"responses": "not a list"},
    {"responses": [42]},
]


def _rasa_check(result: Dict[str, Any]) -> bool:
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


def test_rasa_now_uses_the_prepared_validator() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


def test_a_good_reply_passes_as_with_rasa() -> None:
    assert _rasa_check(GOOD)
    assert validate_action_result(RemoteAction("action_answer_question", None), GOOD) is True


@pytest.mark.parametrize("reply", BAD)
def test_a_bad_reply_is_refused_as_with_rasa(reply: Dict[str, Any]) -> None:
    assert not _rasa_check(reply)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        validate_action_result(RemoteAction("action_answer_question", None), reply)


def test_the_schema_is_prepared_once() -> None:
    assert reply_validator() is reply_validator()
    assert reply_validator().schema == RemoteAction.action_response_format_spec()
