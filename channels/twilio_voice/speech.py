"""Text shaped for the ear: no links, markdown, emoji or source lines, cut into speakable pieces."""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

# About 20 characters (some 3 words) a second: 400 characters are about 20
# seconds of speech, the most a caller hears before "Would you like to hear more?".
MAX_SPOKEN_CHARS = 400
# The size of one <Say> (long messages are said in several, a pause apart).
KEEP_WORDS = 50
SOURCE_LINE_PREFIXES = ("From:",)


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)\s]*\)")
_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>\"')\]]*[^\s<>\"')\].,;:!?]", re.IGNORECASE)
_INNER_UNDERSCORE = re.compile(r"(?<=[^\W_])_+(?=[^\W_])")
_MARKDOWN = re.compile(r"[*_#`~]+")
_LIST_MARKER = re.compile(r"^\s*(?:>+\s*)*(?:[-+•‣◦▪]\s+)?")
_EMOJI = re.compile(
    "["
    "\U0001F000-\U0001FAFF"  # pictographs, emoticons, transport, symbols, flags
    "\U0001FC00-\U0001FFFF"
    "\u2190-\u21FF"  # arrows
    "\u2300-\u23FF"  # technical symbols (watch, hourglass, ...)
    "\u2460-\u24FF"  # enclosed alphanumerics
    "\u25A0-\u27BF"  # shapes, misc symbols, dingbats
    "\u2900-\u297F"
    "\u2B00-\u2BFF"
    "\u3030\u303D\u3297\u3299"
    "\uFE00-\uFE0F"  # variation selectors
    "\u200D\u20E3"  # joiner, keycap
    "\U000E0020-\U000E007F"  # tag characters
    "]+"
)
_EMPTY_BRACKETS = re.compile(r"\(\s*[,;:]?\s*\)|\[\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?])")
_REPEATED_PUNCT = re.compile(r"([,;:])(?:\s*[,;:])+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")


def voice_text(text: Optional[str]) -> str:
    """The text as it should be spoken: no URLs, markdown, emoji or source line."""
    if not text:
        return ""
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    text = _URL.sub("", text)
    text = _INNER_UNDERSCORE.sub(" ", text)
    text = _MARKDOWN.sub("", text)
    text = _EMOJI.sub("", text)
    lines = []
    for raw in text.splitlines():
        line = _LIST_MARKER.sub("", raw).strip()
        if not line or line.startswith(SOURCE_LINE_PREFIXES):
            continue
        lines.append(line)
    # A line break is a pause: make it a sentence end unless punctuation is there.
    spoken = " ".join(line if line[-1] in ".!?:;," else f"{line}." for line in lines[:-1])
    if lines:
        spoken = f"{spoken} {lines[-1]}".strip()
    spoken = _EMPTY_BRACKETS.sub("", spoken)
    spoken = _SPACE_BEFORE_PUNCT.sub(r"\1", spoken)
    spoken = _REPEATED_PUNCT.sub(r"\1", spoken)
    spoken = re.sub(r"\s+", " ", spoken).strip()
    return spoken.lstrip(".,;:!? ").strip()


def word_count(text: str) -> int:
    """Words as a speaker counts them."""
    return len(text.split())


def _pieces(text: str, max_words: int) -> List[str]:
    """Sentences, with any sentence longer than `max_words` cut at clauses, then words."""
    pieces: List[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        if not sentence:
            continue
        if word_count(sentence) <= max_words:
            pieces.append(sentence)
            continue
        for clause in _CLAUSE_END.split(sentence):
            words = clause.split()
            pieces += [" ".join(words[i : i + max_words]) for i in range(0, len(words), max_words)]
    return pieces


def speech_chunks(text: str, max_words: int = KEEP_WORDS) -> List[str]:
    """The whole text in `<Say>`-sized chunks of whole sentences where possible."""
    chunks: List[str] = []
    for piece in _pieces(text, max_words):
        if chunks and word_count(chunks[-1]) + word_count(piece) <= max_words:
            chunks[-1] = f"{chunks[-1]} {piece}"
        else:
            chunks.append(piece)
    return chunks


def _cut_words(text: str, max_chars: int) -> Tuple[str, str]:
    """A text longer than ``max_chars`` cut at the last word boundary that fits."""
    words = text.split()
    head: List[str] = []
    for word in words:
        if len(" ".join([*head, word])) > max_chars and head:
            break
        head.append(word)
    return " ".join(head), " ".join(words[len(head):])


def shorten(text: str, max_chars: int = MAX_SPOKEN_CHARS) -> Tuple[str, str]:
    """(what to say now, what is left): whole sentences up to ``max_chars`` characters if the text is longer."""
    if len(text) <= max_chars:
        return text, ""
    pieces = _pieces(text, KEEP_WORDS)
    head: List[str] = []
    for piece in pieces:
        if len(" ".join([*head, piece])) > max_chars:
            break
        head.append(piece)
    if not head:
        # One clause longer than the limit: cut it between words.
        first, rest = _cut_words(pieces[0], max_chars)
        return first, " ".join([rest, *pieces[1:]]).strip()
    return " ".join(head), " ".join(pieces[len(head):])
