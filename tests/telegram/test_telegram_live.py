"""The Telegram channel against live servers and a fake Bot API on 127.0.0.1."""

from __future__ import annotations

import time
from typing import Any, Dict, List

import httpx
import pytest

from harness.client import Client
from tests.telegram import updates
from tests.telegram.helpers import SECRET, TOKEN, WEBHOOK_URL, Live

pytestmark = pytest.mark.integration

WEBHOOK = "/webhooks/telegram/webhook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def post(live: Live, body: Any, secret: "str | None" = SECRET) -> httpx.Response:
    headers = {HEADER: secret} if secret is not None else {}
    if isinstance(body, (bytes, str)):
        headers["Content-Type"] = "application/json"
        return httpx.post(live.telegram.url + WEBHOOK, content=body, headers=headers, timeout=30)
    return httpx.post(live.telegram.url + WEBHOOK, json=body, headers=headers, timeout=30)


def say(live: Live, chat_id: int, update: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Posts an update and returns the sendMessage calls it caused (the webhook answers after replying)."""
    before = len(live.fake.sent_to(chat_id))
    r = post(live, update)
    assert r.status_code == 200, r.text
    return live.fake.sent_to(chat_id)[before:]


def check_telegram_shape(sent: List[Dict[str, Any]]) -> None:
    for params in sent:
        text = params["text"]
        assert 0 < len(text.encode("utf-16-le")) // 2 < 4096
        assert "parse_mode" not in params  # plain text: nothing for Telegram to reject as HTML


def test_set_webhook_was_called_at_start_up(live: Live) -> None:
    calls = live.fake.wait_for(lambda: live.fake.calls_to("setWebhook"))
    params = calls[0].params
    assert calls[0].token == TOKEN
    assert params["url"] == WEBHOOK_URL
    assert params["secret_token"] == SECRET
    assert {"message", "callback_query"} <= set(params["allowed_updates"])
    assert live.fake.calls_to("getMe")


def test_start_question_and_button_press(live: Live) -> None:
    chat = updates.new_chat_id()

    first = say(live, chat, updates.message(chat, "/start"))
    assert "can't diagnose" in first[0]["text"]  # the disclaimer, from the session start
    assert "999" in first[0]["text"]
    assert "What would you like to know" in first[-1]["text"]  # /start arrived as a greeting

    answer = say(live, chat, updates.message(chat, "what are the risks of myofascial release?"))
    assert "bruising" in " ".join(m["text"] for m in answer)
    grounded = next(m for m in answer if "From:" in m["text"])
    assert answer[-1]["text"] == "Was this helpful?"
    thumbs = [b["callback_data"] for row in answer[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert thumbs == ["/feedback_helpful", "/feedback_unhelpful"]
    keyboard = grounded["reply_markup"]["inline_keyboard"]
    buttons = [b for row in keyboard for b in row]
    assert {"text": "Tell me more", "callback_data": "/more_detail"} in buttons
    assert {b["callback_data"] for b in buttons} >= {"/who_benefits", "/evidence", "/see_doctor"}

    # Press "Tell me more" on the message the bot sent (as the Bot API returned it).
    pressed = [c for c in live.fake.calls_to("sendMessage", chat)
               if c.params.get("reply_markup") and c.params.get("text") != "Was this helpful?"][-1]
    bot_message = {
        "message_id": 77, "date": int(time.time()), "text": pressed.params["text"],
        "from": {"id": 123, "is_bot": True, "first_name": "MFR assistant", "username": live.fake.bot_username},
        "chat": {"id": chat, "type": "private", "first_name": "Pat"},
        "reply_markup": pressed.params["reply_markup"],
    }
    update = updates.callback(chat, "/more_detail", bot_message)
    more = say(live, chat, update)
    assert "usually well tolerated" in " ".join(m["text"] for m in more)
    answered = live.fake.calls_to("answerCallbackQuery")
    assert update["callback_query"]["id"] in [c.params["callback_query_id"] for c in answered]

    check_telegram_shape(first + answer + more)
    assert all(m["chat_id"] == str(chat) for m in first + answer + more)

    # "Was this helpful?" -> 👎: the message is edited to show the choice, and the bot asks what they looked for.
    thumbs_message = {
        "message_id": 78, "date": int(time.time()), "text": answer[-1]["text"],
        "from": {"id": 123, "is_bot": True, "first_name": "MFR assistant", "username": live.fake.bot_username},
        "chat": {"id": chat, "type": "private", "first_name": "Pat"},
        "reply_markup": answer[-1]["reply_markup"],
    }
    asked = say(live, chat, updates.callback(chat, "/feedback_unhelpful", thumbs_message))
    assert "What were you looking for?" in " ".join(m["text"] for m in asked)
    [edit] = [c for c in live.fake.calls_to("editMessageText", chat) if c.params.get("message_id") in (78, "78")]
    assert edit.params["text"] == "Was this helpful?\n» 👎 No"
    assert not edit.params.get("reply_markup"), "the thumbs are gone once one is chosen"
    stored = Client(live.telegram.url, live.telegram.token).tracker(str(chat))
    rated = [e for e in stored["events"] if e["event"] == "user" and e.get("text") == "/feedback_unhelpful"]
    assert rated and rated[0]["input_channel"] == "telegram", "the rating is stored in the conversation"


def test_missing_or_wrong_secret_is_refused_and_nothing_is_sent(live: Live) -> None:
    chat = updates.new_chat_id()
    for secret in (None, "wrong", "s3cre", SECRET + "x", ""):
        r = post(live, updates.message(chat, "/start"), secret=secret)
        assert r.status_code == 403, (secret, r.text)
    assert live.fake.sent_to(chat) == []
    assert live.fake.calls_to("sendMessage", chat) == []


@pytest.mark.parametrize(
    "body",
    [
        b"this is not json",
        b"[1, 2, 3]",
        b'"a string"',
        b"{}",
        b'{"update_id": "7", "message": {"chat": {"id": 1}}}',
        b'{"update_id": 7, "message": "hello"}',
        b'{"update_id": 8, "message": {"text": "hi", "chat": {"id": "x"}}}',
        b'{"update_id": 9, "callback_query": {"id": 5, "data": "/risks"}}',
        b'{"update_id": 10, "my_chat_member": {"chat": {"id": 1, "type": "private"}}}',
    ],
)
def test_unusable_updates_get_200_and_nothing_happens(live: Live, body: bytes) -> None:
    before = len(live.fake.calls_to("sendMessage"))
    r = post(live, body)
    assert r.status_code == 200
    assert r.json()["status"] == "ignored"
    assert len(live.fake.calls_to("sendMessage")) == before


def test_group_chats_are_not_answered(live: Live) -> None:
    group = -updates.new_chat_id()
    r = post(live, updates.message(group, "what are the risks of myofascial release?", chat_type="group"))
    assert r.status_code == 200 and r.json()["status"] == "ignored"
    assert live.fake.sent_to(group) == []


def test_a_redelivered_update_is_answered_once(live: Live) -> None:
    chat = updates.new_chat_id()
    update = updates.message(chat, "what is myofascial release?")
    first = say(live, chat, update)
    assert first
    assert say(live, chat, update) == []


def test_a_photo_without_words_gets_the_empty_input_reply(live: Live) -> None:
    chat = updates.new_chat_id()
    say(live, chat, updates.message(chat, "hello"))
    sent = say(live, chat, updates.message(chat, None, photo=[{"file_id": "AgAC", "file_unique_id": "x",
                                                               "width": 90, "height": 90}]))
    assert "didn't receive any text" in sent[-1]["text"]


def test_server_without_token_starts_and_answers_503(live: Live) -> None:
    url = live.no_token.url + WEBHOOK
    for method in ("POST", "GET"):
        r = httpx.request(method, url, json=updates.message(1, "/start"), timeout=30)
        assert r.status_code == 503
        assert r.json() == {"error": "telegram not configured"}
    r = httpx.post(url, json=updates.message(1, "/start"), headers={HEADER: SECRET}, timeout=30)
    assert r.status_code == 503
    # The rest of the server works.
    replies = Client(live.no_token.url, live.no_token.token).send("tg-off", "what are the risks of myofascial release?")
    assert "bruising" in " ".join(r.get("text") or "" for r in replies)
    # And it never talked to a Bot API.
    assert "Telegram webhook registered" not in (live.no_token.workdir / "rasa.log").read_text()


# ---------------------------------------------------------------- the red-flag screen in Telegram


def _press(live: Live, chat: int, data: str) -> List[Dict[str, Any]]:
    """Presses the button `data` on the last message with a keyboard."""
    pressed = [c for c in live.fake.calls_to("sendMessage", chat)
               if c.params.get("reply_markup") and c.params.get("text") != "Was this helpful?"][-1]
    bot_message = {
        "message_id": 78, "date": int(time.time()), "text": pressed.params["text"],
        "from": {"id": 123, "is_bot": True, "first_name": "MFR assistant", "username": live.fake.bot_username},
        "chat": {"id": chat, "type": "private", "first_name": "Pat"},
        "reply_markup": pressed.params["reply_markup"],
    }
    return say(live, chat, updates.callback(chat, data, bot_message))


def _screened(live: Live) -> int:
    from harness.client import grey_message

    chat = updates.new_chat_id()
    say(live, chat, updates.message(chat, "/start"))
    sent = say(live, chat, updates.message(chat, grey_message(Client(live.telegram.url, live.telegram.token))))
    screen = sent[-1]
    assert "Before I answer" in screen["text"]
    keyboard = [b for row in screen["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["callback_data"] for b in keyboard] == ["/affirm", "/deny"]
    return chat


def test_yes_on_the_screen_keyboard_gives_the_emergency_reply(live: Live) -> None:
    chat = _screened(live)
    reply = " ".join(m["text"] for m in _press(live, chat, "/affirm"))
    assert "could be a medical emergency" in reply and "999" in reply
    assert "{" not in reply and "kind" not in reply, "the widget's marker is not sent to Telegram"


def test_no_on_the_screen_keyboard_answers_with_the_safety_net(live: Live) -> None:
    chat = _screened(live)
    sent = _press(live, chat, "/deny")
    assert any("If it suddenly gets worse" in m["text"] for m in sent)
    assert not any("could be a medical emergency" in m["text"] for m in sent)
    check_telegram_shape(sent)
