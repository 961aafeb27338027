"""The clinic's phone line: Rasa's Twilio Voice channel, made safe and speakable.

Route `/webhooks/twilio_voice/webhook` (Twilio posts a form with `From`,
`SpeechResult`, `CallStatus`, ...; we answer with TwiML). Differences from the
stock channel (`rasa.core.channels.twilio_voice`):

- Signature check: with `TWILIO_AUTH_TOKEN` set, every POST must carry a valid
  `X-Twilio-Signature` over the URL Twilio called (`TWILIO_PUBLIC_URL` behind a
  TLS proxy, else the request URL) and the form fields; anything else gets 403
  before it reaches the model. Without the token (tests, demos) nothing is
  checked and a warning is logged at start-up.
- Transfer: a bot message carrying `{"handoff": {"phone": ...}}` (custom/json
  payload, see `action_human_handoff`) is spoken, then the call is `<Dial>`led
  to `CLINIC_PHONE_NUMBER` (or the payload's number).
- Speech shaping: URLs, markdown, emoji and the "From: ..." source line are
  not read out; buttons become numbered choices ("Say one for ..., two for
  ...") and a spoken "two", "second", "option 2" sends that button's payload;
  a long last message is cut after about 50 words and ends with an offer to
  hear the rest, which "yes" / "more" reads on.
- No speech: the last prompt is repeated (with its choices); after
  `MAX_REPLAYS` silent replays the call ends politely.
- Every call starts a new Rasa session, so each caller hears the disclaimer
  and no previous call's health details carry over.
- Callers who withhold their number get a conversation per call (keyed by
  CallSid) instead of one shared "anonymous" conversation.

The per-caller state (offered choices, unread rest, last prompt) lives in this
process: with several Rasa replicas a caller's turns must reach the same one.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Text, Tuple
from urllib.parse import parse_qs, urlsplit, urlunsplit

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request, RequestParameters
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator
from twilio.twiml.voice_response import Gather, VoiceResponse

from channels.validation import MAX_SENDER_CHARS

logger = logging.getLogger(__name__)

CHANNEL_NAME = "twilio_voice"
WEBHOOK_PATH = f"/webhooks/{CHANNEL_NAME}/webhook"
SIGNATURE_HEADER = "X-Twilio-Signature"

# Wording. Each can be replaced by a domain response of the same key (first
# text without a `channel`, or with `channel: twilio_voice`); `{slot}`
# placeholders are filled from the caller's slots. The constants are used
# until the domain has them.
MORE_PROMPT = "Would you like to hear more, or ask something else?"
TRANSFER_ANNOUNCEMENT = "I'm putting you through now. Please stay on the line."
NO_SPEECH_GOODBYE = (
    "I haven't heard anything, so I'll end the call now. Please call again any time. "
    "In an emergency, hang up and call {emergency_number}."
)
ERROR_REPLY = "Sorry, something went wrong on my side. Please try again in a moment."
VOICE_WORDING = {
    "utter_voice_more": MORE_PROMPT,
    "utter_voice_transfer": TRANSFER_ANNOUNCEMENT,
    "utter_voice_no_speech_goodbye": NO_SPEECH_GOODBYE,
    # Already in the domain ("... contact {clinic_name} on {clinic_phone}").
    "utter_default": ERROR_REPLY,
}
SLOT_DEFAULTS = {"emergency_number": "your local emergency number"}

# "Say one for Risks and safety, two for What the evidence says."
CHOICES_INTRO = "Say"
CHOICE_ITEM = "{number} for {title}"

# About 2.5 to 3 words a second: 60 words are some 20 seconds of speech.
MAX_SPOKEN_WORDS = 60
KEEP_WORDS = 50
MAX_CHOICES = 9
MAX_REPLAYS = 2
MAX_CALLERS = 1000
CALLER_STATE_TTL_SECONDS = 3600.0
# Twilio transcribes at most about a minute of speech; anything longer is not a caller.
MAX_SPEECH_CHARS = 5000
ENDED_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
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
SOURCE_LINE_PREFIXES = ("From:",)
# Withheld caller IDs, as Twilio sends them (words, or their keypad digits).
WITHHELD_CALLER_IDS = frozenset(
    {
        "anonymous",
        "restricted",
        "unavailable",
        "unknown",
        "blocked",
        "private",
        "+266696687",
        "+7378742833",
        "+86282452253",
        "+8656696",
        "+2562533",
    }
)

Choice = Tuple[str, str]  # (title, payload)

_local_mode_warned = False


# ---------------------------------------------------------------- text shaping


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


def shorten(text: str, max_words: int = MAX_SPOKEN_WORDS, keep_words: int = KEEP_WORDS) -> Tuple[str, str]:
    """(what to say now, what is left): the first sentences up to `keep_words` if the text is too long."""
    if word_count(text) <= max_words:
        return text, ""
    pieces = _pieces(text, keep_words)
    head = [pieces[0]]
    used = word_count(pieces[0])
    for piece in pieces[1:]:
        if used + word_count(piece) > keep_words:
            break
        head.append(piece)
        used += word_count(piece)
    return " ".join(head), " ".join(pieces[len(head) :])


_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def choice_title(title: str) -> str:
    """A button title as read in a list ("Is it safe?" -> "Is it safe")."""
    return voice_text(title).rstrip(".?!:;, ")


def choices_sentence(titles: Sequence[str]) -> str:
    """The choices as one sentence: "Say one for Risks and safety, two for What the evidence says"."""
    items = [
        CHOICE_ITEM.format(number=_NUMBER_WORDS[i], title=choice_title(t))
        for i, t in enumerate(titles[:MAX_CHOICES])
    ]
    return f"{CHOICES_INTRO} {', '.join(items)}." if items else ""


def _tokens(speech: str) -> List[str]:
    return re.sub(r"[^\w'#]+", " ", speech.lower().replace("’", "'")).split()


_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "forth": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8, "ninth": 9, "9th": 9,
}  # fmt: skip
_CARDINALS = {
    **{word: i + 1 for i, word in enumerate(_NUMBER_WORDS)},
    **{str(i): i for i in range(1, 10)},
    # What speech recognition makes of a lone number.
    "won": 1, "to": 2, "too": 2, "tree": 3, "for": 4, "fore": 4,
}  # fmt: skip
_LEADING_FILLERS = frozenset(
    "um uh er erm hmm ah oh ok okay so well yes yeah yep i i'd id i'll ill would like want choose "
    "pick take go with let's lets give me say said select the number option choice no. # to for".split()
)
_TRAILING_FILLERS = frozenset("please thanks thank you option choice".split())


def choice_number(speech: str, count: int) -> Optional[int]:
    """The 1-based choice a spoken reply names ("two", "the second one", "option 2"), or None."""
    if count <= 0:
        return None
    tokens = _tokens(speech)
    while len(tokens) > 1 and tokens[-1] in _TRAILING_FILLERS:
        tokens.pop()
    # "the second one", "number two one"? only an ordinal takes a trailing "one".
    if len(tokens) > 1 and tokens[-1] == "one" and (tokens[-2] in _ORDINALS or tokens[-2] == "last"):
        tokens.pop()
    while len(tokens) > 1 and tokens[0] in _LEADING_FILLERS:
        tokens.pop(0)
    if len(tokens) != 1:
        return None
    word = tokens[0]
    number = _ORDINALS.get(word) or _CARDINALS.get(word) or (count if word == "last" else None)
    if number is None or not 1 <= number <= count:
        return None
    return number


def _normalised(text: str) -> str:
    tokens = _tokens(voice_text(text))
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


_MORE_VOCABULARY = frozenset(
    "yes yeah yep yup sure ok okay please more go on continue keep going hear tell me the rest i i'd id "
    "would like to want read carry it that of a bit some little and do please thanks".split()
)
_MORE_TRIGGERS = frozenset("yes yeah yep yup sure ok okay more continue rest go carry".split())


def wants_more(speech: str) -> bool:
    """True for "yes", "more", "go on", "yes please, tell me more": not for a new question."""
    tokens = _tokens(speech)
    return bool(tokens) and all(t in _MORE_VOCABULARY for t in tokens) and any(t in _MORE_TRIGGERS for t in tokens)


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


def caller_key(params: Mapping[str, Any]) -> Optional[str]:
    """The conversation id: the caller's number, or the call when the number is withheld."""
    caller = str(params.get("From") or "").strip()
    withheld = caller.lower() in WITHHELD_CALLER_IDS
    if caller and not withheld and len(caller) <= MAX_SENDER_CHARS and caller.isprintable():
        return caller
    call_sid = str(params.get("CallSid") or "").strip()
    if call_sid and len(call_sid) <= MAX_SENDER_CHARS - 5 and call_sid.isalnum():
        return f"call-{call_sid}"
    return None


