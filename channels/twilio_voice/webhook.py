"""`/webhooks/twilio_voice/webhook`: Twilio's call requests to Rasa, and TwiML back."""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Sequence, Text

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.twilio_voice import TwilioVoiceInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.twiml.voice_response import Gather, VoiceResponse

import server
from channels.settings import secret, setting
from channels.twilio_voice.callers import CallerState, CallerStates
from channels.twilio_voice.choices import choice_title, match_choice, pressed_choice, wants_more
from channels.twilio_voice.plan import Plan, plan_rest, plan_turn, voice_messages
from channels.twilio_voice.signature import (
    CHANNEL_NAME,
    SIGNATURE_HEADER,
    WEBHOOK_PATH,
    caller_key,
    form_params,
    public_webhook_url,
    signature_valid,
)
from channels.twilio_voice.wording import wording
from mfr.settings import clinic_settings

logger = logging.getLogger(__name__)

MAX_REPLAYS = 2
# Twilio transcribes at most about a minute of speech; anything longer is not a caller.
MAX_SPEECH_CHARS = 5000
ENDED_CALL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})

_local_mode_warned = False


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


class TwilioVoiceChannel(TwilioVoiceInput):
    """Twilio Voice with signature validation, transfer and speech-shaped replies."""

    @classmethod
    def name(cls) -> Text:
        """Keeps the stock route `/webhooks/twilio_voice/webhook`."""
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The stock settings; unquoted numbers and booleans are accepted too."""
        server.install_all()
        credentials = credentials or {}
        return cls(
            _as_text(credentials.get("initial_prompt"), "hello"),
            _as_text(credentials.get("reprompt_fallback_phrase"), wording().reprompt),
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
        self.auth_token = secret("TWILIO_AUTH_TOKEN") or ""
        self.public_url = setting(None, "public_url", "TWILIO_PUBLIC_URL") or ""
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
            hints = [*wording().number_words[: len(plan.choices)], *(choice_title(t) for t, _ in plan.choices)]
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
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender: str,
        texts: Sequence[str],
    ) -> Plan:
        try:
            collected = await self._ask(on_new_message, sender, texts)
        except Exception:
            logger.exception("The assistant failed to answer a caller")
            return Plan(prompt=[wording().error_reply])
        return plan_turn(
            voice_messages(collected),
            fallback_prompt=self.reprompt_fallback_phrase or wording().error_reply,
            clinic_number=os.environ.get("CLINIC_PHONE_NUMBER"),
        )

    def _no_speech(self, state: CallerState) -> Plan:
        """Repeats the last prompt; ends the call after `MAX_REPLAYS` silent repeats."""
        state.replays += 1
        if state.replays > MAX_REPLAYS:
            goodbye = wording().no_speech_goodbye.format(emergency_number=clinic_settings().emergency_number)
            return Plan(lead=[[goodbye]], hangup=True)
        if state.prompt:
            return Plan(prompt=list(state.prompt), choices=list(state.choices), pending=state.pending)
        # Nothing remembered (a restarted server, or a replica that did not hear the last turn).
        return Plan(prompt=[self.reprompt_fallback_phrase or wording().reprompt])

    def _new_call_texts(self) -> List[str]:
        """A ringing call: a fresh session (disclaimer, empty slots), then the greeting."""
        texts = [self.initial_prompt or "hello"]
        if self.new_session_per_call:
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
                plan = await self._turn(on_new_message, sender, self._new_call_texts())
            elif speech is None or not speech.strip():
                plan = self._no_speech(state)
            else:
                speech = speech.strip()[:MAX_SPEECH_CHARS]
                state.replays = 0
                if state.pending is not None and wants_more(speech):
                    plan = plan_rest(state.pending)
                else:
                    choice = match_choice(speech, state.choices)
                    text = choice[1] if choice else speech
                    plan = await self._turn(on_new_message, sender, [text])

            if plan.hangup or plan.dial:
                self.callers.forget(sender)
            else:
                self._remember(state, plan)
            return response.text(str(self._twiml(plan)), content_type="text/xml")

        return twilio_voice_webhook
