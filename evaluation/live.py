"""Talking to running servers: start them, send messages, read trackers.

Used by the integration tests and the benchmark, so both exercise the full
path (channel, NLU, policies, action server, SQLite tracker store).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
MODEL = ROOT / "models" / "mfr.tar.gz"
# The same redacting log set-up as `make run` (privacy/logging.yml).
LOGGING_CONFIG = ROOT / "privacy" / "logging.yml"


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(**extra: str) -> Dict[str, str]:
    """The environment the Makefile gives the servers."""
    env = dict(os.environ)
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        # Rasa reads the logging config before it puts the cwd on sys.path.
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class Servers:
    """A Rasa server and an action server started from this checkout."""

    workdir: Path
    token: str = "test-token"
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    model: Path = MODEL
    extra_env: Dict[str, str] = field(default_factory=dict)
    processes: List[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def db_path(self) -> Path:
        """The SQLite tracker store of this run."""
        return self.workdir / "tracker.db"

    def write_endpoints(self) -> Path:
        """An endpoints file pointing at this run's action server and database."""
        path = self.workdir / "endpoints.yml"
        path.write_text(
            f'action_endpoint:\n  url: "http://127.0.0.1:{self.actions_port}/webhook"\n'
            f'tracker_store:\n  type: SQL\n  dialect: "sqlite"\n  db: "{self.db_path}"\n'
        )
        return path

    def start_actions(self) -> None:
        """Starts the action server."""
        log = open(self.workdir / "actions.log", "ab")
        self.processes.append(
            subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.actions_port), "--actions", "actions",
                 "--logging-config-file", str(LOGGING_CONFIG)],
                cwd=ROOT, env=server_env(**self.extra_env), stdout=log, stderr=subprocess.STDOUT,
            )
        )

    def start_rasa(self) -> subprocess.Popen:
        """Starts the Rasa server with the API behind the token."""
        log = open(self.workdir / "rasa.log", "ab")
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "rasa"), "run", "--model", str(self.model),
                "--endpoints", str(self.write_endpoints()), "--credentials", "credentials.yml",
                "--port", str(self.rasa_port), "--enable-api", "--auth-token", self.token,
                "--cors", "http://localhost:8080", "--logging-config-file", str(LOGGING_CONFIG),
            ],
            # The body limit is for the Rasa server only: the action server
            # receives whole trackers, which pass 64 KB in long conversations.
            cwd=ROOT, env=server_env(SANIC_REQUEST_MAX_SIZE="65536", **self.extra_env),
            stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes.append(proc)
        return proc

    def wait_until_ready(self, timeout: float = 180.0) -> float:
        """Seconds until the server answers a real message; raises on timeout."""
        start = time.monotonic()
        deadline = start + timeout
        while time.monotonic() < deadline:
            for proc in self.processes:
                if proc.poll() is not None:
                    raise RuntimeError(f"a server exited early; see logs in {self.workdir}")
            try:
                r = httpx.get(f"{self.url}/status", params={"token": self.token}, timeout=2)
                a = httpx.get(f"http://127.0.0.1:{self.actions_port}/health", timeout=2)
                if r.status_code == 200 and r.json().get("model_file") and a.status_code == 200:
                    return time.monotonic() - start
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"servers not ready after {timeout}s; see logs in {self.workdir}")

    def stop(self) -> None:
        """Stops every process this object started."""
        for proc in self.processes:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.processes:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.processes.clear()


class Client:
    """A small REST client for one Rasa server."""

    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url
        self.token = token
        self.http = httpx.Client(timeout=timeout)

    def send(self, sender: str, message: Any) -> List[Dict[str, Any]]:
        """Posts one message to the REST webhook and returns the bot messages."""
        r = self.http.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": message})
        r.raise_for_status()
        return list(r.json())

    def parse(self, text: str) -> Dict[str, Any]:
        """What the model makes of ``text`` (the HTTP API's /model/parse), without a conversation."""
        r = self.http.post(f"{self.url}/model/parse", params={"token": self.token}, json={"text": text})
        r.raise_for_status()
        return dict(r.json())

    def tracker(self, sender: str) -> Dict[str, Any]:
        """The conversation's tracker from the HTTP API."""
        r = self.http.get(f"{self.url}/conversations/{sender}/tracker", params={"token": self.token})
        r.raise_for_status()
        return dict(r.json())


