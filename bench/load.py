"""An asyncio + httpx load generator for loopback servers, time-bounded per level."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence

import httpx

from bench.machine import OtherLoad


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation; 0.0 for no values."""
    if not values:
        return 0.0
    xs = sorted(values)
    k = (len(xs) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


@dataclass
class LevelResult:
    """One load level: who, how long, and what came back."""

    target: str
    users: int
    duration_s: float
    elapsed_s: float = 0.0
    latencies_s: List[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Dict[str, int] = field(default_factory=dict)
    rss_peak_mb: Dict[str, float] = field(default_factory=dict)
    server_cpu_cores: float = 0.0
    generator_cpu_cores: float = 0.0
    background_cpu_cores: float = 0.0
    other_cpu_cores: float = 0.0

    @property
    def ok(self) -> int:
        """Requests answered correctly."""
        return len(self.latencies_s)

    @property
    def throughput(self) -> float:
        """Correct answers per second of the level."""
        return self.ok / self.elapsed_s if self.elapsed_s else 0.0

    def ms(self, q: float) -> float:
        """A latency percentile in milliseconds."""
        return percentile(self.latencies_s, q) * 1000

    def summary(self) -> Dict[str, Any]:
        """The figures without the raw latencies."""
        return {
            "target": self.target, "users": self.users, "duration_s": self.duration_s,
            "elapsed_s": round(self.elapsed_s, 3), "requests_ok": self.ok, "errors": self.errors,
            "error_kinds": self.error_kinds, "throughput_msg_s": round(self.throughput, 2),
            "p50_ms": round(self.ms(50), 2), "p95_ms": round(self.ms(95), 2), "p99_ms": round(self.ms(99), 2),
            "max_ms": round(max(self.latencies_s, default=0) * 1000, 2), "rss_peak_mb": self.rss_peak_mb,
            "server_cpu_cores": round(self.server_cpu_cores, 2),
            "generator_cpu_cores": round(self.generator_cpu_cores, 2),
            "background_cpu_cores": round(self.background_cpu_cores, 2),
            "other_cpu_cores": round(self.other_cpu_cores, 2),
        }


# A request factory gets (client, worker, sequence number) and returns (ok, error kind).
Request = Callable[[httpx.AsyncClient, int, int], Any]


def webhook_request(base_url: str, messages: Sequence[str], run_id: str) -> Request:
    """POST /webhooks/rest/webhook: a unique sender per message, the reply must be a non-empty list."""
    cycle = itertools.cycle(messages)

    async def send(client: httpx.AsyncClient, worker: int, seq: int) -> Optional[str]:
        r = await client.post(f"{base_url}/webhooks/rest/webhook",
                              json={"sender": f"bench-{run_id}-{worker}-{seq}", "message": next(cycle)})
        if r.status_code != 200:
            return f"HTTP {r.status_code}"
        body = r.json()
        if not isinstance(body, list) or not body:
            return "empty reply"
        return None

    return send


def floor_request(base_url: str, path: str = "/webhooks/rest/") -> Request:
    """A trivial GET (the REST channel's health route): the HTTP floor of the server."""

    async def send(client: httpx.AsyncClient, worker: int, seq: int) -> Optional[str]:
        r = await client.get(f"{base_url}{path}")
        return None if r.status_code == 200 else f"HTTP {r.status_code}"

    return send


async def run_level(
    target: str,
    request: Request,
    users: int,
    duration_s: float,
    sample_rss: Optional[Callable[[], Dict[str, float]]] = None,
    server_cpu_s: Optional[Callable[[], float]] = None,
    background_cpu_s: Callable[[], float] = lambda: 0.0,
    timeout_s: float = 30.0,
) -> LevelResult:
    """``users`` closed-loop clients send for ``duration_s``; requests in flight at the end finish.

    Each user has its own httpx client and connection: one shared pool serialises
    64 users on its lock and measures httpx rather than the server.
    """
    result = LevelResult(target, users, duration_s)
    kinds: Counter = Counter()
    peak: Dict[str, float] = {}
    stop_sampling = asyncio.Event()

    async def sampler() -> None:
        while sample_rss and not stop_sampling.is_set():
            for k, v in sample_rss().items():
                peak[k] = max(peak.get(k, 0.0), v)
            try:
                await asyncio.wait_for(stop_sampling.wait(), 0.5)
            except asyncio.TimeoutError:
                pass

    clients = [httpx.AsyncClient(limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                                 timeout=timeout_s) for _ in range(users)]
    try:
        others = OtherLoad()
        server0, gen0, bg0 = (server_cpu_s() if server_cpu_s else 0.0), time.process_time(), background_cpu_s()
        start = time.perf_counter()
        deadline = start + duration_s

        async def worker(w: int) -> None:
            for seq in itertools.count():
                if time.perf_counter() >= deadline:
                    return
                t0 = time.perf_counter()
                try:
                    problem = await request(clients[w], w, seq)
                except httpx.HTTPError as e:
                    problem = type(e).__name__
                if problem is None:
                    result.latencies_s.append(time.perf_counter() - t0)
                else:
                    result.errors += 1
                    kinds[problem] += 1

        sampling = asyncio.create_task(sampler())
        await asyncio.gather(*(worker(w) for w in range(users)))
        result.elapsed_s = time.perf_counter() - start
        server1, gen1, bg1 = (server_cpu_s() if server_cpu_s else 0.0), time.process_time(), background_cpu_s()
        result.server_cpu_cores = (server1 - server0) / result.elapsed_s
        result.generator_cpu_cores = (gen1 - gen0) / result.elapsed_s
        result.background_cpu_cores = (bg1 - bg0) / result.elapsed_s
        # Everything else on the machine: not the servers, this load generator or our background training.
        result.other_cpu_cores = others.cores(server1 - server0 + gen1 - gen0 + bg1 - bg0, result.elapsed_s)
        stop_sampling.set()
        await sampling
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    result.error_kinds = dict(kinds)
    result.rss_peak_mb = {k: round(v, 1) for k, v in peak.items()}
    return result


def new_run_id() -> str:
    """A short id that keeps this run's senders apart from any other."""
    return uuid.uuid4().hex[:8]
