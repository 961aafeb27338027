"""Starts both servers and holds real conversations over HTTP.

Covers the full path: REST channel (with its validation), NLU, rules, the
action server and the SQLite tracker store.
"""

from __future__ import annotations

import uuid
import httpx
import pytest

from evaluation.heldout import conversations
from harness.servers import Servers
from harness.client import Client
from evaluation.conversations import last_turn, run_conversation

pytestmark = pytest.mark.integration


def new_sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


def texts(replies: list) -> str:
    return " ".join(r.get("text") or "" for r in replies)


def test_first_message_gets_the_disclaimer_then_a_grounded_answer(client: Client) -> None:
    replies = client.send(new_sender(), "what is myofascial release?")
    assert "can't diagnose" in replies[0]["text"]
    assert "999" in replies[0]["text"], "the emergency number comes from configuration"
    answer = next(r for r in replies if "From:" in (r.get("text") or ""))
    assert replies[-1]["text"] == "Was this helpful?", "the answer is followed by the thumbs"
    assert "physical therapy" in answer["text"]
    assert "From: the article's introduction" in answer["text"]
    assert {"title": "Tell me more", "payload": "/more_detail"} in answer["buttons"]


def test_disclaimer_only_once_per_conversation(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "hello")
    second = client.send(sender, "what are trigger points")
    assert not any("can't diagnose" in (r.get("text") or "") for r in second)


def test_profile_facts_fill_slots_and_shape_later_answers(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "my mother is 86 and quite frail, and she is allergic to massage oil")
    slots = client.tracker(sender)["slots"]
    assert set(slots["risk_factors"]) == {"frail_older_adult", "oil_allergy"}
    reply = texts(client.send(sender, "and is it safe for her?"))
    assert "frail older adults" in reply
    assert "allergic reaction" in reply
    assert "healthcare provider should evaluate this" in reply
    assert last_turn(client.tracker(sender))["intent"] == "risks"


def test_negated_symptoms_fill_nothing(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "no trouble sleeping though, and I'm not frail")
    slots = client.tracker(sender)["slots"]
    assert not slots.get("symptoms")
    assert not slots.get("risk_factors")


def test_red_flag_inside_a_question_gets_the_emergency_reply(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "how does a session work?")
    replies = client.send(sender, "my arm went numb on one side, is that a trigger point?")
    info = last_turn(client.tracker(sender))
    assert info["intent"] == "emergency"
    assert info["responses"] == ["utter_emergency"]
    assert "999" in texts(replies)


def test_negated_red_flag_gets_a_normal_answer(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "no chest pain, just a stiff neck. what is myofascial release?")
    assert "utter_emergency" not in last_turn(client.tracker(sender))["responses"]


def test_human_handoff_gives_the_clinic_contact(client: Client) -> None:
    sender = new_sender()
    reply = texts(client.send(sender, "can I talk to a real person please"))
    assert "+1 555 0100" in reply


def test_off_topic_gets_the_scope_reply(client: Client) -> None:
    sender = new_sender()
    client.send(sender, "what's the weather in Paris tomorrow?")
    assert last_turn(client.tracker(sender))["responses"] == ["utter_out_of_scope"]


