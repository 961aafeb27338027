"""The phone line's own words (speech.yml): its prompts, and the words it listens for."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Tuple

import yaml

SPEECH_FILE = Path(__file__).resolve().parent / "speech.yml"


def _words(text: str) -> FrozenSet[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class KeypadWording:
    """The keys that work at every prompt and what is said about them."""

    person_key: str
    repeat_key: str
    person_payload: str
    repeat_offer: str
    unknown_key: str
    offer: str
    offer_item: str
    offer_intro: str
    menu_topics: Tuple[str, ...]
    not_understood_responses: FrozenSet[str]


@dataclass(frozen=True)
class WhisperWording:
    """What the clinic's staff member hears before a transferred caller is put through."""

    intro: str
    topics: str
    symptoms: str
    risk_factors: str
    dispositions: Dict[str, str]
    red_flag: str
    nothing: str
    outro: str
    list_separator: str
    list_last_separator: str


@dataclass(frozen=True)
class VoiceWording:
    """What the channel says and recognises, as loaded from speech.yml."""

    more_prompt: str
    more_declined: str
    transfer_announcement: str
    no_speech_goodbye: str
    error_reply: str
    reprompt: str
    choices_intro: str
    choice_item: str
    number_words: Tuple[str, ...]
    yes_title: str
    no_title: str
    ordinals: Dict[str, int]
    misheard_numbers: Dict[str, int]
    leading_fillers: FrozenSet[str]
    trailing_fillers: FrozenSet[str]
    more_vocabulary: FrozenSet[str]
    more_triggers: FrozenSet[str]
    keypad: KeypadWording
    yes_words: FrozenSet[str]
    no_words: FrozenSet[str]
    yes_no_fillers: FrozenSet[str]
    whisper: WhisperWording
    no_answer_callback_offer: str
    no_answer_no_number: str
    feedback_question: str
    sms_offer: str

    @classmethod
    def load(cls, path: Path = SPEECH_FILE) -> "VoiceWording":
        """Reads speech.yml."""
        with open(path, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        listening = spec["listening"]
        keypad = spec["keypad"]
        whisper = spec["whisper"]
        yes_no = spec["yes_no"]
        return cls(
            more_prompt=spec["more_prompt"],
            more_declined=spec["more_declined"],
            transfer_announcement=spec["transfer_announcement"],
            no_speech_goodbye=spec["no_speech_goodbye"],
            error_reply=spec["error_reply"],
            reprompt=spec["reprompt"],
            choices_intro=spec["choices"]["intro"],
            choice_item=spec["choices"]["item"],
            number_words=tuple(spec["choices"]["number_words"]),
            yes_title=spec["choices"]["yes_title"],
            no_title=spec["choices"]["no_title"],
            ordinals={str(k): int(v) for k, v in listening["ordinals"].items()},
            misheard_numbers={str(k): int(v) for k, v in listening["misheard_numbers"].items()},
            leading_fillers=_words(listening["leading_fillers"]),
            trailing_fillers=_words(listening["trailing_fillers"]),
            more_vocabulary=_words(listening["more_vocabulary"]),
            more_triggers=_words(listening["more_triggers"]),
            keypad=KeypadWording(
                person_key=str(keypad["person_key"]),
                repeat_key=str(keypad["repeat_key"]),
                person_payload=keypad["person_payload"],
                repeat_offer=keypad["repeat_offer"],
                unknown_key=keypad["unknown_key"],
                offer=keypad["offer"],
                offer_item=keypad["offer_item"],
                offer_intro=keypad["offer_intro"],
                menu_topics=tuple(keypad["menu_topics"]),
                not_understood_responses=frozenset(keypad["not_understood_responses"]),
            ),
            yes_words=_words(yes_no["yes_words"]),
            no_words=_words(yes_no["no_words"]),
            yes_no_fillers=_words(yes_no["fillers"]),
            whisper=WhisperWording(
                intro=whisper["intro"],
                topics=whisper["topics"],
                symptoms=whisper["symptoms"],
                risk_factors=whisper["risk_factors"],
                dispositions={str(k): str(v) for k, v in whisper["dispositions"].items()},
                red_flag=whisper["red_flag"],
                nothing=whisper["nothing"],
                outro=whisper["outro"],
                list_separator=whisper["list_separator"],
                list_last_separator=whisper["list_last_separator"],
            ),
            no_answer_callback_offer=" ".join(spec["no_answer_callback_offer"].split()),
            no_answer_no_number=" ".join(spec["no_answer_no_number"].split()),
            feedback_question=" ".join(spec["feedback_question"].split()),
            sms_offer=" ".join(spec["sms_offer"].split()),
        )


@lru_cache(maxsize=1)
def wording() -> VoiceWording:
    """The phone line's wording, read once per process."""
    return VoiceWording.load()
