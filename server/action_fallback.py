"""Keeps the assistant talking when the action server is down or slow.

Stock Rasa logs a failed custom action and carries on without its events: the
user gets no reply at all. Here a failed or timed-out action answers with the
domain response `utter_action_failed` (an apology and the clinic's contact)
instead; a failed session start still starts the session and shows the
disclaimer; a failed slot update stays silent, as the answer that follows
speaks for the turn. Normal answers resume as soon as the action server does.

Installed by `server.install_all()`.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any, List

from rasa.core.actions.action import ActionExecutionRejection, ActionSessionStart, RemoteAction
from rasa.shared.core.events import BotUttered, Event

logger = logging.getLogger(__name__)

FALLBACK_RESPONSE = "utter_action_failed"
DISCLAIMER_RESPONSE = "utter_disclaimer"
SESSION_START = "action_session_start"
SILENT_ON_FAILURE = frozenset({"action_validate_slot_mappings"})


def action_timeout() -> float:
    """Seconds a custom action may take before the fallback answers instead."""
    return float(os.environ.get("ACTION_TIMEOUT_SECONDS", "10"))


async def _utter(response: str, nlg: Any, tracker: Any, output_channel: Any) -> List[Event]:
    message = await nlg.generate(response, tracker, output_channel.name())
    if not message:
        return []
    text = message.pop("text", None)
    return [BotUttered(text, data=message, metadata={"utter_action": response})]


def install() -> None:
    """Wraps `RemoteAction.run` once per process."""
    if getattr(RemoteAction.run, "_mfr_fallback", False):
        return
    original = RemoteAction.run

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), action_timeout())
        except ActionExecutionRejection:
            raise
        except Exception as error:  # connection refused, timeout, 5xx: the user must still get an answer
            logger.error("Custom action %s failed (%s); answering without it", self.name(), type(error).__name__)
            if self.name() in SILENT_ON_FAILURE:
                return []
            if self.name() == SESSION_START:
                events = await ActionSessionStart().run(output_channel, nlg, tracker, domain)
                return [*events[:-1], *await _utter(DISCLAIMER_RESPONSE, nlg, tracker, output_channel), events[-1]]
            return await _utter(FALLBACK_RESPONSE, nlg, tracker, output_channel)

    run._mfr_fallback = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]