@pytest.mark.parametrize(
    "body, status",
    [
        pytest.param(b'{"message": "hello"}', 400, id="no sender"),
        pytest.param(b'{"sender": "", "message": "hello"}', 400, id="empty sender"),
        pytest.param(b'{"sender": "x"}', 400, id="no message"),
        pytest.param(b'{"sender": "x", "message": 42}', 400, id="message not a string"),
        pytest.param(b'{"sender": "x", "message": {"a": [1, 2]}}', 400, id="message an object"),
        pytest.param(b"not json at all", 400, id="not json"),
        pytest.param(b"\xff\xfe\x00binary", 400, id="binary"),
        pytest.param(b'["sender", "message"]', 400, id="json array"),
        pytest.param(b'{"sender": "x", "message": "' + b"a" * 70_000 + b'"}', 413, id="body over 64 KB"),
    ],
)
def test_malformed_requests_get_a_clear_4xx(servers: Servers, body: bytes, status: int) -> None:
    r = httpx.post(f"{servers.url}/webhooks/rest/webhook", content=body,
                   headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == status
    assert r.status_code != 500


@pytest.mark.parametrize(
    "message, expected",
    [
        pytest.param("", "utter_input_empty", id="empty"),
        pytest.param("   \n\t ", "utter_input_empty", id="whitespace"),
        pytest.param("what is " * 2500, "utter_input_too_long", id="20000 characters"),
        pytest.param("😀😀😀", "utter_unclear_input", id="emoji only"),
        pytest.param("что такое миофасциальный релиз", "utter_non_english", id="russian"),
        pytest.param("¿Qué es la liberación miofascial y para qué sirve?", "utter_non_english", id="spanish"),
    ],
)
def test_bad_input_gets_a_friendly_reply(client: Client, message: str, expected: str) -> None:
    sender = new_sender()
    replies = client.send(sender, message)
    assert replies, "the user always gets a reply"
    assert last_turn(client.tracker(sender))["responses"][-1] == expected


def test_hostile_html_is_treated_as_text(client: Client) -> None:
    sender = new_sender()
    replies = client.send(sender, "<script>alert(1)</script> what are the risks of myofascial release?")
    assert "bruising" in texts(replies)


def test_server_still_answers_and_keeps_history_after_bad_input(client: Client, servers: Servers) -> None:
    sender = new_sender()
    client.send(sender, "what is myofascial pain syndrome")
    before = len(client.tracker(sender)["events"])
    httpx.post(f"{servers.url}/webhooks/rest/webhook", content=b"{broken", timeout=10)
    client.send(new_sender(), "x" * 20_000)
    reply = texts(client.send(sender, "what are the symptoms?"))
    assert "dull, aching" in reply
    events = client.tracker(sender)["events"]
    assert len(events) > before
    assert [e["text"] for e in events if e["event"] == "user"][:1] == ["what is myofascial pain syndrome"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/conversations/someone/tracker"),
        ("POST", "/conversations/someone/messages"),
        ("GET", "/status"),
        ("GET", "/domain"),
        ("PUT", "/model"),
        ("POST", "/model/train"),
        ("POST", "/model/parse"),
    ],
)
def test_http_api_refuses_requests_without_the_token(servers: Servers, method: str, path: str) -> None:
    r = httpx.request(method, f"{servers.url}{path}", content=b"{}", timeout=10)
    assert r.status_code in (401, 403)
    with_wrong_token = httpx.request(method, f"{servers.url}{path}", params={"token": "wrong"},
                                     content=b"{}", timeout=10)
    assert with_wrong_token.status_code in (401, 403)


def test_held_out_conversations(client: Client) -> None:
    """Held-out multi-turn dialogues (tests/data/conversations.yml)."""
    results = []
    for conversation in conversations():
        results += run_conversation(client, conversation, new_sender())
    failed = [r for r in results if not r.ok]
    rate = 1 - len(failed) / len(results)
    names = {r.conversation for r in results}
    whole = 1 - len({r.conversation for r in failed}) / len(names)
    report = "\n".join(f"{r.conversation}: {r.user!r}: {r.problems}" for r in failed)
    print(f"\nheld-out conversation turns passed: {rate:.3f} ({len(results) - len(failed)}/{len(results)}), "
          f"whole conversations: {whole:.3f} of {len(names)}\n{report}")
    # Measured 0.964 of turns (54/56) and 0.90 of whole conversations (18/20) on 2026-12-05, after the
    # learned detector's screen band stopped asking about messages that name nobody (the weather question);
    # 0.946 and 0.85 before, DIET 0.929 of turns. The model issue's targets are 0.95 and 0.9: the floors
    # sit at the targets, one turn under today's figures.
    assert rate >= 0.95, report
    assert whole >= 0.9, report
