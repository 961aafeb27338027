"""Hypothesis fuzzing of POST /webhooks/rest/webhook on live servers.

Every request gets 200, 400 or 413, never a 500; a 200 is a JSON list of bot
messages; and the server keeps answering and keeps its conversations. The
expected status of each generated body is known by construction (valid
fields give 200, any invalid or missing field 400, a body over 64 KB 413).

Bugs it found (deep nesting gave 500, a lone surrogate lost the message,
NaN metadata broke the tracker JSON) have their own tests below.
"""

from __future__ import annotations

import atexit
import itertools
import json
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from harness.client import Client

from .helpers import DISCLAIMER_MARK, KillableServers, running_servers, texts, user_texts

pytestmark = pytest.mark.integration

MAX_BODY = 64 * 1024
RUN = uuid.uuid4().hex[:8]
_senders = itertools.count()

# Hypothesis caches (unicode tables, constants) go to a temporary folder, not to .hypothesis/ in the project.
_HYPOTHESIS_HOME = tempfile.mkdtemp(prefix="mfr-hypothesis-")
set_hypothesis_home_dir(_HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, _HYPOTHESIS_HOME, ignore_errors=True)

_FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,  # no .hypothesis/ folder in the project
    print_blob=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


def fuzz(examples: int) -> settings:
    """The shared settings with this test's share of the ~150 examples."""
    return settings(_FUZZ, max_examples=examples)

# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KillableServers]:
    with running_servers(Path(tmp_path_factory.mktemp("fuzz"))) as s:
        yield s


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def earlier_conversation(servers: KillableServers) -> Dict[str, Any]:
    """A conversation held before any fuzzing; the last test checks it is intact."""
    client = Client(servers.url, servers.token)
    sender = f"before-fuzz-{RUN}"
    client.send(sender, "what is myofascial release?")
    client.send(sender, "my mother is 86 and quite frail")
    tracker = client.tracker(sender)
    assert user_texts(tracker) == ["what is myofascial release?", "my mother is 86 and quite frail"]
    return {"sender": sender, "events": tracker["events"]}


def new_sender() -> str:
    return f"fz-{RUN}-{next(_senders)}"


def post(http: httpx.Client, servers: KillableServers, body: bytes, **headers: str) -> httpx.Response:
    return http.post(f"{servers.url}/webhooks/rest/webhook", content=body,
                     headers={"Content-Type": "application/json", **headers})


def check_status(r: httpx.Response, expected: int, body: Any) -> None:
    assert r.status_code != 500, f"500 for body {str(body)[:300]!r}: {r.text[:300]}"
    assert r.status_code in (200, 400, 413)
    assert r.status_code == expected, f"{r.status_code} (expected {expected}) for {str(body)[:300]!r}: {r.text[:200]}"
    if r.status_code == 200:
        assert isinstance(r.json(), list), r.text[:300]


# -------------------------------------------------------------- strategies

MISSING = object()  # the field is left out of the body

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=300)
CONTROL_TEXT = st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp")), min_size=1, max_size=50)
MIXED_TEXT = st.lists(st.one_of(ANY_TEXT, CONTROL_TEXT, st.sampled_from(["what is myofascial release?", "<b>", "/"])),
                      min_size=1, max_size=4).map("".join)
LONG_TEXT = st.builds(
    lambda chunk, n: (chunk * (n // len(chunk) + 1))[:n],
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=1, max_size=40),
    st.integers(1_001, 30_000),
)
MESSAGE_TEXT = st.one_of(ANY_TEXT, CONTROL_TEXT, MIXED_TEXT, LONG_TEXT)


def nested_lists(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)
NOT_A_STRING = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
    st.lists(JSON_VALUES, max_size=3), st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=3),
    st.just(nested_lists(50)),
)
BAD_SENDER = st.one_of(
    NOT_A_STRING,
    st.just(MISSING),
    st.sampled_from(["", " ", "\t\n"]),
    st.text(alphabet="abc", min_size=129, max_size=300),  # too long
    st.builds(lambda a, c, b: a + c + b, st.text(alphabet="xyz", max_size=5),
              st.characters(categories=("Cc", "Zl", "Zp")), st.text(alphabet="xyz", max_size=5)),  # not printable
)
BAD_MESSAGE = st.one_of(NOT_A_STRING, st.just(MISSING))
GOOD_MESSAGE = st.one_of(st.sampled_from(["what are trigger points?", "hello", "is it safe?"]), ANY_TEXT)
BAD_METADATA = st.one_of(
    st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20),
    st.lists(JSON_VALUES, max_size=3), st.just(nested_lists(50)),
)
GOOD_METADATA = st.one_of(st.just(MISSING), st.none(), st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4))
EXTRA_FIELDS = st.dictionaries(
    st.text(max_size=12).filter(lambda k: k not in ("sender", "message", "metadata")), JSON_VALUES, max_size=3,
)


