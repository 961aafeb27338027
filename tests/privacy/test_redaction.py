"""redact() and RedactingFilter, without servers."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from privacy.redaction import EMAIL, NAME, PHONE, TEXT, RedactingFilter, carries_message_text, redact, redact_value

ROOT = Path(__file__).resolve().parents[2]

REDACTED = [
    # phone numbers: international and local formats
    ("call me on +1 555 0100", f"call me on {PHONE}"),
    ("+1-555-0100", PHONE),
    ("+44 7700 900123", PHONE),
    ("+44 (0)20 7946 0958 is the office", f"{PHONE} is the office"),
    ("+4915123456789", PHONE),
    ("(555) 123-4567", PHONE),
    ("my number is (555)123-4567.", f"my number is {PHONE}."),
    ("07700 900123", PHONE),
    ("07700900123", PHONE),
    ("555-123-4567 or 555.123.4567", f"{PHONE} or {PHONE}"),
    ("ring 555-0100 after six", f"ring {PHONE} after six"),
    ("01 23 45 67 89", PHONE),
    ("phone:555 0100", f"phone:{PHONE}"),
    ("/conversations/07700900123/tracker", f"/conversations/{PHONE}/tracker"),
    # e-mail addresses
    ("mail jon.smithers@example.com please", f"mail {EMAIL} please"),
    ("Jane_Doe+mfr@sub.example.co.uk.", f"{EMAIL}."),
    ("<a.b@c.io>", f"<{EMAIL}>"),
    # names after an introduction
    ("my name is Jonathan Smithers", f"my name is {NAME}"),
    ("my name is Jonathan Smithers and my back hurts", f"my name is {NAME} and my back hurts"),
    ("My name is jonathan smithers", f"My name is {NAME}"),
    ("hi, my name's Anna, I have neck pain", f"hi, my name's {NAME}, I have neck pain"),
    ("my name is anna and i'm 45", f"my name is {NAME} and i'm 45"),
    ("I'm called Bob", f"I'm called {NAME}"),
    ("I am called Mary-Jane O'Neill.", f"I am called {NAME}."),
    ("i’m called zoë", f"i’m called {NAME}"),
    ("this is Dr Karen Ng speaking", f"this is {NAME} speaking"),
    ("Hello, this is Paul speaking, is it safe?", f"Hello, this is {NAME} speaking, is it safe?"),
    ("call me Ishmael", f"call me {NAME}"),
    ("you can call me Jo thanks", f"you can call me {NAME} thanks"),
    # everything at once
    (
        "my name is Jonathan Smithers, +1 555 0100, jon.smithers@example.com",
        f"my name is {NAME}, {PHONE}, {EMAIL}",
    ),
]

UNCHANGED = [
    "what is myofascial release?",
    "my mother is 86 and quite frail",
    "I had 12 sessions in 2023, 3 per week",
    "the pain started on 2024-11-24 at 08:34:12",
    "on 24.11.2024 and 11/24/2024",
    "it hurts at 7 out of 10",
    "confidence 0.9987654321",
    "timestamp 1732437252.123456",
    "call me back later",
    "please call me at your earliest convenience",
    "this is so painful",
    "this is not speaking to my problem",
    "previous action name: action_listen",
    "my name is",
    "",
]


@pytest.mark.parametrize(("text", "expected"), REDACTED)
def test_redacts(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize("text", UNCHANGED)
def test_leaves_other_text_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize("text", [t for t, _ in REDACTED] + UNCHANGED)
def test_is_idempotent(text: str) -> None:
    assert redact(redact(text)) == redact(text)


def test_redact_value_walks_containers() -> None:
    value = {"a": ["+1 555 0100", ("x@y.org", 3)], "b": None, "c": 1.5}
    assert redact_value(value) == {"a": [PHONE, (EMAIL, 3)], "b": None, "c": 1.5}


def record(level: int, msg: Any, *args: Any, **extra: Any) -> logging.LogRecord:
    rec = logging.LogRecord("test", level, __file__, 1, msg, args, None)
    rec.__dict__.update(extra)
    return rec


def test_filter_renders_the_message_then_redacts_it() -> None:
    rec = record(logging.INFO, "contact %s or %s (%d)", "+1 555 0100", "jon@example.com", 3)
    assert RedactingFilter().filter(rec)
    assert rec.msg == f"contact {PHONE} or {EMAIL} (3)"
    assert rec.args == ()
    assert rec.getMessage() == rec.msg


def test_filter_redacts_dict_args() -> None:
    rec = record(logging.INFO, "user %(who)s", {"who": "my name is Jonathan Smithers"})
    assert RedactingFilter().filter(rec)
    assert rec.getMessage() == f"user my name is {NAME}"


def test_filter_survives_a_bad_format_string() -> None:
    rec = record(logging.WARNING, "oops %d", "07700 900123")
    assert RedactingFilter().filter(rec)
    assert "07700" not in rec.getMessage()


def test_filter_redacts_extra_values() -> None:
    rec = record(logging.INFO, "request", request="GET /conversations/07700900123/tracker", status=200)
    assert RedactingFilter().filter(rec)
    assert rec.request == f"GET /conversations/{PHONE}/tracker"
    assert rec.status == 200


def test_filter_drops_message_text_at_info_and_above() -> None:
    f = RedactingFilter()
    for level in (logging.INFO, logging.WARNING, logging.ERROR):
        assert not f.filter(record(level, "got a message", text="my back hurts"))
        assert not f.filter(record(level, "got a message", user_message={"text": "hi"}))


def test_filter_keeps_message_text_below_info_but_redacts_it() -> None:
    rec = record(logging.DEBUG, "got a message", text="my name is Jonathan Smithers")
    assert RedactingFilter().filter(rec)
    assert rec.text == f"my name is {NAME}"


def test_empty_message_text_is_not_message_text() -> None:
    assert RedactingFilter().filter(record(logging.INFO, "nothing", text=""))
    assert not carries_message_text({"text": None, "message": ""})


def test_filter_masks_instead_of_dropping_when_configured() -> None:
    rec = record(logging.ERROR, "failed", text="my back hurts", sender="x")
    assert RedactingFilter(drop_message_text=False).filter(rec)
    assert rec.text == TEXT and rec.sender == "x"


def test_structlog_json_lines_are_dropped_at_info_and_redacted_below() -> None:
    line = json.dumps({"event": "processor.message.parse", "parse_data_text": "call +1 555 0100", "level": "info"})
    assert not RedactingFilter().filter(record(logging.INFO, line))
    rec = record(logging.DEBUG, line)
    assert RedactingFilter().filter(rec)
    assert json.loads(rec.msg)["parse_data_text"] == f"call {PHONE}"
    masked = record(logging.INFO, line)
    assert RedactingFilter(drop_message_text=False).filter(masked)
    assert json.loads(masked.msg)["parse_data_text"] == TEXT


def test_structlog_event_dicts_are_handled_too() -> None:
    # structlog.stdlib.ProcessorFormatter puts the event dict itself in record.msg.
    rec = record(logging.INFO, {"event": "x", "user_text": "hi there"})
    assert not RedactingFilter().filter(rec)
    rec = record(logging.INFO, {"event": "x", "sender": "07700900123"})
    assert RedactingFilter().filter(rec)
    assert PHONE in rec.msg and "07700900123" not in rec.msg


def test_other_info_records_pass() -> None:
    rec = record(logging.INFO, "Rasa server is up and running.")
    assert RedactingFilter().filter(rec)
    assert rec.msg == "Rasa server is up and running."


def test_min_level_can_be_raised() -> None:
    f = RedactingFilter(min_level="WARNING")
    assert f.filter(record(logging.INFO, "m", text="hello"))
    assert not f.filter(record(logging.WARNING, "m", text="hello"))
    with pytest.raises(ValueError):
        RedactingFilter(min_level="LOUD")


def test_filter_name_still_selects_loggers() -> None:
    f = RedactingFilter(name="rasa")
    assert not f.filter(logging.LogRecord("sanic.root", logging.INFO, "", 1, "x", (), None))


def test_exception_text_is_redacted() -> None:
    try:
        raise ValueError("bad sender jon.smithers@example.com")
    except ValueError:
        rec = logging.LogRecord("t", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert RedactingFilter().filter(rec)
    text = logging.Formatter().format(rec)
    assert "jon.smithers" not in text and EMAIL in text and "ValueError" in text


def test_logging_yml_installs_the_filter(tmp_path: Path) -> None:
    """privacy/logging.yml applied with dictConfig, as `rasa run --logging-config-file` does."""
    script = (
        "import json, logging, logging.config, yaml\n"
        "logging.config.dictConfig(yaml.safe_load(open('privacy/logging.yml')))\n"
        "log = logging.getLogger('rasa.core.processor')\n"
        "log.info('reach me on +1 555 0100 or jon.smithers@example.com')\n"
        "log.info(json.dumps({'event': 'x', 'text': 'my name is Jonathan Smithers'}))\n"
        "log.info('user said', extra={'user_text': 'my back hurts'})\n"
        "log.debug('debug is off: my back hurts')\n"
        "logging.getLogger('sanic.access').info('GET', extra={'request': 'x@y.org'})\n"
        "log.warning('done')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    lines = out.stdout.splitlines()
    assert out.stderr == ""
    assert len(lines) == 3, lines
    assert lines[0].endswith(f"reach me on {PHONE} or {EMAIL}")
    assert " INFO " in lines[0] and "rasa.core.processor" in lines[0]
    assert "sanic.access" in lines[1] and "GET" in lines[1]
    assert lines[2].endswith("done")
    assert "back hurts" not in out.stdout and "Smithers" not in out.stdout
