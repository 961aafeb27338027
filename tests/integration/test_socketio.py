"""The website's socket.io channel: origin allow-list, replies, session persistence."""

from __future__ import annotations

import queue
import uuid

import pytest
import socketio

from harness.servers import Servers
from harness.client import Client

pytestmark = pytest.mark.integration


def connect(servers: Servers, origin: str) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    # The polling transport: python-engineio's websocket client does not work
    # with Rasa's aiohttp pin (team notes); the server side is the same.
    sio.connect(servers.url, headers={"Origin": origin}, transports=["polling"], wait_timeout=10)
    return sio


def close(sio: socketio.Client) -> None:
    """Leaves as a closed browser tab does: the server is told at once (engine.io's close packet ends every
    namespace), and nothing waits for the long poll in flight. `sio.disconnect()` would wait for it, that is
    until the server's next ping (about 28 s a call, measured), which once made these tests the slowest of all."""
    sio.eio.disconnect(abort=True)


def ask(sio: socketio.Client, session_id: str, text: str, replies: "queue.Queue[dict]") -> list:
    sio.emit("user_uttered", {"message": text, "session_id": session_id})
    got = [replies.get(timeout=30)]
    while True:
        try:
            got.append(replies.get(timeout=1.5))
        except queue.Empty:
            return got


def open_session(servers: Servers, session_id: str) -> "tuple[socketio.Client, queue.Queue[dict]]":
    sio = connect(servers, "http://localhost:8080")
    replies: "queue.Queue[dict]" = queue.Queue()
    confirmed: "queue.Queue[str]" = queue.Queue()
    sio.on("bot_uttered", replies.put)
    sio.on("session_confirm", confirmed.put)
    sio.emit("session_request", {"session_id": session_id})
    assert confirmed.get(timeout=10) == session_id
    return sio, replies


def test_a_foreign_origin_is_refused(servers: Servers) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(servers, "https://evil.example")


def test_answers_and_keeps_the_conversation_across_a_reconnect(servers: Servers, client: Client) -> None:
    session_id = uuid.uuid4().hex
    sio, replies = open_session(servers, session_id)
    first = ask(sio, session_id, "what is myofascial release?", replies)
    assert "can't diagnose" in first[0]["text"]
    answer = next(m for m in first if "From:" in (m.get("text") or ""))
    assert any(b["payload"] == "/more_detail" for b in answer.get("quick_replies") or answer.get("buttons", []))
    close(sio)

    sio, replies = open_session(servers, session_id)  # a page reload: same session id
    more = ask(sio, session_id, "tell me more", replies)
    assert "Most sessions happen as part of a massage therapy appointment" in " ".join(r["text"] for r in more)
    close(sio)
    users = [e["text"] for e in client.tracker(session_id)["events"] if e["event"] == "user"]
    assert users == ["what is myofascial release?", "tell me more"]


def test_malformed_events_are_dropped_and_the_channel_keeps_working(servers: Servers) -> None:
    session_id = uuid.uuid4().hex
    sio, replies = open_session(servers, session_id)
    for bad in ["just a string", 42, {"message": 7, "session_id": session_id}, {"message": "x", "session_id": ["a"]}]:
        sio.emit("user_uttered", bad)
    answer = ask(sio, session_id, "what are trigger points?", replies)
    assert "distinct spots" in " ".join(r["text"] for r in answer)
    close(sio)


@pytest.mark.parametrize("answer, expected", [("/affirm", "could be a medical emergency"),
                                              ("/deny", "If it suddenly gets worse")])
def test_the_red_flag_screen_over_socketio(servers: Servers, client: Client, answer: str, expected: str) -> None:
    from harness.client import grey_message

    session_id = uuid.uuid4().hex
    sio, replies = open_session(servers, session_id)
    screen = ask(sio, session_id, grey_message(client), replies)[-1]
    assert "Before I answer" in screen["text"]
    assert [b["payload"] for b in screen.get("quick_replies") or screen["buttons"]] == ["/affirm", "/deny"]
    after = ask(sio, session_id, answer, replies)
    assert expected in " ".join(r.get("text") or "" for r in after)
    if answer == "/affirm":
        assert {"kind": "emergency"} in [r.get("custom") for r in after], "the widget's alert marker"
    close(sio)
