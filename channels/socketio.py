"""The socket.io channel, limited to the configured web origins.

Rasa 3.6 creates its socket.io server with `cors_allowed_origins=[]`, which
turns the Origin check off: any web page could open a chat with the clinic's
assistant. Here the check is on, with the origins from configuration, and
malformed events (wrong types or argument counts, session ids the tracker store
cannot hold, metadata that is not a JSON object) are dropped before they reach
Rasa.
"""

from __future__ import annotations

import inspect
import json
import logging
import math
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

import server
from channels.settings import listed, setting
from channels.validation import MAX_BODY_BYTES, conversation_id_problem, is_encodable

logger = logging.getLogger(__name__)

DEFAULT_ORIGINS = ["http://localhost:8080"]


def allowed_origins(configured: Optional[List[str]]) -> List[str]:
    """`ALLOWED_ORIGINS` (comma-separated) from the environment, else the configured list."""
    return listed(setting(None, "cors_allowed_origins", "ALLOWED_ORIGINS")) or list(configured or DEFAULT_ORIGINS)


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
    if session_id is not None and conversation_id_problem(session_id):
        return "bad session_id"
    return None


def _all_finite(value: Any) -> bool:
    # A loop, not recursion: the payload may be nested nearly to the recursion limit.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def parsed_metadata(value: Any) -> Optional[Dict[str, Any]]:
    """The event's metadata as a dict ({} when absent), or None when it must be refused."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    # Anything but an object failed inside Rasa after the disclaimer (the user
    # got no answer), and NaN or Infinity made the stored tracker invalid JSON.
    if not isinstance(value, dict) or not _all_finite(value):
        return None
    return value


class SocketIOReplies(SocketIOOutput):
    """The stock output, but custom payloads arrive as {"custom": ...}.

    The stock `send_custom_json` passes the payload's keys to `emit()` as
    keyword arguments, which raises for any payload (e.g. the handoff's).
    """

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        """Sends the payload under "custom" to the conversation's room."""
        await self._send_message(recipient_id, {"custom": json_message})


class SocketIOChannel(SocketIOInput):
    """socket.io with an Origin allow-list and event validation."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Reads `cors_allowed_origins` besides the stock settings; installs the server extensions."""
        server.install_all()
        channel = super().from_credentials(credentials)
        channel.origins = allowed_origins((credentials or {}).get("cors_allowed_origins"))  # type: ignore[attr-defined]
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output for messages sent outside a request (e.g. /conversations/.../execute)."""
        return SocketIOReplies(self.sio, self.bot_message_evt) if self.sio is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint with the Origin check switched on."""
        blueprint = super().blueprint(on_new_message)
        assert self.sio is not None
        # engine.io reads this list on every handshake; [] would mean "no check".
        self.sio.eio.cors_allowed_origins = getattr(self, "origins", DEFAULT_ORIGINS)
        # ... but it must not add CORS headers of its own: Rasa's --cors (Sanic-CORS)
        # adds them to every response, and a second Access-Control-Allow-Origin
        # makes browsers refuse the long-polling responses. The check above stays.
        # `_cors_headers` is private: recheck when the python-engineio pin moves.
        self.sio.eio._cors_headers = lambda environ: []  # type: ignore[method-assign]
        # The REST body limit for socket.io too: Sanic's request limit only covers long-polling
        # requests, and engine.io's own default for WebSocket messages is about 1 MB.
        self.sio.eio.max_http_buffer_size = MAX_BODY_BYTES
        sio = self.sio

        # Handlers take *args: a client decides how many arguments an event
        # carries, and a wrong count was a TypeError in every handler.
        async def handle_message(sid: Text, *args: Any) -> None:
            data: Any = args[0] if len(args) == 1 else None
            problem = event_problem(data)
            if problem:
                logger.warning("Dropped a socket.io event: %s", problem)
                return
            if self.session_persistence and not data.get("session_id"):
                logger.warning("Dropped a socket.io message without session_id (send session_request first)")
                return
            metadata = parsed_metadata(data.get(self.metadata_key))
            if metadata is None:
                logger.warning("Dropped a socket.io event: metadata is not a JSON object of finite values")
                return
            message = UserMessage(
                data.get("message", ""),
                SocketIOReplies(sio, self.bot_message_evt),
                data["session_id"] if self.session_persistence else sid,
                input_channel=self.name(),
                metadata=metadata,
            )
            await on_new_message(message)

        # The stock handler raised on anything but an object with a hashable session_id.
        async def session_request(sid: Text, *args: Any) -> None:
            data = args[0] if args else None
            if len(args) > 1 or not isinstance(data, (dict, type(None))):
                logger.warning("Dropped a socket.io session_request: not an object")
                return
            session_id = (data or {}).get("session_id")
            problem = None if session_id is None else conversation_id_problem(session_id)
            if problem:
                logger.warning("Dropped a socket.io session_request: session_id %s", problem)
                return
            session_id = session_id or uuid.uuid4().hex
            if self.session_persistence:
                # A coroutine since python-socketio 5.10 (Rasa 3.6's own handler forgets to await it,
                # RasaHQ/rasa#13027); a plain call before. Both are handled, so the pin can move.
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        stock_handle_event = sio._handle_event

        async def handle_event(eio_sid: Text, namespace: Optional[Text], id: Optional[int], data: Any) -> None:
            # python-socketio passes a client's event named "connect" or
            # "disconnect" to those handlers with the wrong arguments, and fails
            # on an event without a string name: a TypeError or KeyError each
            # time. `_handle_event` is private: recheck when the python-socketio pin moves.
            if not (isinstance(data, list) and data and isinstance(data[0], str)) or data[0] in sio.reserved_events:
                logger.warning("Dropped a socket.io event without a name or with a reserved one")
                return
            await stock_handle_event(eio_sid, namespace, id, data)

        sio._handle_event = handle_event  # type: ignore[method-assign]
        self.sio.on("session_request", namespace=self.namespace)(session_request)
        self.sio.on(self.user_message_evt, namespace=self.namespace)(handle_message)
        return blueprint
