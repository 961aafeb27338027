"""The assistant behind its real servers: start-up, memory, held-out dialogues, load."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import httpx

from bench.load import LevelResult, floor_request, new_run_id, run_level, webhook_request
from bench.machine import proc_cpu_s, tree, tree_rss_mb
from bench.profiler import Profiler
from evaluation.conversations import run_conversation
from evaluation.heldout import conversations
from harness.client import Client
from harness.servers import MODEL, Servers

WARMUP_MESSAGES = 20


@dataclass
class Background:
    """Our own background work (the stock peer's training): freeze it, let it go on, read its CPU time."""

    pause: Callable[[], None] = lambda: None
    resume: Callable[[], None] = lambda: None
    cpu_s: Callable[[], float] = lambda: 0.0


def run_live(
    messages: Sequence[str],
    users: Sequence[int],
    duration_s: float,
    floor_duration_s: float,
    n_conversations: int = 0,
    model: Path = MODEL,
    background: Optional[Background] = None,
    profile_s: float = 10.0,
) -> Dict[str, Any]:
    """Starts both servers, measures, stops them; every figure of the live part.

    Background work is frozen for start-up and the HTTP floor (sub-millisecond
    figures); it goes on, at nice 19, during warm-up, conversations and the
    webhook levels, whose table shows how much CPU it took.
    """
    bg = background or Background()
    workdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    servers = Servers(workdir=workdir, model=model)
    out: Dict[str, Any] = {"workdir": str(workdir)}
    try:
        bg.pause()
        t0 = time.monotonic()
        servers.start_actions()
        rasa = servers.start_rasa()
        actions = servers.processes[0]
        out["ready_s"] = servers.wait_until_ready()
        client = Client(servers.url, servers.token)
        first = client.send(f"bench-first-{uuid.uuid4().hex[:8]}", messages[0])
        out["first_answer_s"] = time.monotonic() - t0
        out["first_answer_ok"] = bool(first)

        def rss() -> Dict[str, float]:
            return {"rasa": tree_rss_mb(rasa.pid), "actions": tree_rss_mb(actions.pid)}

        out["rss_after_start_mb"] = rss()
        bg.resume()
        # Warm-up: every kind of path once (channel, NLU, policies, action server, SQLite).
        for i in range(WARMUP_MESSAGES):
            client.send(f"bench-warm-{uuid.uuid4().hex[:8]}", messages[i % len(messages)])
        out["rss_after_warmup_mb"] = rss()

        def server_cpu() -> float:
            return proc_cpu_s(tree(rasa.pid) + tree(actions.pid))

        out["conversations"] = dialogues(client, n_conversations)
        out["load"] = asyncio.run(load_levels(servers.url, messages, users, duration_s, floor_duration_s, rss,
                                              server_cpu, bg))
        out["profile"] = asyncio.run(profile_level(servers.url, messages, profile_users(users), profile_s,
                                                   rasa.pid, workdir, bg))
        out["rss_after_load_mb"] = rss()
        return out
    finally:
        bg.resume()
        servers.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def dialogues(client: Client, limit: int = 0) -> Dict[str, Any]:
    """The held-out multi-turn conversations: turn accuracy and whole-conversation success."""
    convs = conversations()
    if limit:
        convs = convs[:limit]
    per_conv: List[Dict[str, Any]] = []
    for conv in convs:
        results = run_conversation(client, conv, f"bench-conv-{uuid.uuid4().hex[:10]}")
        per_conv.append({
            "name": conv["name"], "turns": len(results), "ok_turns": sum(r.ok for r in results),
            "failures": [{"user": r.user, "problems": r.problems} for r in results if not r.ok],
        })
    turns = sum(c["turns"] for c in per_conv)
    ok_turns = sum(c["ok_turns"] for c in per_conv)
    return {
        "n_conversations": len(per_conv),
        "n_turns": turns,
        "turn_accuracy": ok_turns / turns if turns else 0.0,
        "conversation_success": sum(c["ok_turns"] == c["turns"] for c in per_conv) / len(per_conv)
        if per_conv else 0.0,
        "per_conversation": per_conv,
    }


async def load_levels(
    url: str, messages: Sequence[str], users: Sequence[int], duration_s: float, floor_duration_s: float,
    rss: Any, server_cpu: Any, bg: Background,
) -> List[LevelResult]:
    """The HTTP floor (background frozen), then the webhook, at each number of concurrent users."""
    run_id = new_run_id()
    bg.pause()
    async with httpx.AsyncClient(timeout=10) as warm:
        for _ in range(20):
            await warm.get(f"{url}/webhooks/rest/")
    results = []
    for n in users:
        results.append(await run_level("floor: GET /webhooks/rest/", floor_request(url), n, floor_duration_s, rss,
                                       server_cpu))
    bg.resume()
    for n in users:
        results.append(await run_level("POST /webhooks/rest/webhook", webhook_request(url, messages, run_id),
                                       n, duration_s, rss, server_cpu, bg.cpu_s))
    return results


def profile_users(users: Sequence[int]) -> int:
    """The level the latency target is about (16 users), or the nearest one measured."""
    return min(users, key=lambda n: abs(n - 16))


async def profile_level(url: str, messages: Sequence[str], users: int, duration_s: float, rasa_pid: int,
                        workdir: Path, bg: Background) -> Dict[str, Any]:
    """One extra webhook level with py-spy on the Rasa server: where its time goes.

    Apart from the measured levels, so the sampler's own CPU cannot touch their
    figures; the background training is frozen meanwhile for the same reason.
    """
    bg.pause()
    try:
        profiler = Profiler(rasa_pid, duration_s, workdir / "rasa-profile.raw")
        level = await run_level("profiled: POST /webhooks/rest/webhook", webhook_request(url, messages, new_run_id()),
                                users, duration_s)
        return {"users": users, "duration_s": duration_s, "throughput_msg_s": round(level.throughput, 2),
                **profiler.result()}
    finally:
        bg.resume()
