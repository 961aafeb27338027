"""Checks action server replies against Rasa's schema at a fraction of Rasa's cost.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate`,
which on every call checks the (constant) reply schema against the draft
2020-12 meta-schema and builds a fresh validator. py-spy on the Rasa server at
16 concurrent users put that at about half of the server's time; with the
schema checked once, validating the events themselves was still the largest
single part (each event is tried against every event type's sub-schema).

The reply schema is `{"events": array of EVENT_SCHEMA, "responses": ...}`, so
a reply is valid exactly when its outer shape is valid and each event is. The
outer shape is checked on every reply; each event's verdict is remembered by
its canonical JSON text (the same few slot and action events recur in every
conversation). Invalid replies raise the same `ValidationError` as before.

Installed by `server.install_all()`.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from typing import Any, Dict, Optional

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction

# Rasa's own hint, appended to the error as `_validate_action_result` does (a log line, not user-facing).
_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action "
    "endpoint is valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)
# Distinct events remembered; a few hundred occur in practice (slot values, action names).
EVENT_CACHE_SIZE = 4096


def _prepared(schema: Dict[str, Any]) -> Any:
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def shape_validator() -> Any:
    """The reply schema with `events` checked only as an array (each event is checked on its own)."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    schema["properties"]["events"] = {"type": "array"}
    return _prepared(schema)


@lru_cache(maxsize=1)
def event_validator() -> Any:
    """The validator of one event (the `items` of the reply's `events`)."""
    return _prepared(RemoteAction.action_response_format_spec()["properties"]["events"]["items"])


@lru_cache(maxsize=EVENT_CACHE_SIZE)
def _event_is_valid(canonical: str) -> bool:
    return event_validator().is_valid(json.loads(canonical))


def _first_error(result: Any) -> Optional[exceptions.ValidationError]:
    error = exceptions.best_match(shape_validator().iter_errors(result))
    if error is not None:
        return error
    for event in result.get("events") or []:
        # sort_keys makes equal events one cache entry; JSON keeps 1, 1.0 and true apart as jsonschema does.
        if not _event_is_valid(json.dumps(event, sort_keys=True)):
            return exceptions.best_match(event_validator().iter_errors(event))
    return None


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Drop-in for `RemoteAction._validate_action_result`: True, or raises `ValidationError`."""
    error = _first_error(result)
    if error is not None:
        error.message += _HINT
        raise error
    return True


def install() -> None:
    """Replaces Rasa's per-reply schema check with the prepared validators."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
