"""The REST channel: Rasa's stock one with request validation in front and a clear error behind."""

from __future__ import annotations

import contextvars
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import server
from channels.validation import rest_payload_problem
from server.store_failures import ConversationStoreError

# Set while a request is handled when the conversation store failed: Rasa's own
# handler swallows the error and would answer 200 with no reply.
_store_failed: contextvars.ContextVar[bool] = contextvars.ContextVar("store_failed", default=False)
STORE_UNAVAILABLE = {"error": "the conversation store is unavailable; the message was not processed, please retry"}


class RestChannel(RestInput):
    """`/webhooks/rest/webhook`: malformed bodies get a clear 4xx, a failing conversation store a 503."""

    @classmethod
    def name(cls) -> str:
        """Keeps the stock route name."""
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The stock channel (it has no settings); installs the server extensions."""
        server.install_all()
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint plus a validating request middleware and the store-failure answer."""

        async def handle(message: UserMessage) -> None:
            try:
                await on_new_message(message)
            except ConversationStoreError:
                _store_failed.set(True)
                raise

        blueprint = super().blueprint(handle)

        @blueprint.middleware("request")
        async def validate(request: Request) -> Optional[HTTPResponse]:
            _store_failed.set(False)
            if request.method != "POST":
                return None
            problem = rest_payload_problem(request.body or b"")
            if problem is None:
                return None
            status, reason = problem
            return response.json({"error": reason}, status=status)

        @blueprint.middleware("response")
        async def store_failure(request: Request, resp: HTTPResponse) -> Optional[HTTPResponse]:
            if _store_failed.get():
                return response.json(STORE_UNAVAILABLE, status=503)
            return None

        return blueprint
