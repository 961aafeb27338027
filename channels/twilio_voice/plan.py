"""What one turn of a call says and does, from the bot's messages: lead, prompt, choices, transfer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from channels.twilio_voice.choices import MAX_CHOICES, Choice, choices_sentence
from channels.twilio_voice.speech import shorten, speech_chunks, voice_text
from channels.twilio_voice.wording import wording

# Replies whose text already tells the caller how to answer (say yes or no,
# or press 1 or 2): their buttons are kept for matching what the caller says or
# presses, but not read out again as "Say one for ...".
CHOICES_IN_TEXT = frozenset({"utter_red_flag_screen"})
# Replies that are always read in full (never cut for length).
FULL_LENGTH_RESPONSES = frozenset(
    {
        "utter_emergency",
        "utter_red_flag_screen",
        "utter_safety_net",
        "utter_disclaimer",
        "utter_human_handoff",
        "utter_action_failed",
        "utter_non_english",
        "utter_input_too_long",
    }
)


def dial_number(phone: Optional[str]) -> Optional[str]:
    """A dialable number ("+1 555 0100" -> "+15550100"), or None for placeholders."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", phone)
    if not 3 <= len(digits) <= 15 or re.search(r"[A-Za-z]", phone):
        return None
    return f"+{digits}" if phone.strip().startswith("+") else digits


def handoff_phone(custom: Any) -> Optional[str]:
    """The phone number of a `{"handoff": {"phone": ...}}` payload."""
    if isinstance(custom, Mapping):
        handoff = custom.get("handoff")
        if isinstance(handoff, Mapping) and handoff.get("phone"):
            return str(handoff["phone"])
    return None


@dataclass
class VoiceMessage:
    """One bot message, shaped for speech."""

    text: str = ""
    choices: List[Choice] = field(default_factory=list)
    response: Optional[str] = None
    phone: Optional[str] = None


@dataclass
class Pending:
    """The unread rest of a long message and the choices that follow it."""

    text: str
    choices: List[Choice] = field(default_factory=list)


@dataclass
class Plan:
    """What to say and do for one turn, before it becomes TwiML."""

    lead: List[List[str]] = field(default_factory=list)  # earlier messages, a pause after each
    prompt: List[str] = field(default_factory=list)  # said inside <Gather>
    choices: List[Choice] = field(default_factory=list)
    pending: Optional[Pending] = None
    dial: Optional[str] = None
    hangup: bool = False


def voice_messages(collected: Iterable[Mapping[str, Any]]) -> List[VoiceMessage]:
    """The collector's messages as speakable messages (payload-only ones carry the transfer)."""
    out: List[VoiceMessage] = []
    for message in collected:
        phone = handoff_phone(message.get("custom"))
        buttons = [b for b in message.get("buttons") or [] if isinstance(b, Mapping) and b.get("title")]
        out.append(
            VoiceMessage(
                text=voice_text(message.get("text")),
                choices=[(str(b["title"]), str(b.get("payload") or b["title"])) for b in buttons],
                response=message.get("response"),
                phone=phone,
            )
        )
    return out


def _last_part(
    text: str, choices: List[Choice], may_cut: bool, more_prompt: str, read_choices: bool = True
) -> Tuple[List[str], List[Choice], Optional[Pending]]:
    """Says, active choices and unread rest for the message that ends a turn."""
    choices = choices[:MAX_CHOICES]
    if may_cut:
        head, rest = shorten(text)
        if rest:
            return [head, more_prompt], [], Pending(rest, choices)
    says = speech_chunks(text) if text else []
    if choices and read_choices:
        says.append(choices_sentence([title for title, _ in choices]))
    return says, choices, None


def plan_turn(
    messages: Sequence[VoiceMessage],
    fallback_prompt: str,
    more_prompt: Optional[str] = None,
    transfer_announcement: Optional[str] = None,
    clinic_number: Optional[str] = None,
) -> Plan:
    """Turns the bot's messages into what the caller hears.

    A handoff payload ends the turn with a transfer; otherwise the last
    message (with every button of the turn as numbered choices) is said
    inside `<Gather>`, cut to about 50 words unless it is a safety reply.
    """
    more_prompt = more_prompt or wording().more_prompt
    transfer_announcement = transfer_announcement or wording().transfer_announcement
    payload_phone = next((m.phone for m in messages if m.phone), None)
    speakable = [m for m in messages if m.text or m.choices]
    if payload_phone is not None:
        number = dial_number(clinic_number) or dial_number(payload_phone)
        if number:
            lead = [speech_chunks(m.text) for m in speakable if m.text]
            return Plan(lead=[*lead, [transfer_announcement]], dial=number)
    if not speakable:
        return Plan(prompt=[fallback_prompt])
    choices = [c for m in speakable for c in m.choices]
    *earlier, last = speakable
    lead = [speech_chunks(m.text) for m in earlier if m.text]
    may_cut = last.response not in FULL_LENGTH_RESPONSES
    prompt, active, pending = _last_part(last.text, choices, may_cut, more_prompt,
                                         read_choices=last.response not in CHOICES_IN_TEXT)
    return Plan(lead=lead, prompt=prompt or [fallback_prompt], choices=active, pending=pending)


def plan_rest(pending: Pending, more_prompt: Optional[str] = None) -> Plan:
    """The next part of a long message the caller asked to hear."""
    prompt, active, rest = _last_part(pending.text, pending.choices, True, more_prompt or wording().more_prompt)
    return Plan(prompt=prompt, choices=active, pending=rest)
