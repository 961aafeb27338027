"""Classifies raw input that should not reach the intent classifier as is.

Pure functions: the Rasa component in ``components/safety_override.py`` wraps
them. Empty, whitespace-only and symbol-only messages get a friendly "please
type a question" reply; very long ones are cut before the classifier (whose
cost grows faster than linearly with length) and get a "please shorten" reply;
messages in a non-Latin script get the "English only" reply.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Optional

MAX_MESSAGE_CHARS = 1000

EMPTY = "empty"
NO_TEXT = "no_text"
TOO_LONG = "too_long"
NON_LATIN = "non_latin"


def _letters(text: str) -> list[str]:
    return [c for c in text if c.isalpha()]


def _is_latin(char: str) -> bool:
    try:
        return "LATIN" in unicodedata.name(char)
    except ValueError:
        return False


def input_issue(text: Optional[str], max_chars: int = MAX_MESSAGE_CHARS) -> Optional[str]:
    """The problem with ``text`` as user input, or ``None`` when it is fine."""
    if text is None or not text.strip():
        return EMPTY
    if len(text) > max_chars:
        return TOO_LONG
    letters = _letters(text)
    if not letters and not any(c.isdigit() for c in text):
        return NO_TEXT
    latin = sum(1 for c in letters if _is_latin(c))
    if letters and latin / len(letters) < 0.5:
        return NON_LATIN
    return None


_TAG = re.compile(r"<[^<>]{0,200}>")
_SCRIPT = re.compile(r"<(script|style)\b[^>]{0,200}>.{0,5000}?</\1\s*>", re.IGNORECASE | re.DOTALL)


def strip_markup(text: str) -> str:
    """The words of ``text`` without HTML tags or entities, for the classifier.

    Markup carries no meaning for the question ("<b>is it safe?</b>"), and a
    pasted script tag would only push the classifier off course. The tracker
    keeps the original text; channels escape it when they show it.
    """
    if "<" not in text and "&" not in text:
        return text
    text = _TAG.sub(" ", _SCRIPT.sub(" ", text))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def encodable(text: str) -> str:
    """``text`` with lone surrogates (half emoji) replaced, so spaCy can read it."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def clip(text: str, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """The part of an over-long message that the classifier gets to see."""
    return text[:max_chars]
