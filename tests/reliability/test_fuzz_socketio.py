"""Hypothesis fuzzing of the socket.io channel (channels/socketio.py) on live servers.

One shared connection sends generated events: `user_uttered` with any text,
wrong types, missing fields and deep nesting; `session_request` with junk;
random event names; raw socket.io packets. A well-formed message gets
`bot_uttered` replies that match what the tracker stores; anything else is
dropped without a reply and stores nothing. The connection stays up, the
server logs no error (two python-engineio reports aside, see the log section),
and afterwards a fresh connection gets a normal answer and an earlier
conversation goes on intact.

Each step waits for the server's acknowledgement (`call()`), which comes after
the handler returned, so a message's turn is in the tracker by then. The client
runs event handlers in threads, so replies are awaited by count, not assumed.
A polling request over 64 KB (the server's body limit) ends the connection, so
generated events stay below that; its own test checks what happens above.

Bugs found with it (a lone surrogate in a session id made the server exit;
metadata that was not an object, nested too deep or non-finite; events with no
or two arguments, named "connect", or without a name; junk `session_request`s)
have their own tests below.
"""

from __future__ import annotations

import json
import math
import queue
import re
import time
import uuid
from typing import Any, Dict, Iterator, List, Tuple

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from harness.client import Client
from mfr.settings import ROOT

from ..integration.test_socketio import close, connect
from .helpers import DISCLAIMER_MARK, KillableServers, running_servers, texts, turns_without_bot_reply, user_texts
from .test_fuzz_rest import ANY_TEXT, BAD_SENDER, MESSAGE_TEXT, MISSING, NOT_A_STRING, body_of, fuzz, nested_lists

pytestmark = pytest.mark.integration

ORIGIN = "http://localhost:8080"
# The Rasa server refuses request bodies over 64 KB, polling POSTs included.
MAX_PACKET = 60_000
RUN = uuid.uuid4().hex[:8]
BARRIER = f"barrier-{RUN}"


# ---------------------------------------------------------------- fixtures


def shown_texts(tracker: Dict[str, Any]) -> List[str]:
    """The conversation's bot texts as the socket.io output splits them into messages."""
    parts: List[str] = []
    for e in tracker.get("events", []):
        if e.get("event") == "bot" and e.get("text"):
            parts.extend(e["text"].strip().split("\n\n"))
    return parts


class Connection:
    """One socket.io client that records `bot_uttered` and `session_confirm`."""

    def __init__(self, servers: KillableServers) -> None:
        self.api = Client(servers.url, servers.token)
        self.sio = connect(servers, ORIGIN)
        self.replies: "queue.Queue[Any]" = queue.Queue()
        self.confirms: "queue.Queue[Any]" = queue.Queue()
        self.sio.on("bot_uttered", self.replies.put)
        self.sio.on("session_confirm", self.confirms.put)

    @property
    def up(self) -> bool:
        return bool(self.sio.connected) and self.sio.eio.state == "connected"

    def call(self, event: Any, *args: Any, timeout: float = 30) -> Any:
        """Sends the event with these arguments and waits for the server's acknowledgement."""
        return self.sio.call(event, args, timeout=timeout)

    def join(self, session_id: str) -> None:
        """Puts this connection in the session's room."""
        self.call("session_request", {"session_id": session_id}, timeout=10)
        assert self.confirms.get(timeout=10) == session_id

    def barrier(self) -> List[Any]:
        """Waits until the server has taken everything sent before; returns the other confirmations that came."""
        self.call("session_request", {"session_id": BARRIER}, timeout=10)
        others = []
        while (confirmed := self.confirms.get(timeout=10)) != BARRIER:
            others.append(confirmed)
        return others

    def drain(self, q: "queue.Queue[Any]") -> List[Any]:
        got = []
        while True:
            try:
                got.append(q.get_nowait())
            except queue.Empty:
                return got

    def send(self, session_id: str, data: Any) -> Tuple[List[Dict[str, Any]], Dict[str, Any]]:
        """Sends one `user_uttered`; returns its replies and the conversation's tracker afterwards."""
        before = len(shown_texts(self.api.tracker(session_id)))
        self.call("user_uttered", data)
        tracker = self.api.tracker(session_id)
        expected = len(shown_texts(tracker)) - before
        replies: List[Dict[str, Any]] = []
        while len([r for r in replies if r.get("text")]) < expected:
            replies.append(self.replies.get(timeout=10))
        return replies + self.drain(self.replies), tracker

    def ask(self, session_id: str, text: str) -> List[Dict[str, Any]]:
        return self.send(session_id, {"message": text, "session_id": session_id})[0]


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KillableServers]:
    # python-socketio's client leaves a long-poll open after disconnect(); Sanic
    # would wait 15 s for it when the server stops.
    with running_servers(tmp_path_factory.mktemp("fuzz-socketio"), SANIC_GRACEFUL_SHUTDOWN_TIMEOUT="1") as s:
        yield s


