"""The Telegram channel: configured from the environment, safe to start without it.

Rasa's stock Telegram channel calls `setWebhook` through `asyncio.run` while
the server is being built: the server exits when Telegram is unreachable, and
the bot's HTTP session stays bound to that finished event loop, so every
incoming update fails with HTTP 500 "Event loop is closed". It also ignores
Telegram's secret-token header, sends each paragraph as its own message and
cannot be pointed at anything but api.telegram.org.

This channel keeps the route (`/webhooks/telegram/webhook`) and differs so:

- Settings come from the environment, never from credentials.yml (which only
  names the class): `TELEGRAM_TOKEN`, `TELEGRAM_BOT_NAME`,
  `TELEGRAM_WEBHOOK_URL`, `TELEGRAM_SECRET_TOKEN`, `TELEGRAM_API_BASE`.
- Without a token (or with an unusable one) the server starts anyway; the
  webhook then answers 503 `{"error": "telegram not configured"}`.
- `getMe` and `setWebhook` run in the server's own event loop after start-up,
  retried in the background while Telegram is unreachable; a wrong token or
  URL is logged and never stops the web channels.
- With `TELEGRAM_SECRET_TOKEN` set, the secret is registered with
  `setWebhook` and every update must carry it in
  `X-Telegram-Bot-Api-Secret-Token` (403 otherwise).
- Updates the assistant cannot use (not JSON, not an update, stickers, group
  chats, repeats of an update already handled) are answered 200 and dropped:
  Telegram redelivers an update until it gets a 2xx, and redelivering the same
  bytes cannot make them readable, it only holds up the bot's queue.
- Only private chats are answered: a health assistant should not reply in a
  group. `/start` becomes `/greet` (a new conversation starts with the
  disclaimer), `/help` becomes `/help`; any other slash command goes through
  NLU as plain words, so typed text cannot pick an intent directly.
- Replies are plain text (no `parse_mode`, so nothing for Telegram to reject
  as bad HTML or Markdown), packed into as few messages as fit under
  Telegram's 4,096-character limit, split on paragraph, line, sentence and
  word boundaries. Buttons become an inline keyboard (one button per row),
  or a reply keyboard when a payload does not fit Telegram's 64-byte
  callback data.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Tuple

import aiohttp
from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import (
    BadRequest,
    ConflictError,
    NotFound,
    RetryAfter,
    TelegramAPIError,
    Unauthorized,
)
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

ENV_TOKEN = "TELEGRAM_TOKEN"
ENV_BOT_NAME = "TELEGRAM_BOT_NAME"
ENV_WEBHOOK_URL = "TELEGRAM_WEBHOOK_URL"
ENV_SECRET_TOKEN = "TELEGRAM_SECRET_TOKEN"
ENV_API_BASE = "TELEGRAM_API_BASE"
DEFAULT_API_BASE = "https://api.telegram.org"

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's rule for secret_token in setWebhook.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
NOT_CONFIGURED = {"error": "telegram not configured"}

# Telegram refuses texts over 4,096 characters, counted in UTF-16 code units.
TELEGRAM_MAX_CHARS = 4096
# Parts are kept a little shorter, so a later edit of a reply cannot tip one over.
MAX_PART_CHARS = 4000
CALLBACK_DATA_MAX_BYTES = 64
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
BUTTON_TYPES = ("vertical", "inline", "reply")
DEFAULT_BUTTON_TYPE = "vertical"
# Telegram commands and what the assistant receives instead.
COMMANDS = {"start": "/greet", "help": "/help"}
REQUEST_TIMEOUT_SECONDS = 15.0
# Update ids remembered to drop Telegram's redeliveries (per process).
SEEN_UPDATES = 2048
WEBHOOK_RETRY_FIRST_SECONDS = 2.0
WEBHOOK_RETRY_MAX_SECONDS = 300.0

# ---------------------------------------------------------------------------
# Splitting long replies


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


# Boundaries to split on, best first; each pattern captures its separator.
_BOUNDARIES = (
    re.compile(r"(\n[ \t]*\n\s*)"),  # paragraphs
    re.compile(r"(\n)"),  # lines
    re.compile(r"(?<=[.!?…])(\s+)"),  # sentences
    re.compile(r"(\s+)"),  # words
)


def _hard_split(text: str, limit: int) -> List[str]:
    parts: List[str] = []
    current: List[str] = []
    size = 0
    for char in text:
        width = telegram_length(char)
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        parts.append("".join(current))
    return parts


def _split(text: str, limit: int, level: int) -> List[str]:
    if telegram_length(text) <= limit:
        return [text]
    if level >= len(_BOUNDARIES):
        return _hard_split(text, limit)
    pieces = _BOUNDARIES[level].split(text)
    # pieces alternates text, separator, text, ...; a separator at a cut is dropped.
    chunks: List[str] = []
    current = ""
    pending_sep = ""
    for index, piece in enumerate(pieces):
        if index % 2 == 1:
            pending_sep = piece
            continue
        if not piece:
            continue
        if telegram_length(piece) > limit:
            if current:
                chunks.append(current)
            chunks.extend(_split(piece, limit, level + 1))
            current, pending_sep = "", ""
            continue
        candidate = f"{current}{pending_sep}{piece}" if current else piece
        if telegram_length(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = piece
        pending_sep = ""
    if current:
        chunks.append(current)
    return chunks


def split_message(text: str, limit: int = MAX_PART_CHARS) -> List[str]:
    """Telegram-sized parts of `text`, as few as possible, cut at the best boundary.

    Paragraph breaks are preferred, then line breaks, then sentence ends, then
    spaces; only a single "word" longer than `limit` is cut inside. Whitespace at
    a cut is dropped; nothing else is lost or reordered. Empty text gives [].
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    text = (text or "").strip()
    if not text:
        return []
    return [part.strip() for part in _split(text, limit, 0) if part.strip()]


