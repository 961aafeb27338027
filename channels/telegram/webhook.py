"""`/webhooks/telegram/webhook`: Telegram's updates to Rasa, and the webhook's registration."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

import aiohttp
from aiogram.utils.exceptions import BadRequest, ConflictError, NotFound, RetryAfter, TelegramAPIError, Unauthorized
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import server
from channels.bounded_map import BoundedMap
from channels.telegram.output import TelegramBotOutput
from channels.telegram.settings import ENV_BOT_NAME, ENV_SECRET_TOKEN, ENV_TOKEN, ENV_WEBHOOK_URL, TelegramSettings
from channels.telegram.updates import parse_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
NOT_CONFIGURED = {"error": "telegram not configured"}
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
# Update ids remembered to drop Telegram's redeliveries (per process).
SEEN_UPDATES = 2048
WEBHOOK_RETRY_FIRST_SECONDS = 2.0
WEBHOOK_RETRY_MAX_SECONDS = 300.0


class TelegramChannel(InputChannel):
    """`/webhooks/telegram/webhook`, configured from TELEGRAM_* environment variables."""

    @classmethod
    def name(cls) -> Text:
        """Keeps the stock route name."""
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Settings from credentials.yml and the environment (secrets only there)."""
        server.install_all()
        for key in ("token", "access_token", "secret_token"):
            if (credentials or {}).get(key):
                logger.warning("A Telegram %s in credentials.yml is ignored: secrets come from the environment", key)
        return cls(TelegramSettings.from_credentials(credentials))

    def __init__(self, settings: TelegramSettings) -> None:
        self.settings = settings
        self.problem = settings.problem()
        self.output: Optional[TelegramBotOutput] = None
        if self.problem is None:
            self.output = TelegramBotOutput(settings.token or "", settings.api_base)
        self._seen: BoundedMap[bool] = BoundedMap(SEEN_UPDATES)
        self._webhook_task: Optional["asyncio.Task[None]"] = None

    @property
    def configured(self) -> bool:
        """Whether updates are processed (a usable token is set)."""
        return self.output is not None

    def get_output_channel(self) -> Optional[TelegramBotOutput]:
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
        return self._seen.add(str(update_id), True)

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
                if incoming.message_id is not None and incoming.chosen_title:
                    # The buttons go and the choice stays visible ("Was this helpful? » 👍 Yes").
                    await output.mark_choice(incoming.chat_id, incoming.message_id, incoming.message_text,
                                             incoming.chosen_title)
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