@pytest.fixture(scope="module")
def conn(servers: KillableServers) -> Iterator[Connection]:
    c = Connection(servers)
    yield c
    close(c.sio)


# ---------------------------------------------------------- the server log

RECORD_START = re.compile(r"^(\d{4}-\d\d-\d\d |\[\d{4}-|message async handler error|post request handler error)")
# The raw-packet test sends what python-engineio cannot decode; it logs those itself.
DECODE_ERRORS_EXPECTED = {"test_raw_packets_do_not_harm_the_connection", "test_no_error_logged_during_the_whole_run"}


def log_records(servers: KillableServers, offset: int) -> List[str]:
    """The Rasa server's log from `offset` on, one string per record (tracebacks included)."""
    with open(servers.workdir / "rasa.log", "rb") as f:
        f.seek(offset)
        lines = f.read().decode("utf-8", "replace").splitlines()
    records: List[str] = []
    for line in lines:
        if RECORD_START.match(line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return records


def is_library_decode_error(record: str) -> bool:
    """python-engineio's report of a socket.io packet it could not decode (no frame of ours or Rasa's)."""
    frames = re.findall(r'File "([^"]+)"', record)
    return record.startswith("message async handler error") and not any(
        f.startswith(str(ROOT / "channels")) or "/rasa/" in f for f in frames)


def is_poll_of_a_closed_session(record: str) -> bool:
    """python-engineio 4.7.1 answers a poll that races the session's close with a 500 (KeyError).

    The python-socketio client polls once more after disconnect(); browsers can
    hit it too. Nothing is lost: the session is over either way.
    """
    return ("Exception occurred while handling uri" in record and "/socket.io/" in record
            and record.rstrip().endswith("KeyError: 'Session is disconnected'"))


def logged_errors(records: List[str], decode_errors_expected: bool) -> List[str]:
    errors = [r for r in records if any(m in r for m in ("Traceback", " ERROR ", "[ERROR]", "CRITICAL"))]
    return [r for r in errors if not is_poll_of_a_closed_session(r)
            and not (decode_errors_expected and is_library_decode_error(r))]


@pytest.fixture(scope="module")
def log_start(servers: KillableServers) -> int:
    return (servers.workdir / "rasa.log").stat().st_size


@pytest.fixture(autouse=True)
def nothing_logged_as_error(request: pytest.FixtureRequest, servers: KillableServers, log_start: int) -> Iterator[None]:
    start = (servers.workdir / "rasa.log").stat().st_size
    yield
    errors = logged_errors(log_records(servers, start), request.node.originalname in DECODE_ERRORS_EXPECTED)
    assert not errors, "\n".join(errors[:5])
    assert servers.rasa_proc is not None and servers.rasa_proc.poll() is None, "the Rasa server died"


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def earlier_conversation(servers: KillableServers) -> Dict[str, Any]:
    """A conversation held over socket.io before any fuzzing; the last test checks it is intact."""
    c = Connection(servers)
    session_id = f"before-fuzz-{RUN}"
    c.join(session_id)
    assert DISCLAIMER_MARK in texts(c.ask(session_id, "what is myofascial release?"))
    c.ask(session_id, "my mother is 86 and quite frail")
    close(c.sio)
    tracker = c.api.tracker(session_id)
    assert user_texts(tracker) == ["what is myofascial release?", "my mother is 86 and quite frail"]
    return {"session_id": session_id, "events": tracker["events"]}


def new_session() -> str:
    return f"fz-sio-{RUN}-{uuid.uuid4().hex[:12]}"


def packet_size(event: Any, args: Tuple[Any, ...]) -> int:
    """Bytes of the event as python-socketio encodes it (ASCII-escaped JSON)."""
    return len(json.dumps([event, *args], separators=(",", ":")))


def assert_dropped(conn: Connection, session_id: str) -> None:
    """The event before this was acknowledged: had it been taken, its turn would be stored by now."""
    assert conn.up, "a bad event cost the connection"
    assert user_texts(conn.api.tracker(session_id)) == [], "a malformed event was taken as a message"
    assert conn.drain(conn.replies) == [], "a malformed event was answered"


# -------------------------------------------------------------- strategies

FINITE_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
FINITE_OBJECT = st.dictionaries(st.text(max_size=8), FINITE_JSON, max_size=4)
GOOD_METADATA = st.one_of(st.just(MISSING), st.none(), st.just(""), FINITE_OBJECT, FINITE_OBJECT.map(json.dumps))


def parses_to_finite_object(text: str) -> bool:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and not any(c in text for c in ("NaN", "Infinity", "e999"))


BAD_METADATA = st.one_of(
    st.booleans(), st.integers(), st.floats(), st.lists(FINITE_JSON, max_size=3), st.just(nested_lists(50)),
    # an object with NaN or Infinity somewhere in it
    st.builds(lambda d, k, x: {**d, k: {"deep": [x]}}, FINITE_OBJECT, st.text(max_size=8),
              st.sampled_from([math.nan, math.inf, -math.inf])),
    # JSON text that is not an object of finite values
    st.sampled_from(["[1, 2]", "5", "null", "true", '"{}"', "NaN", '{"x": NaN}', '{"x": 1e999}', "{",
                     "[" * 5_000 + "]" * 5_000, '{"a":' * 3_000 + "1" + "}" * 3_000]),
    st.text(max_size=30).filter(lambda t: t != "" and not parses_to_finite_object(t)),
)
# Any JSON, NaN included, in fields the channel ignores (the Rasa webchat widget sends customData).
EXTRA_FIELDS = st.dictionaries(
    st.sampled_from(["customData", "message_id", "timestamp", "__proto__", "input_channel", "sender"])
    | st.text(max_size=12),
    ANY_JSON, max_size=3,
).map(lambda d: {k: v for k, v in d.items() if k not in ("message", "session_id", "metadata")})
BAD_SESSION_ID = st.one_of(
    BAD_SENDER,  # wrong types, missing, blank, too long, not printable
    st.builds(lambda a, s, b: a + s + b, st.text(alphabet="xyz", max_size=5), st.characters(categories=("Cs",)),
              st.text(alphabet="xyz", max_size=5)),  # a lone surrogate
)
SESSION_REQUESTS = st.one_of(  # (arguments, what the server does)
    st.just(((), "new id")),
    st.just(((None,), "new id")),
    st.tuples(st.one_of(NOT_A_STRING, ANY_TEXT).filter(lambda v: not isinstance(v, dict) and v is not None)).map(
        lambda args: (args, "dropped")),
    BAD_SESSION_ID.map(lambda sid: (({} if sid is MISSING else {"session_id": sid},),
                                    "new id" if sid in (None, MISSING) else "dropped")),
    st.builds(lambda extra: (({**extra, "session_id": new_session()},), "same id"), EXTRA_FIELDS),
    st.builds(lambda more: (({"session_id": new_session()}, more), "dropped"), ANY_JSON),
)


# ------------------------------------------------------------------- tests


@fuzz(30)
@given(message=st.one_of(MESSAGE_TEXT, st.just(MISSING)), metadata=GOOD_METADATA, extra=EXTRA_FIELDS)
def test_well_formed_messages_are_answered_and_stored(
    conn: Connection, earlier_conversation: Dict[str, Any], message: Any, metadata: Any, extra: Dict[str, Any],
) -> None:
    session_id = new_session()
    data = {**extra, **body_of({"message": message, "session_id": session_id, "metadata": metadata})}
    assume(packet_size("user_uttered", (data,)) < MAX_PACKET)
    conn.join(session_id)
    replies, tracker = conn.send(session_id, data)
    assert conn.up
    text = "" if message is MISSING else message
    assert user_texts(tracker) == [text.strip()], "the message is stored as sent (Rasa strips whitespace)"
    assert turns_without_bot_reply(tracker) == []
    assert len([e for e in tracker["events"] if e.get("event") == "bot"]) >= 2, "only the disclaimer, no answer"
    assert DISCLAIMER_MARK in texts(replies), "a new conversation opens with the disclaimer"
    shown = [r.get("text") for r in replies if r.get("text")]
    assert shown == shown_texts(tracker), "the user sees what is stored"


@fuzz(40)
@given(
    case=st.one_of(
        st.tuples(st.just("data"), st.one_of(NOT_A_STRING, ANY_TEXT).filter(lambda v: not isinstance(v, dict))),
        st.tuples(st.just("message"), NOT_A_STRING),
        st.tuples(st.just("session_id"), BAD_SESSION_ID),
        st.tuples(st.just("metadata"), BAD_METADATA),
        st.tuples(st.just("arguments"), st.sampled_from([0, 2, 3])),
    ),
    message=MESSAGE_TEXT,
    metadata=GOOD_METADATA,
    extra=EXTRA_FIELDS,
)
def test_malformed_user_uttered_is_dropped(
    conn: Connection, case: Tuple[str, Any], message: str, metadata: Any, extra: Dict[str, Any],
) -> None:
    field, bad = case
    session_id = new_session()
    fields = {"message": message, "session_id": session_id, "metadata": metadata}
    args: Tuple[Any, ...]
    if field == "data":
        args = (bad,)
    elif field == "arguments":
        args = (body_of(fields),) * bad
    else:
        args = ({**extra, **body_of({**fields, field: bad})},)
    assume(packet_size("user_uttered", args) < MAX_PACKET)
    conn.join(session_id)
    assert conn.call("user_uttered", *args) is None
    assert_dropped(conn, session_id)


@fuzz(25)
@given(session_request=SESSION_REQUESTS)
def test_session_request_with_junk_is_confirmed_or_dropped(
    conn: Connection, session_request: Tuple[Tuple[Any, ...], str],
) -> None:
    args, expected = session_request
    assert conn.call("session_request", *args) is None
    if expected == "dropped":
        assert conn.barrier() == []
    elif expected == "new id":
        assert re.fullmatch("[0-9a-f]{32}", conn.confirms.get(timeout=10))
    else:
        assert conn.confirms.get(timeout=10) == args[0]["session_id"]
    assert conn.up


@fuzz(25)
@given(
    name=st.one_of(
        st.sampled_from(["connect", "disconnect"]),  # names python-socketio reserves for its own events
        st.sampled_from(["message", "session_confirm", "bot_uttered", "user_uttered ", "USER_UTTERED", "*", "/",
                         "user_uttered\x00"]),
        st.text(max_size=30),
        st.integers(),
    ),
    args=st.lists(ANY_JSON, max_size=3).map(tuple),
)
def test_events_with_other_names_are_ignored(conn: Connection, name: Any, args: Tuple[Any, ...]) -> None:
    assume(name not in ("user_uttered", "session_request"))
    session_id = new_session()
    conn.join(session_id)
    conn.sio.emit(name, args)  # no acknowledgement: these have no handler
    assert conn.barrier() == []
    assert_dropped(conn, session_id)


@fuzz(15)
@given(
    depth=st.integers(1, 500),
    kind=st.sampled_from(["list", "dict"]),
    place=st.sampled_from(["data", "message", "session_id", "metadata", "metadata value", "customData"]),
)
def test_deeply_nested_payloads_are_dropped_or_answered(conn: Connection, depth: int, kind: str, place: str) -> None:
    nested: Any = nested_lists(depth)
    if kind == "dict":
        nested = 1
        for _ in range(depth):
            nested = {"a": nested}
    session_id = new_session()
    data: Any = {"message": "hello", "session_id": session_id}
    if place == "data":
        data = nested
    elif place == "metadata value":
        data["metadata"] = {"x": nested}
    else:
        data[place] = nested
    conn.join(session_id)
    if place in ("metadata value", "customData") or (place == "metadata" and kind == "dict"):
        replies, tracker = conn.send(session_id, data)
        assert replies, f"no reply with {kind} nested {depth} deep in {place}"
        assert user_texts(tracker) == ["hello"]
    else:
        assert conn.call("user_uttered", data) is None
        assert_dropped(conn, session_id)


@fuzz(15)
@given(
    head=st.sampled_from(['2["user_uttered",', '2["session_request",', "2[", "2", "3", "21", "0/nope,", "2/nope,"]),
    body=st.one_of(
        # \x1e separates engine.io packets in a polling request: it would split this packet in two.
        st.text(alphabet=st.characters(exclude_characters="\x1e"), max_size=200),
        st.builds(lambda d: "[" * d + "]" * d, st.integers(900, 25_000)),  # nested past the JSON decoder's limit
        st.builds(lambda d: '{"a":' * d + "1" + "}" * d, st.integers(900, 9_000)),
    ),
    tail=st.sampled_from(["", "]", "}", "}]"]),
)
def test_raw_packets_do_not_harm_the_connection(conn: Connection, head: str, body: str, tail: str) -> None:
    """socket.io packets no client library would send; python-engineio logs those it cannot decode."""
    session_id = new_session()
    conn.join(session_id)
    conn.sio.eio.send(head + body + tail)
    conn.barrier()
    assert_dropped(conn, session_id)


# ------------------------------------------------- bugs found by fuzzing


def test_a_lone_surrogate_in_the_session_id_does_not_stop_the_server(conn: Connection) -> None:
    # The SQL tracker store took the encoding error for a missing database schema and exited.
    assert conn.call("user_uttered", {"message": "hello", "session_id": "\ud83d" + new_session()}) is None
    assert conn.call("session_request", {"session_id": "\udc00"}) is None
    assert conn.barrier() == []
    assert conn.drain(conn.replies) == []
    session_id = new_session()
    conn.join(session_id)
    assert "physical therapy" in texts(conn.ask(session_id, "what is myofascial release?"))


@pytest.mark.parametrize("metadata", [
    "[1, 2]", "5", "NaN", '{"x": NaN}', '{"x": 1e999}', "[" * 5_000 + "]" * 5_000,
    {"x": math.nan}, {"x": [math.inf]}, [1, 2],
], ids=["list text", "number text", "NaN text", "NaN in object text", "1e999 text", "deep text",
        "NaN", "Infinity in a list", "list"])
def test_metadata_that_is_not_an_object_of_finite_values_is_dropped(conn: Connection, metadata: Any) -> None:
    # Before: a non-object failed inside Rasa after the disclaimer (no answer),
    # deep nesting was an uncaught RecursionError, NaN made the tracker invalid JSON.
    session_id = new_session()
    conn.join(session_id)
    assert conn.call("user_uttered", {"message": "hello", "session_id": session_id, "metadata": metadata}) is None
    assert_dropped(conn, session_id)


@pytest.mark.parametrize("args", [(), ({"message": "hello"}, "more")], ids=["no argument", "two arguments"])
def test_user_uttered_with_a_wrong_number_of_arguments_is_dropped(conn: Connection, args: Tuple[Any, ...]) -> None:
    session_id = new_session()
    conn.join(session_id)
    if args:
        args = ({**args[0], "session_id": session_id}, *args[1:])
    assert conn.call("user_uttered", *args) is None
    assert_dropped(conn, session_id)


@pytest.mark.parametrize("args", [
    ("abc",), ([1],), (5,), ({"session_id": {"a": 1}},), ({"session_id": ["a"]},), ({"session_id": ""},),
    ({"session_id": "a\x00b"},), ({"session_id": "x"}, "more"),
], ids=["text", "list", "number", "object id", "list id", "empty id", "NUL in id", "two arguments"])
def test_session_request_with_junk_is_dropped(conn: Connection, args: Tuple[Any, ...]) -> None:
    assert conn.call("session_request", *args) is None
    assert conn.barrier() == []


def test_session_request_without_an_argument_gets_a_new_id(conn: Connection) -> None:
    assert conn.call("session_request") is None
    assert re.fullmatch("[0-9a-f]{32}", conn.confirms.get(timeout=10))


@pytest.mark.parametrize("packet", [
    '2["connect",{"x":1}]', '2["disconnect",{"x":1}]', '2["connect"]',
    "2", "2[]", "2{}", '2"x"', "2[[1]]", '2[{"a":1}]', "2[null]", "2[5]",
])
def test_events_with_a_reserved_name_or_no_name_are_dropped(conn: Connection, packet: str) -> None:
    # The stock connect/disconnect handlers got a client's event with the wrong
    # arguments (TypeError), and python-socketio failed on events without a string name.
    conn.sio.eio.send(packet)
    assert conn.barrier() == []
    assert conn.up
    assert conn.drain(conn.replies) == []


def test_an_event_too_large_for_one_polling_request_never_reaches_the_assistant(servers: KillableServers) -> None:
    # Whether the client's connection survives a refused oversized request depends on the
    # client library (python-engineio 4.7 dropped it, 4.13 keeps it); the server's part is
    # that nothing over 64 KB is taken in, and that it goes on answering (tested below).
    big = Connection(servers)
    session_id = new_session()
    big.join(session_id)
    big.sio.emit("user_uttered", {"message": "a" * 70_000, "session_id": session_id})
    time.sleep(3)
    close(big.sio)
    assert user_texts(big.api.tracker(session_id)) == []


# ------------------------------------------------------------- afterwards


def test_server_still_answers_and_keeps_history_after_fuzzing(
    servers: KillableServers, conn: Connection, earlier_conversation: Dict[str, Any],
) -> None:
    assert conn.up, "the shared connection survived the fuzzing"
    fresh = Connection(servers)
    session_id = new_session()
    fresh.join(session_id)
    assert "physical therapy" in texts(fresh.ask(session_id, "what is myofascial release?"))
    close(fresh.sio)

    earlier = earlier_conversation["session_id"]
    assert fresh.api.tracker(earlier)["events"] == earlier_conversation["events"], "history untouched by the fuzzing"
    again = Connection(servers)  # a page reload: same session id, new connection
    again.join(earlier)
    reply = texts(again.ask(earlier, "is it safe for her?"))
    close(again.sio)
    assert "frail older adults" in reply, "the earlier conversation continues with its slots"
    assert DISCLAIMER_MARK not in reply
    assert user_texts(again.api.tracker(earlier)) == [
        "what is myofascial release?", "my mother is 86 and quite frail", "is it safe for her?"]


def test_no_error_logged_during_the_whole_run(servers: KillableServers, log_start: int) -> None:
    time.sleep(1)  # asyncio reports a failed task only when it is collected
    errors = logged_errors(log_records(servers, log_start), decode_errors_expected=True)
    assert not errors, "\n".join(errors[:5])