# Messages about a current symptom that the detectors may well put in the grey
# zone; written for the screen's tests, in no table.
GREY_CANDIDATES = (
    "I feel a bit faint and my back hurts, can you help?",
    "my chest feels a bit funny today, is myofascial release ok for me?",
    "I've felt a bit strange since my session, sort of light-headed",
    "my leg has been feeling odd and a bit numb since this morning, should I still come in?",
    "my head is pounding and I feel a bit sick, can I still have my massage today?",
    "I feel wobbly and my vision is a bit blurry since the session, is that normal?",
)


def grey_message(client: "Client") -> str:
    """A message the running model answers with the red-flag screen (the first candidate that gets it)."""
    for text in GREY_CANDIDATES:
        if (client.parse(text).get("intent") or {}).get("name") == "red_flag_screen":
            return text
    raise AssertionError(f"none of {len(GREY_CANDIDATES)} grey-zone messages got the red-flag screen")


def last_turn(tracker: Dict[str, Any]) -> Dict[str, Any]:
    """Intent and bot responses (with their response names) of the last user turn."""
    events = tracker.get("events", [])
    last_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if last_user is None:
        return {"intent": None, "responses": [], "texts": []}
    bots = [e for e in events[last_user:] if e.get("event") == "bot"]
    return {
        "intent": ((events[last_user].get("parse_data") or {}).get("intent") or {}).get("name"),
        "responses": [(e.get("metadata") or {}).get("utter_action") for e in bots],
        "texts": [e.get("text") or "" for e in bots],
    }


@dataclass
class TurnResult:
    """One checked turn of a held-out conversation."""

    conversation: str
    user: str
    ok: bool
    problems: List[str]


def check_turn(turn: Dict[str, Any], reply_text: str, info: Dict[str, Any], slots: Dict[str, Any]) -> List[str]:
    """Everything about one turn that does not match its expectations."""
    problems = []
    responses = info["responses"]
    expected_intent: Optional[str] = turn.get("intent")
    if expected_intent and info["intent"] != expected_intent and not (
        # A red flag overrides the intent; an expected emergency is checked below.
        turn.get("expect_emergency") and info["intent"] == "emergency"
    ):
        problems.append(f"intent {info['intent']} != {expected_intent}")
    if "expect_emergency" in turn:
        got = "utter_emergency" in responses
        if got != bool(turn["expect_emergency"]):
            problems.append(f"emergency reply {got}, expected {turn['expect_emergency']}")
    if turn.get("expect_handoff") and "utter_human_handoff" not in responses:
        problems.append("no handoff reply")
    if turn.get("expect_out_of_scope") and "utter_out_of_scope" not in responses:
        problems.append("no out-of-scope reply")
    for slot, values in (turn.get("expect_slots") or {}).items():
        missing = set(values) - set(slots.get(slot) or [])
        if missing:
            problems.append(f"slot {slot} lacks {sorted(missing)}")
    for slot, values in (turn.get("expect_slots_absent") or {}).items():
        present = set(values) & set(slots.get(slot) or [])
        if present:
            problems.append(f"slot {slot} wrongly holds {sorted(present)}")
    for word in turn.get("expect_text_contains") or []:
        if word.lower() not in reply_text.lower():
            problems.append(f"reply lacks {word!r}")
    return problems


def run_conversation(client: Client, conversation: Dict[str, Any], sender: str) -> List[TurnResult]:
    """Holds one held-out conversation and checks every turn."""
    results = []
    for turn in conversation["turns"]:
        replies = client.send(sender, turn["user"])
        reply_text = " ".join(r.get("text") or "" for r in replies)
        tracker = client.tracker(sender)
        problems = check_turn(turn, reply_text, last_turn(tracker), tracker.get("slots") or {})
        results.append(TurnResult(conversation["name"], turn["user"], not problems, problems))
    return results
