"""Telegram Update JSON as the Bot API sends it to a webhook."""

from __future__ import annotations

import itertools
import random
import time
from typing import Any, Dict, Optional

_update_ids = itertools.count(random.randint(10_000_000, 90_000_000))


def new_chat_id() -> int:
    return random.randint(10**8, 10**9)


def _user(chat_id: int) -> Dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Pat", "language_code": "en"}


def message(chat_id: int, text: Optional[str], chat_type: str = "private", **extra: Any) -> Dict[str, Any]:
    update_id = next(_update_ids)
    chat: Dict[str, Any] = {"id": chat_id, "type": chat_type}
    chat.update({"first_name": "Pat"} if chat_type == "private" else {"title": "Physio group"})
    msg: Dict[str, Any] = {"message_id": update_id % 100_000, "from": _user(abs(chat_id)), "chat": chat,
                           "date": int(time.time())}
    if text is not None:
        msg["text"] = text
        if text.startswith("/"):
            msg["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    msg.update(extra)
    return {"update_id": update_id, "message": msg}


def callback(chat_id: int, data: str, pressed: Dict[str, Any]) -> Dict[str, Any]:
    """The user pressed an inline button of `pressed` (a message the bot sent, as the API returned it)."""
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(4_000_000_000_000 + update_id),
            "from": _user(chat_id),
            "message": pressed,
            "chat_instance": "-7394561234",
            "data": data,
        },
    }
