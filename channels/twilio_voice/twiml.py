"""A turn's plan as TwiML: what is said, then a `<Gather>` that hears speech and keys, a `<Dial>` or a hang-up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from channels.twilio_voice.choices import choice_title
from channels.twilio_voice.plan import Plan
from channels.twilio_voice.wording import wording

# How long the clinic's phone rings before the caller is offered a call-back.
DIAL_TIMEOUT_SECONDS = 25


@dataclass(frozen=True)
class Voice:
    """How the line speaks and listens (the channel's credentials)."""

    voice: Optional[str]
    speech_timeout: str
    speech_model: str
    enhanced: str


def say_all(voice: VoiceResponse, sentences: List[str], how: Voice) -> VoiceResponse:
    """Says each sentence (the whisper, a goodbye)."""
    for text in sentences:
        voice.say(text, voice=how.voice)
    return voice


def plan_twiml(plan: Plan, how: Voice, action_url: str, whisper_url: Optional[str] = None) -> VoiceResponse:
    """The TwiML of one turn.

    Every `<Gather>` hears speech and one key (`input="dtmf speech"`,
    `numDigits=1`): 1 to 8 pick a numbered choice, 0 asks for a person and 9
    repeats. A transfer dials the clinic with the whisper URL on its
    `<Number>` and comes back to ``action_url`` when the clinic's call ends
    or nobody answers.
    """
    voice = VoiceResponse()
    ends_call = plan.hangup or plan.dial is not None
    for i, group in enumerate(plan.lead):
        for text in group:
            voice.say(text, voice=how.voice)
        if i + 1 < len(plan.lead) or not ends_call:
            voice.pause(length=1)
    if plan.hangup:
        voice.hangup()
        return voice
    if plan.dial:
        dial = Dial(action=action_url, timeout=DIAL_TIMEOUT_SECONDS)
        number_options: Dict[str, Any] = {"url": whisper_url} if whisper_url else {}
        dial.number(plan.dial, **number_options)
        voice.append(dial)
        return voice
    extra: Dict[str, Any] = {}
    if plan.choices:
        # Helps speech recognition hear "two" rather than "to".
        hints = [*wording().number_words[: len(plan.choices)], *(choice_title(t) for t, _ in plan.choices)]
        extra["hints"] = ", ".join(hints)
    gather = Gather(
        input="dtmf speech",
        numDigits=1,
        action=action_url,
        actionOnEmptyResult=True,
        speechTimeout=how.speech_timeout,
        speechModel=how.speech_model,
        enhanced=how.enhanced,
        **extra,
    )
    for text in plan.prompt:
        gather.say(text, voice=how.voice)
    voice.append(gather)
    return voice
