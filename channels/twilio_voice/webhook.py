"""`/webhooks/twilio_voice/webhook` and `/whisper`: Twilio's call requests to Rasa, and TwiML back."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Set, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.voice_response import VoiceResponse

import server
from channels.bounded_map import BoundedMap
from channels.settings import secret, setting
from channels.twilio_voice.callers import CallerState, CallerStates
from channels.twilio_voice.choices import match_choice, pressed_choice, wants_more
from channels.twilio_voice.keypad import is_key, keypad_offer, menu_choices, yes_no_choices, yes_or_no
from channels.twilio_voice.output import VoiceOutputChannel
from channels.twilio_voice.plan import Plan, plan_rest, plan_turn, voice_messages
from channels.twilio_voice.signature import (
    CHANNEL_NAME,
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    WHISPER_PATH,
    caller_key,
    form_params,
    public_webhook_url,
    signature_valid,
)
from channels.twilio_voice.sms import SmsSender, SmsSettings
from channels.twilio_voice.twiml import Voice, plan_twiml, say_all
from channels.twilio_voice.whisper import whisper_text
from channels.twilio_voice.wording import wording
from mfr.call_summary import CallSummary
from mfr.callback_store import callable_number
from mfr.settings import clinic_settings

__all__ = ["TwilioVoiceChannel", "VoiceOutputChannel"]

logger = logging.getLogger(__name__)

MAX_REPLAYS = 2
# After this many turns in a row without being understood, the keypad is offered.
MISHEARD_BEFORE_KEYPAD = 2
# Twilio transcribes at most about a minute of speech; anything longer is not a caller.
MAX_SPEECH_CHARS = 5000
ENDED_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
# A transfer the clinic answered: the caller talked to staff, and the call is over.
ANSWERED_DIAL_STATUSES = frozenset({"completed", "answered"})
# Payloads of the phone line's own yes-or-no offers.
CALLBACK_PAYLOAD = "/request_callback"
HELPFUL_PAYLOAD = "/feedback_helpful"
UNHELPFUL_PAYLOAD = "/feedback_unhelpful"
TEXT_SUMMARY_PAYLOAD = "/text_summary"
GOODBYE_PAYLOAD = "/goodbye"
MAX_WHISPERS = 1000
WHISPER_TTL_SECONDS = 600.0

_local_mode_warned = False


def _as_text(value: Any, default: str) -> str:
    """Credentials values as the stock checks expect them (YAML may give ints or booleans)."""
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class TwilioVoiceChannel(TwilioVoiceInput):
    """Twilio Voice with signature validation, keypad, warm transfer, texts and speech-shaped replies."""

    @classmethod
    def name(cls) -> Text:
        """Keeps the stock route `/webhooks/twilio_voice/webhook`."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The stock settings; unquoted numbers and booleans are accepted too."""
        server.install_all()
        credentials = credentials or {}
        channel = cls(
            _as_text(credentials.get("initial_prompt"), "hello"),
            _as_text(credentials.get("reprompt_fallback_phrase"), wording().reprompt),
            _as_text(credentials.get("assistant_voice"), "woman"),
            _as_text(credentials.get("speech_timeout"), "5"),
            _as_text(credentials.get("speech_model"), "default"),
            _as_text(credentials.get("enhanced"), "false"),
            new_session_per_call=_as_text(credentials.get("new_session_per_call"), "true").lower() != "false",
        )
        channel.sms = cls._sms_sender(credentials)
        return channel

    @staticmethod
    def _sms_sender(credentials: Optional[Dict[Text, Any]]) -> Optional[SmsSender]:
        settings = SmsSettings.read(credentials)
        return SmsSender(settings) if settings else None

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
        self.auth_token = secret("TWILIO_AUTH_TOKEN") or ""
        self.public_url = setting(None, "public_url", "TWILIO_PUBLIC_URL") or ""
        self.callers = CallerStates()
        self.whispers: BoundedMap[CallSummary] = BoundedMap(MAX_WHISPERS, WHISPER_TTL_SECONDS)
        self.sms: Optional[SmsSender] = self._sms_sender(None)
        self._sending: Set["asyncio.Task[Any]"] = set()
        global _local_mode_warned
        if not self.auth_token and not _local_mode_warned:
            _local_mode_warned = True
            logger.warning(
                "TWILIO_AUTH_TOKEN is not set: the twilio_voice channel accepts unsigned requests "
                "(local mode, for tests and demos only). Set it before connecting a real phone number."
            )

    # -- URLs and TwiML

    def _request_url(self, request: Request) -> str:
        if self.public_url:
            return public_webhook_url(self.public_url, request.path, request.query_string)
        return request.url

    def _url(self, path: str, query: str = "") -> str:
        if self.public_url:
            return public_webhook_url(self.public_url, path, query)
        return f"{path}?{query}" if query else path

    def _voice(self) -> Voice:
        return Voice(self.assistant_voice, self.speech_timeout, self.speech_model, self.enhanced)

    def _twiml(self, plan: Plan) -> VoiceResponse:
        whisper_url = None
        if plan.dial:
            token = secrets.token_urlsafe(16)
            self.whispers.put(token, plan.summary or CallSummary())
            whisper_url = self._url(WHISPER_PATH, f"t={token}")
        return plan_twiml(plan, self._voice(), self._url(WEBHOOK_PATH), whisper_url)

    # -- asking the assistant

    async def _ask(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, texts: Sequence[str]
    ) -> List[Dict[str, Any]]:
        collector = VoiceOutputChannel()
        for text in texts:
            await on_new_message(UserMessage(text, collector, sender, input_channel=self.name()))
        return collector.messages

    async def _turn(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, state: CallerState,
        texts: Sequence[str],
    ) -> Plan:
        """Sends the caller's words (or a payload) to the assistant and plans what the line says."""
        state.asked = True
        try:
            collected = await self._ask(on_new_message, sender, texts)
        except Exception:
            logger.exception("The assistant failed to answer a caller")
            return Plan(prompt=[wording().error_reply])
        settings = clinic_settings()
        return plan_turn(
            voice_messages(collected),
            fallback_prompt=self.reprompt_fallback_phrase or wording().error_reply,
            clinic_number=os.environ.get("CLINIC_PHONE_NUMBER"),
            never_dial=(settings.emergency_number, settings.crisis_line),
        )

    def _new_call_texts(self) -> List[str]:
        """A ringing call: a fresh session (disclaimer, empty slots), then the greeting."""
        texts = [self.initial_prompt or "hello"]
        if self.new_session_per_call:
            texts.insert(0, "/session_start")
        return texts

    # -- what the line does itself

    def _again(self, state: CallerState, before: Sequence[str] = ()) -> Plan:
        """The last prompt again with its choices (after silence or an unknown key)."""
        if not state.prompt:
            # Nothing remembered (a restarted server, or a replica that did not hear the last turn).
            return Plan(prompt=[*before, self.reprompt_fallback_phrase or wording().reprompt])
        return Plan(prompt=[*before, *state.prompt], choices=list(state.choices), pending=state.pending,
                    yes_no=state.yes_no, safety=state.safety)

    def _no_speech(self, state: CallerState) -> Plan:
        """Repeats the last prompt; ends the call after `MAX_REPLAYS` silent repeats."""
        state.replays += 1
        state.misheard += 1
        if state.replays > MAX_REPLAYS:
            goodbye = wording().no_speech_goodbye.format(emergency_number=clinic_settings().emergency_number)
            return Plan(lead=[[goodbye]], hangup=True)
        return self._again(state)

    def _repeat(self, state: CallerState) -> Plan:
        """Key 9: everything the last turn said, with its choices."""
        plan = self._again(state)
        plan.lead = [list(group) for group in state.lead]
        return plan

    def _after_dial(self, sender: str, dial_status: str) -> Plan:
        """Back from a transfer: the call is over if the clinic answered, else a call-back is offered."""
        if dial_status in ANSWERED_DIAL_STATUSES:
            return Plan(hangup=True)
        words = wording()
        if callable_number(sender):
            return Plan(prompt=[words.no_answer_callback_offer],
                        choices=yes_no_choices(CALLBACK_PAYLOAD, GOODBYE_PAYLOAD), yes_no=True)
        settings = clinic_settings()
        return Plan(prompt=[words.no_answer_no_number.format(
            clinic_phone=settings.clinic_phone, clinic_hours=settings.clinic_hours,
            emergency_number=settings.emergency_number)])

    def _end_of_call(self, sender: str, state: CallerState, plan: Plan) -> Plan:
        """After a goodbye: "did I answer your question?" once, the text offer once (if possible), then hang up."""
        if plan.goodbye:
            state.ending = True
            state.farewell = list(plan.prompt)
        said = plan.lead if plan.goodbye else [*plan.lead, plan.prompt]
        words = wording()
        if not state.feedback_asked:
            state.feedback_asked = True
            return Plan(lead=said, prompt=[words.feedback_question],
                        choices=yes_no_choices(HELPFUL_PAYLOAD, UNHELPFUL_PAYLOAD), yes_no=True)
        if self.sms is not None and callable_number(sender) and not state.sms_offered:
            state.sms_offered = True
            return Plan(lead=said, prompt=[words.sms_offer],
                        choices=yes_no_choices(TEXT_SUMMARY_PAYLOAD, GOODBYE_PAYLOAD), yes_no=True)
        return Plan(lead=[*said, state.farewell], hangup=True, safety=plan.safety)

    def _offer_keypad(self, plan: Plan) -> None:
        """Adds the keypad offer (with the current choices, else a topic menu) to the prompt."""
        if plan.pending is not None or plan.hangup or plan.dial:
            return
        if not plan.choices:
            plan.choices = menu_choices()
        plan.prompt.append(keypad_offer(plan.choices))

    def _send_texts(self, sender: str, texts: Sequence[str]) -> None:
        number = callable_number(sender)
        if not texts or self.sms is None or number is None:
            return
        for body in texts:
            task = asyncio.get_running_loop().create_task(self.sms.send(number, body))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _handle(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, state: CallerState,
        params: Any,
    ) -> Plan:
        """What this request of the call says and does."""
        call_status = (params.get("CallStatus") or "").strip().lower()
        dial_status = (params.get("DialCallStatus") or "").strip().lower()
        if dial_status:
            return self._after_dial(sender, dial_status)
        speech = params.get("SpeechResult")
        digits = (params.get("Digits") or "").strip()
        keypad = wording().keypad
        if is_key(digits):
            state.replays = 0
            state.misheard = 0
            if digits == keypad.person_key:
                return await self._turn(on_new_message, sender, state, [keypad.person_payload])
            if digits == keypad.repeat_key:
                return self._repeat(state)
            if state.pending is not None and digits in ("1", "2"):
                return plan_rest(state.pending) if digits == "1" else Plan(prompt=[wording().more_declined])
            pressed = pressed_choice(digits, state.choices)
            if pressed is not None:
                state.answered_offer = state.yes_no
                return await self._turn(on_new_message, sender, state, [pressed[1]])
            return self._again(state, before=[keypad.unknown_key])
        if speech is None and call_status == "ringing":
            return await self._turn(on_new_message, sender, state, self._new_call_texts())
        if speech is None or not speech.strip():
            return self._no_speech(state)
        speech = speech.strip()[:MAX_SPEECH_CHARS]
        state.replays = 0
        if state.pending is not None and wants_more(speech):
            return plan_rest(state.pending)
        answer = yes_or_no(speech) if state.yes_no and len(state.choices) == 2 else None
        if answer is not None:
            text = state.choices[0 if answer else 1][1]
        else:
            choice = match_choice(speech, state.choices)
            text = choice[1] if choice else speech
        state.answered_offer = state.yes_no and text in {payload for _, payload in state.choices}
        plan = await self._turn(on_new_message, sender, state, [text])
        state.misheard = state.misheard + 1 if plan.not_understood else 0
        return plan

    async def respond(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], sender: str, params: Any
    ) -> Plan:
        """One request of a call in progress: what to say and do, with the line's own steps added.

        A goodbye leads to the offer of a text (once) or ends the call; a
        caller not understood twice in a row is offered the keypad.
        """
        call_status = (params.get("CallStatus") or "").strip().lower()
        if call_status == "ringing" and params.get("SpeechResult") is None and not params.get("Digits"):
            # A new call: nothing of an earlier call's prompts applies.
            self.callers.forget(sender)
        state = self.callers.get(sender)
        state.answered_offer = state.asked = False
        plan = await self._handle(on_new_message, sender, state, params)
        self._send_texts(sender, plan.sms)
        if not (plan.hangup or plan.dial) and (plan.goodbye or (state.ending and state.answered_offer)):
            plan = self._end_of_call(sender, state, plan)
        elif state.ending and state.asked and not state.answered_offer:
            # The caller asked something else instead of answering: the call goes on.
            state.ending = False
        if state.misheard >= MISHEARD_BEFORE_KEYPAD:
            self._offer_keypad(plan)
            state.misheard = 0
        if plan.hangup:
            self.callers.forget(sender)
        else:
            state.remember(plan)
        return plan

    # -- the routes

    def _refused(self, request: Request, params: Any) -> Optional[HTTPResponse]:
        if self.auth_token and not signature_valid(
            self.auth_token, self._request_url(request), params, request.headers.get(SIGNATURE_HEADER)
        ):
            logger.warning("Refused a twilio_voice request without a valid %s", SIGNATURE_HEADER)
            return response.text("invalid or missing Twilio signature", status=403)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """`GET /` (health), `POST /webhook` (Twilio's call webhook) and `POST /whisper` (the transfer's)."""
        twilio_voice_webhook = Blueprint("safe_twilio_voice_webhook", __name__)

        @twilio_voice_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio_voice_webhook.route("/whisper", methods=["POST"])
        async def whisper(request: Request) -> HTTPResponse:
            refused = self._refused(request, form_params(request.body or b""))
            if refused:
                return refused
            summary = self.whispers.get(str(request.args.get("t") or ""))
            said = whisper_text(summary, clinic_settings().emergency_number)
            return response.text(str(say_all(VoiceResponse(), said, self._voice())), content_type="text/xml")

        @twilio_voice_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            params = form_params(request.body or b"")
            refused = self._refused(request, params)
            if refused:
                return refused
            sender = caller_key(params)
            if sender is None:
                return response.text("'From' (or 'CallSid') is required", status=400)
            call_status = (params.get("CallStatus") or "").strip().lower()
            if call_status in ENDED_CALL_STATUSES:
                self.callers.forget(sender)
                return response.text(str(VoiceResponse()), content_type="text/xml")
            plan = await self.respond(on_new_message, sender, params)
            return response.text(str(self._twiml(plan)), content_type="text/xml")

        return twilio_voice_webhook