# ---------------------------------------------------------------------------
# Buttons


def _usable_buttons(buttons: Any) -> List[Dict[str, str]]:
    usable = []
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        title = str(button.get("title") or "").strip()
        if not title:
            continue
        payload = button.get("payload")
        usable.append({"title": title, "payload": "" if payload is None else str(payload)})
    return usable


def keyboard_markup(buttons: Any, button_type: Optional[str] = None) -> Optional[Dict[str, Any]]:
    """Telegram `reply_markup` for Rasa buttons, or None when there is nothing to show.

    `vertical` (the default): inline keyboard, one button per row (titles stay
    readable on a phone). `inline`: inline keyboard, one row. `reply`: a one-time
    reply keyboard; tapping a button sends its title as the user's text. Inline
    buttons return their payload as callback data, which Telegram limits to 64
    bytes: when a payload is empty or longer, the reply keyboard is used instead.
    """
    usable = _usable_buttons(buttons)
    if not usable:
        return None
    kind = button_type if button_type in BUTTON_TYPES else DEFAULT_BUTTON_TYPE
    if kind != "reply" and not all(
        0 < len(b["payload"].encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES for b in usable
    ):
        logger.warning("A button payload does not fit Telegram's callback data; sending a reply keyboard")
        kind = "reply"
    if kind == "reply":
        return {
            "keyboard": [[{"text": b["title"]}] for b in usable],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
    inline = [{"text": b["title"], "callback_data": b["payload"]} for b in usable]
    rows = [inline] if kind == "inline" else [[b] for b in inline]
    return {"inline_keyboard": rows}


# ---------------------------------------------------------------------------
# Reading updates


@dataclass(frozen=True)
class Incoming:
    """What one Telegram update asks the assistant."""

    update_id: int
    chat_id: str
    text: str
    callback_query_id: Optional[str] = None


_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?:\s+.*)?$", re.DOTALL)


def user_text(raw: str) -> str:
    """The text Rasa receives for what the user typed.

    `/start` (also `/start@bot` and a deep-link `/start xyz`) becomes `/greet`,
    so a new user's first message starts the session and gets the disclaimer;
    `/help` becomes the help intent. Other text starting with "/" loses its
    slashes and goes through NLU like any other words.
    """
    text = raw.strip()
    if not text.startswith("/"):
        return raw
    match = _COMMAND.match(text)
    if match and match.group(1).lower() in COMMANDS:
        return COMMANDS[match.group(1).lower()]
    return text.lstrip("/").strip()


def _chat_of(message: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(message, dict):
        return None
    chat = message.get("chat")
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int) or isinstance(chat.get("id"), bool):
        return None
    return chat


def parse_update(update: Any) -> Tuple[Optional[Incoming], str]:
    """(what the update asks, "") or (None, why it is dropped)."""
    if not isinstance(update, dict):
        return None, "update is not a JSON object"
    update_id = update.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        return None, "update has no integer update_id"

    callback = update.get("callback_query")
    if callback is not None:
        if not isinstance(callback, dict) or not isinstance(callback.get("id"), str):
            return None, "malformed callback_query"
        data = callback.get("data")
        if not isinstance(data, str) or not data:
            return None, "callback_query without data"
        chat = _chat_of(callback.get("message"))
        sender = callback.get("from")
        if chat is None:
            # The pressed message is too old to be included: fall back to the user id,
            # which is the chat id of a private chat.
            if not isinstance(sender, dict) or not isinstance(sender.get("id"), int):
                return None, "callback_query without chat or user"
            chat = {"id": sender["id"], "type": "private"}
        if chat.get("type") != "private":
            return None, "not a private chat"
        return Incoming(update_id, str(chat["id"]), data, callback["id"]), ""

    message = update.get("message")
    if message is None:
        message = update.get("edited_message")
    if message is None:
        return None, "no message or callback_query in the update"
    chat = _chat_of(message)
    if chat is None:
        return None, "message without a chat id"
    if chat.get("type") != "private":
        return None, "not a private chat"
    sender = message.get("from")
    if isinstance(sender, dict) and sender.get("is_bot") is True:
        return None, "message from a bot"
    text = message.get("text")
    if not isinstance(text, str):
        caption = message.get("caption")
        # A photo, voice note, sticker or location: the assistant reads only words,
        # and an empty text gets the domain's "I didn't receive any text" reply.
        # Locations and contacts are not passed on, so they are never stored.
        text = caption if isinstance(caption, str) else ""
    return Incoming(update_id, str(chat["id"]), user_text(text)), ""


# ---------------------------------------------------------------------------
# Output


class SafeTelegramOutput(TelegramOutput):
    """Sends the assistant's replies to Telegram as plain text and keyboards."""

    @classmethod
    def name(cls) -> Text:
        """Same name as the input channel, so responses can be channel-specific."""
        return "telegram"

    def __init__(self, access_token: Text, api_base: Text = DEFAULT_API_BASE) -> None:
        # The aiohttp session is created lazily, on the first request, in the
        # server's event loop; nothing here binds to a loop.
        Bot.__init__(
            self,
            access_token,
            server=TelegramAPIServer.from_base(api_base),
            timeout=REQUEST_TIMEOUT_SECONDS,
        )

    async def close_session(self) -> None:
        """Closes the HTTP session, if one was opened."""
        session = getattr(self, "_session", None)
        if session is not None and not session.closed:
            await session.close()

    async def call(self, method: str, params: Dict[str, Any]) -> Any:
        """One Bot API call; lists and dicts are sent as JSON, as Telegram expects."""
        data = {
            key: json.dumps(value) if isinstance(value, (list, dict)) else value
            for key, value in params.items()
            if value is not None
        }
        return await self.request(method, data)

    async def _send(self, recipient_id: Text, text: str, markup: Optional[Dict[str, Any]]) -> bool:
        params: Dict[str, Any] = {"chat_id": recipient_id, "text": text, "reply_markup": markup}
        for attempt in range(3):
            try:
                await self.call("sendMessage", params)
                return True
            except RetryAfter as error:
                if attempt == 2:
                    break
                await asyncio.sleep(min(float(error.timeout), 10.0))
            except BadRequest as error:
                if params.get("reply_markup") is None or attempt == 2:
                    logger.error("Telegram refused a message: %s", error)
                    return False
                logger.warning("Telegram refused a keyboard (%s); sending the text without it", error)
                params["reply_markup"] = None
            except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as error:
                # The user blocked the bot, the chat is gone, Telegram is unreachable:
                # log it and let the conversation carry on (raising would lose the turn).
                logger.error("Could not send a Telegram message: %s: %s", type(error).__name__, error)
                return False
        logger.error("Telegram kept asking to slow down; a message was not sent")
        return False

    async def send_parts(self, recipient_id: Text, text: Text, markup: Optional[Dict[str, Any]] = None) -> None:
        """Sends `text` in Telegram-sized parts; the keyboard goes with the last part."""
        parts = split_message(text)
        if not parts:
            if markup is not None:
                logger.warning("Buttons without text cannot be sent to Telegram; dropped")
            return
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if not await self._send(recipient_id, part, markup if last else None):
                return

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """Sends plain text, split under Telegram's limit."""
        await self.send_parts(recipient_id, text)

    async def send_text_with_buttons(
        self,
        recipient_id: Text,
        text: Text,
        buttons: List[Dict[Text, Any]],
        button_type: Optional[Text] = None,
        **kwargs: Any,
    ) -> None:
        """Sends text with the buttons as a keyboard (see `keyboard_markup`)."""
        await self.send_parts(recipient_id, text, keyboard_markup(buttons, button_type))

    async def answer_callback(self, callback_query_id: str) -> None:
        """Stops the button's loading spinner in the user's app."""
        try:
            await self.call("answerCallbackQuery", {"callback_query_id": callback_query_id})
        except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("answerCallbackQuery failed: %s: %s", type(error).__name__, error)


# ---------------------------------------------------------------------------
# Input


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's settings, read from the environment."""

    token: Optional[str]
    bot_name: Optional[str]
    webhook_url: Optional[str]
    secret_token: Optional[str]
    api_base: str

    @classmethod
    def from_env(cls, env: Optional[Dict[str, str]] = None) -> "TelegramSettings":
        """Reads the TELEGRAM_* variables; empty values count as unset."""
        source = os.environ if env is None else env

        def get(key: str) -> Optional[str]:
            value = (source.get(key) or "").strip()
            return value or None

        bot_name = get(ENV_BOT_NAME)
        return cls(
            token=get(ENV_TOKEN),
            bot_name=bot_name.lstrip("@") if bot_name else None,
            webhook_url=get(ENV_WEBHOOK_URL),
            secret_token=get(ENV_SECRET_TOKEN),
            api_base=(get(ENV_API_BASE) or DEFAULT_API_BASE).rstrip("/"),
        )

    def problem(self) -> Optional[str]:
        """Why the channel cannot run with these settings, or None."""
        if not self.token:
            return f"{ENV_TOKEN} is not set"
        left, sep, right = self.token.partition(":")
        if not sep or not left.isdigit() or not right or any(c.isspace() for c in self.token):
            return f"{ENV_TOKEN} does not look like a BotFather token (<digits>:<letters>)"
        if self.secret_token and not SECRET_PATTERN.match(self.secret_token):
            return f"{ENV_SECRET_TOKEN} may only hold 1-256 characters A-Z, a-z, 0-9, _ and -"
        if not self.api_base.startswith(("https://", "http://")):
            return f"{ENV_API_BASE} must be an http(s) URL"
        return None


class SafeTelegramInput(InputChannel):
    """`/webhooks/telegram/webhook`, configured from TELEGRAM_* environment variables."""

    @classmethod
    def name(cls) -> Text:
        """Keeps the stock route name."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Reads the environment; credentials.yml only names the class."""
        if credentials:
            logger.warning(
                "Settings for the Telegram channel in credentials.yml are ignored; "
                "use the TELEGRAM_* environment variables"
            )
        return cls(TelegramSettings.from_env())

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.problem = settings.problem()
        self.output: Optional[SafeTelegramOutput] = None
        if self.problem is None:
            self.output = SafeTelegramOutput(settings.token or "", settings.api_base)
        self._seen: "OrderedDict[int, None]" = OrderedDict()
        self._webhook_task: Optional["asyncio.Task[None]"] = None

    @property
    def configured(self) -> bool:
        """Whether updates are processed (a usable token is set)."""
        return self.output is not None

    def get_output_channel(self) -> Optional[SafeTelegramOutput]:
        """The one output channel of this server (None when not configured).

        Also used by the HTTP API (`?output_channel=telegram`), from inside the
        running server, so it must not start or run an event loop itself.
        """
        return self.output

    # -- start-up ----------------------------------------------------------

    async def register_webhook(self) -> None:
        """Checks the token with getMe and registers the webhook (and its secret)."""
        assert self.output is not None
        me = await self.output.call("getMe", {})
        username = (me or {}).get("username") if isinstance(me, dict) else None
        if self.settings.bot_name and username and username.lower() != self.settings.bot_name.lower():
            logger.warning(
                "%s is @%s but the token belongs to @%s", ENV_BOT_NAME, self.settings.bot_name, username
            )
        if not self.settings.webhook_url:
            logger.warning("%s is not set: the Telegram webhook was not registered", ENV_WEBHOOK_URL)
            return
        await self.output.call(
            "setWebhook",
            {
                "url": self.settings.webhook_url,
                "secret_token": self.settings.secret_token,
                "allowed_updates": ALLOWED_UPDATES,
            },
        )
        logger.info("Telegram webhook registered for @%s", username or self.settings.bot_name or "the bot")

    async def keep_registering_webhook(self) -> None:
        """Registers the webhook; retries while Telegram is unreachable, stops on a refusal."""
        delay = WEBHOOK_RETRY_FIRST_SECONDS
        while True:
            try:
                await self.register_webhook()
                return
            except (Unauthorized, BadRequest, NotFound, ConflictError) as error:
                logger.error(
                    "Telegram refused the webhook set-up (%s: %s); check %s and %s",
                    type(error).__name__, error, ENV_TOKEN, ENV_WEBHOOK_URL,
                )
                return
            except RetryAfter as error:
                wait = max(float(error.timeout), delay)
            except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
                wait = delay
                logger.warning(
                    "Could not reach the Telegram Bot API (%s: %s); retrying in %.0f s",
                    type(error).__name__, error, wait,
                )
            await asyncio.sleep(wait)
            delay = min(delay * 2, WEBHOOK_RETRY_MAX_SECONDS)

    # -- requests ----------------------------------------------------------

    def secret_ok(self, request: Request) -> bool:
        """True when no secret is configured or the header carries it."""
        expected = self.settings.secret_token
        if not expected:
            return True
        given = request.headers.get(SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))

    def first_delivery(self, update_id: int) -> bool:
        """False for an update this process has already handled (Telegram redelivers)."""
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > SEEN_UPDATES:
            self._seen.popitem(last=False)
        return True

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook, or a 503 stand-in when Telegram is not configured."""
        telegram_webhook = Blueprint("telegram_webhook", __name__)

        if not self.configured:
            logger.info("Telegram channel not configured (%s); its webhook answers 503", self.problem)
            if self.settings.token:
                logger.error("Telegram channel disabled: %s", self.problem)

            @telegram_webhook.route("/", methods=["GET"])
            async def health_off(_: Request) -> HTTPResponse:
                return response.json({"status": "ok", "configured": False})

            @telegram_webhook.route("/webhook", methods=["GET", "POST"])
            async def webhook_off(_: Request) -> HTTPResponse:
                return response.json(NOT_CONFIGURED, status=503)

            return telegram_webhook

        output = self.output
        assert output is not None
        if not self.settings.secret_token:
            logger.warning(
                "%s is not set: anyone who finds the webhook URL can post fake Telegram updates",
                ENV_SECRET_TOKEN,
            )

        @telegram_webhook.listener("after_server_start")
        async def start_webhook(app: Any, _loop: Any) -> None:
            # After the model is loaded, so Telegram only sends once we can answer.
            self._webhook_task = asyncio.ensure_future(self.keep_registering_webhook())

        @telegram_webhook.listener("before_server_stop")
        async def stop(app: Any, _loop: Any) -> None:
            if self._webhook_task is not None and not self._webhook_task.done():
                self._webhook_task.cancel()
            await output.close_session()

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "configured": True})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.secret_ok(request):
                logger.info("Refused a Telegram update without the right %s header", SECRET_HEADER)
                return response.json({"error": "forbidden"}, status=403)
            try:
                update = json.loads(request.body or b"")
            except (UnicodeDecodeError, ValueError):
                update = None
            incoming, reason = parse_update(update)
            if incoming is None:
                logger.info("Dropped a Telegram update: %s", reason)
                return response.json({"status": "ignored", "reason": reason})
            if not self.first_delivery(incoming.update_id):
                return response.json({"status": "ignored", "reason": "update already handled"})
            if incoming.callback_query_id:
                await output.answer_callback(incoming.callback_query_id)
            try:
                await on_new_message(
                    UserMessage(
                        incoming.text,
                        output,
                        incoming.chat_id,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except Exception:
                # Logged without the user's text. 200 all the same: a redelivery
                # would run the same turn again.
                logger.exception("Handling a Telegram update failed")
            return response.json({"status": "ok"})

        return telegram_webhook
