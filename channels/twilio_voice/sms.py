"""Texts after a call, sent through Twilio's Messages API (off without credentials).

Turned on by three settings: `TWILIO_ACCOUNT_SID` and `TWILIO_AUTH_TOKEN`
(secrets, environment only) and the number texts come from (`sms_from` in
credentials.yml or `TWILIO_SMS_FROM`). Without them the phone line never
offers a text. `TWILIO_API_URL` points the client at another base URL: the
tests' local fake of the Messages API, so that no test needs Twilio or the
network. The client is Twilio's own (`twilio.rest.Client`); it blocks, so a
text is sent in a worker thread and a failure is logged, never spoken.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from channels.settings import secret, setting

logger = logging.getLogger(__name__)

# An SMS of more than 10 segments is refused by carriers; ours are a few lines.
MAX_SMS_CHARS = 1500


@dataclass(frozen=True)
class SmsSettings:
    """Where texts come from and how to reach the Messages API."""

    account_sid: str
    auth_token: str
    from_number: str
    api_url: Optional[str] = None

    @classmethod
    def read(cls, credentials: Optional[Mapping[str, Any]] = None,
             environ: Optional[Mapping[str, str]] = None) -> Optional["SmsSettings"]:
        """The settings, or None when any of the three is missing (texts are off)."""
        account_sid = secret("TWILIO_ACCOUNT_SID", environ)
        auth_token = secret("TWILIO_AUTH_TOKEN", environ)
        from_number = setting(credentials, "sms_from", "TWILIO_SMS_FROM", environ=environ)
        if not (account_sid and auth_token and from_number):
            return None
        return cls(account_sid, auth_token, from_number, setting(None, "", "TWILIO_API_URL", environ=environ))


class SmsSender:
    """Sends one text through the Messages API."""

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self.client = Client(settings.account_sid, settings.auth_token)
        if settings.api_url:
            # The Messages API lives on the `api` domain; the fake serves the same paths.
            self.client.api.base_url = settings.api_url.rstrip("/")

    def send_now(self, to: str, body: str) -> Optional[str]:
        """Sends the text and returns its message id (SM...), or None after logging a failure."""
        try:
            message = self.client.messages.create(to=to, from_=self.settings.from_number, body=body[:MAX_SMS_CHARS])
        except (TwilioException, OSError) as error:
            logger.error("A text after a call could not be sent: %s", type(error).__name__)
            return None
        return str(message.sid)

    async def send(self, to: str, body: str) -> Optional[str]:
        """Sends the text without blocking the server."""
        return await asyncio.to_thread(self.send_now, to, body)
