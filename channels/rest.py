"""The REST channel with request validation in front of Rasa's stock one."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.validation import rest_payload_problem


class SafeRestInput(RestInput):
    """`/webhooks/rest/webhook`, refusing malformed bodies with a clear 4xx."""

    @classmethod
    def name(cls) -> str:
        """Keeps the stock route name."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The stock blueprint plus a validating request middleware."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def validate(request: Request) -> Optional[HTTPResponse]:
            if request.method != "POST":
                return None
            problem = rest_payload_problem(request.body or b"")
            if problem is None:
                return None
            status, reason = problem
            return response.json({"error": reason}, status=status)

        return blueprint
