"""The REST channel with request validation in front of Rasa's stock one."""

from __future__ import annotations

import gc
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.validation import rest_payload_problem


async def freeze_startup_heap(app: Any, loop: Any) -> None:
    """Moves everything loaded at start-up (model, TensorFlow, spaCy) out of the garbage collector's sight.

    Those millions of long-lived objects made each full collection stall the
    server's one event loop: at 16 concurrent users the p99 latency was twice
    the p95 (about 630 vs 330 ms). Frozen, they are never scanned again; what
    is created per message is collected as before. Runs after the model has
    been loaded (Rasa loads it before the server starts).
    """
    gc.collect()
    gc.freeze()


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

        blueprint.listener("after_server_start")(freeze_startup_heap)
        return blueprint
