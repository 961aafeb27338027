"""The phone line's own words (speech.yml): its prompts, and the words it listens for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Tuple

import yaml

SPEECH_FILE = Path(__file__).resolve().parent / "speech.yml"


@dataclass(frozen=True)
class VoiceWording:
    """What the channel says and recognises, as loaded from speech.yml."""

    more_prompt: str
    transfer_announcement: str
    no_speech_goodbye: str
    error_reply: str
    reprompt: str
    choices_intro: str
    choice_item: str
    number_words: Tuple[str, ...]
    ordinals: Dict[str, int]
    misheard_numbers: Dict[str, int]
    leading_fillers: FrozenSet[str]
    trailing_fillers: FrozenSet[str]
    more_vocabulary: FrozenSet[str]
    more_triggers: FrozenSet[str]

    @classmethod
    def load(cls, path: Path = SPEECH_FILE) -> "VoiceWording":
        """Reads speech.yml."""
        with open(path, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        listening = spec["listening"]
        return cls(
            more_prompt=spec["more_prompt"],
            transfer_announcement=spec["transfer_announcement"],
            no_speech_goodbye=spec["no_speech_goodbye"],
            error_reply=spec["error_reply"],
            reprompt=spec["reprompt"],
            choices_intro=spec["choices"]["intro"],
            choice_item=spec["choices"]["item"],
            number_words=tuple(spec["choices"]["number_words"]),
            ordinals={str(k): int(v) for k, v in listening["ordinals"].items()},
            misheard_numbers={str(k): int(v) for k, v in listening["misheard_numbers"].items()},
            leading_fillers=frozenset(listening["leading_fillers"].split()),
            trailing_fillers=frozenset(listening["trailing_fillers"].split()),
            more_vocabulary=frozenset(listening["more_vocabulary"].split()),
            more_triggers=frozenset(listening["more_triggers"].split()),
        )


@lru_cache(maxsize=1)
def wording() -> VoiceWording:
    """The phone line's wording, read once per process."""
    return VoiceWording.load()