def body_of(fields: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not MISSING}


# ------------------------------------------------------------------- tests


@fuzz(45)
@given(text=MESSAGE_TEXT, ascii_only=st.booleans())
def test_any_text_message_is_answered_and_stored(
    servers: KillableServers, http: httpx.Client, earlier_conversation: Dict[str, Any], text: str, ascii_only: bool,
) -> None:
    sender = new_sender()
    body = json.dumps({"sender": sender, "message": text}, ensure_ascii=ascii_only).encode("utf-8")
    expected = 413 if len(body) > MAX_BODY else 200
    r = post(http, servers, body)
    check_status(r, expected, text)
    if expected == 413:
        return
    replies = r.json()
    assert all(isinstance(m, dict) and m.get("recipient_id") == sender for m in replies)
    assert DISCLAIMER_MARK in (replies[0].get("text") or ""), "a new conversation opens with the disclaimer"
    assert len(replies) >= 2, f"only the disclaimer, no answer, for {text[:200]!r}"
    tracker = Client(servers.url, servers.token).tracker(sender)
    assert user_texts(tracker) == [text.strip()], "the message is stored as sent (Rasa strips whitespace)"


@fuzz(40)
@given(
    sender=st.one_of(st.just("VALID"), BAD_SENDER),
    message=st.one_of(GOOD_MESSAGE, BAD_MESSAGE),
    metadata=st.one_of(GOOD_METADATA, BAD_METADATA),
    extra=EXTRA_FIELDS,
)
def test_wrong_types_and_missing_fields_get_400(
    servers: KillableServers, http: httpx.Client, sender: Any, message: Any, metadata: Any, extra: Dict[str, Any],
) -> None:
    valid = sender == "VALID" and isinstance(message, str) and (
        metadata is MISSING or metadata is None or isinstance(metadata, dict))
    if sender == "VALID":
        sender = new_sender()
    payload = {**extra, **body_of({"sender": sender, "message": message, "metadata": metadata})}
    body = json.dumps(payload).encode("utf-8")
    r = post(http, servers, body)
    check_status(r, 200 if valid else 400, payload)
    if valid:
        assert r.json(), "a valid request always gets a reply"
    else:
        assert "error" in r.json()


@fuzz(20)
@given(
    depth=st.integers(1, 500),
    kind=st.sampled_from(["list", "dict"]),
    place=st.sampled_from(["body", "sender", "message", "metadata", "metadata value"]),
)
def test_deeply_nested_json_is_refused_or_answered(
    servers: KillableServers, http: httpx.Client, depth: int, kind: str, place: str,
) -> None:
    nested = "[" * depth + "]" * depth if kind == "list" else '{"a":' * depth + "1" + "}" * depth
    sender = json.dumps(new_sender())
    bodies = {
        "body": nested,
        "sender": f'{{"sender": {nested}, "message": "hi"}}',
        "message": f'{{"sender": {sender}, "message": {nested}}}',
        "metadata": f'{{"sender": {sender}, "message": "hi", "metadata": {nested}}}',
        "metadata value": f'{{"sender": {sender}, "message": "hi", "metadata": {{"x": {nested}}}}}',
    }
    valid = place == "metadata value" or (place == "metadata" and kind == "dict")
    check_status(post(http, servers, bodies[place].encode()), 200 if valid else 400, bodies[place][:200])


def parses_to_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body.decode("utf-8")), dict)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False


@fuzz(30)
@given(
    prefix=st.sampled_from([b"", b"{", b"[", b'{"sender": "fz-bytes", "message": "', b"\xef\xbb\xbf", b'"']),
    noise=st.binary(max_size=4096),
    content_type=st.sampled_from(["application/json", "text/plain", "application/octet-stream"]),
)
def test_random_bytes_get_400(
    servers: KillableServers, http: httpx.Client, prefix: bytes, noise: bytes, content_type: str,
) -> None:
    body = prefix + noise
    r = post(http, servers, body, **{"Content-Type": content_type})
    if parses_to_object(body):  # a lucky valid object: refused or answered, never a crash
        assert r.status_code in (200, 400), r.text[:200]
    else:
        check_status(r, 400, body)


