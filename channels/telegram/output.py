"""Sending the assistant's replies through the Telegram Bot API."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Dict, List, Optional, Text

import aiohttp
from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import BadRequest, RetryAfter, TelegramAPIError
from rasa.core.channels.telegram import TelegramOutput

from channels.telegram.formatting import keyboard_markup, split_message
from channels.telegram.settings import DEFAULT_API_BASE

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_SECONDS = 15.0


class TelegramBotOutput(TelegramOutput):
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

    async def mark_choice(self, chat_id: Text, message_id: int, text: Optional[str], title: str) -> None:
        """Edits a message whose inline button was pressed: the keyboard goes, the choice is shown under the text."""
        shown = f"{text}\n» {title}" if text else f"» {title}"
        try:
            await self.call("editMessageText", {"chat_id": chat_id, "message_id": message_id, "text": shown})
        except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("editMessageText failed: %s: %s", type(error).__name__, error)

    async def answer_callback(self, callback_query_id: str) -> None:
        """Stops the button's loading spinner in the user's app."""
        try:
            await self.call("answerCallbackQuery", {"callback_query_id": callback_query_id})
        except (TelegramAPIError, aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("answerCallbackQuery failed: %s: %s", type(error).__name__, error)
