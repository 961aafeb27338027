"""The collecting output channel of the phone line: the bot's messages, kept whole for shaping."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa.core.channels.channel import CollectingOutputChannel

from channels.twilio_voice.signature import CHANNEL_NAME

logger = logging.getLogger(__name__)


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
        """Keeps the payload (a handoff becomes a transfer, an end-call payload a hang-up)."""
        await self._persist_message({"custom": json_message, "response": kwargs.get("utter_action")})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        """Images cannot be spoken."""
        logger.debug("Dropped an image from a voice reply")

    async def send_attachment(self, recipient_id: Text, attachment: Text, **kwargs: Any) -> None:
        """Attachments cannot be spoken."""
        logger.debug("Dropped an attachment from a voice reply")
