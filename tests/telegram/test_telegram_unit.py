"""The Telegram channel's pure parts, and its output against the fake Bot API (no Rasa server)."""

from __future__ import annotations

import asyncio
import re
from typing import Iterator

import pytest

import channels.telegram.webhook as telegram_channel
from channels.telegram import TelegramChannel
from channels.telegram.formatting import (
    MAX_PART_CHARS,
    TELEGRAM_MAX_CHARS,
    keyboard_markup,
    split_message,
    telegram_length,
)
from channels.telegram.output import TelegramBotOutput
from channels.telegram.settings import TelegramSettings
from channels.telegram.updates import parse_update, user_text
from harness.servers import free_port
from tests.telegram import updates
from tests.telegram.fake_bot_api import FakeBotAPI

SENTENCE = "Myofascial release is a hands-on technique that applies gentle sustained pressure to the fascia. "


def words(text: str) -> list:
    return text.split()


def long_text(total: int = 10_000) -> str:
    paragraphs = []
    size = 0
    n = 0
    while size < total:
        n += 1
        para = " ".join(f"Paragraph {n} sentence {i}: {SENTENCE.strip()}" for i in range(1, 6))
        paragraphs.append(para)
        size += len(para) + 2
    return "\n\n".join(paragraphs)[:total].rsplit(" ", 1)[0] + "."


def test_splitter_10000_chars_on_paragraph_boundaries() -> None:
    text = long_text(10_000)
    assert 9_900 < len(text) <= 10_000
    parts = split_message(text)
    assert len(parts) == 3  # as few parts as fit
    assert all(telegram_length(p) <= MAX_PART_CHARS < TELEGRAM_MAX_CHARS for p in parts)
    assert words(" ".join(parts)) == words(text)  # nothing lost, nothing reordered
    paragraphs = text.split("\n\n")
    for part in parts[:-1]:
        assert part.split("\n\n")[-1] in paragraphs  # every cut falls between paragraphs


def test_splitter_one_long_paragraph_is_cut_at_sentence_ends() -> None:
    text = (SENTENCE * 110).strip()
    assert len(text) > 10_000
    parts = split_message(text)
    assert len(parts) == 3
    assert all(p.endswith(".") and telegram_length(p) <= MAX_PART_CHARS for p in parts)
    assert words(" ".join(parts)) == words(text)


def test_splitter_cuts_a_huge_word_and_counts_utf16() -> None:
    blob = "x" * 10_000
    parts = split_message(blob)
    assert "".join(parts) == blob and all(len(p) <= MAX_PART_CHARS for p in parts)
    emoji = "\N{FLEXED BICEPS}" * 3_000  # 2 UTF-16 units each
    parts = split_message(emoji)
    assert "".join(parts) == emoji
    assert all(telegram_length(p) <= MAX_PART_CHARS for p in parts) and len(parts) == 2


def test_splitter_short_and_empty() -> None:
    assert split_message("  Hello.\n\nFrom: the article  ") == ["Hello.\n\nFrom: the article"]
    assert split_message("") == [] and split_message(" \n ") == []
    assert split_message("a b c d e f", limit=5) == ["a b c", "d e f"]


def test_keyboards() -> None:
    buttons = [{"title": "Tell me more", "payload": "/more_detail"}, {"title": "Is it safe?", "payload": "/risks"}]
    assert keyboard_markup(buttons) == {"inline_keyboard": [
        [{"text": "Tell me more", "callback_data": "/more_detail"}],
        [{"text": "Is it safe?", "callback_data": "/risks"}],
    ]}
    assert keyboard_markup(buttons, "inline") == {"inline_keyboard": [[
        {"text": "Tell me more", "callback_data": "/more_detail"},
        {"text": "Is it safe?", "callback_data": "/risks"},
    ]]}
    reply = keyboard_markup(buttons, "reply")
    assert reply is not None and reply["keyboard"] == [[{"text": "Tell me more"}], [{"text": "Is it safe?"}]]
    too_long = keyboard_markup([{"title": "Go", "payload": "/inform" + "x" * 70}])
    assert too_long is not None and "keyboard" in too_long  # 64-byte callback limit: reply keyboard instead
    assert keyboard_markup([]) is None and keyboard_markup([{"payload": "/x"}]) is None


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/start", "/greet"),
        ("/start@mfr_clinic_bot", "/greet"),
        ("/start clinic-qr", "/greet"),
        ("/START", "/greet"),
        ("/help", "/help"),
        ("/risks", "risks"),
        ('/inform{"symptom": "x"}', 'inform{"symptom": "x"}'),
        ("what are the risks?", "what are the risks?"),
    ],
)
def test_commands(typed: str, sent: str) -> None:
    assert user_text(typed) == sent


