"""Shared pieces of the reliability tests: servers that can be killed, tracker readers."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from harness.servers import Servers, running

DISCLAIMER_MARK = "not a substitute for a clinician"
FALLBACK = "utter_action_failed"

# What the load tests' simulated users ask (tests/reliability/test_load_integrity.py, tests/scaleout).
QUESTIONS = [
    "what is myofascial release?",
    "how does a session work?",
    "what are trigger points?",
    "can I do it at home?",
    "who might benefit from it?",
    "what are the symptoms of myofascial pain syndrome?",
    "what are the risks of myofascial release?",
    "what does the evidence say?",
    "what other treatments are there?",
    "when should I see a doctor?",
    "does it help with back pain?",
    "tell me more",
    "hello",
    "thanks",
]
PROFILE_STATEMENT = "my mother is 86 and quite frail"


# Servers whose Rasa server can be SIGKILLed and started again on the same database
# (harness.servers.Servers.kill_rasa): the name the reliability tests use.
KillableServers = Servers


@contextmanager
def running_servers(workdir: Path, timeout: float = 180.0, **env: str) -> Iterator[Servers]:
    """Action server and Rasa server on free ports, SQLite store in `workdir`; stopped on exit."""
    with running(Servers(workdir=workdir, env=dict(env)), timeout=timeout) as s:
        yield s


def user_events(tracker: Dict[str, Any]) -> List[Dict[str, Any]]:
    return [e for e in tracker.get("events", []) if e.get("event") == "user"]


def user_texts(tracker: Dict[str, Any]) -> List[str]:
    return [e.get("text") for e in user_events(tracker)]


def turns_without_bot_reply(tracker: Dict[str, Any]) -> List[str]:
    """Texts of user events that no bot event follows before the next user event."""
    missing: List[str] = []
    current: Optional[str] = None
    answered = True
    for e in tracker.get("events", []):
        if e.get("event") == "user":
            if not answered:
                missing.append(str(current))
            current, answered = e.get("text"), False
        elif e.get("event") == "bot":
            answered = True
    if not answered:
        missing.append(str(current))
    return missing


def texts(replies: List[Dict[str, Any]]) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def fallback_turns(tracker: Dict[str, Any]) -> List[int]:
    """Indexes of the user turns answered with the "action failed" apology."""
    turns: List[int] = []
    k = -1
    for e in tracker.get("events", []):
        if e.get("event") == "user":
            k += 1
        elif e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == FALLBACK:
            if not turns or turns[-1] != k:
                turns.append(k)
    return turns
