"""The keypad and yes-or-no answers: what a key or a short reply means at a prompt.

Keys 1 to 8 pick a numbered choice exactly as the spoken numbers do; 0 asks
for a person and 9 repeats what was just said, at every prompt. A caller
whose speech was not recognised twice in a row is offered the keys, with the
current choices or, when there are none, a short menu of topics.
"""

from __future__ import annotations

from functools import lru_cache
from typing import List, Optional, Sequence

from channels.twilio_voice.choices import MAX_CHOICES, Choice, choice_title, words_of
from channels.twilio_voice.wording import wording
from mfr.knowledge import load_knowledge


def yes_or_no(speech: str) -> Optional[bool]:
    """True for "yes please", False for "no thanks", None for anything else (a question, say)."""
    words = wording()
    tokens = words_of(speech, keep="'")
    known = words.yes_words | words.no_words | words.yes_no_fillers
    if not tokens or any(t not in known for t in tokens):
        return None
    if any(t in words.no_words for t in tokens):
        return False
    if any(t in words.yes_words for t in tokens):
        return True
    return None


def yes_no_choices(yes_payload: str, no_payload: str) -> List[Choice]:
    """A yes-or-no offer as choices: key 1 (or "yes") and key 2 (or "no")."""
    words = wording()
    return [(words.yes_title, yes_payload), (words.no_title, no_payload)]


@lru_cache(maxsize=1)
def menu_choices() -> List[Choice]:
    """The keypad's topic menu: the topics of speech.yml with their titles from the knowledge file."""
    topics = load_knowledge().topics
    return [(topics[t].title, f"/{t}") for t in wording().keypad.menu_topics if t in topics][:MAX_CHOICES]


def keypad_offer(choices: Sequence[Choice]) -> str:
    """The keypad offer with the given choices ("press 1 for ..., 2 for ..., press 0 for a person")."""
    keypad = wording().keypad
    items = [keypad.offer_item.format(number=i + 1, title=choice_title(title))
             for i, (title, _) in enumerate(choices[:MAX_CHOICES])]
    listed = f"{keypad.offer_intro} {', '.join(items)}" if items else ""
    return keypad.offer.format(choices=listed).replace(": , ", ": ")


def is_key(digits: Optional[str]) -> bool:
    """True when the request carries one pressed key."""
    value = (digits or "").strip()
    return len(value) == 1 and (value.isdigit() or value in "*#")
