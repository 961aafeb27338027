"""Two Rasa servers behind nginx (round-robin), one PostgreSQL tracker store, the Redis lock store.

Started by `deploy/scaleout.py` with `deploy/endpoints.production.yml` and
`deploy/nginx.conf.template`. nginx reports the server that answered in the
`X-Upstream` header. The tests, in this order (the last one kills a server):

1. one conversation through nginx alternates between both servers; each
   server sees the other's turns and slots;
2. 30 conversations x 8 turns at once through nginx: no errors, every tracker
   complete and in order, both servers used;
3. two messages of one conversation at the same moment, one to each server:
   the lock store serialises them (and, on its own, it admits one holder at a
   time, which Rasa's stock RedisLockStore does not);
4. SIGKILL one server mid-run: nginx sends everything to the other and the
   conversations go on with their history.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

import httpx
import psycopg2
import pytest
import redis

from rasa.core.lock_store import LockError, RedisLockStore

from bench.load import percentile
from server.redis_lock_store import AtomicRedisLockStore
from deploy.scaleout import REDIS_DB, Stack
from tests.reliability.helpers import (
    PROFILE_STATEMENT,
    QUESTIONS,
    fallback_turns,
    texts,
    turns_without_bot_reply,
    user_events,
)

pytestmark = pytest.mark.scaleout

REQUEST_TIMEOUT_S = 120.0
LOAD_CONVERSATIONS = 30
LOAD_TURNS = 8
LOAD_TIME_LIMIT_S = float(os.environ.get("SCALEOUT_LOAD_TIME_LIMIT_S", "180"))
# A server killed while handling a message leaves its ticket in the Redis lock
# until it expires (TICKET_LOCK_LIFETIME, Rasa's default 60 s).
LOCK_LIFETIME_S = float(os.environ.get("TICKET_LOCK_LIFETIME") or 60)

# (message, slots that must hold at least these ids afterwards, lowercase words the reply must contain).
# Slots are set on turns 1 and 4 and used on turns 2 and 7: with strict alternation
# the turn that uses a slot is always answered by the other server.
ALTERNATING_SCRIPT: List[Tuple[str, Dict[str, List[str]], List[str]]] = [
    ("hi", {}, []),
    ("I have osteoporosis and a lot of knots in my shoulders",
     {"symptoms": ["knots"], "risk_factors": ["fracture_risk"]}, []),
    ("is myofascial release risky for me?", {}, ["fracture"]),
    ("what are trigger points?", {}, ["trigger point"]),
    ("quick q, im allergic to most lotions and creams", {"risk_factors": ["oil_allergy"]}, []),
    ("how does mfr work", {}, []),
    ("what about at home?", {}, ["home"]),
    ("any risks for me?", {}, ["allerg"]),
    ("does it work though?", {}, []),
    ("ok thanks", {}, []),
]


# --- helpers ----------------------------------------------------------------------------


@dataclass
class Sent:
    """One message sent and what came back."""

    sender: str
    turn: int
    text: str
    started: float
    ended: float = 0.0
    status: Optional[int] = None
    upstream: str = ""
    replies: List[Dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.replies) and all((m.get("text") or "").strip() for m in self.replies)

    def describe(self) -> str:
        return (f"{self.sender} turn {self.turn} {self.text!r}: status {self.status} {self.error} "
                f"upstream {self.upstream!r} replies {self.replies!r:.200}")


def body(sender: str, text: str, probe: str) -> Dict[str, Any]:
    return {"sender": sender, "message": text, "metadata": {"probe": probe}}


async def post(http: httpx.AsyncClient, url: str, sender: str, turn: int, text: str, probe: str = "") -> Sent:
    sent = Sent(sender, turn, text, time.monotonic())
    try:
        r = await http.post(f"{url}/webhooks/rest/webhook", json=body(sender, text, probe or f"{sender}#{turn}"))
        sent.status = r.status_code
        sent.upstream = r.headers.get("x-upstream", "")
        if r.status_code == 200:
            sent.replies = list(r.json())
        else:
            sent.error = r.text[:200]
    except httpx.HTTPError as error:
        sent.error = type(error).__name__
    sent.ended = time.monotonic()
    return sent


def tracker(stack: Stack, instance: int, sender: str) -> Dict[str, Any]:
    """The tracker read directly from Rasa server `instance` (not through nginx)."""
    r = httpx.get(f"{stack.rasa_url(instance)}/conversations/{sender}/tracker", params={"token": stack.token},
                  timeout=60)
    r.raise_for_status()
    return dict(r.json())


def probes(t: Dict[str, Any]) -> List[Optional[str]]:
    return [(e.get("metadata") or {}).get("probe") for e in user_events(t)]


def sessions(t: Dict[str, Any]) -> int:
    return sum(e.get("event") == "session_started" for e in t.get("events", []))


def stored_user_events(stack: Stack, senders: List[str]) -> Dict[str, int]:
    """User events per sender, counted in PostgreSQL itself."""
    conn = psycopg2.connect(connect_timeout=10, **stack.db_dsn)  # type: ignore[arg-type]
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT sender_id, count(*) FROM events WHERE type_name = 'user' AND sender_id = ANY(%s) "
                        "GROUP BY sender_id", (senders,))
            return {sender: int(n) for sender, n in cur.fetchall()}
    finally:
        conn.close()


def redis_client(stack: Stack) -> "redis.Redis[bytes]":
    return redis.Redis(host="127.0.0.1", port=stack.ports["redis"], db=REDIS_DB, password=stack.redis_password,
                       socket_timeout=5)


@pytest.fixture(autouse=True)
def logs_on_failure(request: pytest.FixtureRequest, stack: Stack) -> Iterator[None]:
    failed_before = request.session.testsfailed
    yield
    if request.session.testsfailed > failed_before:
        print(f"\n=== server logs after {request.node.name} ===\n{stack.logs(25)}")


# --- 1. one conversation alternates -----------------------------------------------------------


def test_one_conversation_alternates_between_both_servers(stack: Stack) -> None:
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    served: List[int] = []
    sent_texts: List[str] = []
    expected_slots: Dict[str, Set[str]] = {}
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as http:
        for k, (text, slots, words) in enumerate(ALTERNATING_SCRIPT):
            r = http.post(f"{stack.url}/webhooks/rest/webhook", json=body(sender, text, f"{sender}#{k}"))
            assert r.status_code == 200, f"turn {k}: HTTP {r.status_code} {r.text[:200]}"
            upstream = r.headers.get("x-upstream", "")
            instance = stack.instance_of(upstream)
            assert instance is not None and "," not in upstream, f"turn {k}: unexpected X-Upstream {upstream!r}"
            served.append(instance)
            sent_texts.append(text)
            reply = texts(r.json()).lower()
            for word in words:
                assert word in reply, f"turn {k} (server {instance}) {text!r}: reply lacks {word!r}: {reply[:300]}"
            for slot, new_ids in slots.items():
                expected_slots.setdefault(slot, set()).update(new_ids)

            # The other server sees this turn and every slot set so far.
            other = 3 - instance
            t = tracker(stack, other, sender)
            assert [e.get("text") for e in user_events(t)] == sent_texts, f"server {other} after turn {k}"
            for slot, ids in expected_slots.items():
                missing = ids - set(t["slots"].get(slot) or [])
                assert not missing, f"server {other} after turn {k}: slot {slot} lacks {sorted(missing)}"

    print(f"\nservers per turn: {served}")
    assert all(a != b for a, b in itertools.pairwise(served)), f"turns did not alternate: {served}"
    assert set(served) == {1, 2}

    t1, t2 = tracker(stack, 1, sender), tracker(stack, 2, sender)
    assert t1["events"] == t2["events"], "both servers read the same stored conversation"
    assert probes(t1) == [f"{sender}#{k}" for k in range(len(ALTERNATING_SCRIPT))]
    assert turns_without_bot_reply(t1) == []
    assert fallback_turns(t1) == []
    assert sessions(t1) == 1
    assert stored_user_events(stack, [sender]) == {sender: len(ALTERNATING_SCRIPT)}, "stored in PostgreSQL"


# --- 2. concurrent load ------------------------------------------------------------------------


def load_script(index: int) -> List[str]:
    """The 8 turns of conversation `index`: questions and one profile statement, fixed by the seed."""
    rng = random.Random(1000 + index)
    turns = [rng.choice(QUESTIONS) for _ in range(LOAD_TURNS - 1)]
    turns.insert(rng.randrange(LOAD_TURNS - 1), PROFILE_STATEMENT)
    return turns


async def converse(http: httpx.AsyncClient, url: str, sender: str, turns: List[str], out: List[Sent],
                   stop_on_failure: bool = False) -> None:
    for k, text in enumerate(turns):
        sent = await post(http, url, sender, k, text)
        out.append(sent)
        if stop_on_failure and not sent.ok:
            return


async def run_load(url: str, plans: Dict[str, List[str]], time_limit: float) -> Tuple[float, List[Sent]]:
    results: List[Sent] = []
    limits = httpx.Limits(max_connections=len(plans) + 5, max_keepalive_connections=len(plans) + 5)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as http:
        start = time.monotonic()
        await asyncio.wait_for(asyncio.gather(*(converse(http, url, s, t, results) for s, t in plans.items())),
                               timeout=time_limit)
        return time.monotonic() - start, results


def test_concurrent_conversations_through_nginx(stack: Stack) -> None:
    run = uuid.uuid4().hex[:8]
    plans = {f"load-{run}-{i:02d}": load_script(i) for i in range(LOAD_CONVERSATIONS)}
    commands_before = int((redis_client(stack).info("commandstats").get("cmdstat_set") or {}).get("calls", 0))

    try:
        elapsed, results = asyncio.run(run_load(stack.url, plans, LOAD_TIME_LIMIT_S))
    except asyncio.TimeoutError:
        pytest.fail(f"{LOAD_CONVERSATIONS} x {LOAD_TURNS} turns took longer than {LOAD_TIME_LIMIT_S:.0f} s")

    sent = LOAD_CONVERSATIONS * LOAD_TURNS
    latencies = [r.ended - r.started for r in results]
    per_server = {i: sum(stack.instance_of(r.upstream) == i for r in results) for i in (1, 2)}
    both = sum(len({stack.instance_of(r.upstream) for r in results if r.sender == s}) == 2 for s in plans)
    print(
        f"\n{sent} turns ({LOAD_CONVERSATIONS} conversations x {LOAD_TURNS}) in {elapsed:.1f} s: "
        f"{sent / elapsed:.1f} turns/s; latency p50 {percentile(latencies, 50) * 1000:.0f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"server 1 {per_server[1]}, server 2 {per_server[2]} turns; {both}/{LOAD_CONVERSATIONS} conversations "
        f"used both servers"
    )
    failures = [r.describe() for r in results if not r.ok]
    assert failures == [], "\n".join(failures[:20])
    assert len(results) == sent
    assert min(per_server.values()) >= sent * 0.3, f"round-robin should split the turns: {per_server}"
    assert both >= LOAD_CONVERSATIONS * 0.8, "most conversations should be answered by both servers"

    problems: List[str] = []
    for index, (sender, turns) in enumerate(plans.items()):
        t = tracker(stack, 1 + index % 2, sender)  # read from either server
        users = user_events(t)
        if [e.get("text") for e in users] != turns:
            problems.append(f"{sender}: user texts {[e.get('text') for e in users]} != sent {turns}")
        if probes(t) != [f"{sender}#{k}" for k in range(LOAD_TURNS)]:
            problems.append(f"{sender}: turns lost, duplicated, reordered or mixed: {probes(t)}")
        if "frail_older_adult" not in (t["slots"].get("risk_factors") or []):
            problems.append(f"{sender}: the profile statement's slot is missing")
        if sessions(t) != 1:
            problems.append(f"{sender}: {sessions(t)} sessions")
        if turns_without_bot_reply(t):
            problems.append(f"{sender}: no bot event after {turns_without_bot_reply(t)}")
        if fallback_turns(t):
            problems.append(f"{sender}: custom action failed at turns {fallback_turns(t)}")
    assert problems == [], "\n".join(problems[:20])

    stored = stored_user_events(stack, list(plans))
    assert stored == {s: LOAD_TURNS for s in plans}, f"user events in PostgreSQL: {stored}"

    r = redis_client(stack)
    commands_after = int((r.info("commandstats").get("cmdstat_set") or {}).get("calls", 0))
    assert commands_after - commands_before >= sent, "every message takes a ticket in the Redis lock store"
    assert list(r.scan_iter("mfr:lock:*", count=1000)) == [], "no lock is left behind"


# --- 3. simultaneous messages of one conversation -------------------------------------------------


def test_simultaneous_messages_of_one_conversation_are_serialised(stack: Stack) -> None:
    """Two messages of one conversation at the same moment, one sent to each server directly."""
    sender = f"same-{uuid.uuid4().hex[:8]}"
    rounds = 4

    async def main() -> List[Sent]:
        out: List[Sent] = []
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as http:
            for n in range(rounds):
                pair = await asyncio.wait_for(asyncio.gather(
                    post(http, stack.rasa_url(1), sender, 2 * n, QUESTIONS[(2 * n) % len(QUESTIONS)]),
                    post(http, stack.rasa_url(2), sender, 2 * n + 1, QUESTIONS[(2 * n + 1) % len(QUESTIONS)]),
                ), timeout=REQUEST_TIMEOUT_S)
                out.extend(pair)
        return out

    results = asyncio.run(main())
    failures = [r.describe() for r in results if not r.ok]
    assert failures == [], "\n".join(failures)

    t = tracker(stack, 1, sender)
    got = probes(t)
    print(f"\nsimultaneous pairs stored as {[p.split('#')[1] if p else p for p in got]}")
    assert sorted(got, key=str) == sorted((f"{sender}#{k}" for k in range(2 * rounds)), key=str), (
        f"each message stored exactly once: {got}")
    assert turns_without_bot_reply(t) == [], "each message is answered before the next one is handled"
    assert sessions(t) == 1
    # Serialised: every user event is followed by its own action_listen before the next user event.
    events = [e for e in t["events"] if e.get("event") in ("user", "action")]
    opened = False
    for e in events:
        if e.get("event") == "user":
            assert not opened, "a message was handled while another of the same conversation was in progress"
            opened = True
        elif e.get("name") == "action_listen" and opened:
            opened = False


# --- 3b. the lock store on its own -----------------------------------------------------------------


@dataclass
class LockRun:
    """What competing lock holders saw."""

    acquired: int = 0
    overlaps: int = 0  # times two holders were inside the lock at once
    errors: int = 0  # LockError: the lock vanished while waiting
    stuck: int = 0  # still waiting after LOCK_WAIT_S (its ticket lost)


LOCK_WAIT_S = 6.0  # twice the tickets' lifetime below


def hammer_lock_store(make_store: Callable[[], Any], conversation: str, threads: int = 4, rounds: int = 20,
                      deadline_s: float = 20.0) -> LockRun:
    """Threads, each with its own store (as separate servers would), take one conversation's lock in turn."""
    run = LockRun()
    inside = 0
    guard = threading.Lock()
    stop_at = time.monotonic() + deadline_s

    async def worker(store: Any) -> None:
        nonlocal inside
        for _ in range(rounds):
            if time.monotonic() > stop_at:
                return
            # Short tickets: a ticket the stock store loses track of blocks the others until it expires.
            holder = store.lock(conversation, lock_lifetime=3, wait_time_in_seconds=0.005)
            try:
                await asyncio.wait_for(holder.__aenter__(), timeout=LOCK_WAIT_S)
            except asyncio.TimeoutError:
                with guard:
                    run.stuck += 1
                continue
            except LockError:
                with guard:
                    run.errors += 1
                continue
            try:
                with guard:
                    run.acquired += 1
                    inside += 1
                    run.overlaps += inside > 1
                await asyncio.sleep(0.002)
                with guard:
                    inside -= 1
            finally:
                await holder.__aexit__(None, None, None)

    pool = [threading.Thread(target=asyncio.run, args=(worker(make_store()),), daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=deadline_s + LOCK_WAIT_S + 30)
    assert not any(t.is_alive() for t in pool), "lock store workers did not finish"
    return run


def test_lock_store_admits_one_holder_at_a_time(stack: Stack) -> None:
    settings = {"host": "127.0.0.1", "port": stack.ports["redis"], "db": REDIS_DB,
                "password": stack.redis_password, "key_prefix": "mfrtest"}
    run = uuid.uuid4().hex[:8]
    atomic = hammer_lock_store(lambda: AtomicRedisLockStore(**settings), f"atomic-{run}")
    # For comparison only (not asserted): Rasa's own RedisLockStore under the same load.
    stock = hammer_lock_store(lambda: RedisLockStore(**settings), f"stock-{run}")
    print(f"\n4 holders x 20 turns on one conversation: AtomicRedisLockStore {atomic}; stock RedisLockStore {stock}")
    assert atomic == LockRun(acquired=80)
    assert list(redis_client(stack).scan_iter("mfrtest:lock:atomic-*", count=1000)) == []


# --- 4. a server dies --------------------------------------------------------------------------


FOREGROUND = [
    "I have osteoporosis and a lot of knots in my shoulders",
    "what are trigger points?",
    "how does mfr work",
    # after the kill
    "is myofascial release risky for me?",
    "what about at home?",
    "ok thanks",
]
BEFORE_KILL = 3
BACKGROUND_CONVERSATIONS = 10
BACKGROUND_TURNS = 6
VICTIM, SURVIVOR = 2, 1


def test_killing_one_rasa_server_mid_run(stack: Stack) -> None:
    run = uuid.uuid4().hex[:8]
    fg = f"fg-{run}"
    plans = {f"bg-{run}-{i:02d}": load_script(100 + i)[:BACKGROUND_TURNS] for i in range(BACKGROUND_CONVERSATIONS)}

    async def main() -> Tuple[List[Sent], List[Sent], float, float, int, List[Sent]]:
        foreground: List[Sent] = []
        background: List[Sent] = []
        limits = httpx.Limits(max_connections=BACKGROUND_CONVERSATIONS + 5)
        async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as http:
            for k in range(BEFORE_KILL):
                foreground.append(await post(http, stack.url, fg, k, FOREGROUND[k]))
            load = asyncio.ensure_future(asyncio.gather(
                *(converse(http, stack.url, s, t, background, stop_on_failure=True) for s, t in plans.items())))
            # Mid-run: some background turns answered, others in flight.
            for _ in range(1200):
                if len(background) >= BACKGROUND_CONVERSATIONS or load.done():
                    break
                await asyncio.sleep(0.05)
            kill_started = time.monotonic()
            code = await asyncio.to_thread(stack.kill_rasa, VICTIM)
            # From here on the server is gone (its exit status was collected).
            killed_at = time.monotonic()
            for k in range(BEFORE_KILL, len(FOREGROUND)):
                foreground.append(await post(http, stack.url, fg, k, FOREGROUND[k]))
            await asyncio.wait_for(load, timeout=LOAD_TIME_LIMIT_S)

            # Conversations whose message died with the server: the client sends it again.
            # The dead server's lock ticket delays it until the ticket expires.
            failed = [r for r in background if not r.ok]
            retries = await asyncio.wait_for(asyncio.gather(
                *(post(http, stack.url, r.sender, r.turn, r.text, probe=f"{r.sender}#{r.turn}-retry") for r in failed)),
                timeout=LOCK_LIFETIME_S + 60)
        return foreground, background, kill_started, killed_at, code, list(retries)

    foreground, background, kill_started, killed_at, code, retries = asyncio.run(main())
    assert code == -9, f"Rasa server {VICTIM} was SIGKILLed"

    # The foreground conversation carries on, on the surviving server, with its history.
    assert [r.describe() for r in foreground if not r.ok] == []
    after = foreground[BEFORE_KILL:]
    assert all(stack.instance_of(r.upstream) == SURVIVOR for r in after), [r.upstream for r in after]
    assert "fracture" in texts(after[0].replies).lower(), "the osteoporosis stated before the kill is remembered"
    t = tracker(stack, SURVIVOR, fg)
    assert [e.get("text") for e in user_events(t)] == FOREGROUND
    assert probes(t) == [f"{fg}#{k}" for k in range(len(FOREGROUND))]
    assert "fracture_risk" in (t["slots"].get("risk_factors") or []) and "knots" in (t["slots"].get("symptoms") or [])
    assert sessions(t) == 1 and turns_without_bot_reply(t) == []

    # Background: only messages already in flight on the killed server may fail.
    in_flight = [r for r in background if r.started < kill_started < r.ended]
    failed = [r for r in background if not r.ok]
    late = [r for r in background if r.started >= killed_at]
    retried_via = sum("," in r.upstream for r in late + after)
    print(
        f"\nkilled server {VICTIM} ({(killed_at - kill_started) * 1000:.0f} ms) with {len(in_flight)} background "
        f"messages in flight: {len(failed)} failed "
        f"({sorted({r.status or r.error for r in failed}, key=str)}); {len(late)} later messages all answered "
        f"by server {SURVIVOR} ({retried_via} after a refused connection to the dead one); "
        f"re-sent failed messages answered after {[round(r.ended - r.started, 1) for r in retries]} s"
    )
    for r in failed:
        assert r.started < killed_at, f"failed although sent after the kill: {r.describe()}"
        assert r.status in (502, 504) or r.error, r.describe()
        assert not r.upstream or stack.instance_of(r.upstream) == VICTIM, f"failed on the survivor: {r.describe()}"
    assert [r.describe() for r in late if not r.ok] == [], "every message sent after the kill is answered"
    assert all(stack.instance_of(r.upstream) == SURVIVOR for r in late)
    assert [r.describe() for r in retries if not r.ok] == [], "re-sent messages are answered"
    for r in retries:
        assert r.ended - r.started <= LOCK_LIFETIME_S + 30, f"{r.sender}: waited {r.ended - r.started:.0f} s"

    problems: List[str] = []
    failed_by_sender = {r.sender: r for r in failed}
    for sender, turns in plans.items():
        tr = tracker(stack, SURVIVOR, sender)
        got = probes(tr)
        answered = [f"{sender}#{r.turn}" for r in background if r.sender == sender and r.ok]
        if sender in failed_by_sender:
            f = failed_by_sender[sender]
            # The dead server may or may not have stored the message before dying.
            retry = f"{sender}#{f.turn}-retry"
            allowed = ([*answered, retry], [*answered, f"{sender}#{f.turn}", retry])
            if got not in allowed:
                problems.append(f"{sender}: stored {got}, expected one of {allowed}")
        elif got != answered or len(answered) != len(turns):
            problems.append(f"{sender}: stored {got}, answered {answered}")
        if sessions(tr) != 1:
            problems.append(f"{sender}: {sessions(tr)} sessions")
    assert problems == [], "\n".join(problems)

    # nginx skips a failed server for fail_timeout (10 s), then tries it again: the refused
    # connection is retried on the survivor within the same request, unseen by the client.
    victim = stack.rasa_addr(VICTIM)
    touched = [r.ended for r in [*foreground, *background, *retries] if victim in r.upstream]
    time.sleep(max(0.0, max(touched, default=killed_at) + 11 - time.monotonic()))
    late_sender = f"late-{run}"
    with httpx.Client(timeout=REQUEST_TIMEOUT_S) as http:
        late_upstreams: List[str] = []
        for k, text in enumerate(["hello", "what is myofascial release?", "can I do it at home?", "thanks"]):
            r = http.post(f"{stack.url}/webhooks/rest/webhook", json=body(late_sender, text, f"{late_sender}#{k}"))
            assert r.status_code == 200 and r.json(), f"{text!r}: HTTP {r.status_code}"
            late_upstreams.append(r.headers.get("x-upstream", ""))
    print(f"after fail_timeout, X-Upstream: {late_upstreams}")
    assert all(stack.instance_of(u) == SURVIVOR for u in late_upstreams)
    assert any(u.startswith(victim + ",") for u in late_upstreams), "nginx tried the dead server again, then retried"
    assert probes(tracker(stack, SURVIVOR, late_sender)) == [f"{late_sender}#{k}" for k in range(4)]
