"""Reading Telegram's updates: what each asks the assistant, or why it is dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

# Telegram commands and what the assistant receives instead.
COMMANDS = {"start": "/greet", "help": "/help"}


@dataclass(frozen=True)
class Incoming:
    """What one Telegram update asks the assistant."""

    update_id: int
    chat_id: str
    text: str
    callback_query_id: Optional[str] = None
    # For a pressed inline button: the message it was on, that message's text
    # and the title of the button pressed (the message is edited to show it).
    message_id: Optional[int] = None
    message_text: Optional[str] = None
    chosen_title: Optional[str] = None


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


def _pressed(message: Any, data: str) -> Tuple[Optional[int], Optional[str], Optional[str]]:
    """(message id, its text, the pressed button's title) of a callback's message, where Telegram sent them."""
    if not isinstance(message, dict) or not isinstance(message.get("message_id"), int):
        return None, None, None
    text = message.get("text") if isinstance(message.get("text"), str) else None
    rows = ((message.get("reply_markup") or {}).get("inline_keyboard") or []) if isinstance(
        message.get("reply_markup"), dict) else []
    title = next((str(b.get("text")) for row in rows if isinstance(row, list) for b in row
                  if isinstance(b, dict) and b.get("callback_data") == data and b.get("text")), None)
    return message["message_id"], text, title


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
        message_id, message_text, title = _pressed(callback.get("message"), data)
        return Incoming(update_id, str(chat["id"]), data, callback["id"], message_id, message_text, title), ""

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