def fill_slots(text: str, slots: Mapping[str, Any]) -> str:
    """Replaces `{slot}` placeholders; unknown ones fall back to `SLOT_DEFAULTS`, else nothing."""

    def value(match: "re.Match[str]") -> str:
        name = match.group(1)
        found = slots.get(name)
        return str(found) if found not in (None, "") else SLOT_DEFAULTS.get(name, "")

    return re.sub(r"\{(\w+)\}", value, text)


# ---------------------------------------------------------------- signatures


def public_webhook_url(public_url: str, path: str = WEBHOOK_PATH, query: str = "") -> str:
    """The URL Twilio calls, from `TWILIO_PUBLIC_URL`.

    `TWILIO_PUBLIC_URL` may be the origin (`https://voice.clinic.org`), an
    origin with a path prefix (`https://clinic.org/rasa`), or the full webhook
    URL as entered in the Twilio console. `query` (the request's query string)
    is appended unless the configured URL has its own.
    """
    parts = urlsplit(public_url.strip())
    base_path = parts.path.rstrip("/")
    full_path = base_path if base_path.endswith(path) else f"{base_path}{path}"
    return urlunsplit((parts.scheme, parts.netloc, full_path, parts.query or query, ""))


def form_params(body: bytes) -> RequestParameters:
    """The form fields, blank ones included (Twilio signs those too; Sanic's `request.form` drops them)."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return RequestParameters()
    return RequestParameters(parse_qs(decoded, keep_blank_values=True))


def signature_valid(auth_token: str, url: str, params: Any, signature: Optional[str]) -> bool:
    """True if `signature` is Twilio's signature of this URL and these form fields."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


