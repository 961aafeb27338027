"""Numbered choices: read out as "Say or press one for ...", picked by a spoken number, a title or a key."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from channels.twilio_voice.speech import voice_text
from channels.twilio_voice.wording import wording

# Keys 1 to 8 pick a choice; 9 repeats and 0 asks for a person.
MAX_CHOICES = 8
Choice = Tuple[str, str]  # (title, payload)


def choice_title(title: str) -> str:
    """A button title as read in a list ("Is it safe?" -> "Is it safe")."""
    return voice_text(title).rstrip(".?!:;, ")


def choices_sentence(titles: Sequence[str]) -> str:
    """The choices as one sentence: "Say or press one for Risks and safety, two for What the evidence says"."""
    words = wording()
    items = [
        words.choice_item.format(number=words.number_words[i], title=choice_title(t))
        for i, t in enumerate(titles[:MAX_CHOICES])
    ]
    return f"{words.choices_intro} {', '.join(items)}." if items else ""


def words_of(speech: str, keep: str = "'#") -> List[str]:
    """Lower-case words of a transcript; ``keep``: the punctuation that stays part of a word ("#" for "#2")."""
    return re.sub(rf"[^\w{re.escape(keep)}]+", " ", speech.lower().replace("’", "'")).split()


def choice_number(speech: str, count: int) -> Optional[int]:
    """The 1-based choice a spoken reply names ("two", "the second one", "option 2"), or None."""
    if count <= 0:
        return None
    words = wording()
    cardinals = {**{w: i + 1 for i, w in enumerate(words.number_words)}, **{str(i): i for i in range(1, 10)},
                 **words.misheard_numbers}
    tokens = words_of(speech)
    while len(tokens) > 1 and tokens[-1] in words.trailing_fillers:
        tokens.pop()
    # "the second one", "number two one"? only an ordinal takes a trailing "one".
    if len(tokens) > 1 and tokens[-1] == "one" and (tokens[-2] in words.ordinals or tokens[-2] == "last"):
        tokens.pop()
    while len(tokens) > 1 and tokens[0] in words.leading_fillers:
        tokens.pop(0)
    if len(tokens) != 1:
        return None
    word = tokens[0]
    number = words.ordinals.get(word) or cardinals.get(word) or (count if word == "last" else None)
    if number is None or not 1 <= number <= count:
        return None
    return number


def _normalised(text: str) -> str:
    tokens = words_of(voice_text(text))
    while tokens and tokens[0] in ("the", "um", "uh"):
        tokens.pop(0)
    return " ".join(tokens)


def match_choice(speech: str, choices: Sequence[Choice]) -> Optional[Choice]:
    """The offered choice the caller named, by number or by its title."""
    number = choice_number(speech, len(choices))
    if number is not None:
        return choices[number - 1]
    said = _normalised(speech)
    if said:
        for title, payload in choices:
            if _normalised(title) == said:
                return title, payload
    return None


def wants_more(speech: str) -> bool:
    """True for "yes", "more", "go on", "yes please, tell me more": not for a new question."""
    words = wording()
    tokens = words_of(speech)
    return (bool(tokens) and all(t in words.more_vocabulary for t in tokens)
            and any(t in words.more_triggers for t in tokens))


def pressed_choice(digits: Optional[str], choices: Sequence[Choice]) -> Optional[Choice]:
    """The offered choice a caller picked on the keypad ("1" is the first), or None."""
    digits = (digits or "").strip()
    if len(digits) != 1 or not digits.isdigit():
        return None
    number = int(digits)
    return choices[number - 1] if 1 <= number <= len(choices) else None
