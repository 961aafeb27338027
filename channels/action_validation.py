"""Checks action server replies with one prepared validator instead of a new one per reply.

Rasa 3.6's `RemoteAction._validate_action_result` calls `jsonschema.validate`,
which on every call checks the (constant) reply schema against the draft
2020-12 meta-schema and builds a fresh validator. py-spy on the Rasa server at
16 concurrent users put that at about half of the server's CPU time
(`make bench` before/after figures are in reports/benchmark.md). Here the
schema is checked once per process and the reply is still validated against
exactly the same schema, raising the same `ValidationError`.

Installed once, when Rasa imports the `channels` package (see `__init__.py`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction

# Rasa's own hint, appended to the error as `_validate_action_result` does (a log line, not user-facing).
_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the Action "
    "endpoint is valid. For more information about the format visit https://rasa.com/docs/rasa/custom-actions"
)


@lru_cache(maxsize=1)
def reply_validator() -> Any:
    """The validator for action server replies, its schema checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Drop-in for `RemoteAction._validate_action_result`: True, or raises `ValidationError`."""
    error = exceptions.best_match(reply_validator().iter_errors(result))
    if error is not None:
        error.message += _HINT
        raise error
    return True


def install() -> None:
    """Replaces Rasa's per-reply schema check with the prepared validator."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