# ---------------------------------------------------------------- one turn


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


def pressed_choice(digits: Optional[str], choices: Sequence[Choice]) -> Optional[Choice]:
    """The offered choice a caller picked on the keypad ("1" is the first), or None."""
    digits = (digits or "").strip()
    if len(digits) != 1 or not digits.isdigit():
        return None
    number = int(digits)
    return choices[number - 1] if 1 <= number <= len(choices) else None


def plan_turn(
    messages: Sequence[VoiceMessage],
    fallback_prompt: str,
    more_prompt: str = MORE_PROMPT,
    transfer_announcement: str = TRANSFER_ANNOUNCEMENT,
    clinic_number: Optional[str] = None,
) -> Plan:
    """Turns the bot's messages into what the caller hears.

    A handoff payload ends the turn with a transfer; otherwise the last
    message (with every button of the turn as numbered choices) is said
    inside `<Gather>`, cut to about 50 words unless it is a safety reply.
    """
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


def plan_rest(pending: Pending, more_prompt: str = MORE_PROMPT) -> Plan:
    """The next part of a long message the caller asked to hear."""
    prompt, active, rest = _last_part(pending.text, pending.choices, True, more_prompt)
    return Plan(prompt=prompt, choices=active, pending=rest)


# ---------------------------------------------------------------- per-caller state


@dataclass
class CallerState:
    """What the channel remembers between two requests of one call."""

    choices: List[Choice] = field(default_factory=list)
    pending: Optional[Pending] = None
    prompt: List[str] = field(default_factory=list)
    replays: int = 0
    seen: float = field(default_factory=time.monotonic)