def test_parse_update() -> None:
    chat = updates.new_chat_id()
    incoming, _ = parse_update(updates.message(chat, "/start"))
    assert incoming is not None and incoming.chat_id == str(chat) and incoming.text == "/greet"
    edited = updates.message(chat, "what is it?")
    edited["edited_message"] = edited.pop("message")
    incoming, _ = parse_update(edited)
    assert incoming is not None and incoming.text == "what is it?"
    incoming, _ = parse_update(updates.message(chat, None, photo=[], caption="is this a knot?"))
    assert incoming is not None and incoming.text == "is this a knot?"
    incoming, _ = parse_update(updates.message(chat, None, location={"latitude": 51.5, "longitude": -0.1}))
    assert incoming is not None and incoming.text == ""  # never the coordinates
    pressed = updates.callback(chat, "/risks", {"message_id": 1, "date": 0, "chat": {"id": chat, "type": "private"}})
    incoming, _ = parse_update(pressed)
    assert incoming is not None and incoming.text == "/risks" and incoming.callback_query_id
    del pressed["callback_query"]["message"]  # too old to be included: the user's id is the private chat's id
    incoming, _ = parse_update(pressed)
    assert incoming is not None and incoming.chat_id == str(chat)
    thumbs = {"message_id": 9, "date": 0, "chat": {"id": chat, "type": "private"}, "text": "Was this helpful?",
              "reply_markup": {"inline_keyboard": [[{"text": "👍 Yes", "callback_data": "/feedback_helpful"},
                                                    {"text": "👎 No", "callback_data": "/feedback_unhelpful"}]]}}
    incoming, _ = parse_update(updates.callback(chat, "/feedback_unhelpful", thumbs))
    assert incoming is not None and (incoming.message_id, incoming.message_text, incoming.chosen_title) == (
        9, "Was this helpful?", "👎 No"), "the pressed button is known, so the message can show the choice"
    for bad in (None, [], {}, {"update_id": True}, updates.message(-chat, "hi", chat_type="supergroup")):
        incoming, reason = parse_update(bad)
        assert incoming is None and reason


def test_settings_from_env() -> None:
    assert TelegramSettings.from_credentials(None, {}).problem() == "TELEGRAM_TOKEN is not set"
    assert TelegramSettings.from_credentials(None, {"TELEGRAM_TOKEN": "  "}).problem() == "TELEGRAM_TOKEN is not set"
    assert "BotFather" in (TelegramSettings.from_credentials(None, {"TELEGRAM_TOKEN": "nonsense"}).problem() or "")
    bad_secret = {"TELEGRAM_TOKEN": "123:abc", "TELEGRAM_SECRET_TOKEN": "no spaces allowed"}
    assert "TELEGRAM_SECRET_TOKEN" in (TelegramSettings.from_credentials(None, bad_secret).problem() or "")
    good = TelegramSettings.from_credentials(None, {
        "TELEGRAM_TOKEN": "123:abc", "TELEGRAM_BOT_NAME": "@mfr_clinic_bot", "TELEGRAM_API_BASE": "http://127.0.0.1:9/",
    })
    assert good.problem() is None and good.bot_name == "mfr_clinic_bot" and good.api_base == "http://127.0.0.1:9"
    assert TelegramChannel(good).configured
    off = TelegramChannel(TelegramSettings.from_credentials(None, {}))
    assert not off.configured and off.get_output_channel() is None
    assert TelegramChannel.name() == "telegram"


