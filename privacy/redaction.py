"""Removing personal details from text before it reaches a log.

`redact()` is a pure function: phone numbers become ``[PHONE]``, e-mail
addresses ``[EMAIL]`` and names the user introduces ("my name is ...", "I'm
called ...", "this is ... speaking", "call me ...") ``[NAME]``. It errs on the
side of removing: a long run of digits that only looks like a phone number is
removed too. It is idempotent (redacting redacted text changes nothing).

`RedactingFilter` is a `logging.Filter` for handlers (see
``privacy/logging.yml``). For every record it

- renders the message (``record.getMessage()``), redacts it and stores the
  result as ``record.msg`` with ``record.args = ()``;
- redacts string values passed through ``extra=`` (recursively in dicts and
  lists), the formatted exception and the stack text;
- drops records at INFO and above that carry user message text: an ``extra``
  key or a key of a structlog event (Rasa renders structlog events to a JSON
  string before they reach the standard library logger) that Rasa itself lists
  as message text (``text``, ``user_text``, ``message``, ...). Rasa logs user
  text only at DEBUG; at INFO and above the whole record goes. With
  ``drop_message_text: false`` the values of those keys are replaced with
  ``[TEXT]`` instead.

What it cannot do: a record whose plain message string simply contains user
text (``logger.info("got %s", text)``) is redacted but not recognised as
message text, so our own code must never log message text at INFO. Rasa's
structlog processors run before the standard library logger: the filter sees
the rendered JSON line, not the event dict (it parses that line when it is a
JSON object).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterable, Optional

PHONE = "[PHONE]"
EMAIL = "[EMAIL]"
NAME = "[NAME]"
TEXT = "[TEXT]"

# Keys that carry user message text: Rasa's own list of "anonymizable" structlog
# keys (rasa/utils/log_utils.py) plus the names our code might use in `extra`.
MESSAGE_TEXT_KEYS = frozenset(
    {
        "text",
        "response_text",
        "user_text",
        "slot_values",
        "parse_data_text",
        "parse_data_entities",
        "prediction_events",
        "tracker_latest_message",
        "prefilled_slots",
        "message",
        "response",
        "slot_candidates",
        "rasa_event",
        "rasa_events",
        "tracker_states",
        "current_states",
        "old_states",
        "successes",
        "current_entity",
        "next_entity",
        "states",
        "entity",
        "token_text",
        "user_message",
        "json_message",
        "message_text",
        "utterance",
    }
)

# Attributes every LogRecord has (or gets from a formatter); anything else came
# through `extra=`.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()
    | {"message", "asctime", "taskName"}
)

_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![\w-])"
)

# International: "+" and a country code, then groups of digits (an optional
# "(0)" or "(20)" included) separated by nothing, a space, a dot or a hyphen.
_INTERNATIONAL = r"\+\d{1,3}(?:[ .\-]?(?:\(\d{1,5}\)|\d{1,6})){1,6}"
# Local: an area code (bare or in brackets) and more groups with separators,
# e.g. "(555) 123-4567", "07700 900123", "555.123.4567", "555-0100".
_LOCAL = r"(?:\(\d{2,5}\)[ .\-]?|\d{2,5}[ .\-])(?:\d{2,4}[ .\-]){0,3}\d{2,6}"
# A bare run of 10 to 15 digits, e.g. "07700900123".
_BARE = r"\d{10,15}"
_PHONE_RE = re.compile(
    rf"(?<![\w.+\-])(?<!\d:)(?:{_INTERNATIONAL}|{_LOCAL}|{_BARE})(?![\w\-]|[.,:]\d)"
)
# Dates look like local numbers: "2024-11-24", "24.11.2024".
_DATE_RE = re.compile(r"\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|\b\d{1,2}[-./]\d{1,2}[-./]\d{4}")

# Phrases that introduce a name. The name follows, except in "this is X speaking".
_INTRODUCTIONS = (
    r"my\s+name\s+is",
    r"my\s+name['’]?s",
    r"i['’]?m\s+called",
    r"i\s+am\s+called",
    r"call\s+me",
)
_NAME_WORD = r"[^\W\d_][\w'’\-]*"
_NAME_AFTER_RE = re.compile(
    rf"\b(?P<intro>{'|'.join(_INTRODUCTIONS)})(?P<space>[ \t]+)(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,3}})",
    re.IGNORECASE,
)
_NAME_SPEAKING_RE = re.compile(
    rf"\b(?P<intro>this\s+is)(?P<space>[ \t]+)(?P<name>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}})(?=[ \t]+speaking\b)",
    re.IGNORECASE,
)

# Words that end a name (or are never one): "my name is anna and my back hurts".
_NOT_NAME_WORDS = frozenset(
    """
    a about after again also am an and any are as at back be because been before being but by can could
    did do does doing for from had has have having he her here hers him his how i i'm im if in into is it
    it's its just later let me mine my myself need needs no nor not now of off ok okay on once only or our
    out over please she should so some soon still than thank thanks that the their them then there these
    they this those though through to today tomorrow tonight too under until up very was we were what
    what's whats when where which while who whom why will with would yes yet you your yours
    hi hello hey btw speaking sorry right asap anytime anything whenever maybe
    """.split()
)


def _phone(match: "re.Match[str]") -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    if not 7 <= digits <= 15 or (not found.startswith("+") and _DATE_RE.search(found)):
        return found
    return PHONE


def _name(match: "re.Match[str]") -> str:
    name = match.group("name")
    words = list(re.finditer(_NAME_WORD, name))
    end = 0
    for i, word in enumerate(words):
        text = word.group(0)
        if text.lower().strip("'’-") in _NOT_NAME_WORDS:
            break
        # A capitalised first word continues only with capitalised words
        # ("Jonathan Smithers", not "Jonathan thanks").
        if i > 0 and words[0].group(0)[0].isupper() and not text[0].isupper():
            break
        end = word.end()
    if not end:
        return match.group(0)
    return f"{match.group('intro')}{match.group('space')}{NAME}{name[end:]}"


def redact(text: str) -> str:
    """The text with e-mail addresses, phone numbers and introduced names replaced."""
    if not text:
        return text
    text = _EMAIL_RE.sub(EMAIL, text)
    text = _PHONE_RE.sub(_phone, text)
    text = _NAME_SPEAKING_RE.sub(_name, text)
    return _NAME_AFTER_RE.sub(_name, text)


def redact_value(value: Any) -> Any:
    """Strings redacted, dicts, lists and tuples redacted inside; anything else as it is."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: redact_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact_value(item) for item in value)
    return value