@fuzz(15)
@given(
    size=st.integers(MAX_BODY + 1, 400_000),
    shape=st.sampled_from(["valid json", "brackets", "letters", "bytes"]),
    chunked=st.booleans(),
)
def test_oversized_bodies_get_413(
    servers: KillableServers, http: httpx.Client, size: int, shape: str, chunked: bool,
) -> None:
    if shape == "valid json":
        head = json.dumps({"sender": new_sender(), "message": ""}).encode()[:-2]
        body = head + b"a" * (size - len(head) - 2) + b'"}'
    elif shape == "brackets":
        body = b"[" * (size // 2) + b"]" * (size - size // 2)
    elif shape == "letters":
        body = b"a" * size
    else:
        body = bytes(range(256)) * (size // 256 + 1)
    body = body[:size]
    assert len(body) == size
    content: Any = (body[i:i + 8192] for i in range(0, size, 8192)) if chunked else body
    r = http.post(f"{servers.url}/webhooks/rest/webhook", content=content, headers={"Content-Type": "application/json"})
    check_status(r, 413, f"{shape}, {size} bytes, chunked={chunked}")


@pytest.mark.parametrize("extra, expected", [(0, 200), (1, 413)], ids=["exactly 64 KB", "64 KB + 1"])
def test_body_size_limit_boundary(servers: KillableServers, http: httpx.Client, extra: int, expected: int) -> None:
    sender = new_sender()
    head = json.dumps({"sender": sender, "message": ""}).encode()[:-2]
    body = head + b"a" * (MAX_BODY + extra - len(head) - 2) + b'"}'
    assert len(body) == MAX_BODY + extra
    r = post(http, servers, body)
    check_status(r, expected, f"{len(body)} bytes")
    if expected == 200:
        assert "shorten" in texts(r.json()).lower() or len(r.json()) >= 2


# ------------------------------------------------- bugs found by fuzzing


@pytest.mark.parametrize("depth", [1_000, 10_000, 30_000])
def test_json_nested_beyond_the_recursion_limit_gets_400_not_500(
    servers: KillableServers, http: httpx.Client, depth: int,
) -> None:
    body = b"[" * depth + b"]" * depth
    check_status(post(http, servers, body), 400, f"{depth} nested lists")


@pytest.mark.parametrize("escape", ["\\ud83d", "\\udc00"])
def test_lone_surrogate_in_message_is_refused_or_answered(
    servers: KillableServers, http: httpx.Client, escape: str,
) -> None:
    client = Client(servers.url, servers.token)
    sender = new_sender()
    client.send(sender, "hello")
    body = f'{{"sender": "{sender}", "message": "what is myofascial release? {escape}"}}'.encode()
    r = post(http, servers, body)
    assert r.status_code in (200, 400), r.text[:200]
    if r.status_code == 200:
        assert r.json(), "the user gets no reply at all"
        assert len(user_texts(client.tracker(sender))) == 2, "the message is not stored"


def strict_json(text: str) -> Optional[Any]:
    def refuse(token: str) -> Any:
        raise ValueError(f"not JSON: {token}")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_non_finite_metadata_does_not_break_the_tracker_json(
    servers: KillableServers, http: httpx.Client, value: str,
) -> None:
    sender = new_sender()
    body = f'{{"sender": "{sender}", "message": "hello", "metadata": {{"x": {value}}}}}'.encode()
    r = post(http, servers, body)
    assert r.status_code in (200, 400)
    tracker = httpx.get(f"{servers.url}/conversations/{sender}/tracker", params={"token": servers.token}, timeout=10)
    strict_json(tracker.text)


# ------------------------------------------------------------- afterwards


def test_server_still_answers_and_keeps_history_after_fuzzing(
    servers: KillableServers, earlier_conversation: Dict[str, Any],
) -> None:
    assert servers.rasa_proc is not None and servers.rasa_proc.poll() is None, "the Rasa server died"
    client = Client(servers.url, servers.token)
    reply = texts(client.send(new_sender(), "what is myofascial release?"))
    assert "physical therapy" in reply

    sender = earlier_conversation["sender"]
    assert client.tracker(sender)["events"] == earlier_conversation["events"], "history untouched by the fuzzing"
    reply = texts(client.send(sender, "is it safe for her?"))
    assert "frail older adults" in reply, "the earlier conversation continues with its slots"
    assert DISCLAIMER_MARK not in reply
    assert user_texts(client.tracker(sender)) == [
        "what is myofascial release?", "my mother is 86 and quite frail", "is it safe for her?"]
