"""Checks on channel request bodies, before anything reaches the model.

The messages here are HTTP error texts for developers and client code, not
replies to patients (those live in domain.yml).
"""

from __future__ import annotations

import json
import math
from typing import Any, Optional, Tuple

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128


def _refuse_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):  # 1e999
        raise ValueError(f"{token} is not a finite number")
    return value


def is_encodable(text: str) -> bool:
    """False for text with lone surrogates, which cannot be UTF-8 encoded."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def conversation_id_problem(value: Any) -> Optional[str]:
    """Why a client's conversation id (REST `sender`, socket.io `session_id`) must be refused, or None."""
    if not isinstance(value, str) or not value.strip():
        return "must be a non-empty string identifying the conversation"
    if len(value) > MAX_SENDER_CHARS or not value.isprintable():
        # A lone surrogate here made the SQL tracker store exit the whole server.
        return f"must be printable and at most {MAX_SENDER_CHARS} characters"
    return None


def rest_payload_problem(body: bytes) -> Optional[Tuple[int, str]]:
    """(HTTP status, reason) when a REST webhook body must be refused, else None."""
    if len(body) > MAX_BODY_BYTES:
        return 413, f"request body larger than {MAX_BODY_BYTES} bytes"
    try:
        payload: Any = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError covers JSONDecodeError and NaN/Infinity, which would make
        # the stored tracker invalid JSON; RecursionError very deep nesting.
        return 400, "request body must be a JSON object"
    if not isinstance(payload, dict):
        return 400, "request body must be a JSON object"
    # Without a sender, Rasa files every message under one shared conversation
    # called "default": one patient could read another's.
    problem = conversation_id_problem(payload.get("sender"))
    if problem:
        return 400, f"'sender' {problem}"
    if "message" not in payload:
        return 400, "'message' is required"
    if not isinstance(payload["message"], str):
        return 400, "'message' must be a string"
    if not is_encodable(payload["message"]):
        # A lone UTF-16 surrogate (half an emoji) would break the tokenizer.
        return 400, "'message' must be valid Unicode text"
    metadata = payload.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        return 400, "'metadata' must be a JSON object"
    return None
