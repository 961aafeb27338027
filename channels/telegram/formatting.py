"""Telegram-shaped replies: plain text split under the length limit, buttons as keyboards."""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

logger = logging.getLogger(__name__)

# Telegram refuses texts over 4,096 characters, counted in UTF-16 code units.
TELEGRAM_MAX_CHARS = 4096
# Parts are kept a little shorter, so a later edit of a reply cannot tip one over.
MAX_PART_CHARS = 4000
CALLBACK_DATA_MAX_BYTES = 64
BUTTON_TYPES = ("vertical", "inline", "reply")
DEFAULT_BUTTON_TYPE = "vertical"


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