def carries_message_text(mapping: Optional[dict], keys: Iterable[str] = MESSAGE_TEXT_KEYS) -> bool:
    """Whether a mapping holds a non-empty value under a message-text key."""
    if not mapping:
        return False
    keys = set(keys)
    return any(key in keys and value not in (None, "", [], {}) for key, value in mapping.items())


def _structlog_event(message: str) -> Optional[dict]:
    """The event dict when the message is a structlog JSON line, else None."""
    stripped = message.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        event = json.loads(stripped)
    except ValueError:
        return None
    return event if isinstance(event, dict) else None


class RedactingFilter(logging.Filter):
    """Redacts personal details in log records; drops INFO+ records carrying message text.

    Args:
        name: as for `logging.Filter` (records of that logger and below only).
        drop_message_text: drop records at `min_level` and above that carry
            message text (True), or keep them with those values replaced by
            ``[TEXT]`` (False).
        min_level: the lowest level at which message text is not allowed
            (a level name or number; INFO by default).
    """

    def __init__(self, name: str = "", drop_message_text: bool = True, min_level: Any = logging.INFO) -> None:
        super().__init__(name)
        self.drop_message_text = bool(drop_message_text)
        self.min_level = min_level if isinstance(min_level, int) else logging.getLevelName(str(min_level).upper())
        if not isinstance(self.min_level, int):
            raise ValueError(f"unknown log level {min_level!r}")

    def filter(self, record: logging.LogRecord) -> bool:
        """Redacts the record in place; False when it must not be logged at all."""
        if not super().filter(record):
            return False
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what can be shown
            message = f"{record.msg} {record.args!r}" if record.args else str(record.msg)
        extras = {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
        event = record.msg if isinstance(record.msg, dict) else _structlog_event(message)
        strict = record.levelno >= self.min_level
        if strict and (carries_message_text(extras) or carries_message_text(event)):
            if self.drop_message_text:
                return False
            extras = {key: TEXT if key in MESSAGE_TEXT_KEYS else value for key, value in extras.items()}
            if event is not None:
                event = {key: TEXT if key in MESSAGE_TEXT_KEYS else value for key, value in event.items()}
                message = json.dumps(event, ensure_ascii=False, default=str)
        record.msg = redact(message)
        record.args = ()
        for key, value in extras.items():
            setattr(record, key, redact_value(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
            # The formatter uses exc_text; without exc_info it cannot re-render the raw traceback.
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