def test_from_credentials_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    assert not TelegramChannel.from_credentials(None).configured  # type: ignore[attr-defined]
    monkeypatch.setenv("TELEGRAM_TOKEN", "123:abc")
    assert TelegramChannel.from_credentials(None).configured  # type: ignore[attr-defined]


@pytest.fixture()
def fake() -> Iterator[FakeBotAPI]:
    with FakeBotAPI() as api:
        yield api


async def test_output_splits_long_replies_and_puts_the_keyboard_last(fake: FakeBotAPI) -> None:
    out = TelegramBotOutput("123:abc", fake.url)
    try:
        text = long_text(10_000)
        buttons = [{"title": "Tell me more", "payload": "/more_detail"}]
        await out.send_response("42", {"text": text, "buttons": buttons})
        await out.send_response("42", {"text": "<b>not HTML</b> & 5 < 6"})
    finally:
        await out.close_session()
    sent = fake.sent_to(42)
    assert len(sent) == 4
    assert [("reply_markup" in m) for m in sent] == [False, False, True, False]
    assert all(telegram_length(m["text"]) < TELEGRAM_MAX_CHARS and "parse_mode" not in m for m in sent)
    assert re.sub(r"\s+", " ", " ".join(m["text"] for m in sent[:3])) == re.sub(r"\s+", " ", text)
    assert sent[3]["text"] == "<b>not HTML</b> & 5 < 6"  # sent as is, as plain text


async def test_webhook_set_up_waits_for_an_unreachable_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_channel, "WEBHOOK_RETRY_FIRST_SECONDS", 0.05)
    port = free_port()  # nothing listens yet: Telegram is "down"
    settings = TelegramSettings.from_credentials(None, {
        "TELEGRAM_TOKEN": "123:abc", "TELEGRAM_API_BASE": f"http://127.0.0.1:{port}",
        "TELEGRAM_WEBHOOK_URL": "https://clinic.example/webhooks/telegram/webhook", "TELEGRAM_SECRET_TOKEN": "s3cret",
    })
    channel = TelegramChannel(settings)
    assert channel.output is not None
    task = asyncio.ensure_future(channel.keep_registering_webhook())
    try:
        await asyncio.sleep(0.5)
        assert not task.done()  # still trying, and nothing crashed
        with FakeBotAPI(port=port) as api:
            await asyncio.wait_for(task, timeout=10)
            (call,) = api.calls_to("setWebhook")
            assert call.params["secret_token"] == "s3cret"
    finally:
        task.cancel()
        await channel.output.close_session()


async def test_webhook_set_up_gives_up_on_a_refused_token(fake: FakeBotAPI) -> None:
    fake.failures["getme"] = (401, "Unauthorized")
    channel = TelegramChannel(TelegramSettings.from_credentials(None, {
        "TELEGRAM_TOKEN": "123:revoked", "TELEGRAM_API_BASE": fake.url, "TELEGRAM_WEBHOOK_URL": "https://x.example/h",
    }))
    assert channel.output is not None
    try:
        await asyncio.wait_for(channel.keep_registering_webhook(), timeout=10)  # returns, does not raise
    finally:
        await channel.output.close_session()
    assert fake.calls_to("setWebhook") == []


async def test_a_refused_keyboard_still_delivers_the_text(fake: FakeBotAPI) -> None:
    out = TelegramBotOutput("123:abc", fake.url)
    original = fake._answer

    def refuse_keyboards(method: str, params: dict) -> "tuple[int, dict]":
        if params.get("reply_markup"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: BUTTON_DATA_INVALID"}
        return original(method, params)

    fake._answer = refuse_keyboards  # type: ignore[method-assign]
    try:
        await out.send_response("7", {"text": "Did you mean?", "buttons": [{"title": "Risks", "payload": "/risks"}]})
    finally:
        await out.close_session()
    assert [("reply_markup" in c.params) for c in fake.calls_to("sendMessage", 7)] == [True, False]
    assert fake.sent_to(7)[-1]["text"] == "Did you mean?"