class CallerStates:
    """A bounded, expiring map from caller to `CallerState` (least recently used go first)."""

    def __init__(self, max_callers: int = MAX_CALLERS, ttl: float = CALLER_STATE_TTL_SECONDS) -> None:
        self.max_callers = max_callers
        self.ttl = ttl
        self._states: "OrderedDict[str, CallerState]" = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def __contains__(self, caller: object) -> bool:
        return caller in self._states

    def get(self, caller: str) -> CallerState:
        """The caller's state (a fresh one if unknown or expired)."""
        now = time.monotonic()
        state = self._states.pop(caller, None)
        if state is None or now - state.seen > self.ttl:
            state = CallerState()
        state.seen = now
        self._states[caller] = state
        while len(self._states) > self.max_callers:
            self._states.popitem(last=False)
        return state

    def forget(self, caller: str) -> None:
        """Drops the caller's state (call ended)."""
        self._states.pop(caller, None)


# ---------------------------------------------------------------- output channel


class VoiceOutputChannel(CollectingOutputChannel):
    """Collects the bot's messages with what speech needs: shaped later, buttons and payloads kept."""

    @classmethod
    def name(cls) -> Text:
        """Channel-specific responses (`channel: twilio_voice`) apply."""
        return CHANNEL_NAME

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        """Keeps the whole text (paragraphs become pauses when spoken)."""
        await self._persist_message({"text": text, "response": kwargs.get("utter_action")})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        """Keeps the buttons: they are read as numbered choices."""
        await self._persist_message({"text": text, "buttons": buttons, "response": kwargs.get("utter_action")})

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Keeps the payload (a handoff becomes a transfer)."""
        await self._persist_message({"custom": json_message, "response": kwargs.get("utter_action")})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        """Images cannot be spoken."""
        logger.debug("Dropped an image from a voice reply")

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        """Attachments cannot be spoken."""
        logger.debug("Dropped an attachment from a voice reply")


# ---------------------------------------------------------------- input channel


def _as_text(value: Any, default: str) -> str:
    """Credentials values as the stock checks expect them (YAML may give ints or booleans)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class SafeTwilioVoiceInput(TwilioVoiceInput):
    """Twilio Voice with signature validation, transfer and speech-shaped replies."""

    @classmethod
    def name(cls) -> Text:
        """Keeps the stock route `/webhooks/twilio_voice/webhook`."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The stock settings; unquoted numbers and booleans are accepted too."""
        credentials = credentials or {}
        return cls(
            _as_text(credentials.get("initial_prompt"), "hello"),
            _as_text(
                credentials.get("reprompt_fallback_phrase"),
                "Sorry, I didn't get that. Could you say it another way?",
            ),
            _as_text(credentials.get("assistant_voice"), "woman"),
            _as_text(credentials.get("speech_timeout"), "5"),
            _as_text(credentials.get("speech_model"), "default"),
            _as_text(credentials.get("enhanced"), "false"),
            new_session_per_call=_as_text(credentials.get("new_session_per_call"), "true").lower() != "false",
        )

    def __init__(
        self,
        initial_prompt: Optional[Text],
        reprompt_fallback_phrase: Optional[Text],
        assistant_voice: Optional[Text],
        speech_timeout: Text = "5",
        speech_model: Text = "default",
        enhanced: Text = "false",
        new_session_per_call: bool = True,
    ) -> None:
        super().__init__(
            initial_prompt, reprompt_fallback_phrase, assistant_voice, speech_timeout, speech_model, enhanced
        )
        self.new_session_per_call = new_session_per_call
        self.auth_token = os.environ.get("TWILIO_AUTH_TOKEN", "").strip()
        self.public_url = os.environ.get("TWILIO_PUBLIC_URL", "").strip()
        self.callers = CallerStates()
        global _local_mode_warned
        if not self.auth_token and not _local_mode_warned:
            _local_mode_warned = True
            logger.warning(
                "TWILIO_AUTH_TOKEN is not set: the twilio_voice channel accepts unsigned requests "
                "(local mode, for tests and demos only). Set it before connecting a real phone number."
            )

    # -- helpers

    def _request_url(self, request: Request) -> str:
        if self.public_url:
            return public_webhook_url(self.public_url, request.path, request.query_string)
        return request.url

    def _gather_action(self) -> str:
        return public_webhook_url(self.public_url) if self.public_url else WEBHOOK_PATH

    @staticmethod
    def _wording(domain: Any, key: str, slots: Optional[Mapping[str, Any]] = None) -> str:
        """A voice phrase from the domain response `key`, else the module constant."""
        text = VOICE_WORDING[key]
        variations = (getattr(domain, "responses", None) or {}).get(key) or []
        for wanted in (CHANNEL_NAME, None):
            found = next((v.get("text") for v in variations if v.get("channel") == wanted and v.get("text")), None)
            if found:
                text = str(found)
                break
        return fill_slots(text, slots or {})

    @staticmethod
    async def _slots(agent: Any, sender: str) -> Dict[str, Any]:
        """The caller's slot values (domain initial values if there is no conversation)."""
        slots: Dict[str, Any] = {}
        domain = getattr(agent, "domain", None)
        for slot in getattr(domain, "slots", None) or []:
            slots[slot.name] = slot.initial_value
        tracker = await SafeTwilioVoiceInput._tracker(agent, sender)
        if tracker is not None:
            slots.update({k: v for k, v in tracker.current_slot_values().items() if v is not None})
        return slots

    @staticmethod
    async def _tracker(agent: Any, sender: str) -> Any:
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None
        try:
            return await store.retrieve(sender)
        except Exception:  # a broken store must not end the call
            logger.exception("Could not read the conversation of a caller")
            return None

    def _twiml(self, plan: Plan) -> VoiceResponse:
        voice = VoiceResponse()
        ends_call = plan.hangup or plan.dial is not None
        for i, group in enumerate(plan.lead):
            for text in group:
                voice.say(text, voice=self.assistant_voice)
            if i + 1 < len(plan.lead) or not ends_call:
                voice.pause(length=1)
        if plan.hangup:
            voice.hangup()
            return voice
        if plan.dial:
            voice.dial(plan.dial)
            return voice
        extra: Dict[str, Any] = {}
        if plan.choices:
            # Helps speech recognition hear "two" rather than "to".
            hints = [*_NUMBER_WORDS[: len(plan.choices)], *(choice_title(t) for t, _ in plan.choices)]
            extra["hints"] = ", ".join(hints)
        if plan.choices:
            # Numbered choices can also be picked on the keypad (one digit each).
            extra.update(input="dtmf speech", numDigits=1)
        gather = Gather(
            input=extra.pop("input", "speech"),
            action=self._gather_action(),
            actionOnEmptyResult=True,
            speechTimeout=self.speech_timeout,
            speechModel=self.speech_model,
            enhanced=self.enhanced,
            **extra,
        )
        for text in plan.prompt:
            gather.say(text, voice=self.assistant_voice)
        voice.append(gather)
        return voice

    def _remember(self, state: CallerState, plan: Plan) -> None:
        state.choices = list(plan.choices)
        state.pending = plan.pending
        state.prompt = list(plan.prompt)

    async def _ask(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        texts: Sequence[str],
    ) -> List[Dict[str, Any]]:
        collector = VoiceOutputChannel()
        for text in texts:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
        return collector.messages

    async def _turn(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        texts: Sequence[str],
    ) -> Plan:
        agent = request.app.ctx.agent
        domain = getattr(agent, "domain", None)
        try:
            collected = await self._ask(on_new_message, sender, texts)
        except Exception:
            logger.exception("The assistant failed to answer a caller")
            error = self._wording(domain, "utter_default", await self._slots(agent, sender))
            return Plan(prompt=[error])
        return plan_turn(
            voice_messages(collected),
            fallback_prompt=self.reprompt_fallback_phrase or ERROR_REPLY,
            more_prompt=self._wording(domain, "utter_voice_more"),
            transfer_announcement=self._wording(domain, "utter_voice_transfer"),
            clinic_number=os.environ.get("CLINIC_PHONE_NUMBER"),
        )

    async def _no_speech(self, request: Request, sender: str, state: CallerState) -> Plan:
        """Repeats the last prompt; ends the call after `MAX_REPLAYS` silent repeats."""
        agent = request.app.ctx.agent
        domain = getattr(agent, "domain", None)
        state.replays += 1
        if state.replays > MAX_REPLAYS:
            goodbye = self._wording(domain, "utter_voice_no_speech_goodbye", await self._slots(agent, sender))
            return Plan(lead=[[goodbye]], hangup=True)
        if state.prompt:
            return Plan(prompt=list(state.prompt), choices=list(state.choices), pending=state.pending)
        # Nothing remembered (e.g. after a restart): the last bot message of the conversation.
        tracker = await self._tracker(agent, sender)
        last = None
        if tracker is not None:
            last = next((e for e in reversed(tracker.events) if isinstance(e, BotUttered) and e.text), None)
        if last is None:
            return Plan(prompt=[self.reprompt_fallback_phrase or ERROR_REPLY])
        message = {"text": last.text, "buttons": (last.data or {}).get("buttons"), "response": None}
        return plan_turn(
            voice_messages([message]),
            fallback_prompt=self.reprompt_fallback_phrase or ERROR_REPLY,
            more_prompt=self._wording(domain, "utter_voice_more"),
        )

    async def _new_call_texts(self, request: Request, sender: str) -> List[str]:
        texts = [self.initial_prompt or "hello"]
        if self.new_session_per_call:
            tracker = await self._tracker(request.app.ctx.agent, sender)
            if tracker is not None and tracker.events:
                # An earlier call of this number: start afresh (disclaimer, empty slots).
                texts.insert(0, "/session_start")
        return texts

    # -- the webhook

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """`GET /` (health) and `POST /webhook` (Twilio's call webhook)."""
        twilio_voice_webhook = Blueprint("safe_twilio_voice_webhook", __name__)

        @twilio_voice_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_voice_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = form_params(request.body or b"")
            if self.auth_token and not signature_valid(
                self.auth_token, self._request_url(request), params, request.headers.get(SIGNATURE_HEADER)
            ):
                logger.warning("Refused a twilio_voice request without a valid %s", SIGNATURE_HEADER)
                return response.text("invalid or missing Twilio signature", status=403)

            sender = caller_key(params)
            if sender is None:
                return response.text("'From' (or 'CallSid') is required", status=400)
            call_status = (params.get("CallStatus") or "").strip().lower()
            if call_status in ENDED_CALL_STATUSES:
                self.callers.forget(sender)
                return response.text(str(VoiceResponse()), content_type="text/xml")

            speech = params.get("SpeechResult")
            state = self.callers.get(sender)
            pressed = pressed_choice(params.get("Digits"), state.choices)
            if pressed is not None:
                # A key pressed for a numbered choice counts as saying it.
                speech = pressed[0]
            if speech is None and call_status == "ringing":
                # A new call: nothing of an earlier call's prompts applies.
                self.callers.forget(sender)
                state = self.callers.get(sender)
                plan = await self._turn(request, on_new_message, sender, await self._new_call_texts(request, sender))
            elif speech is None or not speech.strip():
                plan = await self._no_speech(request, sender, state)
            else:
                speech = speech.strip()[:MAX_SPEECH_CHARS]
                state.replays = 0
                if state.pending is not None and wants_more(speech):
                    domain = getattr(request.app.ctx.agent, "domain", None)
                    plan = plan_rest(state.pending, self._wording(domain, "utter_voice_more"))
                else:
                    choice = match_choice(speech, state.choices)
                    text = choice[1] if choice else speech
                    plan = await self._turn(request, on_new_message, sender, [text])

            if plan.hangup or plan.dial:
                self.callers.forget(sender)
            else:
                self._remember(state, plan)
            return response.text(str(self._twiml(plan)), content_type="text/xml")

        return twilio_voice_webhook
