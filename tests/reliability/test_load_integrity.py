"""50 conversations at once, 20 turns each: nothing lost, duplicated, mixed up or left unanswered.

A long session keeps its custom actions (`test_a_long_conversation_keeps_its_custom_actions`):
the body limit once reached the action server, which receives whole trackers.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import httpx
import pytest

from bench.load import percentile
from harness.client import Client

from .helpers import (
    PROFILE_STATEMENT,
    QUESTIONS,
    KillableServers,
    fallback_turns,
    running_servers,
    turns_without_bot_reply,
    user_events,
)

pytestmark = pytest.mark.integration

CONVERSATIONS = 50
TURNS = 20
# On an idle 2-core machine the 1000 turns take about 50 s; other heavy processes
# on the machine can slow them a lot, so the bound can be raised from the environment.
TIME_LIMIT_S = float(os.environ.get("RELIABILITY_LOAD_TIME_LIMIT_S", "150"))
REQUEST_TIMEOUT_S = 60.0

# Where the profile statement may fall among the turns.
PROFILE_TURNS = 12


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KillableServers]:
    with running_servers(Path(tmp_path_factory.mktemp("load"))) as s:
        yield s


def script(index: int) -> List[str]:
    """The 20 turns of conversation `index`: questions and one profile statement, fixed by the seed."""
    rng = random.Random(index)
    turns = [rng.choice(QUESTIONS) for _ in range(TURNS - 1)]
    turns.insert(rng.randrange(PROFILE_TURNS), PROFILE_STATEMENT)
    return turns


async def converse(http: httpx.AsyncClient, url: str, sender: str, turns: List[str],
                   latencies: List[float], failures: List[str]) -> None:
    for k, text in enumerate(turns):
        body = {"sender": sender, "message": text, "metadata": {"probe": f"{sender}#{k}"}}
        start = time.perf_counter()
        try:
            r = await http.post(f"{url}/webhooks/rest/webhook", json=body)
        except httpx.HTTPError as error:
            failures.append(f"{sender} turn {k}: {type(error).__name__}")
            continue
        latencies.append(time.perf_counter() - start)
        if r.status_code != 200:
            failures.append(f"{sender} turn {k}: HTTP {r.status_code} {r.text[:200]}")
            continue
        replies = r.json()
        if not isinstance(replies, list) or not replies or not all((m.get("text") or "").strip() for m in replies):
            failures.append(f"{sender} turn {k} {text!r}: empty reply {replies!r}")


async def run_load(url: str, plans: Dict[str, List[str]]) -> Tuple[float, List[float], List[str]]:
    latencies: List[float] = []
    failures: List[str] = []
    limits = httpx.Limits(max_connections=CONVERSATIONS, max_keepalive_connections=CONVERSATIONS)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.wait_for(
            asyncio.gather(*(converse(http, url, s, t, latencies, failures) for s, t in plans.items())),
            timeout=TIME_LIMIT_S,
        )
        return time.perf_counter() - start, latencies, failures


def test_concurrent_conversations_keep_every_turn(servers: KillableServers) -> None:
    run = uuid.uuid4().hex[:8]
    plans = {f"load-{run}-{i:02d}": script(i) for i in range(CONVERSATIONS)}

    try:
        elapsed, latencies, failures = asyncio.run(run_load(servers.url, plans))
    except asyncio.TimeoutError:
        pytest.fail(f"{CONVERSATIONS} x {TURNS} turns took longer than {TIME_LIMIT_S} s")

    sent = CONVERSATIONS * TURNS
    print(
        f"\n{sent} turns in {elapsed:.1f} s: {sent / elapsed:.1f} turns/s; latency "
        f"p50 {percentile(latencies, 50) * 1000:.0f} ms, p95 {percentile(latencies, 95) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms"
    )
    assert failures == [], "\n".join(failures[:20])
    assert len(latencies) == sent

    client = Client(servers.url, servers.token)
    problems: List[str] = []
    for sender, turns in plans.items():
        tracker: Dict[str, Any] = client.tracker(sender)
        users = user_events(tracker)
        if [e.get("text") for e in users] != turns:
            problems.append(f"{sender}: user texts {[e.get('text') for e in users]} != sent {turns}")
        probes = [(e.get("metadata") or {}).get("probe") for e in users]
        if probes != [f"{sender}#{k}" for k in range(TURNS)]:
            problems.append(f"{sender}: turns lost, duplicated, reordered or mixed: {probes}")
        if "frail_older_adult" not in (tracker["slots"].get("risk_factors") or []):
            problems.append(f"{sender}: the profile statement's slot is missing: {tracker['slots']}")
        if sum(e.get("event") == "session_started" for e in tracker["events"]) != 1:
            problems.append(f"{sender}: the session was restarted under load")
        unanswered = turns_without_bot_reply(tracker)
        if unanswered:
            problems.append(f"{sender}: no bot event after {unanswered}")
        failed = fallback_turns(tracker)
        if failed:
            problems.append(f"{sender}: custom action failed under load at turns {failed}")
    assert problems == [], "\n".join(problems[:20])


def test_a_long_conversation_keeps_its_custom_actions(servers: KillableServers) -> None:
    client = Client(servers.url, servers.token)
    sender = f"long-{uuid.uuid4().hex[:8]}"
    questions = [q for q in QUESTIONS if q not in ("hello", "thanks", "tell me more")]
    for k in range(22):
        client.send(sender, questions[k % len(questions)])
    reply = " ".join(m.get("text") or "" for m in client.send(sender, PROFILE_STATEMENT))
    tracker = client.tracker(sender)
    assert fallback_turns(tracker) == [], "every turn of the session is answered by its custom action"
    assert "frail_older_adult" in (tracker["slots"].get("risk_factors") or []), "the profile fact is recorded"
    assert "frail older adults" in reply
