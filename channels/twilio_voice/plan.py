"""What one turn of a call says and does, from the bot's messages: lead, prompt, choices, transfer, texts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple

from channels.twilio_voice.choices import MAX_CHOICES, Choice, choices_sentence
from channels.twilio_voice.speech import shorten, speech_chunks, voice_text
from channels.twilio_voice.wording import wording
from mfr.call_summary import CallSummary

EMERGENCY_RESPONSE = "utter_emergency"
GOODBYE_RESPONSE = "utter_goodbye"
# Responses sent to the caller by SMS after the call (action_text_summary), never spoken.
SMS_RESPONSES = frozenset({"utter_sms_summary", "utter_sms_summary_emergency"})

# Replies whose text already tells the caller how to answer (say yes or no,
# or press 1 or 2): their buttons are kept for matching what the caller says or
# presses, but not read out again as "Say or press one for ...".
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


def handoff_summary(custom: Any) -> Optional[CallSummary]:
    """The conversation summary of a handoff payload (for the whisper), if any."""
    if isinstance(custom, Mapping) and isinstance(custom.get("handoff"), Mapping):
        return CallSummary.from_payload(custom["handoff"].get("summary"))
    return None


def ends_call(custom: Any) -> bool:
    """True for the `{"end_call": true}` payload (the call ends after the reply is said)."""
    return isinstance(custom, Mapping) and custom.get("end_call") is True


def same_number(a: Optional[str], b: Optional[str]) -> bool:
    """True when two numbers dial the same digits ("+1 911" is not "911": the country code counts)."""
    return bool(a and b) and dial_number(a) == dial_number(b)


@dataclass
class VoiceMessage:
    """One bot message, shaped for speech."""

    text: str = ""
    choices: List[Choice] = field(default_factory=list)
    response: Optional[str] = None
    phone: Optional[str] = None
    summary: Optional[CallSummary] = None
    end_call: bool = False
    raw_text: str = ""


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
    summary: Optional[CallSummary] = None  # told to staff before a transfer
    sms: List[str] = field(default_factory=list)  # texts to send to the caller
    yes_no: bool = False  # the choices are a yes-or-no offer ("yes" picks the first)
    safety: bool = False  # a safety reply was said (9 repeats it)
    not_understood: bool = False  # the assistant did not understand the caller
    goodbye: bool = False  # the assistant said goodbye


def voice_messages(collected: Iterable[Mapping[str, Any]]) -> List[VoiceMessage]:
    """The collector's messages as speakable messages (payload-only ones carry the transfer)."""
    out: List[VoiceMessage] = []
    for message in collected:
        custom = message.get("custom")
        buttons = [b for b in message.get("buttons") or [] if isinstance(b, Mapping) and b.get("title")]
        out.append(
            VoiceMessage(
                text=voice_text(message.get("text")),
                choices=[(str(b["title"]), str(b.get("payload") or b["title"])) for b in buttons],
                response=message.get("response"),
                phone=handoff_phone(custom),
                summary=handoff_summary(custom),
                end_call=ends_call(custom),
                raw_text=str(message.get("text") or ""),
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
    never_dial: Sequence[str] = (),
) -> Plan:
    """Turns the bot's messages into what the caller hears.

    The emergency reply is said first. A handoff payload ends the turn with a
    transfer (never to a number in ``never_dial``: the emergency and crisis
    numbers are for the caller to call from their own phone, so that the
    dispatcher sees where they are); an end-call payload ends it after the
    replies. Otherwise the last message (with every button of the turn as
    numbered choices) is said inside `<Gather>`, cut to about 20 seconds
    unless it is a safety reply, which is followed by the offer to repeat it.
    Texts for SMS are taken out and never spoken.
    """
    more_prompt = more_prompt or wording().more_prompt
    transfer_announcement = transfer_announcement or wording().transfer_announcement
    sms = [m.raw_text for m in messages if m.response in SMS_RESPONSES and m.raw_text]
    messages = [m for m in messages if m.response not in SMS_RESPONSES]
    # The emergency reply goes before anything else said in the same turn.
    messages = sorted(messages, key=lambda m: m.response != EMERGENCY_RESPONSE)
    safety = any(m.response == EMERGENCY_RESPONSE for m in messages)

    def flagged(plan: Plan) -> Plan:
        plan.sms = sms
        plan.safety = safety
        plan.goodbye = any(m.response == GOODBYE_RESPONSE for m in messages)
        plan.not_understood = bool(messages) and messages[-1].response in wording().keypad.not_understood_responses
        return plan

    payload_phone = next((m.phone for m in messages if m.phone), None)
    speakable = [m for m in messages if m.text or m.choices]
    if payload_phone is not None:
        number = dial_number(clinic_number) or dial_number(payload_phone)
        if number and not any(same_number(number, forbidden) for forbidden in never_dial):
            lead = [speech_chunks(m.text) for m in speakable if m.text]
            summary = next((m.summary for m in messages if m.summary is not None), None)
            return flagged(Plan(lead=[*lead, [transfer_announcement]], dial=number, summary=summary))
    if any(m.end_call for m in messages):
        return flagged(Plan(lead=[speech_chunks(m.text) for m in speakable if m.text], hangup=True))
    if not speakable:
        return flagged(Plan(prompt=[fallback_prompt]))
    choices = [c for m in speakable for c in m.choices]
    *earlier, last = speakable
    lead = [speech_chunks(m.text) for m in earlier if m.text]
    may_cut = last.response not in FULL_LENGTH_RESPONSES
    prompt, active, pending = _last_part(last.text, choices, may_cut, more_prompt,
                                         read_choices=last.response not in CHOICES_IN_TEXT)
    prompt = prompt or [fallback_prompt]
    if safety:
        prompt.append(wording().keypad.repeat_offer)
    return flagged(Plan(lead=lead, prompt=prompt, choices=active, pending=pending))


def plan_rest(pending: Pending, more_prompt: Optional[str] = None) -> Plan:
    """The next part of a long message the caller asked to hear."""
    prompt, active, rest = _last_part(pending.text, pending.choices, True, more_prompt or wording().more_prompt)
    return Plan(prompt=prompt, choices=active, pending=rest)
