"""The socket.io channel, limited to the configured web origins.

Rasa 3.6 creates its socket.io server with `cors_allowed_origins=[]`, which
turns the Origin check off: any web page could open a chat with the clinic's
assistant. Here the check is on, with the origins from configuration, and
malformed events are dropped before they reach the stock handler.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from channels.validation import MAX_BODY_BYTES, MAX_SENDER_CHARS, is_encodable

logger = logging.getLogger(__name__)

DEFAULT_ORIGINS = ["http://localhost:8080"]


def allowed_origins(configured: Optional[List[str]]) -> List[str]:
    """`ALLOWED_ORIGINS` (comma-separated) from the environment, else the configured list."""
    env = os.environ.get("ALLOWED_ORIGINS", "")
    origins = [o.strip() for o in env.split(",") if o.strip()] or list(configured or DEFAULT_ORIGINS)
    return origins


def event_problem(data: Any) -> Optional[str]:
    """Why a `user_uttered` event must be dropped, or None."""
    if not isinstance(data, dict):
        return "event data is not an object"
    message = data.get("message", "")
    if not isinstance(message, str):
        return "message is not a string"
    if not is_encodable(message):
        return "message is not valid Unicode text"
    if len(message.encode("utf-8")) > MAX_BODY_BYTES:
        return "message too large"
    session_id = data.get("session_id")
    if session_id is not None and (not isinstance(session_id, str) or len(session_id) > MAX_SENDER_CHARS):
        return "bad session_id"
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, (dict, str)):
        return "bad metadata"
    return None


class SafeSocketIOOutput(SocketIOOutput):
    """The stock output, but custom payloads arrive as {"custom": ...}.

    The stock `send_custom_json` passes the payload's keys to `emit()` as
    keyword arguments, which raises for any payload (e.g. the handoff's).
    """

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Sends the payload under "custom" to the conversation's room."""
        await self._send_message(recipient_id, {"custom": json_message})


class SafeSocketIOInput(SocketIOInput):
    """socket.io with an Origin allow-list and event validation."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Reads `cors_allowed_origins` besides the stock settings."""
        channel = super().from_credentials(credentials)
        channel.origins = allowed_origins((credentials or {}).get("cors_allowed_origins"))  # type: ignore[attr-defined]
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output for messages sent outside a request (e.g. /conversations/.../execute)."""
        return SafeSocketIOOutput(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint with the Origin check switched on."""
        blueprint = super().blueprint(on_new_message)
        assert self.sio is not None
        # engine.io reads this list on every handshake; [] would mean "no check".
        self.sio.eio.cors_allowed_origins = getattr(self, "origins", DEFAULT_ORIGINS)
        sio = self.sio

        async def handle_message(sid: Text, data: Any) -> None:
            problem = event_problem(data)
            if problem:
                logger.warning("Dropped a socket.io event: %s", problem)
                return
            if self.session_persistence and not data.get("session_id"):
                logger.warning("Dropped a socket.io message without session_id (send session_request first)")
                return
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    logger.warning("Dropped a socket.io event: metadata is not JSON")
                    return
            message = UserMessage(
                data.get("message", ""),
                SafeSocketIOOutput(sio, self.bot_message_evt),
                data["session_id"] if self.session_persistence else sid,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        self.sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)
        return blueprint
